#include "pipeline/flow/flow_runtime.hpp"

#include <spdlog/spdlog.h>

namespace mediaemu::flow {

FlowRuntime::FlowRuntime() : thread_([this] { loop(); }) {}

FlowRuntime::~FlowRuntime() { shutdown(); }

void FlowRuntime::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(relays_mutex_);
  relays_.clear();
}

void FlowRuntime::start(const FlowPlan& plan) { post(Command{plan.flow_arn, plan.order, plan}); }

void FlowRuntime::stop(const std::string& flow_arn, uint64_t order) { post(Command{flow_arn, order, std::nullopt}); }

void FlowRuntime::post(Command c) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    queue_.push_back(std::move(c));
  }
  cv_.notify_all();
}

std::vector<std::string> FlowRuntime::errors(const std::string& flow_arn) {
  std::lock_guard lock(mutex_);
  auto it = errors_.find(flow_arn);
  return it == errors_.end() ? std::vector<std::string>{} : it->second;
}

void FlowRuntime::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_cv_.wait(lock, [this] { return stopping_ || (queue_.empty() && !busy_); });
}

bool FlowRuntime::running(const std::string& flow_arn) {
  std::lock_guard lock(relays_mutex_);
  return relays_.count(flow_arn) != 0;
}

uint64_t FlowRuntime::forwarded(const std::string& flow_arn) {
  std::lock_guard lock(relays_mutex_);
  auto it = relays_.find(flow_arn);
  return it == relays_.end() ? 0 : it->second->forwarded();
}

void FlowRuntime::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    Command c = std::move(queue_.front());
    queue_.pop_front();
    if (c.order < applied_order_[c.flow_arn]) {
      spdlog::debug("mediaconnect: dropped an out-of-date command for flow {}", c.flow_arn);
      if (queue_.empty()) idle_cv_.notify_all();
      continue;
    }
    applied_order_[c.flow_arn] = c.order;
    busy_ = true;
    lock.unlock();
    apply(c);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
  idle_cv_.notify_all();
}

void FlowRuntime::apply(Command& c) {
  std::unique_ptr<FlowRelay> old;
  {
    std::lock_guard lock(relays_mutex_);
    if (auto it = relays_.find(c.flow_arn); it != relays_.end()) {
      old = std::move(it->second);
      relays_.erase(it);
    }
  }
  old.reset();  // joins the old relay's thread and frees its ports before a new relay binds them
  std::vector<std::string> errors;
  if (c.plan) {
    auto relay = std::make_unique<FlowRelay>(*c.plan, taps_);
    errors = relay->errors();
    std::lock_guard lock(relays_mutex_);
    relays_[c.flow_arn] = std::move(relay);
  }
  std::lock_guard lock(mutex_);
  if (c.plan) {
    errors_[c.flow_arn] = std::move(errors);
  } else {
    errors_.erase(c.flow_arn);
  }
}

}  // namespace mediaemu::flow
