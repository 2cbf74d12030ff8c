#include "pipeline/package/archive_writer.hpp"

#include <spdlog/spdlog.h>

#include "pipeline/package/file_counter.hpp"

namespace mediaemu::pipeline {

namespace fs = std::filesystem;

namespace {

// Segments of one GOP: the unit in which packets reach the file.
constexpr int kChunkSeconds = 1;

}  // namespace

ArchiveWriter::ArchiveWriter(ArchiveSpec spec) : spec_(std::move(spec)) {
  std::error_code ec;
  fs::create_directories(spec_.directory, ec);
  if (ec) throw std::runtime_error("cannot create " + spec_.directory.string() + ": " + ec.message());
}

ArchiveWriter::~ArchiveWriter() {
  try {
    roll();
  } catch (const std::exception& e) {
    spdlog::warn("archive {}: closing the last files failed: {}", spec_.label, e.what());
  }
}

void ArchiveWriter::on_layout(const OutputLayout& layout) {
  layout_ = layout;
  segmenter_.emplace(layout_, kChunkSeconds);
  files_.clear();
  for (const auto& v : layout_.variants) {
    std::vector<const TrackInfo*> tracks;
    if (v.video_track) tracks.push_back(layout_.track(v.video_track));
    for (int a : v.audio_tracks) tracks.push_back(layout_.track(a));
    auto it = spec_.outputs.find(v.name);
    ArchiveSpec::Output naming = it == spec_.outputs.end() ? ArchiveSpec::Output{} : it->second;
    File f;
    f.muxer = std::make_unique<TsMuxer>(tracks, false, naming.scte35_pid);
    f.stem = spec_.base_name + naming.name_modifier;
    f.extension = naming.extension;
    files_.push_back(std::move(f));
  }
  counter_ = first_free_counter();
}

void ArchiveWriter::on_packet(const MediaPacket& packet) {
  if (segmenter_) write(segmenter_->push(packet));
}

void ArchiveWriter::on_discontinuity() {
  // The files go on: an archive is a recording, and the TS muxer's timestamps carry the jump.
  if (segmenter_) write(segmenter_->discontinuity());
}

void ArchiveWriter::on_cue(const ads::AdCue& cue) {
  if (segmenter_) segmenter_->splice(cue);  // its chunk then starts at the splice point
}

void ArchiveWriter::on_end() {
  if (segmenter_) write(segmenter_->flush());
  roll();
}

void ArchiveWriter::write(const std::vector<Segment>& segments) {
  try {
    append(segments);
  } catch (const std::exception& e) {
    // A full disk or a removed directory loses this archive's media, not the channel's other outputs.
    if (!failed_) spdlog::error("archive {}: {}; its files stop here", spec_.label, e.what());
    failed_ = true;
  }
}

void ArchiveWriter::append(const std::vector<Segment>& segments) {
  if (failed_) return;
  for (const Segment& s : segments) {
    if (file_start_ >= 0 && position_ - file_start_ >= spec_.rollover_seconds) roll();
    if (file_start_ < 0) file_start_ = position_;
    for (File& f : files_) {
      TsMuxer::Output out = f.muxer->mux(s);
      if (out.bytes.empty()) continue;
      if (!f.open) {
        f.temp = spec_.directory / (spec_.temp_prefix + numbered_name({f.stem, f.extension}, counter_, 6));
        f.out.open(f.temp, std::ios::binary | std::ios::trunc);
        if (!f.out) throw std::runtime_error("cannot write " + f.temp.string());
        f.open = true;
      }
      f.out.write(reinterpret_cast<const char*>(out.bytes.data()), static_cast<std::streamsize>(out.bytes.size()));
      if (!f.out) throw std::runtime_error("cannot write " + f.temp.string());
    }
    position_ += s.duration_seconds();
  }
}

void ArchiveWriter::roll() {
  bool any = false;
  for (File& f : files_) {
    if (!f.open) continue;
    f.out.close();
    f.open = false;
    std::string name = numbered_name({f.stem, f.extension}, counter_, 6);
    std::error_code ec;
    fs::rename(f.temp, spec_.directory / name, ec);
    if (ec) {
      spdlog::warn("archive {}: cannot rename {} to {}: {}", spec_.label, f.temp.string(), name, ec.message());
      fs::remove(f.temp, ec);
      continue;
    }
    closed_.push_back(name);
    any = true;
  }
  if (any) ++counter_;
  file_start_ = -1;
}

int64_t ArchiveWriter::first_free_counter() const {
  std::vector<NumberedName> names;
  for (const File& f : files_) names.push_back({f.stem, f.extension});
  return next_free_counter(spec_.directory, names);
}

}  // namespace mediaemu::pipeline
