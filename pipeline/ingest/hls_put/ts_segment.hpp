// One MPEG-TS segment of an HLS stream, demuxed (libavformat) into the framing the packagers
// take from the transcoder: H.264 as length-prefixed NAL units with the parameter sets in an avcC
// (AUD, SPS and PPS NAL units leave the samples), AAC as raw frames with an AudioSpecificConfig
// (one per ADTS frame), and the sections of its first SCTE-35 PID (MediaPackage "selects the first
// available data track from the input content for SCTE-35 signal processing", MP-UG scte-works).
// Timestamps stay in the 90 kHz MPEG-TS clock, 33 bits wide.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/media.hpp"

namespace mediaemu::pipeline::hls_put {

struct TsSample {
  MediaKind kind = MediaKind::Video;
  int64_t dts = 0, pts = 0;  // 90 kHz, as in the PES headers (33-bit, may wrap)
  bool keyframe = false;
  std::vector<uint8_t> data;
};

struct TsSegment {
  // Video (first H.264 stream) and audio (first AAC stream), when present.
  bool has_video = false, has_audio = false;
  std::vector<uint8_t> avcc;             // from the segment's SPS/PPS; empty if none came
  int width = 0, height = 0;             // from the demuxer's stream info
  AVRational frame_rate{0, 1};
  std::vector<uint8_t> asc;              // from the first ADTS header
  int sample_rate = 0, channels = 0;
  std::vector<TsSample> samples;         // in stream order per kind
  std::vector<std::vector<uint8_t>> scte35_sections;  // splice_info_sections, as they came
};

// Throws std::runtime_error when the bytes are not an MPEG-TS with H.264 or AAC in it.
TsSegment demux_ts_segment(std::string_view bytes);

}  // namespace mediaemu::pipeline::hls_put
