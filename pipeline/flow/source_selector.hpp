// Which source's packets a flow sends on: MediaConnect's source failover, as a pure state
// machine over (source, arrival time, packet) so it is tested without sockets or clocks.
//
// FAILOVER (API_FailoverConfig: "FAILOVER allows switching between different streams"): one
// source is active. When the active source has been silent for longer than RecoveryWindow
// milliseconds and the other one sends, the flow switches to the other. With a
// SourcePriority.PrimarySource the primary is preferred: "MediaConnect always uses this source
// when it is available" (CDK FailoverFailoverOptions.primarySource), so the flow returns to the
// primary as soon as it sends again. Without one, both are equal and the flow stays where it is.
//
// MERGE ("combines the source streams into a single stream, allowing graceful recovery from any
// single-source loss", SMPTE 2022-7): packets from either source are sent, RTP packets once per
// sequence number (the first copy wins). Datagrams that are not RTP carry no sequence number to
// merge by, so in MERGE they pass from both sources (duplicates included).
//
// Failover DISABLED: a flow has one source (API_FailoverConfig), and only the first is used.
#pragma once

#include <bitset>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "pipeline/flow/flow_plan.hpp"

namespace mediaemu::flow {

class SourceSelector {
 public:
  explicit SourceSelector(const FlowPlan& plan);

  // Whether a datagram from source `index` arriving at `now_ms` goes to the outputs.
  bool accept(size_t index, int64_t now_ms, std::span<const uint8_t> datagram, bool rtp);
  // The source FAILOVER currently sends (-1 before any source sent).
  int active() const { return active_; }
  // How many times the active source changed.
  uint64_t switches() const { return switches_; }

 private:
  bool failover(size_t index, int64_t now_ms);
  bool merge(std::span<const uint8_t> datagram, bool rtp);

  size_t sources_;
  bool enabled_;
  FailoverMode mode_;
  int64_t window_ms_;
  int primary_ = -1;
  int active_ = -1;
  uint64_t switches_ = 0;
  std::vector<int64_t> last_ms_;
  std::bitset<65536> seen_;  // MERGE: sequence numbers sent in the last half of the space
  std::vector<std::string> names_;
};

}  // namespace mediaemu::flow
