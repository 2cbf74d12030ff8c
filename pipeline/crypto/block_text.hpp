// Text forms of 16-byte blocks (keys, key ids, IVs). Header-only: the control plane
// (emulator/speke), which does not link the pipeline library, uses them too.
//   hex()            32 lower-case digits, no "0x"
//   block_from_hex() 32 hex digits, a "0x" prefix allowed
//   uuid_text()      "98ee5596-cd3e-a20d-163a-e382420c6eff" (RFC 4122 text form, as CPIX writes key ids)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/crypto/aes_cbc.hpp"

namespace mediaemu::pipeline::crypto {

namespace detail {

inline int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace detail

inline std::string hex(const Block& b) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t v : b) {
    out += digits[v >> 4];
    out += digits[v & 15];
  }
  return out;
}

inline std::optional<Block> block_from_hex(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  if (text.size() != 32) return std::nullopt;
  Block out{};
  for (size_t i = 0; i < 16; ++i) {
    int hi = detail::nibble(text[2 * i]), lo = detail::nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

inline std::string uuid_text(const Block& b) {
  const std::string h = hex(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

inline std::optional<Block> block_from_uuid(std::string_view text) {
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') return std::nullopt;
  std::string digits;
  for (char c : text)
    if (c != '-') digits += c;
  return block_from_hex(digits);
}

}  // namespace mediaemu::pipeline::crypto
