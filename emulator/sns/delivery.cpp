#include "emulator/sns/delivery.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "emulator/loopback_http.hpp"
#include "emulator/sns/messages.hpp"

namespace mediaemu::sns {

int post_once(const HttpPost& post, const std::string& extra_ca_file, std::string& error) {
  LoopbackRequest request;
  if (!split_url(post.url, request)) {
    error = "not an http or https URL";
    return 0;
  }
  request.method = "POST";
  request.headers = post.headers;
  request.body = post.body;
  request.timeout = kDeliveryStepTimeout;
  request.extra_ca_file = extra_ca_file;
  LoopbackResponse answer = loopback_http(request);
  error = answer.error;
  return answer.status;
}

bool retryable(int status) { return status == 0 || status == 429 || status >= 500; }

SnsDelivery::SnsDelivery(SnsSigner signer, std::string extra_ca_file, size_t capacity,
                         std::chrono::milliseconds retry_delay)
    : signer_(std::move(signer)),
      extra_ca_file_(std::move(extra_ca_file)),
      capacity_(capacity),
      retry_delay_(retry_delay),
      worker_([this] { run(); }) {}

SnsDelivery::~SnsDelivery() { stop(); }

bool SnsDelivery::post(HttpPost p) {
  std::lock_guard lock(mutex_);
  if (stopping_ || queue_.size() >= capacity_) {
    spdlog::warn("sns: {} dropped: the delivery queue is {}", p.what, stopping_ ? "stopped" : "full");
    return false;
  }
  queue_.push_front(Item{std::move(p), 0, std::chrono::steady_clock::now()});  // due now: first
  cv_.notify_one();
  return true;
}

void SnsDelivery::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !worker_.joinable()) return;
    stopping_ = true;
    cv_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
  if (!queue_.empty()) spdlog::info("sns: {} queued deliveries dropped at shutdown", queue_.size());
}

void SnsDelivery::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto next = std::min_element(queue_.begin(), queue_.end(), [](const Item& a, const Item& b) { return a.due < b.due; });
    if (next->due > std::chrono::steady_clock::now()) {
      cv_.wait_until(lock, next->due);
      continue;
    }
    Item item = std::move(*next);
    queue_.erase(next);
    lock.unlock();  // the network call runs without the lock: post() never waits on it
    std::string error;
    int status = post_once(item.post, extra_ca_file_, error);
    ++item.attempts;
    lock.lock();
    if (status >= 200 && status < 300) {
      spdlog::info("sns: delivered {} to {} (HTTP {})", item.post.what, item.post.url, status);
      continue;
    }
    std::string why = status ? "HTTP " + std::to_string(status) : error;
    // A URL that is not http(s) or not on loopback fails the same way every time: not retried.
    bool retry = retryable(status) && item.attempts <= kHttpRetries && error.find("loopback") == std::string::npos &&
                 error.find("not an http") == std::string::npos;
    if (!retry) {
      spdlog::warn("sns: delivery of {} to {} failed after {} attempt(s): {}", item.post.what, item.post.url,
                   item.attempts, why);
      continue;
    }
    spdlog::warn("sns: delivery of {} to {} failed ({}); retry {} of {} in {} ms", item.post.what, item.post.url, why,
                 item.attempts, kHttpRetries, retry_delay_.count());
    item.due = std::chrono::steady_clock::now() + retry_delay_;
    queue_.push_back(std::move(item));
  }
}

}  // namespace mediaemu::sns
