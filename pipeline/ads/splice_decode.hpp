// SCTE-35 splice_info_sections read back (ANSI/SCTE 35 2019 §9.6): what an ingested transport
// stream's SCTE-35 PID carries, as the values splice_info.hpp writes. MediaLive passes the
// input's SCTE-35 messages on to the outputs that pass SCTE-35 through (ML-UG scte-35-passthrough).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "pipeline/ads/splice_info.hpp"

namespace mediaemu::pipeline::ads {

struct DecodedSplice {
  SpliceInfo info;
  // The splice time on the input's PTS clock (pts_time + pts_adjustment, 33 bits, 90 kHz);
  // nullopt: splice_immediate_flag (a splice_insert at the packet's arrival).
  std::optional<uint64_t> pts_90k;
};

// The cue a section describes, or nullopt with `why` set when it makes none: a section that is
// not SCTE-35 (table_id), is truncated, fails its CRC_32, is encrypted, carries a command other
// than splice_insert or time_signal (splice_null heartbeats, bandwidth_reservation, ...),
// cancels an event, or splices components rather than the program.
std::optional<DecodedSplice> decode_splice_info(std::span<const uint8_t> section, std::string& why);

}  // namespace mediaemu::pipeline::ads
