// The flows' data plane: one FlowRelay per running flow, created and destroyed on the runtime's
// own command thread. start()/stop() only queue a command (they are called from after-commit
// hooks on HTTP threads and the state clock), so binding sockets and joining a relay's thread
// never happens on a caller's thread, let alone under the domain lock. Commands carry the
// control plane's commit order; one older than the last applied for its flow is dropped.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/flow/flow_control.hpp"
#include "pipeline/flow/flow_relay.hpp"
#include "pipeline/flow/flow_taps.hpp"

namespace mediaemu::flow {

class FlowRuntime : public FlowControl {
 public:
  FlowRuntime();
  ~FlowRuntime() override;

  void start(const FlowPlan& plan) override;
  void stop(const std::string& flow_arn, uint64_t order) override;
  std::vector<std::string> errors(const std::string& flow_arn) override;

  FlowTaps& taps() { return taps_; }
  // Blocks until every command queued so far is applied (tests; never on an HTTP thread).
  void wait_idle();
  // Whether the flow has a relay now, and its counters (tests).
  bool running(const std::string& flow_arn);
  uint64_t forwarded(const std::string& flow_arn);
  // Ends every relay and the command thread. Called by the owner's stop and the destructor.
  void shutdown();

 private:
  struct Command {
    std::string flow_arn;
    uint64_t order = 0;
    std::optional<FlowPlan> plan;  // nullopt: stop
  };
  void post(Command c);
  void loop();
  void apply(Command& c);

  FlowTaps taps_;
  std::mutex mutex_;
  std::condition_variable cv_, idle_cv_;
  std::deque<Command> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::map<std::string, uint64_t> applied_order_;
  std::map<std::string, std::vector<std::string>> errors_;
  std::map<std::string, std::unique_ptr<FlowRelay>> relays_;  // touched by the command thread only...
  std::mutex relays_mutex_;                                    // ...and read by the test helpers
  std::thread thread_;
};

}  // namespace mediaemu::flow
