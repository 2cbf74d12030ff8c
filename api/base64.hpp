// Base64 (RFC 4648, with padding), as AWS protocols carry blobs and as Content-MD5 is written.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mediaemu::api {

std::string base64_encode(std::string_view bytes);
inline std::string base64_encode(std::span<const uint8_t> bytes) {
  return base64_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}
// nullopt when `text` is not base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace mediaemu::api
