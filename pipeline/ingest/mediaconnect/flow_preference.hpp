// Which of a MEDIACONNECT input's flows is on air. AWS gives a STANDARD channel's MEDIACONNECT
// input two flows, one per pipeline ("You can specify as few as one Flow and presently, as many as
// two", MediaLive API CreateInputRequest.MediaConnectFlows; ML-UG input-create-push-mediaconnect),
// and each pipeline encodes its own flow. mediaemu runs one transcoder per channel, so it plays
// one flow at a time instead:
//   - the first flow (index 0) is preferred: it plays whenever it delivers;
//   - a later flow takes over only when the one on air has been silent for `loss_time` (the
//     channel's input-loss time), so a short gap does not flip between two streams;
//   - a preferred flow that comes back takes over again once it has delivered without a gap of
//     `loss_time` for `loss_time` (at once if the flow on air is silent too), so a flapping primary
//     does not make every other segment come from another encoder.
// Pure logic on timestamps the caller supplies, so it is unit-tested without sockets or clocks.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

namespace mediaemu::pipeline::mediaconnect {

class FlowPreference {
 public:
  using Clock = std::chrono::steady_clock;

  struct Decision {
    bool deliver = false;   // the packet goes to the demuxer
    bool switched = false;  // ... and it moved the input to this flow (the caller logs it)
  };

  // `start`: when the input began listening; the first flow counts as heard then, so a later
  // flow waits `loss_time` for it before taking over.
  FlowPreference(size_t flows, Clock::duration loss_time, Clock::time_point start);

  // A packet from flow `index` arrived at `now` (times never go backwards per caller).
  Decision offer(size_t index, Clock::time_point now);

  size_t on_air() const { return on_air_; }
  int64_t switches() const { return switches_; }

 private:
  bool silent(size_t index, Clock::time_point now) const;

  Clock::duration loss_time_;
  size_t on_air_ = 0;
  int64_t switches_ = 0;
  std::vector<std::optional<Clock::time_point>> last_;   // a flow's latest packet
  std::vector<std::optional<Clock::time_point>> since_;  // start of its current gap-free run
};

}  // namespace mediaemu::pipeline::mediaconnect
