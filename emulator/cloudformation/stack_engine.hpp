// Runs stack operations off the HTTP threads: one thread of its own takes stacks from a queue
// and creates, updates or deletes their resources in dependency order through the providers,
// persisting every resource status and event as it goes (each is a committed write, so
// DescribeStackEvents shows progress and a kill -9 loses nothing acknowledged).
//
// What a stack left in progress by a crash becomes on the next start, as CloudFormation settles
// it: CREATE_IN_PROGRESS rolls back (ROLLBACK_COMPLETE), UPDATE_IN_PROGRESS rolls back to the
// previous template (UPDATE_ROLLBACK_COMPLETE), DELETE_IN_PROGRESS and rollbacks continue. A
// resource whose provider call was cut off before its result was recorded is not known to the
// stack and stays behind; its CREATE_IN_PROGRESS event names it.
#pragma once

#include <atomic>
#include <chrono>

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"
#include "emulator/serial_worker.hpp"

namespace mediaemu::cloudformation {

class StackEngine {
 public:
  StackEngine(Domain& domain, const api::AwsApi& api);
  ~StackEngine();  // stop()
  StackEngine(const StackEngine&) = delete;

  // Queues every stack the last process left in progress.
  void start();
  // Ends the worker: the operation under way finishes; queued stacks stay in progress in the
  // store and are settled at the next start.
  void stop();
  // Runs the operation a stack's record carries on the calling thread, now: how a nested stack
  // (AWS::CloudFormation::Stack) is created, updated and deleted by its parent's operation, which
  // already runs on the engine's thread. The copy queued by the API finds nothing left to do.
  static void run_now(Domain& domain, const api::AwsApi& api, const Key& stack);

  // Queues a stack whose record carries an operation (internal["operation"]). Called after the
  // write that stored it is committed.
  void submit(const Key& stack);
  // submit() for the request that just committed the operation. With --state-delay 0 the request
  // then waits, up to kSettleWait, for the operation to end on the engine's thread, so that the
  // next call sees the stack settled and waiters return at once, as for every other resource
  // (domain.hpp). The AWS CLI's `cloudformation deploy` and `wait stack-create-complete` poll
  // every 30 s: a stack still in progress at their first poll costs half a minute.
  void submit_and_settle(const Key& stack);
  static constexpr std::chrono::seconds kSettleWait{5};

 private:
  void run(const Key& stack);

  Domain& domain_;
  const api::AwsApi& api_;
  std::atomic<bool> stopping_{false};  // queued stacks no longer run
  SerialWorker worker_;                // last: its thread runs jobs only once the above exist
};

}  // namespace mediaemu::cloudformation
