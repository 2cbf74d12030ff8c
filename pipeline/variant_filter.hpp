// Passes on only some of a channel's outputs: each output group of a MediaLive channel gets the
// variants it names, while one transcoder encodes every rendition once for all groups.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "pipeline/media.hpp"

namespace mediaemu::pipeline {

class VariantFilter : public MediaSink {
 public:
  VariantFilter(std::set<std::string> variant_names, std::shared_ptr<MediaSink> next)
      : names_(std::move(variant_names)), next_(std::move(next)) {}

  void on_layout(const OutputLayout& layout) override {
    OutputLayout kept;
    kept.epoch_ms_at_zero = layout.epoch_ms_at_zero;
    tracks_.clear();
    for (const auto& v : layout.variants) {
      if (!names_.count(v.name)) continue;
      kept.variants.push_back(v);
      if (v.video_track) tracks_.insert(v.video_track);
      tracks_.insert(v.audio_tracks.begin(), v.audio_tracks.end());
    }
    for (const auto& t : layout.tracks)
      if (tracks_.count(t.id)) kept.tracks.push_back(t);
    next_->on_layout(kept);
  }
  void on_packet(const MediaPacket& packet) override {
    if (tracks_.count(packet.track_id)) next_->on_packet(packet);
  }
  void on_discontinuity() override { next_->on_discontinuity(); }
  void on_cue(const ads::AdCue& cue) override { next_->on_cue(cue); }
  void on_still(const std::string& output, const std::vector<uint8_t>& jpeg, int64_t t_us) override {
    if (names_.count(output)) next_->on_still(output, jpeg, t_us);
  }
  void on_end() override { next_->on_end(); }

 private:
  std::set<std::string> names_;
  std::shared_ptr<MediaSink> next_;
  std::set<int> tracks_;
};

}  // namespace mediaemu::pipeline
