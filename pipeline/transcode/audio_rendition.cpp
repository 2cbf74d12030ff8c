#include "pipeline/transcode/audio_rendition.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace mediaemu::pipeline {

namespace {

// Source timestamps (whole milliseconds in RTMP/FLV) jitter; only a gap or overlap larger than
// this is treated as real and bridged with silence or trimmed.
constexpr int64_t kToleranceUs = 40'000;

}  // namespace

AudioRendition::AudioRendition(AudioRenditionSpec spec, int track_id, PacketInterleaver& out)
    : spec_(std::move(spec)), track_id_(track_id), out_(out) {
  spec_.channels = std::clamp(spec_.channels, 1, 8);
  open_encoder();
  fifo_.reset(av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, spec_.channels, encoder_->frame_size * 4));
  if (!fifo_) throw std::bad_alloc();
  zeros_.assign(encoder_->frame_size, 0.0f);
}

void AudioRendition::open_encoder() {
  const AVCodec* codec = avcodec_find_encoder_by_name("aac");
  if (!codec) throw std::runtime_error("the native aac encoder is not available");
  CodecContextPtr c(avcodec_alloc_context3(codec));
  if (!c) throw std::bad_alloc();
  c->sample_fmt = AV_SAMPLE_FMT_FLTP;
  c->sample_rate = spec_.sample_rate;
  av_channel_layout_default(&c->ch_layout, spec_.channels);
  c->bit_rate = spec_.bitrate;
  c->time_base = time_base();
  c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  av_check(avcodec_open2(c.get(), codec, nullptr), ("open aac encoder for " + spec_.name).c_str());
  if (c->frame_size <= 0) throw std::runtime_error("aac encoder reports no frame size");
  asc_.assign(c->extradata, c->extradata + std::max(0, c->extradata_size));
  encoder_ = std::move(c);
}

TrackInfo AudioRendition::track_info() const {
  TrackInfo t;
  t.id = track_id_;
  t.kind = MediaKind::Audio;
  t.name = spec_.name;
  t.codec = AV_CODEC_ID_AAC;
  t.extradata = asc_;
  t.time_base = time_base();
  t.sample_rate = spec_.sample_rate;
  t.channels = spec_.channels;
  t.bitrate = spec_.bitrate;
  t.codecs = aac_codecs_string(asc_);
  return t;
}

int64_t AudioRendition::sample_at(int64_t t_us) const {
  return av_rescale_rnd(t_us, spec_.sample_rate, kUs, AV_ROUND_NEAR_INF);
}

int64_t AudioRendition::next_time_us() const {
  return av_rescale(next_sample_, kUs, spec_.sample_rate);
}

void AudioRendition::configure_resampler(const AVFrame* d) {
  if (swr_ && d->sample_rate == in_rate_ && d->format == in_format_ &&
      av_channel_layout_compare(&d->ch_layout, &in_layout_) == 0)
    return;
  AVChannelLayout out_layout{};
  av_channel_layout_default(&out_layout, spec_.channels);
  SwrContext* s = nullptr;
  int rc = swr_alloc_set_opts2(&s, &out_layout, AV_SAMPLE_FMT_FLTP, spec_.sample_rate,
                               const_cast<AVChannelLayout*>(&d->ch_layout),
                               static_cast<AVSampleFormat>(d->format), d->sample_rate, 0, nullptr);
  av_channel_layout_uninit(&out_layout);
  swr_.reset(s);
  av_check(rc, "configure resampler");
  av_check(swr_init(swr_.get()), "open resampler");
  in_rate_ = d->sample_rate;
  in_format_ = d->format;
  av_channel_layout_uninit(&in_layout_);
  av_channel_layout_copy(&in_layout_, &d->ch_layout);
}

void AudioRendition::push(const AVFrame* d, int64_t t_us) {
  if (d->nb_samples <= 0 || d->sample_rate <= 0) return;
  configure_resampler(d);
  // Where these samples belong versus where the stream has got to (resampler backlog included).
  int64_t pending = swr_get_delay(swr_.get(), spec_.sample_rate);
  int64_t position = next_sample_ + pending - to_drop_;
  int64_t wanted = sample_at(t_us);
  int64_t tolerance = sample_at(kToleranceUs);
  if (wanted - position > tolerance) {
    write_silence(wanted - position);  // the source skipped: keep the timeline continuous
  } else if (position - wanted > tolerance) {
    to_drop_ += position - wanted;  // the source went back: drop what overlaps
  }

  int capacity = swr_get_out_samples(swr_.get(), d->nb_samples);
  if (capacity <= 0) return;
  std::vector<float*> planes = scratch_planes(capacity);
  int n = swr_convert(swr_.get(), reinterpret_cast<uint8_t**>(planes.data()), capacity,
                      const_cast<const uint8_t**>(d->extended_data), d->nb_samples);
  if (n < 0) {
    spdlog::warn("transcode: {} resampler failed: {}", spec_.name, av_error_text(n));
    return;
  }
  int skip = static_cast<int>(std::min<int64_t>(to_drop_, n));
  to_drop_ -= skip;
  write(planes.data(), skip, n - skip);
  encode_buffered(false);
}

