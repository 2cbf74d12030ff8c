// The parsed start-over archives the origin cuts time-shifted playlists from (time_shift.hpp):
// each is parsed once and kept until its file changes. The packager replaces an archive (write
// to a temporary name, rename) at every segment, so a file's identity (device, inode, size,
// modification time) says whether the parsed copy is still the file's.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/time_shift.hpp"

namespace mediaemu::api {

class ArchiveCache {
 public:
  // The archive at `file`, parsed; null when there is none or it cannot be parsed.
  std::shared_ptr<const HlsArchive> get(const std::filesystem::path& file);

 private:
  // Archives of deleted endpoints are forgotten wholesale past this many (a bound, not an LRU:
  // an endpoint has a handful of playlists).
  static constexpr size_t kMaxEntries = 4096;
  struct Entry {
    struct stat identity {};
    std::shared_ptr<const HlsArchive> archive;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace mediaemu::api
