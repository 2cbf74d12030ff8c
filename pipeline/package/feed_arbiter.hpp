// Two feeds of one program into one set of outputs, the way MediaPackage plays its two inputs
// (input redundancy, MP-UG what-is-flow-ir): the first feed to deliver media is active and the
// only one passed on; when it delivers nothing for `failover_after` (or ends) while the other
// does, the other takes over: EXT-X-DISCONTINUITY / a new Period, from its next keyframe, its
// timestamps carried on from where the outputs were, never back. It stays active until it fails
// in turn. When the active feed ends and the other is not delivering, the outputs end; the next
// feed to deliver opens new ones.
//
// The feeds are a MediaPackage channel's two HLS ingest URLs (emulator/media/supervisor/
// ingest_origin.hpp) or a STANDARD MediaLive channel's two pipelines delivering in-process.
//
// Threads: each feed may be called on its own thread; the outputs are called under one mutex,
// so never from two threads at once. check() may be called from any thread.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "pipeline/media.hpp"

namespace mediaemu::pipeline {

class FeedArbiter : public std::enable_shared_from_this<FeedArbiter> {
 public:
  using Clock = std::chrono::steady_clock;
  // Opens the outputs when a feed becomes active with none open: a new set after an ending.
  using OpenOutputs = std::function<std::shared_ptr<MediaSink>()>;
  // Called (under the arbiter's lock, on the ending feed's thread) each time the outputs end.
  using OutputsEnded = std::function<void()>;

  static std::shared_ptr<FeedArbiter> make(std::string label, std::chrono::milliseconds failover_after,
                                           OpenOutputs open, OutputsEnded ended = {});

  // The sink of feed `index` (0 or 1). Each call makes a new sink object for the same feed.
  std::shared_ptr<MediaSink> feed(int index);
  // Fails over from an active feed that has gone silent (for feeds that may stop without a word).
  void check();
  // Both feeds are about to end together (their channel stops): the first to end ends the
  // outputs instead of handing over to the other for its last moments, which would leave an
  // EXT-X-DISCONTINUITY and a fragment of the other feed before EXT-X-ENDLIST. Undone by the
  // next feed that starts (on_layout).
  void closing();
  int active() const;              // -1: none
  bool ended(int index) const;     // never started, or ended its stream
  // Same tracks (ids, kinds, codecs): one feed can stand in for the other without a new layout.
  static bool same_tracks(const OutputLayout& a, const OutputLayout& b);

 private:
  class Sink;
  struct Feed {
    std::optional<OutputLayout> layout;
    Clock::time_point last_media{};
    bool ended = true;
    bool rebase = false;         // the next packet passed on sets shift_us (just switched to)
    int64_t shift_us = 0;        // added to its timestamps on the outputs' timeline
    bool awaiting_key = false;   // switched to: nothing passes before a keyframe of the first video track
    int64_t key_us = 0;          // that keyframe's time (µs, the feed's own timeline)
  };

  FeedArbiter(std::string label, std::chrono::milliseconds failover_after, OpenOutputs open, OutputsEnded ended);
  // Under mutex_:
  void on_layout(int index, const OutputLayout& layout);
  void on_packet(int index, const MediaPacket& packet);
  void on_discontinuity(int index);
  void on_cue(int index, const ads::AdCue& cue);
  void on_still(int index, const std::string& output, const std::vector<uint8_t>& jpeg, int64_t t_us);
  void on_end(int index);
  bool delivering(int index, Clock::time_point now) const;
  void fail_over_if_silent(Clock::time_point now);
  void activate(int index);
  void switch_to(int index, const char* why);
  int first_video_track() const;

  const std::string label_;
  const std::chrono::milliseconds failover_after_;
  const OpenOutputs open_;
  const OutputsEnded ended_;
  mutable std::mutex mutex_;
  std::array<Feed, 2> feeds_;
  int active_ = -1;
  bool closing_ = false;
  std::shared_ptr<MediaSink> outputs_;  // open while a feed is active
  OutputLayout out_layout_;             // what the outputs got
  int64_t out_epoch_ms_ = 0;            // its wall-clock zero
  int64_t out_end_us_ = 0;              // end of what went out
};

}  // namespace mediaemu::pipeline
