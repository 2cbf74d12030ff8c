// What an origin endpoint has published last, shared between the packager (channel worker thread)
// and the origin's HTTP threads. MediaPackage answers manifest requests with
// X-MediaPackage-Manifest-Last-Sequence (highest media sequence number in the playlist; for DASH
// the lowest rendition's) and X-MediaPackage-Manifest-Last-Updated (epoch ms of that segment)
// (MP-UG monitoring-manifest-last-updated). All renditions of an endpoint are cut at the same
// instants, so one value per endpoint serves every manifest it has.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace mediaemu::pipeline {

// Files an endpoint's directory holds besides what players fetch; the origin never serves a name
// that starts with '.'. kStatusFile: "<last sequence> <last updated epoch ms>\n".
// kArchiveDirectory: the start-over archive of each media playlist (PackagerBase).
// streams_file_for(master): what each stream of a multivariant playlist is
// (stream_description.hpp), "index.m3u8" -> ".index.m3u8.streams", "all/main.m3u8" ->
// "all/.main.m3u8.streams".
inline constexpr std::string_view kStatusFile = ".status";
inline constexpr std::string_view kArchiveDirectory = ".startover";
inline std::string streams_file_for(const std::string& master) {
  const auto slash = master.rfind('/');
  const size_t name = slash == std::string::npos ? 0 : slash + 1;
  return master.substr(0, name) + "." + master.substr(name) + ".streams";
}

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
