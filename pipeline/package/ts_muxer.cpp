#include "pipeline/package/ts_muxer.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "pipeline/ads/splice_info.hpp"
#include "pipeline/crypto/sample_aes.hpp"
#include "pipeline/package/codec_config.hpp"
#include "pipeline/package/ts_sample_aes_pmt.hpp"
#include "pipeline/package/ts_scte35.hpp"
#include "pipeline/transcode/codec_config.hpp"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

namespace mediaemu::pipeline {

namespace {
constexpr int kAvioBufferSize = 64 * 1024;
// AVFormatContext::max_delay. The mpegts muxer adds twice that to every timestamp.
constexpr int64_t kMaxDelayUs = 700000;
constexpr int64_t kMuxOffset90k = 2 * kMaxDelayUs * 90000 / 1000000;
}

void TsMuxer::ContextDeleter::operator()(AVFormatContext* c) const {
  if (!c) return;
  if (c->pb) {
    av_freep(&c->pb->buffer);
    avio_context_free(&c->pb);
  }
  avformat_free_context(c);
}

TsMuxer::TsMuxer(std::vector<const TrackInfo*> tracks, bool sample_aes, std::optional<uint16_t> scte35_pid)
    : tracks_(std::move(tracks)), sample_aes_(sample_aes), scte35_pid_(scte35_pid) {
  if (tracks_.empty()) throw std::invalid_argument("TS muxer without tracks");
  if (scte35_pid_) pmt_.add(scte35_pmt_edit(*scte35_pid_));
  if (sample_aes) {
    std::vector<std::vector<uint8_t>> aac_configs;
    for (const TrackInfo* t : tracks_) {
      int length_size = 0;
      if (t->codec == AV_CODEC_ID_H264 && is_avcc_extradata(t->extradata))
        if (auto avcc = parse_avcc(t->extradata)) length_size = avcc->nal_length_size;
      nal_length_sizes_.push_back(length_size);
      if (t->codec == AV_CODEC_ID_AAC) aac_configs.push_back(t->extradata);
    }
    pmt_.add(sample_aes_pmt_edit(std::move(aac_configs)));
    encrypted_ = make_packet();
  }
  open();
}

TsMuxer::~TsMuxer() = default;

int TsMuxer::write_callback(void* opaque, uint8_t* buf, int size) {
  auto* self = static_cast<TsMuxer*>(opaque);
  self->pending_.insert(self->pending_.end(), buf, buf + size);
  return size;
}

void TsMuxer::open() {
  AVFormatContext* raw = nullptr;
  av_check(avformat_alloc_output_context2(&raw, nullptr, "mpegts", nullptr), "mpegts muxer");
  std::unique_ptr<AVFormatContext, ContextDeleter> ctx(raw);
  auto* buffer = static_cast<uint8_t*>(av_malloc(kAvioBufferSize));
  if (!buffer) throw std::bad_alloc();
  ctx->pb = avio_alloc_context(buffer, kAvioBufferSize, 1, this, nullptr, &TsMuxer::write_callback, nullptr);
  if (!ctx->pb) {
    av_free(buffer);
    throw std::bad_alloc();
  }
  ctx->flags |= AVFMT_FLAG_CUSTOM_IO;
  // Timestamps pass through unchanged apart from a constant offset (the mpegts muxer adds twice
  // max_delay: 1.4 s, as with the ffmpeg CLI's default muxdelay), the same in every muxer of the
  // endpoint, so renditions stay aligned and a first B-frame's negative dts is not written as a
  // wrapped 33-bit value.
  ctx->avoid_negative_ts = 0;
  ctx->max_delay = kMaxDelayUs;
  for (const TrackInfo* t : tracks_) {
    AVStream* st = avformat_new_stream(ctx.get(), nullptr);
    if (!st) throw std::bad_alloc();
    AVCodecParameters* par = st->codecpar;
    par->codec_type = t->kind == MediaKind::Video ? AVMEDIA_TYPE_VIDEO : AVMEDIA_TYPE_AUDIO;
    par->codec_id = t->codec;
    par->bit_rate = t->bitrate;
    if (!t->extradata.empty()) {
      par->extradata = static_cast<uint8_t*>(av_mallocz(t->extradata.size() + AV_INPUT_BUFFER_PADDING_SIZE));
      if (!par->extradata) throw std::bad_alloc();
      std::copy(t->extradata.begin(), t->extradata.end(), par->extradata);
      par->extradata_size = static_cast<int>(t->extradata.size());
    }
    if (t->kind == MediaKind::Video) {
      par->width = t->width;
      par->height = t->height;
      st->avg_frame_rate = t->frame_rate;
    } else {
      par->sample_rate = t->sample_rate;
      av_channel_layout_default(&par->ch_layout, t->channels > 0 ? t->channels : 2);
      par->frame_size = 1024;
    }
    st->time_base = t->time_base;
  }
  // Audio-only: the muxer cannot derive a PCR period from AAC parameters; 100 ms is the
  // ISO/IEC 13818-1 §2.7.2 ceiling for PCR intervals.
  if (std::none_of(tracks_.begin(), tracks_.end(), [](const TrackInfo* t) { return t->kind == MediaKind::Video; }))
    av_check(av_opt_set_int(ctx->priv_data, "pcr_period", 100, 0), "mpegts pcr_period");
  av_check(avformat_write_header(ctx.get(), nullptr), "mpegts header");
  context_ = std::move(ctx);
  last_dts_us_.clear();
}

const AVPacket* TsMuxer::sample_aes_packet(size_t stream, const AVPacket* packet, const Segment& segment) {
  if (!sample_aes_ || !segment.key) return packet;
  const TrackInfo* t = tracks_[stream];
  if (t->codec != AV_CODEC_ID_H264 && t->codec != AV_CODEC_ID_AAC) return packet;
  const crypto::Block& key = segment.key->key.key;
  const crypto::Block iv = segment.key->iv_for(segment.sequence);  // reset at every protected block
  std::span<const uint8_t> in(packet->data, static_cast<size_t>(packet->size));
  std::vector<uint8_t> bytes = t->codec == AV_CODEC_ID_H264
                                   ? crypto::sample_aes_h264_access_unit(key, iv, in, nal_length_sizes_[stream])
                                   : std::vector<uint8_t>(in.begin(), in.end());
  // The mpegts muxer puts one ADTS header before each raw AAC frame: the frame is the protected block.
  if (t->codec == AV_CODEC_ID_AAC) crypto::sample_aes_aac_frame(key, iv, bytes);
  av_packet_unref(encrypted_.get());
  av_check(av_new_packet(encrypted_.get(), static_cast<int>(bytes.size())), "packet");
  std::copy(bytes.begin(), bytes.end(), encrypted_->data);
  av_check(av_packet_copy_props(encrypted_.get(), packet), "packet props");
  return encrypted_.get();
}

TsMuxer::Output TsMuxer::mux(const Segment& segment) {
  struct Item {
    size_t stream;
    const TrackInfo* track;
    const AVPacket* packet;
    int64_t dts_us;
  };
  std::vector<Item> items;
  for (size_t i = 0; i < tracks_.size(); ++i) {
    auto it = segment.tracks.find(tracks_[i]->id);
    if (it == segment.tracks.end()) continue;
    for (const auto& p : it->second.packets) {
      const int64_t dts = p->dts != AV_NOPTS_VALUE ? p->dts : p->pts;
      items.push_back({i, tracks_[i], p.get(), av_rescale_q(dts, tracks_[i]->time_base, AV_TIME_BASE_Q)});
    }
  }
  Output out;
  if (items.empty()) return out;
  // Interleave by decode time (the muxer is fed with av_write_frame, which does not reorder).
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.dts_us < b.dts_us; });
  // A timeline that went backwards (encoder restart after a discontinuity) would be refused as
  // non-monotonic: start a new muxer. The playlist marks EXT-X-DISCONTINUITY there anyway.
  // libavformat requires increasing dts per stream (across streams audio may run a little
  // ahead of the next segment's first video dts).
  std::map<size_t, int64_t> first_dts;
  for (const Item& item : items) first_dts.emplace(item.stream, item.dts_us);
  for (const auto& [stream, dts] : first_dts) {
    auto last = last_dts_us_.find(stream);
    if (last != last_dts_us_.end() && dts <= last->second) {
      open();
      break;
    }
  }
  AVFormatContext* ctx = context_.get();
  auto resend_tables = [&] {
    av_check(av_opt_set(ctx->priv_data, "mpegts_flags", "resend_headers", 0), "mpegts resend_headers");
  };
  resend_tables();

  // Stream position of this segment's first byte: what reached the callback since the muxer was
  // opened (pb->pos), less what is still pending from before (a new muxer's header).
  const int64_t segment_base = ctx->pb->pos - static_cast<int64_t>(pending_.size());
  PacketPtr packet = make_packet();
  for (const Item& item : items) {
    av_check(av_packet_ref(packet.get(), sample_aes_packet(item.stream, item.packet, segment)), "packet ref");
    packet->stream_index = static_cast<int>(item.stream);
    AVStream* st = ctx->streams[item.stream];
    av_packet_rescale_ts(packet.get(), item.track->time_base, st->time_base);
    const bool keyframe = item.track->kind == MediaKind::Video && (item.packet->flags & AV_PKT_FLAG_KEY);
    // PAT/PMT before every IDR too, so each I-frame byte range decodes on its own.
    if (keyframe) resend_tables();
    const int64_t before = avio_tell(ctx->pb);
    const int64_t pts = item.packet->pts;
    const int rc = av_write_frame(ctx, packet.get());
    av_packet_unref(packet.get());
    av_check(rc, "mpegts write");
    if (keyframe)
      out.keyframes.push_back({before - segment_base, avio_tell(ctx->pb) - before, pts * av_q2d(item.track->time_base)});
    last_dts_us_[item.stream] = item.dts_us;
  }
  av_check(av_write_frame(ctx, nullptr), "mpegts flush");  // emits buffered audio PES
  avio_flush(ctx->pb);
  out.bytes = std::move(pending_);
  pending_.clear();
  if (scte35_pid_ && !segment.cues.empty()) insert_cues(segment, out);
  pmt_.rewrite(out.bytes);
  return out;
}

