#include "pipeline/transcode/video_rendition.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

extern "C" {
#include <libavutil/opt.h>
}

namespace mediaemu::pipeline {

namespace {

// A source gap longer than this is not bridged by repeating frames (the transcoder rebases
// timestamps long before; this only guards against a runaway loop on absurd input).
constexpr int64_t kMaxBridgedSlots = 600;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int even_size(double v) { return std::max(2, static_cast<int>(std::lround(v / 2)) * 2); }

// libx264 frame threads cost CPU (synchronisation, shorter motion search across threads) and
// pay off only on big pictures. Small rungs encode in the transcoder's worker thread while the
// top rung's frame threads run beside it, which keeps 2 cores busy with the least overhead
// (measured with tools/bench/ladder).
int default_threads(int width, int height) { return width * height >= 1280 * 720 ? 0 : 1; }

bool plausible_rate(AVRational r) { return r.num > 0 && r.den > 0 && av_q2d(r) >= 1 && av_q2d(r) <= 240; }

}  // namespace

VideoRendition::VideoRendition(VideoRenditionSpec spec, int track_id, VideoEncoderSettings settings,
                               PacketInterleaver& out)
    : spec_(std::move(spec)), track_id_(track_id), settings_(std::move(settings)), out_(out) {}

void VideoRendition::open(int src_w, int src_h, AVRational src_sar, AVRational src_fps) {
  // Sizes the spec leaves at 0 follow the source's display size (square output pixels).
  double par = (src_sar.num > 0 && src_sar.den > 0) ? av_q2d(src_sar) : 1.0;
  double display_w = src_w * par, display_h = src_h;
  if (spec_.width > 0 && spec_.height > 0) {
    width_ = even_size(spec_.width);
    height_ = even_size(spec_.height);
  } else if (spec_.width > 0) {
    width_ = even_size(spec_.width);
    height_ = even_size(width_ * display_h / display_w);
  } else if (spec_.height > 0) {
    height_ = even_size(spec_.height);
    width_ = even_size(height_ * display_w / display_h);
  } else {
    width_ = even_size(display_w);
    height_ = even_size(display_h);
  }
  AVRational wanted{spec_.fps_num, spec_.fps_den};
  fps_ = plausible_rate(wanted) ? wanted : plausible_rate(src_fps) ? src_fps : AVRational{30, 1};
  av_reduce(&fps_.num, &fps_.den, fps_.num, fps_.den, 1 << 30);
  double gop = spec_.gop_in_frames ? spec_.gop_size : spec_.gop_size * av_q2d(fps_);
  gop_frames_ = std::max<int64_t>(1, std::llround(gop));
  scaler_.emplace(width_, height_, spec_.scaling == VideoRenditionSpec::Scaling::StretchToOutput);
  open_encoder();
}

void VideoRendition::open_encoder() {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec) throw std::runtime_error("libx264 encoder not available in this libavcodec");
  CodecContextPtr c(avcodec_alloc_context3(codec));
  if (!c) throw std::bad_alloc();
  c->width = width_;
  c->height = height_;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->sample_aspect_ratio = AVRational{1, 1};
  c->framerate = fps_;
  c->time_base = av_inv_q(fps_);  // pts = output slot number
  c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;  // SPS/PPS once, for the avcC
  c->thread_count = settings_.threads > 0 ? settings_.threads : default_threads(width_, height_);
  // Fixed GOPs (keyint = min-keyint, no scene cuts, closed GOPs): IDRs only where we force them
  // on the shared output grid, so segment boundaries line up across renditions.
  c->gop_size = static_cast<int>(gop_frames_);
  c->keyint_min = static_cast<int>(gop_frames_);
  bool baseline = spec_.profile == "baseline";
  c->max_b_frames = baseline ? 0 : std::clamp(spec_.b_frames, 0, 16);

