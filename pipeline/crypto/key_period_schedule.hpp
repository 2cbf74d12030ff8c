// Which key period a segment belongs to (MediaPackage KeyRotationIntervalSeconds).
//
// Periods are counted on the wall clock: period n covers [n * interval, (n + 1) * interval)
// seconds since the Unix epoch, judged by a segment's program date time. So the index is the
// same after a restart and across endpoints of one channel, and a new period (hence a new key)
// starts with the first segment that begins at or after a multiple of the interval: rotation
// happens on segment boundaries, never inside a segment. The index is what the CPIX request
// carries (ContentKeyPeriod@index: "SPEKE uses only ContentKeyPeriod@index to track the key
// period", SPEKE API v1 constraints, docs.aws.amazon.com/speke/latest/documentation/speke-constraints.html).
// Interval 0 disables rotation: one period, index 0, for the whole stream.
#pragma once

#include <cstdint>

namespace mediaemu::pipeline::crypto {

class KeyPeriodSchedule {
 public:
  explicit KeyPeriodSchedule(int rotation_interval_seconds)
      : interval_ms_(rotation_interval_seconds > 0 ? int64_t{rotation_interval_seconds} * 1000 : 0) {}

  bool rotates() const { return interval_ms_ > 0; }
  int64_t period_at(int64_t epoch_ms) const;
  // The period after `period` (itself when keys never rotate).
  int64_t next(int64_t period) const { return rotates() ? period + 1 : period; }

 private:
  int64_t interval_ms_;
};

}  // namespace mediaemu::pipeline::crypto
