// Passes on only some of a channel's outputs: each output group of a MediaLive channel gets the
// variants it names, while one transcoder encodes every rendition once for all groups.
//
// A group that pauses on input loss (PAUSE_OUTPUT; MediaPackage groups always do, ML-UG) drops the
// filler the transcoder makes for the groups that emit output meanwhile, and resumes after an
// EXT-X-DISCONTINUITY (on_discontinuity) at the first keyframe of real media, as it would had
// the transcoder paused for it alone.
#pragma once

#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>

extern "C" {
#include <libavutil/mathematics.h>
}

#include "pipeline/media.hpp"

namespace mediaemu::pipeline {

class VariantFilter : public MediaSink {
 public:
  VariantFilter(std::set<std::string> variant_names, std::shared_ptr<MediaSink> next, bool pause_on_input_loss = false)
      : names_(std::move(variant_names)), next_(std::move(next)), pauses_(pause_on_input_loss) {}

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
    first_video_ = 0;
    for (const auto& t : layout.tracks) {
      if (!tracks_.count(t.id)) continue;
      kept.tracks.push_back(t);
      if (t.kind == MediaKind::Video && !first_video_) first_video_ = t.id;
    }
    layout_ = kept;
    next_->on_layout(kept);
  }
  void on_packet(const MediaPacket& packet) override {
    if (!tracks_.count(packet.track_id)) return;
    if (pauses_ && !pass_outside_filler(packet)) return;
    next_->on_packet(packet);
  }
  void on_discontinuity() override { next_->on_discontinuity(); }
  void on_cue(const ads::AdCue& cue) override { next_->on_cue(cue); }
  void on_still(const std::string& output, const std::vector<uint8_t>& jpeg, int64_t t_us) override {
    if (pauses_ && filler_from_ && t_us >= *filler_from_ && (!filler_until_ || t_us < *filler_until_)) return;
    if (names_.count(output)) next_->on_still(output, jpeg, t_us);
  }
  void on_end() override { next_->on_end(); }
  void on_filler_start(int64_t from_us) override {
    filler_from_ = from_us;
    filler_until_.reset();
  }
  void on_filler_end(int64_t at_us) override {
    if (filler_from_) filler_until_ = at_us;
  }

 private:
  // A pausing group: false for filler, and for real media after it until the first keyframe of
  // the first video track (where the group resumes, after a discontinuity).
  bool pass_outside_filler(const MediaPacket& packet) {
    const TrackInfo* track = layout_.track(packet.track_id);
    const int64_t t_us = track ? av_rescale_q(packet.packet->dts, track->time_base, AVRational{1, 1'000'000}) : 0;
    if (!filler_from_) return t_us >= resumed_at_;  // stragglers from before the resume point go too
    if (t_us < *filler_from_) return true;         // real media from before the loss
    if (!filler_until_ || t_us < *filler_until_) return false;
    const bool key = packet.track_id == first_video_ && (packet.packet->flags & AV_PKT_FLAG_KEY);
    if (first_video_ && !key) return false;
    filler_from_.reset();
    resumed_at_ = t_us;
    next_->on_discontinuity();
    return true;
  }

  std::set<std::string> names_;
  std::shared_ptr<MediaSink> next_;
  const bool pauses_;
  std::set<int> tracks_;
  OutputLayout layout_;  // what this group passes on
  int first_video_ = 0;
  std::optional<int64_t> filler_from_, filler_until_;  // the filler period (µs); until: open while filling
  int64_t resumed_at_ = std::numeric_limits<int64_t>::min();
};

}  // namespace mediaemu::pipeline
