// A content key as a key provider hands it out, and the interface the packagers' key fetcher
// calls. The pipeline knows no HTTP or SPEKE: the emulator supplies a KeyProvider that speaks
// SPEKE (emulator/speke/speke_client.hpp) and the pipeline only asks it for the key of a period.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/crypto/aes_cbc.hpp"

namespace mediaemu::pipeline::crypto {

struct ContentKey {
  int64_t period = 0;  // the key period (CPIX ContentKeyPeriod@index) it was asked for
  Block kid{};
  Block key{};
  std::string uri;  // what EXT-X-KEY's URI carries (the provider's URIExtXKey)
};

struct KeyFetch {
  std::optional<ContentKey> key;
  std::string error;  // why there is no key
};

class KeyProvider {
 public:
  virtual ~KeyProvider() = default;
  // Blocks (network): called only on the KeyPrefetcher's own thread. Never throws.
  virtual KeyFetch fetch(int64_t period) = 0;
  virtual std::string describe() const = 0;  // for log lines ("SPEKE http://127.0.0.1:4566/speke/v1")
};

// Text forms of 16-byte blocks, header-only: the control plane (emulator/speke), which does not
// link the pipeline library, uses them too. hex(): 32 lower-case digits, no "0x";
// block_from_hex() also accepts a "0x" prefix; uuid_text(): "98ee5596-cd3e-a20d-163a-e382420c6eff"
// (RFC 4122 text form, as CPIX writes key ids).
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
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
    return std::nullopt;
  std::string digits;
  for (char c : text)
    if (c != '-') digits += c;
  return block_from_hex(digits);
}

}  // namespace mediaemu::pipeline::crypto
