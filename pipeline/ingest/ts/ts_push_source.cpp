#include "pipeline/ingest/ts/ts_push_source.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include "pipeline/ingest/ts/rtp_reorder.hpp"
#include "pipeline/ingest/udp_socket.hpp"
#include "pipeline/libav.hpp"

namespace mediaemu::pipeline::ts {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxQueuedChunks = 8192;            // ~10 MB of 1316-byte payloads
constexpr auto kSwitchAfterQuiet = std::chrono::seconds(2);  // before the other port may take over
constexpr auto kReceivingWindow = std::chrono::seconds(1);   // "receiving" = a datagram this recently

// A burst of a few hundred ms at broadcast bitrates.
constexpr int kReceiveBuffer = 4 * 1024 * 1024;

}  // namespace

TsPushSource::TsPushSource(TsPushSpec spec) : spec_(std::move(spec)) {}

TsPushSource::~TsPushSource() { stop(); }

void TsPushSource::start(std::shared_ptr<IngestSink> sink) {
  for (int port : spec_.ports) {
    try {
      sockets_.push_back(open_udp_socket(spec_.host, port, kReceiveBuffer));
    } catch (...) {
      for (int fd : sockets_) ::close(fd);
      sockets_.clear();
      throw;
    }
  }
  demuxer_ = pushed_mpegts_demuxer(transport(), spec_.label, [this](uint8_t* buffer, int size) { return read(buffer, size); },
                                   std::move(sink), spec_.scte35_pid);
  receiver_ = std::thread([this] { receive_loop(); });
  demuxer_->start();
  std::string ports;
  for (int p : spec_.ports) ports += (ports.empty() ? "" : ", ") + std::to_string(p);
  spdlog::info("ingest: {} listens for MPEG-TS over {} on {} port(s) {}, from {}", spec_.label,
               spec_.rtp ? "RTP" : "UDP", spec_.host, ports, spec_.allowed.describe());
}

void TsPushSource::stop() {
  if (stop_.exchange(true)) return;
  readable_.notify_all();
  if (receiver_.joinable()) receiver_.join();
  if (demuxer_) demuxer_->stop();  // its reader sees stop_ and returns AVERROR_EXIT
  for (int fd : sockets_) ::close(fd);
  sockets_.clear();
  std::lock_guard lock(mutex_);
  if (refused_ || overflowed_)
    spdlog::info("ingest: {} stopped; refused {} datagrams from outside the whitelist, dropped {} on overflow",
                 spec_.label, refused_, overflowed_);
}

void TsPushSource::update_allowed(AddressFilter allowed) {
  std::lock_guard lock(mutex_);
  spec_.allowed = std::move(allowed);
}

IngestSourceStatus TsPushSource::status() const {
  std::lock_guard lock(mutex_);
  bool receiving = !sender_.empty() && Clock::now() - last_datagram_ < kReceivingWindow;
  return {.receiving = receiving, .sender = receiving ? sender_ : "", .refused = refused_, .rtp = spec_.rtp,
          .rtp_received = rtp_received_, .rtp_lost = rtp_lost_};
}

void TsPushSource::enqueue(const uint8_t* data, size_t size) {
  if (size == 0) return;
  {
    std::lock_guard lock(mutex_);
    if (chunks_.size() >= kMaxQueuedChunks) {  // the demuxer is behind: drop the oldest
      chunks_.pop_front();
      chunk_offset_ = 0;
      ++overflowed_;
    }
    chunks_.emplace_back(data, data + size);
  }
  readable_.notify_one();
}

void TsPushSource::receive_loop() {
  std::vector<pollfd> fds;
  for (int fd : sockets_) fds.push_back({fd, POLLIN, 0});
  std::vector<uint8_t> datagram(65536);
  RtpReorder reorder([this](std::span<const uint8_t> payload) { enqueue(payload.data(), payload.size()); });
  int active = -1;  // index of the port the source is locked onto
  Clock::time_point active_last{};
  std::set<std::string> refused_logged;
  const auto publish_counts = [&] {
    std::lock_guard lock(mutex_);
    rtp_received_ = reorder.stats().received;
    rtp_lost_ = reorder.stats().lost;
  };
  while (!stop_) {
    if (::poll(fds.data(), fds.size(), 100) <= 0) {
      if (spec_.rtp && active >= 0 && Clock::now() - active_last > std::chrono::milliseconds(200)) {
        reorder.flush();
        publish_counts();
      }
      continue;
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      sockaddr_in from{};
      socklen_t from_len = sizeof from;
      ssize_t n = ::recvfrom(fds[i].fd, datagram.data(), datagram.size(), MSG_DONTWAIT,
                             reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n <= 0) continue;
      char ip[INET_ADDRSTRLEN] = "";
      inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip);
      auto now = Clock::now();
      {
        std::lock_guard lock(mutex_);
        if (!spec_.allowed.allows(ip)) {
          ++refused_;
          if (refused_logged.insert(ip).second)
            spdlog::warn("ingest: {} refuses datagrams from {}: outside the whitelist ({})", spec_.label, ip,
                         spec_.allowed.describe());
          continue;
        }
      }
      if (active != static_cast<int>(i)) {
        if (active >= 0 && now - active_last < kSwitchAfterQuiet) continue;  // the other port is live
        if (active >= 0) spdlog::info("ingest: {} moves to port {}", spec_.label, spec_.ports[i]);
        active = static_cast<int>(i);
        reorder.reset();
      }
      active_last = now;
      {
        std::lock_guard lock(mutex_);
        if (sender_ != ip) spdlog::info("ingest: {} receives from {}", spec_.label, ip);
        sender_ = ip;
        last_datagram_ = now;
      }
      if (spec_.rtp) {
        reorder.push({datagram.data(), static_cast<size_t>(n)});
        publish_counts();
      } else {
        enqueue(datagram.data(), static_cast<size_t>(n));
      }
    }
  }
  if (spec_.rtp) {
    const auto& s = reorder.stats();
    if (s.received)
      spdlog::info("ingest: {} RTP: {} packets, {} lost, {} reordered, {} late, {} malformed", spec_.label, s.received,
                   s.lost, s.reordered, s.late, s.malformed);
  }
}

int TsPushSource::read(uint8_t* buffer, int size) {
  std::unique_lock lock(mutex_);
  readable_.wait(lock, [&] { return stop_.load() || !chunks_.empty(); });
  if (stop_) return AVERROR_EXIT;
  int copied = 0;
  while (copied < size && !chunks_.empty()) {
    auto& chunk = chunks_.front();
    size_t n = std::min(chunk.size() - chunk_offset_, static_cast<size_t>(size - copied));
    std::memcpy(buffer + copied, chunk.data() + chunk_offset_, n);
    copied += static_cast<int>(n);
    chunk_offset_ += n;
    if (chunk_offset_ == chunk.size()) {
      chunks_.pop_front();
      chunk_offset_ = 0;
    }
  }
  return copied;
}

}  // namespace mediaemu::pipeline::ts