  std::string x264_params = "scenecut=0:open-gop=0:annexb=0";
  int64_t peak = spec_.max_bitrate > 0 ? spec_.max_bitrate : spec_.bitrate * 3 / 2;
  using RC = VideoRenditionSpec::RateControl;
  if (spec_.rate_control == RC::Cbr && spec_.bitrate > 0) {
    peak = spec_.bitrate;  // bitrate == maxrate puts x264's VBV in CBR mode
    c->bit_rate = spec_.bitrate;
  } else if (spec_.rate_control == RC::Vbr && spec_.bitrate > 0) {
    c->bit_rate = spec_.bitrate;
  } else {
    // QVBR (or no bitrate given): constant quality capped by the peak rate. Quality 1..10
    // (10 best) maps onto CRF 36..18.
    int quality = std::clamp(spec_.qvbr_quality, 1, 10);
    av_opt_set_double(c->priv_data, "crf", 38.0 - 2.0 * quality, 0);
  }
  if (peak > 0) {
    c->rc_max_rate = peak;
    int64_t buf = spec_.buf_size > 0 ? spec_.buf_size : 2 * peak;
    c->rc_buffer_size = static_cast<int>(std::min<int64_t>(buf, INT32_MAX));
  }
  av_opt_set(c->priv_data, "preset", settings_.preset.c_str(), 0);
  std::string profile = spec_.profile.rfind("high", 0) == 0 ? "high" : spec_.profile;
  if (profile == "baseline" || profile == "main" || profile == "high")
    av_opt_set(c->priv_data, "profile", profile.c_str(), 0);
  if (!spec_.level.empty()) av_opt_set(c->priv_data, "level", spec_.level.c_str(), 0);
  av_opt_set(c->priv_data, "forced-idr", "1", 0);
  av_opt_set(c->priv_data, "x264-params", x264_params.c_str(), 0);
  av_check(avcodec_open2(c.get(), codec, nullptr), ("open libx264 for " + spec_.name).c_str());

  // With annexb=0 x264 writes parameter sets and NAL units with 4-byte length prefixes.
  ByteView headers(c->extradata, static_cast<size_t>(std::max(0, c->extradata_size)));
  auto nals = starts_with_start_code(headers) ? std::optional(split_annexb(headers))
                                              : split_length_prefixed(headers, 4);
  auto avcc = nals ? avcc_from_nal_units(*nals) : std::nullopt;
  if (!avcc) throw std::runtime_error("libx264 gave no SPS/PPS for " + spec_.name);
  avcc_ = std::move(*avcc);
  encoder_ = std::move(c);
  force_idr_ = true;
}

TrackInfo VideoRendition::track_info() const {
  TrackInfo t;
  t.id = track_id_;
  t.kind = MediaKind::Video;
  t.name = spec_.name;
  t.codec = AV_CODEC_ID_H264;
  t.extradata = avcc_;
  t.time_base = kTimeBase;
  t.width = width_;
  t.height = height_;
  t.frame_rate = fps_;
  t.bitrate = spec_.bitrate > 0 ? spec_.bitrate : spec_.max_bitrate;
  t.codecs = avc_codecs_string(avcc_);
  return t;
}

int64_t VideoRendition::slot_time_us(int64_t slot) const {
  return floor_div(slot * fps_.den * kUs, fps_.num);
}

int64_t VideoRendition::nearest_slot(int64_t t_us) const {
  // Round half down: a source frame between two slots (30 -> 15 fps) belongs to the earlier
  // one, so the later slot shows the source frame that falls exactly on it. Ingest timestamps
  // are whole milliseconds, so "between" gets 1 ms of slack.
  int64_t unit = fps_.den * kUs;
  int64_t t = t_us - 1000;
  return -floor_div(unit - 2 * t * fps_.num, 2 * unit);
}

void VideoRendition::push(const AVFrame* source, int64_t t_us) {
  int64_t slot = nearest_slot(t_us);
  if (slot < next_slot_) {
    ++stats_.dropped;
    return;
  }
  FramePtr picture = scaler_->scale(source);
  if (slot - next_slot_ > kMaxBridgedSlots) {
    spdlog::warn("transcode: {} skips {} frames of a source gap", spec_.name, slot - next_slot_);
    next_slot_ = slot;
    force_idr_ = true;
  }
  // Slots the source skipped show the previous picture (or this one at the very start, so the
  // output begins exactly where the timeline does).
  AVFrame* bridge = last_ ? last_.get() : picture.get();
  while (next_slot_ < slot) {
    encode(bridge, next_slot_++);
    ++stats_.duplicated;
  }
  encode(picture.get(), next_slot_++);
  last_ = std::move(picture);
}

