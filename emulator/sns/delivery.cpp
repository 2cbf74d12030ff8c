#include "emulator/sns/delivery.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <spdlog/spdlog.h>

#include "emulator/loopback_http.hpp"
#include "emulator/sns/messages.hpp"

namespace mediaemu::sns {
namespace {

bool is_loopback(const sockaddr* a) {
  if (a->sa_family == AF_INET)
    return (ntohl(reinterpret_cast<const sockaddr_in*>(a)->sin_addr.s_addr) >> 24) == 127;
  if (a->sa_family == AF_INET6) {
    const auto* a6 = reinterpret_cast<const sockaddr_in6*>(a);
    return IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr);
  }
  return false;
}

}  // namespace

int post_once(const HttpPost& post, std::string& error) {
  if (post.url.rfind("https://", 0) == 0) {
    error = "mediaemu delivers over plain http only (no TLS to subscribers)";
    return 0;
  }
  LoopbackRequest url;
  if (!split_http_url(post.url, url)) {
    error = "not an http URL";
    return 0;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &found); rc != 0) {
    error = std::string("cannot resolve ") + url.host + ": " + gai_strerror(rc);
    return 0;
  }
  int fd = -1;
  error = "no loopback address for " + url.host + " (mediaemu is offline: it delivers to loopback only)";
  for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
    if (!is_loopback(a->ai_addr)) continue;
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{5, 0};  // a subscriber that hangs must not stall the worker for long
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      error = "cannot connect to " + url.host + ":" + url.port;
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) return 0;

  std::string request = "POST " + url.target + " HTTP/1.1\r\nHost: " + url.host + ":" + url.port +
                        "\r\nContent-Length: " + std::to_string(post.body.size()) + "\r\nConnection: close\r\n";
  for (const auto& [k, v] : post.headers) request += k + ": " + v + "\r\n";
  request += "\r\n" + post.body;
  for (size_t sent = 0; sent < request.size();) {
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      error = "connection closed while sending";
      close(fd);
      return 0;
    }
    sent += static_cast<size_t>(n);
  }
  std::string reply;
  char buf[1024];
  while (reply.find("\r\n") == std::string::npos) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  // "HTTP/1.1 200 OK"
  if (reply.rfind("HTTP/", 0) != 0 || reply.find(' ') == std::string::npos) {
    error = "no HTTP answer";
    return 0;
  }
  try {
    return std::stoi(reply.substr(reply.find(' ') + 1, 3));
  } catch (const std::exception&) {
    error = "no HTTP status";
    return 0;
  }
}

SnsDelivery::SnsDelivery(size_t capacity, std::chrono::milliseconds retry_delay)
    : capacity_(capacity), retry_delay_(retry_delay), worker_([this] { run(); }) {}

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
    int status = post_once(item.post, error);
    ++item.attempts;
    lock.lock();
    if (status >= 200 && status < 300) {
      spdlog::info("sns: delivered {} to {} (HTTP {})", item.post.what, item.post.url, status);
      continue;
    }
    std::string why = status ? "HTTP " + std::to_string(status) : error;
    // AWS retries server-side failures only; a 4xx is the subscriber refusing the message.
    bool retry = (status == 0 || status >= 500) && item.attempts <= kHttpRetries &&
                 item.post.url.rfind("http://", 0) == 0 && error.find("loopback") == std::string::npos;
    if (!retry) {
      spdlog::warn("sns: delivery of {} to {} failed after {} attempt(s): {}", item.post.what, item.post.url,
                   item.attempts, why);
      continue;
    }
    spdlog::info("sns: delivery of {} to {} failed ({}); retry {} of {} in {} ms", item.post.what, item.post.url, why,
                 item.attempts, kHttpRetries, retry_delay_.count());
    item.due = std::chrono::steady_clock::now() + retry_delay_;
    queue_.push_back(std::move(item));
  }
}

}  // namespace mediaemu::sns
