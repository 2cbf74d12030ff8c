// The key-change marker that travels with each segment through the packager: which key and IV
// encrypt it. Segments of one key period share one SegmentKey object, so a packager sees a key
// change as a different pointer (and a manifest writes a new EXT-X-KEY there).
#pragma once

#include <cstdint>
#include <memory>

#include "pipeline/crypto/content_key.hpp"

namespace mediaemu::pipeline::crypto {

struct SegmentKey {
  ContentKey key;
  Block iv{};
  int64_t first_sequence = 0;  // the media sequence number of the first segment it encrypts
};

using SharedSegmentKey = std::shared_ptr<const SegmentKey>;

}  // namespace mediaemu::pipeline::crypto
