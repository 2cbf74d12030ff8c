#include "pipeline/package/frame_capture_writer.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

#include "pipeline/package/file_counter.hpp"

namespace mediaemu::pipeline {

namespace fs = std::filesystem;

FrameCaptureWriter::FrameCaptureWriter(FrameCaptureFilesSpec spec) : spec_(std::move(spec)) {
  std::error_code ec;
  fs::create_directories(spec_.directory, ec);
  if (ec) throw std::runtime_error("cannot create " + spec_.directory.string() + ": " + ec.message());
}

void FrameCaptureWriter::on_still(const std::string& output, const std::vector<uint8_t>& jpeg, int64_t) {
  auto modifier = spec_.name_modifiers.find(output);
  NumberedName name{spec_.base_name + (modifier == spec_.name_modifiers.end() ? "" : modifier->second), "jpg"};
  auto counter = counters_.find(output);
  if (counter == counters_.end()) counter = counters_.emplace(output, next_free_counter(spec_.directory, {name})).first;
  std::string file = numbered_name(name, counter->second, 5);
  fs::path temp = spec_.directory / (spec_.temp_prefix + file), target = spec_.directory / file;
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
    if (!out) {
      spdlog::warn("frame capture {}: cannot write {}", spec_.label, temp.string());
      return;
    }
  }
  std::error_code ec;
  fs::rename(temp, target, ec);
  if (ec) {
    spdlog::warn("frame capture {}: cannot rename {} to {}: {}", spec_.label, temp.string(), file, ec.message());
    fs::remove(temp, ec);
    return;
  }
  ++counter->second;
  written_.push_back(file);
}

}  // namespace mediaemu::pipeline
