// Fetches content keys ahead of need on its own thread, so that a key provider that is slow or
// unreachable never stalls the channel's media thread (which only ever asks what is ready) and
// never runs on an HTTP thread. MediaPackage likewise "retrieves content keys before the live
// content begins" and then one per rotation interval (MP-UG drm-content-key-rotation).
//
// want(period) queues a fetch unless that period's key is held or already being fetched; a failed
// fetch is logged and may be asked for again after a short pause. get(period) never blocks.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "pipeline/crypto/content_key.hpp"

namespace mediaemu::pipeline::crypto {

class KeyPrefetcher {
 public:
  KeyPrefetcher(std::shared_ptr<KeyProvider> provider, std::string label,
                std::chrono::milliseconds retry_after = std::chrono::seconds(2));
  ~KeyPrefetcher();  // stops the thread; a fetch in flight finishes first (its timeout bounds it)
  KeyPrefetcher(const KeyPrefetcher&) = delete;
  KeyPrefetcher& operator=(const KeyPrefetcher&) = delete;

  void want(int64_t period);
  std::optional<ContentKey> get(int64_t period) const;
  // The key of the latest period before `period` that is held, if any.
  std::optional<ContentKey> latest_before(int64_t period) const;
  // Keys of periods before this are no longer needed (memory bound).
  void forget_before(int64_t period);
  // Fetches attempted so far (for tests).
  int attempts() const;

 private:
  void run();

  std::shared_ptr<KeyProvider> provider_;
  const std::string label_;
  const std::chrono::milliseconds retry_after_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<int64_t> queue_;
  std::set<int64_t> pending_;  // queued or in flight
  std::map<int64_t, ContentKey> keys_;
  std::map<int64_t, std::chrono::steady_clock::time_point> failed_;  // period -> when it last failed
  int attempts_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything it uses exists
};

}  // namespace mediaemu::pipeline::crypto
