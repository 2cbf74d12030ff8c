// The SNS delivery worker: one thread, owned by the App through its SnsDelivery, that POSTs
// confirmations and notifications to HTTP subscribers, so that Publish answers without waiting
// on a subscriber. A failed POST (no connection, a 5xx) is retried per AWS's default HTTP/S
// delivery policy (messages.hpp: 3 retries, 20 s apart), then dropped with a log line.
//
// This is an offline emulator: it connects only to loopback addresses. A subscriber elsewhere is
// stored like any other, and each delivery to it is logged as failed, never attempted. HTTPS
// endpoints are stored too; mediaemu speaks no TLS to subscribers, so their deliveries are
// logged as failed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace mediaemu::sns {

struct HttpPost {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string what;  // for the log: "Notification <id> to <subscription arn>"
};

// One attempt: the HTTP status, or 0 with `error` set when there was no answer.
int post_once(const HttpPost& post, std::string& error);

class SnsDelivery {
 public:
  explicit SnsDelivery(size_t capacity = 1000, std::chrono::milliseconds retry_delay =
                                                    std::chrono::seconds(20));
  ~SnsDelivery();  // stop()
  SnsDelivery(const SnsDelivery&) = delete;

  // Queues a POST; never blocks on the network. False (and a log line) when the queue is full or
  // the worker stopped.
  bool post(HttpPost p);
  // Ends the worker; what is still queued is dropped (and counted in the log).
  void stop();

 private:
  struct Item {
    HttpPost post;
    int attempts = 0;
    std::chrono::steady_clock::time_point due;
  };
  void run();

  const size_t capacity_;
  const std::chrono::milliseconds retry_delay_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Item> queue_;  // ordered by due time
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace mediaemu::sns
