// The SNS delivery worker: one thread, owned by the App through its SnsDelivery, that POSTs
// confirmations and notifications to HTTP and HTTPS subscribers, so that Publish answers without
// waiting on a subscriber. A failed POST (no connection, a certificate that does not verify, no
// answer within 5 s, a 5xx or a 429) is retried per AWS's default HTTP/S delivery policy
// (messages.hpp: 3 retries, 20 s apart), then dropped with a log line; other 4xx answers are the
// subscriber refusing the message and are not retried
// (https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.retry.html).
//
// https endpoints get TLS with the checks AWS's agent makes: the certificate must chain to a CA
// the system trusts or one of --sns-ca-file's, and name the endpoint's host (SNI is sent)
// (https://docs.aws.amazon.com/sns/latest/dg/sns-http-https-endpoint-as-subscriber.html).
//
// This is an offline emulator: it connects only to loopback addresses (loopback_http.hpp). A
// subscriber elsewhere is stored like any other, and each delivery to it is logged as failed,
// never attempted.
//
// The worker also holds SNS's signer (signer.hpp), which every enveloped message is signed with.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "emulator/sns/signer.hpp"

namespace mediaemu::sns {

struct HttpPost {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string what;  // for the log: "Notification <id> to <subscription arn>"
};

// One attempt: the HTTP status, or 0 with `error` set when there was no answer. `extra_ca_file`:
// CA certificates trusted for https endpoints besides the system's ("" for none).
int post_once(const HttpPost& post, const std::string& extra_ca_file, std::string& error);
// Whether AWS's policy retries an attempt that ended so (status 0: no answer).
bool retryable(int status);

// Bounds each step of an attempt (connect, TLS handshake, send, read), so that a subscriber that
// hangs holds the worker for seconds, not forever.
inline constexpr std::chrono::seconds kDeliveryStepTimeout{5};

class SnsDelivery {
 public:
  explicit SnsDelivery(SnsSigner signer = SnsSigner({}, "http://127.0.0.1:4566"), std::string extra_ca_file = "",
                       size_t capacity = 1000, std::chrono::milliseconds retry_delay = std::chrono::seconds(20));
  ~SnsDelivery();  // stop()
  SnsDelivery(const SnsDelivery&) = delete;

  const SnsSigner& signer() const { return signer_; }
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

  const SnsSigner signer_;
  const std::string extra_ca_file_;
  const size_t capacity_;
  const std::chrono::milliseconds retry_delay_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Item> queue_;  // ordered by due time
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace mediaemu::sns
