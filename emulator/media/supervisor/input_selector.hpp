// Which of a channel's inputs is on air. Every source delivers into its own port; the active
// input's port forwards to the channel's pipeline input, the others keep only their stream's
// decoder configuration and the time of their last frame (what automatic failover watches), so
// that a standby input can go on air at once.
//
// A switch (select()) takes the old input off air immediately. The new one goes on air at its
// next video keyframe (a decoder can start nowhere else): the pipeline then gets an End, which
// makes the transcoder drain and re-anchor its timeline where the output is (no discontinuity:
// MediaLive's outputs run on across a switch), the new input's configuration, and its frames.
//
// offer() runs on the sources' threads and never blocks; select() on the supervisor's.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/media.hpp"

namespace mediaemu::media {

// The End that a switch sends down the pipeline carries this reason (the encoder log does not
// report it as input loss).
inline constexpr const char* kInputSwitchReason = "input switch";

class InputSelector : public std::enable_shared_from_this<InputSelector> {
 public:
  using Clock = std::chrono::steady_clock;

  explicit InputSelector(std::shared_ptr<pipeline::IngestSink> downstream) : downstream_(std::move(downstream)) {}

  // The sink that input `input_id`'s source delivers into. (Make selectors with make_shared.)
  std::shared_ptr<pipeline::IngestSink> port(const std::string& input_id);
  // Puts `input_id` on air (see above). Selecting the input already on air does nothing.
  void select(const std::string& input_id);
  std::string active() const;
  // When input `input_id` last delivered a frame (empty: never since the channel started).
  std::optional<Clock::time_point> last_frame(const std::string& input_id) const;

 private:
  struct Port;
  struct PortState {
    std::optional<pipeline::IngestEvent> metadata, video_config, audio_config;  // the current stream's
    std::optional<Clock::time_point> last_frame;
  };
  bool offer(const std::string& input_id, pipeline::IngestEvent& event);
  void remember(PortState& state, const pipeline::IngestEvent& event);
  bool flush_pending();  // false: the pipeline pushed back; the rest stays pending

  const std::shared_ptr<pipeline::IngestSink> downstream_;
  mutable std::mutex mutex_;
  std::map<std::string, PortState> states_;
  std::string active_;
  bool joining_ = false;       // the active input waits for its first keyframe
  bool forwarded_ = false;     // the pipeline has had frames since its last End
  std::vector<pipeline::IngestEvent> pending_;  // the join's End and configuration, not yet taken
};

}  // namespace mediaemu::media