void TsMuxer::insert_cues(const Segment& segment, Output& out) {
  std::vector<uint8_t> packets;
  for (const auto& cue : segment.cues) {
    // The section again, with the splice time where the muxer puts that pts (kMuxOffset90k on).
    const uint64_t pts_90k = static_cast<uint64_t>(av_rescale(cue.pts_us, 90000, 1000000) + kMuxOffset90k);
    const std::vector<uint8_t> section = ads::encode_splice_info(cue.info, pts_90k & ((uint64_t{1} << 33) - 1));
    const auto more = ts_section_packets(*scte35_pid_, section, scte35_continuity_);
    packets.insert(packets.end(), more.begin(), more.end());
  }
  // After the segment's first PAT and the PMT that follows it (both re-sent at every segment).
  size_t at = 0;
  bool pat = false;
  for (size_t p = 0; p + kTsPacketSize <= out.bytes.size(); p += kTsPacketSize) {
    const uint8_t* packet = out.bytes.data() + p;
    const size_t s = ts_section_start(packet);
    if (!s) continue;
    const int pid = ((packet[1] & 0x1f) << 8) | packet[2];
    if (pid == 0 && packet[s] == 0x00) pat = true;
    else if (pat && packet[s] == 0x02) {
      at = p + kTsPacketSize;
      break;
    }
  }
  out.bytes.insert(out.bytes.begin() + static_cast<std::ptrdiff_t>(at), packets.begin(), packets.end());
  for (auto& k : out.keyframes)
    if (k.offset >= static_cast<int64_t>(at)) k.offset += static_cast<int64_t>(packets.size());
}

}  // namespace mediaemu::pipeline
