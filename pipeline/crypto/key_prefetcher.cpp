#include "pipeline/crypto/key_prefetcher.hpp"

#include <spdlog/spdlog.h>

#include <iterator>

namespace mediaemu::pipeline::crypto {

KeyPrefetcher::KeyPrefetcher(std::shared_ptr<KeyProvider> provider, std::string label,
                             std::chrono::milliseconds retry_after)
    : provider_(std::move(provider)), label_(std::move(label)), retry_after_(retry_after), thread_([this] { run(); }) {}

KeyPrefetcher::~KeyPrefetcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void KeyPrefetcher::want(int64_t period) {
  {
    std::lock_guard lock(mutex_);
    if (keys_.count(period) || pending_.count(period)) return;
    auto failed = failed_.find(period);
    if (failed != failed_.end() && std::chrono::steady_clock::now() - failed->second < retry_after_) return;
    pending_.insert(period);
    queue_.push_back(period);
  }
  wake_.notify_all();
}

std::optional<ContentKey> KeyPrefetcher::get(int64_t period) const {
  std::lock_guard lock(mutex_);
  auto it = keys_.find(period);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

std::optional<ContentKey> KeyPrefetcher::latest_before(int64_t period) const {
  std::lock_guard lock(mutex_);
  auto it = keys_.lower_bound(period);
  if (it == keys_.begin()) return std::nullopt;
  return std::prev(it)->second;
}

void KeyPrefetcher::forget_before(int64_t period) {
  std::lock_guard lock(mutex_);
  keys_.erase(keys_.begin(), keys_.lower_bound(period));
  failed_.erase(failed_.begin(), failed_.lower_bound(period));
}

int KeyPrefetcher::attempts() const {
  std::lock_guard lock(mutex_);
  return attempts_;
}

void KeyPrefetcher::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    const int64_t period = queue_.front();
    queue_.pop_front();
    ++attempts_;
    lock.unlock();
    KeyFetch fetched = provider_->fetch(period);  // blocking network call, outside the lock
    lock.lock();
    pending_.erase(period);
    if (fetched.key) {
      fetched.key->period = period;
      keys_[period] = std::move(*fetched.key);
      failed_.erase(period);
      spdlog::info("package {}: content key for key period {} from {}", label_, period, provider_->describe());
    } else {
      failed_[period] = std::chrono::steady_clock::now();
      // MediaPackage emits a CloudWatch "key provider" event here (MP-UG drm-content-key-rotation);
      // mediaemu's event is this log line.
      spdlog::warn("package {}: key provider {} failed for key period {}: {}", label_, provider_->describe(), period,
                   fetched.error);
    }
  }
}

}  // namespace mediaemu::pipeline::crypto
