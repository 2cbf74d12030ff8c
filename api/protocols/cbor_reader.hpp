// Reads a CBOR document (RFC 8949) into JSON with nlohmann_json, whose reader (3.11) rejects the
// one-byte tag heads 0xC0-0xC5 — and tag 1 (epoch timestamp, 0xC1) is how every Smithy RPC v2
// client sends a timestamp. A scan of the item heads (no value is decoded here) rewrites each such
// head into its equivalent two-byte form (0xD8 n), which nlohmann reads and, with the ignore
// handler, unwraps to the tagged value.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace mediaemu::api {

// The document as JSON (byte strings as binary values, tags dropped), or a discarded value when
// it is not one well-formed CBOR item.
nlohmann::json read_cbor(std::string_view bytes);

}  // namespace mediaemu::api
