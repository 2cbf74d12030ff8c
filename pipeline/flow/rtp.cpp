#include "pipeline/flow/rtp.hpp"

#include <algorithm>

namespace mediaemu::flow {

std::optional<RtpView> parse_rtp(std::span<const uint8_t> d) {
  if (d.size() < 12 || (d[0] >> 6) != 2) return std::nullopt;
  size_t header = 12 + 4 * static_cast<size_t>(d[0] & 0x0f);  // CSRC list
  if (d[0] & 0x10) {                                            // header extension
    if (d.size() < header + 4) return std::nullopt;
    header += 4 + 4 * ((static_cast<size_t>(d[header + 2]) << 8) | d[header + 3]);
  }
  size_t end = d.size();
  // Before the padding: with a header longer than the datagram (15 CSRCs, a long extension)
  // `end - header` would wrap and let a padding count through that makes `end` wrap too.
  if (header > end) return std::nullopt;
  if (d[0] & 0x20) {  // padding: the last byte counts it
    if (d.back() == 0 || d.back() > end - header) return std::nullopt;
    end -= d.back();
  }
  return RtpView{static_cast<uint16_t>((d[2] << 8) | d[3]), d.subspan(header, end - header)};
}

void wrap_rtp(std::span<const uint8_t> payload, uint16_t sequence, uint32_t timestamp, uint32_t ssrc,
              std::vector<uint8_t>& out) {
  out.resize(12 + payload.size());
  out[0] = 0x80;  // version 2
  out[1] = 33;    // MP2T
  out[2] = static_cast<uint8_t>(sequence >> 8);
  out[3] = static_cast<uint8_t>(sequence);
  for (int i = 0; i < 4; ++i) {
    out[4 + i] = static_cast<uint8_t>(timestamp >> (24 - 8 * i));
    out[8 + i] = static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  }
  std::copy(payload.begin(), payload.end(), out.begin() + 12);
}

}  // namespace mediaemu::flow
