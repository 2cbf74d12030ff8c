#include "api/archive_cache.hpp"

#include "api/read_file.hpp"

namespace mediaemu::api {
namespace {

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

}  // namespace

std::shared_ptr<const HlsArchive> ArchiveCache::get(const std::filesystem::path& file) {
  struct stat identity {};
  if (::stat(file.c_str(), &identity) != 0 || !S_ISREG(identity.st_mode)) return nullptr;
  const std::string key = file.string();
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && same_file(it->second.identity, identity)) return it->second.archive;
  }
  // Parsed outside the lock: two requests may both parse a new version; either result is right.
  auto text = read_file(file);
  if (!text) return nullptr;
  // The file may have been replaced between stat and open: then the identity is the old one's and
  // the next request parses again, which costs time, never correctness.
  auto parsed = HlsArchive::parse(*text);
  if (!parsed) return nullptr;
  auto archive = std::make_shared<const HlsArchive>(std::move(*parsed));
  std::lock_guard lock(mutex_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[key] = Entry{identity, archive};
  return archive;
}

}  // namespace mediaemu::api
