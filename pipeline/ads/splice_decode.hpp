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

// Whether a section is a splice_null (splice_command_type 0 at byte 13, §9.6 and §9.7.1): the
// heartbeat many encoders send every few seconds, which makes no cue and is not worth a log line.
inline bool is_splice_null(std::span<const uint8_t> section) { return section.size() > 13 && section[13] == 0x00; }

// Places an input's splice times on the timeline its frames are delivered on: relative to the
// newest frame, on the 33-bit 90 kHz PTS clock the splice time is written on (so wrap-around and
// whatever offsets the delivery adds do not matter).
class SpliceClock {
 public:
  // A frame with this PTS (90 kHz, any number of bits) is delivered at `delivered_ms`.
  void frame(int64_t pts_90k, int64_t delivered_ms) {
    last_90k_ = pts_90k & kMask;
    last_ms_ = delivered_ms;
    seen_ = true;
  }
  // Where a splice at `pts_90k` (nullopt: immediate, the newest frame) is delivered; nullopt
  // before the first frame.
  std::optional<int64_t> delivered_ms(std::optional<uint64_t> pts_90k) const {
    if (!seen_) return std::nullopt;
    if (!pts_90k) return last_ms_;
    int64_t delta = (static_cast<int64_t>(*pts_90k) - last_90k_) & kMask;
    if (delta >= kHalf) delta -= kMask + 1;  // earlier than the newest frame
    return last_ms_ + delta / 90;
  }

 private:
  static constexpr int64_t kMask = (int64_t{1} << 33) - 1, kHalf = int64_t{1} << 32;
  int64_t last_90k_ = 0, last_ms_ = 0;
  bool seen_ = false;
};

}  // namespace mediaemu::pipeline::ads
