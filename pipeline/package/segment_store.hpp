// The files of one origin endpoint. Every file is written to a temporary name in the same
// directory and renamed into place, so a reader (the origin, a player) never sees half a file.
// Segment files are remembered with the media position at which they end and deleted once the
// packager says they are older than what any manifest or the start-over window still needs.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace mediaemu::pipeline {

class SegmentStore {
 public:
  // Files being written are named `temp_prefix` + name + ".tmp" (a leading dot keeps them out of
  // directory listings; mediaemu's S3 listings skip its own temporary prefix).
  explicit SegmentStore(std::filesystem::path root, std::string temp_prefix = ".");

  const std::filesystem::path& root() const { return root_; }

  // `relative` may contain one directory level ("<manifest id>/index.m3u8"); it is created.
  void write(const std::string& relative, std::span<const uint8_t> bytes);
  void write(const std::string& relative, std::string_view text);

  // Writes only when the text differs from what this store wrote last under that name (master
  // playlists rarely change; rewriting them every segment is pointless churn).
  void write_if_changed(const std::string& relative, const std::string& text);

  // A segment file that may be deleted once the timeline has passed `end_position` seconds.
  void remember_segment(const std::string& relative, double end_position);

  // Deletes remembered segments that ended at or before `position` seconds. Returns how many.
  int expire_before(double position);

 private:
  struct Remembered {
    std::string relative;
    double end_position;
  };
  std::filesystem::path root_;
  std::string temp_prefix_;
  std::deque<Remembered> segments_;  // in the order written, i.e. by end position
  std::map<std::string, std::string> last_text_;
};

}  // namespace mediaemu::pipeline
