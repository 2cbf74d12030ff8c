#include "pipeline/ingest/hls_put/ts_segment.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "pipeline/transcode/codec_config.hpp"

namespace mediaemu::pipeline::hls_put {
namespace {

// The segment's bytes as libavformat's input (read-only, no copy).
struct MemoryReader {
  std::string_view bytes;
  size_t pos = 0;
  static int read(void* opaque, uint8_t* buffer, int size) {
    auto* self = static_cast<MemoryReader*>(opaque);
    size_t n = std::min(static_cast<size_t>(size), self->bytes.size() - self->pos);
    if (n == 0) return AVERROR_EOF;
    std::memcpy(buffer, self->bytes.data() + self->pos, n);
    self->pos += n;
    return static_cast<int>(n);
  }
};


void add_video(TsSegment& out, const AVPacket& pkt, std::vector<Bytes>& sps, std::vector<Bytes>& pps) {
  TsSample s;
  s.kind = MediaKind::Video;
  s.dts = pkt.dts != AV_NOPTS_VALUE ? pkt.dts : pkt.pts;
  s.pts = pkt.pts != AV_NOPTS_VALUE ? pkt.pts : s.dts;
  s.keyframe = pkt.flags & AV_PKT_FLAG_KEY;
  for (auto nal : split_annexb(ByteView(pkt.data, static_cast<size_t>(pkt.size)))) {
    if (nal.empty()) continue;
    int type = h264_nal_type(nal[0]);
    if (type == kNalSps) sps.emplace_back(nal.begin(), nal.end());
    else if (type == kNalPps) pps.emplace_back(nal.begin(), nal.end());
    else if (type != kNalAud) append_length_prefixed(s.data, nal);
  }
  if (out.avcc.empty() && !sps.empty() && !pps.empty()) {
    try {
      out.avcc = build_avcc(sps, pps);
    } catch (const std::invalid_argument&) {
      sps.clear();  // a truncated SPS: wait for the next one
    }
  }
  if (!s.data.empty() && s.dts != AV_NOPTS_VALUE) out.samples.push_back(std::move(s));
}

// A PES packet may carry several ADTS frames of 1024 samples each (ISO/IEC 14496-3 §1.A.2).
void add_audio(TsSegment& out, const AVPacket& pkt) {
  if (pkt.pts == AV_NOPTS_VALUE) return;
  ByteView data(pkt.data, static_cast<size_t>(pkt.size));
  size_t pos = 0;
  int64_t offset = 0;  // 90 kHz ticks after the PES timestamp
  while (pos < data.size()) {
    auto h = parse_adts(data.subspan(pos));
    if (!h || pos + static_cast<size_t>(h->frame_size) > data.size()) break;
    int rate = aac_sample_rate(h->sampling_index);
    if (rate <= 0) break;
    if (out.asc.empty()) {
      out.asc = asc_from_adts(*h);
      out.sample_rate = rate;
      out.channels = h->channel_config == 7 ? 8 : h->channel_config;
    }
    TsSample s;
    s.kind = MediaKind::Audio;
    s.dts = s.pts = pkt.pts + offset;
    s.keyframe = true;
    auto payload = data.subspan(pos + static_cast<size_t>(h->header_size),
                                static_cast<size_t>(h->frame_size - h->header_size));
    s.data.assign(payload.begin(), payload.end());
    out.samples.push_back(std::move(s));
    offset += int64_t{1024} * h->raw_blocks * 90000 / rate;
    pos += static_cast<size_t>(h->frame_size);
  }
}

}  // namespace

TsSegment demux_ts_segment(std::string_view bytes) {
  // 188-byte packets starting with the 0x47 sync byte (ISO/IEC 13818-1 §2.4.3.2); anything else
  // is refused before libavformat guesses at it.
  if (bytes.size() < 188 || static_cast<uint8_t>(bytes[0]) != 0x47)
    throw std::runtime_error("not an MPEG-TS segment (no 0x47 sync byte at its start)");
  MemoryReader reader{bytes};
  constexpr int kBufferSize = 32 * 1024;
  auto* buffer = static_cast<uint8_t*>(av_malloc(kBufferSize));
  if (!buffer) throw std::bad_alloc();
  IoContextPtr io(avio_alloc_context(buffer, kBufferSize, 0, &reader, &MemoryReader::read, nullptr, nullptr));
  if (!io) {
    av_free(buffer);
    throw std::bad_alloc();
  }
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) throw std::bad_alloc();
  raw->pb = io.get();
  raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  av_check(avformat_open_input(&raw, nullptr, av_find_input_format("mpegts"), nullptr), "open MPEG-TS segment");
  FormatInputPtr input(raw);
  av_check(avformat_find_stream_info(input.get(), nullptr), "read the segment's stream info");

  int v = av_find_best_stream(input.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  int a = av_find_best_stream(input.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  if (v >= 0 && input->streams[v]->codecpar->codec_id != AV_CODEC_ID_H264) v = -1;
  if (a >= 0 && input->streams[a]->codecpar->codec_id != AV_CODEC_ID_AAC) a = -1;
  if (v < 0 && a < 0) throw std::runtime_error("the segment carries no H.264 video and no AAC audio");
  const int c = scte35_stream(input.get());

  TsSegment out;
  out.has_video = v >= 0;
  out.has_audio = a >= 0;
  if (v >= 0) {
    const AVStream* vs = input->streams[v];
    out.width = vs->codecpar->width;
    out.height = vs->codecpar->height;
    out.frame_rate = vs->avg_frame_rate.num > 0 ? vs->avg_frame_rate : vs->r_frame_rate;
  }
  std::vector<Bytes> sps, pps;
  PacketPtr pkt = make_packet();
  while (av_read_frame(input.get(), pkt.get()) >= 0) {
    // Timestamps stay in the stream's clock: MPEG-TS streams are all 1/90000.
    if (pkt->stream_index == v) add_video(out, *pkt, sps, pps);
    else if (pkt->stream_index == a) add_audio(out, *pkt);
    else if (pkt->stream_index == c) out.scte35_sections.emplace_back(pkt->data, pkt->data + pkt->size);
    av_packet_unref(pkt.get());
  }
  if (out.has_video && out.avcc.empty()) out.has_video = false;  // nothing decodable without SPS/PPS
  if (!out.has_video) std::erase_if(out.samples, [](const TsSample& s) { return s.kind == MediaKind::Video; });
  return out;
}

}  // namespace mediaemu::pipeline::hls_put
