#include "pipeline/package/frame_capture_writer.hpp"

#include <spdlog/spdlog.h>

#include "pipeline/package/file_counter.hpp"

namespace mediaemu::pipeline {

FrameCaptureWriter::FrameCaptureWriter(FrameCaptureFilesSpec spec)
    : spec_(std::move(spec)), store_(spec_.directory, spec_.temp_prefix) {}

void FrameCaptureWriter::on_still(const std::string& output, const std::vector<uint8_t>& jpeg, int64_t) {
  auto modifier = spec_.name_modifiers.find(output);
  NumberedName name{spec_.base_name + (modifier == spec_.name_modifiers.end() ? "" : modifier->second), "jpg"};
  auto counter = counters_.find(output);
  if (counter == counters_.end()) counter = counters_.emplace(output, next_free_counter(spec_.directory, {name})).first;
  std::string file = numbered_name(name, counter->second, 5);
  try {
    store_.write(file, jpeg);
  } catch (const std::exception& e) {
    spdlog::warn("frame capture {}: {}", spec_.label, e.what());
    return;
  }
  ++counter->second;
  written_.push_back(file);
}

}  // namespace mediaemu::pipeline
