// A MediaLive FrameCapture output group: each still of its outputs becomes a JPEG file
// <directory>/<baseFilename><nameModifier>.<counter>.jpg, the counter "a five-digit number
// starting at 00000" that goes on increasing
// (https://docs.aws.amazon.com/medialive/latest/ug/framecapture-destinations.html). Each file goes
// through SegmentStore (temporary name, then rename), so a listing never shows half a picture; a
// channel that runs again continues the counter.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/media.hpp"
#include "pipeline/package/package_spec.hpp"
#include "pipeline/package/segment_store.hpp"

namespace mediaemu::pipeline {

class FrameCaptureWriter : public MediaSink {
 public:
  explicit FrameCaptureWriter(FrameCaptureFilesSpec spec);

  void on_layout(const OutputLayout&) override {}
  void on_packet(const MediaPacket&) override {}
  void on_discontinuity() override {}
  void on_end() override {}
  void on_still(const std::string& output, const std::vector<uint8_t>& jpeg, int64_t t_us) override;

  // The files written so far, oldest first.
  const std::vector<std::string>& written() const { return written_; }

 private:
  FrameCaptureFilesSpec spec_;
  SegmentStore store_;  // writes each file under a temporary name, then renames it
  std::map<std::string, int64_t> counters_;  // by output
  std::vector<std::string> written_;
};

}  // namespace mediaemu::pipeline
