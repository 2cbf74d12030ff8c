// Just enough RTP (RFC 3550) for a relay: find an RTP packet's payload, read its sequence
// number, and wrap raw MPEG-TS in an RTP header (payload type 33, MP2T, RFC 2250).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace mediaemu::flow {

struct RtpView {
  uint16_t sequence = 0;
  std::span<const uint8_t> payload;
};

// nullopt when the datagram is not a well-formed RTP version 2 packet.
std::optional<RtpView> parse_rtp(std::span<const uint8_t> datagram);

// Writes an RTP header for MPEG-TS followed by `payload` into `out` (replacing its contents).
void wrap_rtp(std::span<const uint8_t> payload, uint16_t sequence, uint32_t timestamp_90khz, uint32_t ssrc,
              std::vector<uint8_t>& out);

}  // namespace mediaemu::flow
