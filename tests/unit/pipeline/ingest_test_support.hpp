// Helpers for the ingest tests (FileSource, pull sources): a temporary directory, media made
// by ffmpeg's lavfi sources at test time, and an IngestSink that records what it is offered.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "pipeline/media.hpp"

namespace mediaemu::pipeline::test {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    char name[] = "/tmp/mediaemu-ingest-XXXXXX";
    path = mkdtemp(name);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

inline fs::path make_input(const fs::path& dir, const std::string& name, double seconds, const std::string& format) {
  fs::path out = dir / name;
  std::string cmd = "ffmpeg -v error -y -f lavfi -i testsrc2=size=320x180:rate=30 -f lavfi -i sine=frequency=440 -t " +
                    std::to_string(seconds) + " -c:v libx264 -preset ultrafast -g 30 -c:a aac -f " + format + " " +
                    out.string();
  REQUIRE(std::system(cmd.c_str()) == 0);
  return out;
}

class Recorder : public IngestSink {
 public:
  // Refuses every `refuse_every`-th offer, like a full transcoder queue.
  explicit Recorder(int refuse_every = 0) : refuse_every_(refuse_every) {}
  bool offer(IngestEvent& e) override {
    std::lock_guard lock(mutex_);
    if (refuse_every_ > 0 && ++offers_ % refuse_every_ == 0) return false;
    events_.push_back(std::move(e));
    return true;
  }
  std::vector<IngestEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  int64_t newest_video_dts() const {
    std::lock_guard lock(mutex_);
    for (auto it = events_.rbegin(); it != events_.rend(); ++it)
      if (it->type == IngestEvent::Type::Frame && it->kind == MediaKind::Video) return it->dts_ms;
    return -1;
  }

 private:
  mutable std::mutex mutex_;
  int refuse_every_, offers_ = 0;
  std::vector<IngestEvent> events_;
};

inline size_t count(const std::vector<IngestEvent>& events, IngestEvent::Type type, MediaKind kind) {
  size_t n = 0;
  for (const auto& e : events) n += e.type == type && e.kind == kind;
  return n;
}

}  // namespace mediaemu::pipeline::test
