// The seam between the MediaConnect control plane and the flows' data plane. Every call is a
// command: it is queued and the call returns at once, so an HTTP thread or the state clock
// never starts or joins I/O threads, and never waits on sockets (emulator/media_hooks.hpp has
// the same rule for MediaLive). The default does nothing, which control-plane unit tests use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/flow/flow_plan.hpp"

namespace mediaemu::flow {

class FlowControl {
 public:
  virtual ~FlowControl() = default;
  // The flow became ACTIVE, or an ACTIVE flow changed: relay what `plan` says (replacing what
  // the flow relayed before).
  virtual void start(const FlowPlan& plan) {}
  // The flow is STOPPING (or going away): close its sockets and end its worker.
  virtual void stop(const std::string& flow_arn, uint64_t order) {}
  // Why the running flow relays less than its plan asks (a protocol the relay does not carry, a
  // port already taken), from the last start; never waits on media work.
  virtual std::vector<std::string> errors(const std::string& flow_arn) { return {}; }
};

}  // namespace mediaemu::flow
