// The bodies of RTMP audio and video messages are FLV tag bodies (FLV spec v10.1, E.4.2 and
// E.4.3), possibly with the Enhanced RTMP extended headers (veovera enhanced-rtmp v1/v2). This
// turns one body into the IngestEvent it stands for. mediaemu ingests H.264 and AAC only; other
// codecs are reported so the session can refuse the publish with a clear reason.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/media.hpp"

namespace mediaemu::pipeline::rtmp {

struct TagResult {
  enum class Kind {
    Event,        // `event` is ready (VideoConfig/AudioConfig/Frame); dts_ms is the caller's
    Skip,         // nothing to forward (end of sequence, info frames, empty bodies); `detail` says what
    Unsupported,  // a codec mediaemu cannot ingest; `detail` names it, e.g. "HEVC (hvc1)"
    Malformed,    // too short or inconsistent; `detail` says how
  };
  Kind kind = Kind::Skip;
  IngestEvent event;
  std::string detail;
};

TagResult parse_video_tag(const std::vector<uint8_t>& body);
TagResult parse_audio_tag(const std::vector<uint8_t>& body);

// The sentence logged and sent when a publisher uses a codec we do not take.
std::string unsupported_codec_text(const std::string& codec);

}  // namespace mediaemu::pipeline::rtmp
