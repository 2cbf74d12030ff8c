// Hands a channel's output to a changing set of sinks (one packager per origin endpoint).
// Endpoints are created and deleted while the channel runs: add() and remove() may be called
// from any thread; the channel worker calls the MediaSink methods.
//
// - A sink added after on_layout() gets the layout on the worker thread before its first packet,
//   and packets only from the next keyframe of the first video track (audio-only layouts: at
//   once), so it starts with a decodable segment.
// - remove() waits until the worker is not inside a call of that sink; once it returns, the sink
//   is never called again and is the caller's (e.g. to delete the endpoint's files safely).
// - An exception from one sink (disk full, a bad packet) is logged and does not reach the other
//   sinks or the channel.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/media.hpp"

namespace mediaemu::pipeline {

class FanOut : public MediaSink {
 public:
  // Replaces a sink already registered under `key`.
  void add(const std::string& key, std::unique_ptr<MediaSink> sink);
  // nullptr when no sink has that key.
  std::unique_ptr<MediaSink> remove(const std::string& key);
  size_t size() const;

  void on_layout(const OutputLayout& layout) override;
  void on_packet(const MediaPacket& packet) override;
  void on_discontinuity() override;
  void on_cue(const ads::AdCue& cue) override;
  void on_end() override;
  void on_filler_start(int64_t from_us) override;
  void on_filler_end(int64_t at_us) override;
  void on_still(const std::string& output, const std::vector<uint8_t>& jpeg, int64_t t_us) override;

 private:
  struct Entry {
    std::string key;
    std::unique_ptr<MediaSink> sink;
    bool has_layout = false;
    bool waiting_for_keyframe = false;
    bool failing = false;  // last call threw; logged once until it recovers
  };
  template <class Call>
  void call(Entry& entry, const char* what, Call&& call);
  bool deliver_layout(Entry& entry);

  mutable std::mutex mutex_;  // held while the worker calls sinks, so remove() can wait for it
  std::vector<Entry> entries_;
  std::optional<OutputLayout> layout_;
  int key_track_ = 0;  // first video track; 0: no keyframe gate
  bool ended_ = false;
};

}  // namespace mediaemu::pipeline
