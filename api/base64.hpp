// Base64 (RFC 4648, with padding), as AWS protocols carry blobs and as Content-MD5 is written.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mediaemu::api {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace mediaemu::api
