// A MediaLive Archive output group: each output's video and audio as MPEG-TS files of about
// RolloverInterval seconds, named <directory>/<baseFilename><nameModifier>.<counter>.<extension>
// with a six-digit counter from 000000, as MediaLive names them
// (https://docs.aws.amazon.com/medialive/latest/ug/about-archive-file-locations.html). A file
// appears under its name only once it is closed ("The current file is visible on Amazon S3 only
// after it has closed"): until then it grows under a temporary name that listings skip.
//
// Packets are muxed a GOP at a time and appended to the open file, so a long rollover interval
// never holds more than a GOP in memory. Files roll at the first GOP boundary at or after the
// interval; the channel's end closes the last, shorter one. A channel that runs again continues
// the counter after the highest file already there, so no archive is overwritten.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/media.hpp"
#include "pipeline/package/package_spec.hpp"
#include "pipeline/package/segmenter.hpp"
#include "pipeline/package/ts_muxer.hpp"

namespace mediaemu::pipeline {

class ArchiveWriter : public MediaSink {
 public:
  explicit ArchiveWriter(ArchiveSpec spec);
  ~ArchiveWriter() override;

  void on_layout(const OutputLayout& layout) override;
  void on_packet(const MediaPacket& packet) override;
  void on_discontinuity() override;
  void on_cue(const ads::AdCue& cue) override;  // into the TS of outputs with an SCTE-35 PID
  void on_end() override;

  // The files closed so far (relative to the directory), oldest first.
  const std::vector<std::string>& closed_files() const { return closed_; }

 private:
  struct File {
    std::unique_ptr<TsMuxer> muxer;
    std::string stem;  // base name + name modifier
    std::string extension;
    std::ofstream out;
    std::filesystem::path temp;
    bool open = false;
  };
  void write(const std::vector<Segment>& segments);   // append(), logging a failure once
  void append(const std::vector<Segment>& segments);
  void roll();  // closes every open file under its final name
  int64_t first_free_counter() const;

  ArchiveSpec spec_;
  OutputLayout layout_;
  std::optional<Segmenter> segmenter_;
  std::vector<File> files_;  // one per output
  int64_t counter_ = 0;
  double file_start_ = -1;   // media position (s) where the open files began; -1: none open
  double position_ = 0;      // media seconds written, across discontinuities
  std::vector<std::string> closed_;
  bool failed_ = false;  // a write failed: this archive writes nothing more
};

}  // namespace mediaemu::pipeline