void VideoRendition::fill(int64_t until_us, const std::function<FillerPicture(int64_t)>& pick) {
  while (slot_time_us(next_slot_) < until_us) {
    encode(filler(pick(slot_time_us(next_slot_))), next_slot_);
    ++next_slot_;
  }
}

AVFrame* VideoRendition::filler(FillerPicture which) {
  if (which == FillerPicture::LastPicture && last_) return last_.get();
  if (which == FillerPicture::Color) {
    if (!color_)
      color_ = loss_slate_ ? scaler_->scale(loss_slate_) : make_solid_picture(scaler_->pool(), settings_.loss_color);
    return color_.get();
  }
  if (!black_) black_ = make_solid_picture(scaler_->pool(), YuvColor{});
  return black_.get();
}

int64_t VideoRendition::first_slot_at_or_after(int64_t t_us) const {
  return -floor_div(-t_us * fps_.num, fps_.den * kUs);  // ceil
}

int64_t VideoRendition::next_gop_start_us(int64_t t_us) const {
  int64_t slot = first_slot_at_or_after(t_us);
  return slot_time_us(-floor_div(-slot, gop_frames_) * gop_frames_);
}

void VideoRendition::skip_to(int64_t t_us) {
  int64_t first = first_slot_at_or_after(t_us);
  if (first > next_slot_) {
    next_slot_ = first;
    force_idr_ = true;
  }
}

void VideoRendition::encode(AVFrame* picture, int64_t slot) {
  if (!encoder_) open_encoder();
  // The encoder keeps its own reference; pts and type are read at send time, so the same
  // picture can be sent again for a later slot.
  picture->pts = slot;
  // Splice points at or before this slot (one skipped by a gap is met by the IDR after the gap).
  bool forced = false;
  while (!forced_slots_.empty() && *forced_slots_.begin() <= slot) {
    forced = true;
    forced_slots_.erase(forced_slots_.begin());
  }
  bool idr = force_idr_ || forced || slot % gop_frames_ == 0;
  picture->pict_type = idr ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
  picture->key_frame = idr;
  force_idr_ = false;
  int rc = avcodec_send_frame(encoder_.get(), picture);
  if (rc < 0) {
    spdlog::warn("transcode: {} encoder refused a frame: {}", spec_.name, av_error_text(rc));
    return;
  }
  ++stats_.frames_out;
  receive_packets();
}

void VideoRendition::receive_packets() {
  for (;;) {
    int rc = avcodec_receive_packet(encoder_.get(), packet_.get());
    if (rc < 0) return;
    PacketPtr p = make_packet();
    av_packet_move_ref(p.get(), packet_.get());
    emit(std::move(p));
  }
}

void VideoRendition::emit(PacketPtr p) {
  ByteView sample(p->data, static_cast<size_t>(p->size));
  if (!split_length_prefixed(sample, 4) && starts_with_start_code(sample)) {
    // Safety net should libx264 ignore annexb=0: packets must match the avcC framing. (A
    // length prefix of 256..511 also starts 00 00 01, so the length-prefixed parse decides.)
    Bytes avcc_sample;
    for (auto nal : split_annexb(sample)) append_length_prefixed(avcc_sample, nal);
    PacketPtr q = make_packet();
    av_check(av_new_packet(q.get(), static_cast<int>(avcc_sample.size())), "allocate packet");
    std::copy(avcc_sample.begin(), avcc_sample.end(), q->data);
    av_packet_copy_props(q.get(), p.get());
    p = std::move(q);
  }
  if (p->duration <= 0) p->duration = 1;  // one slot
  av_packet_rescale_ts(p.get(), encoder_->time_base, kTimeBase);
  p->time_base = kTimeBase;
  p->stream_index = track_id_;
  out_.push(track_id_, std::move(p));
}

void VideoRendition::drain() {
  if (!encoder_) return;
  if (avcodec_send_frame(encoder_.get(), nullptr) >= 0) receive_packets();
  encoder_.reset();
}

}  // namespace mediaemu::pipeline
