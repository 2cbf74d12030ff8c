// What an origin endpoint has published last, shared between the packager (channel worker thread)
// and the origin's HTTP threads. MediaPackage answers manifest requests with
// X-MediaPackage-Manifest-Last-Sequence (highest media sequence number in the playlist; for DASH
// the lowest rendition's) and X-MediaPackage-Manifest-Last-Updated (epoch ms of that segment)
// (MP-UG monitoring-manifest-last-updated). All renditions of an endpoint are cut at the same
// instants, so one value per endpoint serves every manifest it has.
#pragma once

#include <cstdint>
#include <mutex>

namespace mediaemu::pipeline {

struct EndpointStatusSnapshot {
  int64_t last_sequence = -1;         // -1: nothing published yet (the origin answers 404)
  int64_t last_updated_epoch_ms = 0;  // program date time of the start of that segment
  int64_t segments_written = 0;
  bool ended = false;                 // EXT-X-ENDLIST / static MPD written
};

class EndpointStatus {
 public:
  EndpointStatusSnapshot snapshot() const {
    std::lock_guard lock(mutex_);
    return value_;
  }
  void update(const EndpointStatusSnapshot& value) {
    std::lock_guard lock(mutex_);
    value_ = value;
  }

 private:
  mutable std::mutex mutex_;
  EndpointStatusSnapshot value_;
};

}  // namespace mediaemu::pipeline
