// The encryption stage every packager shares: it decides, segment by segment on the packager's
// thread, which key (and IV) encrypts the segment, and hands that on as the segment's key-change
// marker (SegmentKey). It never blocks: keys come from a KeyPrefetcher that fetches the current
// and the next key period ahead.
//
// MediaPackage's documented behaviour when the key provider fails (MP-UG
// drm-content-key-rotation, docs.aws.amazon.com/mediapackage/latest/ug/drm-content-key-rotation.html):
//   - a key was obtained before: keep using the last key (here: the marker stays the same);
//   - no key ever: playback requests get 404 (here: no marker, and the packager publishes nothing).
//
// IVs: segment_key.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pipeline/crypto/encryption_spec.hpp"
#include "pipeline/crypto/key_period_schedule.hpp"
#include "pipeline/crypto/key_prefetcher.hpp"
#include "pipeline/crypto/segment_key.hpp"

namespace mediaemu::pipeline::crypto {

class SegmentEncryption {
 public:
  // `now_epoch_ms`: the wall clock, to fetch the first key before the first segment is cut.
  SegmentEncryption(const EncryptionSpec& spec, std::string label, int64_t now_epoch_ms);

  // The marker for the segment with this media sequence number and program date time (in
  // order); null when no key was ever obtained (the segment must not be published).
  SharedSegmentKey key_for(int64_t sequence, int64_t epoch_ms);

 private:
  const std::string label_;
  EncryptionSpec::Method method_;
  const std::string preset_video_, preset_audio_;
  std::optional<Block> constant_iv_;
  KeyPeriodSchedule schedule_;
  KeyPrefetcher prefetcher_;
  SharedSegmentKey current_;
  int64_t warned_period_ = -1;  // log a missing key once per period
};

}  // namespace mediaemu::pipeline::crypto
