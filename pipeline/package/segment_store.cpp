#include "pipeline/package/segment_store.hpp"

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace mediaemu::pipeline {

namespace fs = std::filesystem;

SegmentStore::SegmentStore(fs::path root, std::string temp_prefix)
    : root_(std::move(root)), temp_prefix_(std::move(temp_prefix)) {
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) throw std::runtime_error("cannot create endpoint directory " + root_.string() + ": " + ec.message());
}

void SegmentStore::write(const std::string& relative, std::span<const uint8_t> bytes) {
  const fs::path target = root_ / relative;
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) throw std::runtime_error("cannot create " + target.parent_path().string() + ": " + ec.message());
  // Same directory, so the rename is atomic.
  std::string temp_name = temp_prefix_;
  temp_name += target.filename().string();
  temp_name += ".tmp";
  const fs::path temp = target.parent_path() / temp_name;
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      fs::remove(temp, ec);
      throw std::runtime_error("cannot write " + temp.string());
    }
  }
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw std::runtime_error("cannot rename into " + target.string() + ": " + ec.message());
  }
}

void SegmentStore::write(const std::string& relative, std::string_view text) {
  write(relative, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

void SegmentStore::write_if_changed(const std::string& relative, const std::string& text) {
  auto it = last_text_.find(relative);
  if (it != last_text_.end() && it->second == text) return;
  write(relative, std::string_view(text));
  last_text_[relative] = text;
}

void SegmentStore::remember_segment(const std::string& relative, double end_position) {
  segments_.push_back({relative, end_position});
}

int SegmentStore::expire_before(double position) {
  int removed = 0;
  while (!segments_.empty() && segments_.front().end_position <= position) {
    std::error_code ec;  // a file someone already removed is not an error
    if (fs::remove(root_ / segments_.front().relative, ec)) ++removed;
    segments_.pop_front();
  }
  return removed;
}

}  // namespace mediaemu::pipeline