void AudioRendition::fill_silence(int64_t until_us) {
  int64_t target = sample_at(until_us);
  if (target > next_sample_) {
    write_silence(target - next_sample_);
    encode_buffered(false);
  }
}

void AudioRendition::skip_to(int64_t t_us) {
  int64_t target = sample_at(t_us);
  if (target > next_sample_ && av_audio_fifo_size(fifo_.get()) == 0) next_sample_ = target;
  to_drop_ = 0;
}

std::vector<float*> AudioRendition::scratch_planes(int capacity) {
  scratch_.resize(spec_.channels);
  std::vector<float*> planes(spec_.channels);
  for (int ch = 0; ch < spec_.channels; ++ch) {
    if (static_cast<int>(scratch_[ch].size()) < capacity) scratch_[ch].resize(capacity);
    planes[ch] = scratch_[ch].data();
  }
  return planes;
}

void AudioRendition::write(float* const* planes, int offset, int count) {
  if (count <= 0) return;
  std::vector<void*> at(spec_.channels);
  for (int ch = 0; ch < spec_.channels; ++ch) at[ch] = planes[ch] + offset;
  if (av_audio_fifo_write(fifo_.get(), at.data(), count) < count) throw std::bad_alloc();
  next_sample_ += count;
}

void AudioRendition::write_silence(int64_t count) {
  std::vector<float*> planes(spec_.channels, zeros_.data());
  while (count > 0) {
    int chunk = static_cast<int>(std::min<int64_t>(count, static_cast<int64_t>(zeros_.size())));
    write(planes.data(), 0, chunk);
    count -= chunk;
    encode_buffered(false);
  }
}

void AudioRendition::encode_buffered(bool final_frame) {
  const int frame_size = encoder_ ? encoder_->frame_size : static_cast<int>(zeros_.size());
  for (;;) {
    int buffered = av_audio_fifo_size(fifo_.get());
    if (buffered == 0 || (buffered < frame_size && !final_frame)) return;
    int n = std::min(buffered, frame_size);
    FramePtr f = make_frame();
    f->format = AV_SAMPLE_FMT_FLTP;
    f->sample_rate = spec_.sample_rate;
    av_channel_layout_default(&f->ch_layout, spec_.channels);
    f->nb_samples = n;
    av_check(av_frame_get_buffer(f.get(), 0), "allocate audio frame");
    f->pts = next_sample_ - buffered;  // in 1/sample_rate
    av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(f->extended_data), n);
    send(f.get());
  }
}

void AudioRendition::send(AVFrame* frame) {
  if (!encoder_) open_encoder();
  int rc = avcodec_send_frame(encoder_.get(), frame);
  if (rc < 0) {
    spdlog::warn("transcode: {} encoder refused audio: {}", spec_.name, av_error_text(rc));
    return;
  }
  if (frame) ++frames_out_;
  for (;;) {
    rc = avcodec_receive_packet(encoder_.get(), packet_.get());
    if (rc < 0) return;
    PacketPtr p = make_packet();
    av_packet_move_ref(p.get(), packet_.get());
    av_packet_rescale_ts(p.get(), encoder_->time_base, time_base());
    p->time_base = time_base();
    p->stream_index = track_id_;
    out_.push(track_id_, std::move(p));
  }
}

void AudioRendition::drain() {
  if (swr_) {
    // What the resampler still holds, then a short last frame (the encoder pads it).
    int capacity = static_cast<int>(swr_get_delay(swr_.get(), spec_.sample_rate)) + 32;
    std::vector<float*> planes = scratch_planes(capacity);
    int n = swr_convert(swr_.get(), reinterpret_cast<uint8_t**>(planes.data()), capacity, nullptr, 0);
    if (n > 0) write(planes.data(), 0, n);
    swr_.reset();
  }
  to_drop_ = 0;
  if (!encoder_ && av_audio_fifo_size(fifo_.get()) == 0) return;
  encode_buffered(true);
  send(nullptr);
  encoder_.reset();
}

}  // namespace mediaemu::pipeline
