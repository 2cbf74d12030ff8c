#include "pipeline/ingest/srt/srt_listener_source.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <set>

#include "pipeline/ingest/udp_socket.hpp"

namespace mediaemu::pipeline::srt {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPeerIdle = std::chrono::seconds(30);  // a caller silent this long is forgotten

// A free loopback UDP port for libavformat's listener (it binds it itself, a moment later).
int free_loopback_port() {
  int fd = open_udp_socket("127.0.0.1", 0);
  int port = bound_udp_port(fd);
  ::close(fd);
  return port;
}

std::string address_text(const sockaddr_in& a) {
  char ip[INET_ADDRSTRLEN] = "";
  inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip);
  return ip;
}

}  // namespace

struct SrtListenerSource::Peer {
  sockaddr_in address{};
  int public_socket = -1;  // the port it called
  int relay_socket = -1;   // connected to the listener
  Clock::time_point last{};
};

SrtListenerSource::SrtListenerSource(SrtListenerSpec spec) : spec_(std::move(spec)) {}

SrtListenerSource::~SrtListenerSource() { stop(); }

void SrtListenerSource::start(std::shared_ptr<IngestSink> sink) {
  if (spec_.ports.empty()) throw std::runtime_error("the input has no destination port");
  for (int port : spec_.ports) {
    try {
      public_sockets_.push_back(open_udp_socket(spec_.host, port));
    } catch (...) {
      for (int fd : public_sockets_) ::close(fd);
      public_sockets_.clear();
      throw;
    }
  }
  listener_port_ = free_loopback_port();
  pull::PullSpec pull;
  pull.label = spec_.label;
  pull.transport = transport();
  pull.urls = {"srt://127.0.0.1:" + std::to_string(listener_port_) + "?mode=listener"};
  pull.open_options = spec_.srt_options;
  pull.scte35_pid = spec_.scte35_pid;
  pull.realtime = false;  // the caller sends in real time
  pull.first_retry = pull.max_retry = std::chrono::milliseconds(200);  // listen again at once
  reader_ = std::make_unique<pull::PullSource>(std::move(pull));
  reader_->start(std::move(sink));
  relay_ = std::thread([this] { relay_loop(); });
  std::string ports;
  for (int p : spec_.ports) ports += (ports.empty() ? "" : ", ") + std::to_string(p);
  spdlog::info("ingest: {} listens for SRT callers on {} port(s) {}, from {}", spec_.label, spec_.host, ports,
               spec_.allowed.describe());
}

void SrtListenerSource::stop() {
  if (stop_.exchange(true)) return;
  if (relay_.joinable()) relay_.join();
  if (reader_) reader_->stop();
  for (int fd : public_sockets_) ::close(fd);
  public_sockets_.clear();
  std::lock_guard lock(mutex_);
  if (refused_) spdlog::info("ingest: {} stopped; refused {} datagrams from outside the whitelist", spec_.label, refused_);
}

void SrtListenerSource::update_allowed(AddressFilter allowed) {
  std::lock_guard lock(mutex_);
  spec_.allowed = std::move(allowed);
}

IngestSourceStatus SrtListenerSource::status() const {
  IngestSourceStatus s = reader_ ? reader_->status() : IngestSourceStatus{};
  std::lock_guard lock(mutex_);
  if (s.receiving) s.sender = sender_;
  s.refused = refused_;
  return s;
}

void SrtListenerSource::relay_loop() {
  sockaddr_in listener{};
  listener.sin_family = AF_INET;
  listener.sin_port = htons(static_cast<uint16_t>(listener_port_));
  listener.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::map<std::string, Peer> peers;  // "ip:port" -> its relay
  std::set<std::string> refused_logged;
  std::vector<uint8_t> datagram(65536);
  std::vector<pollfd> fds;
  std::vector<Peer*> owners;  // for each fd: the peer whose relay socket it is (null: a public socket)
  while (!stop_) {
    fds.clear();
    owners.clear();
    for (int fd : public_sockets_) fds.push_back({fd, POLLIN, 0}), owners.push_back(nullptr);
    for (auto& [key, peer] : peers) fds.push_back({peer.relay_socket, POLLIN, 0}), owners.push_back(&peer);
    if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
    const auto now = Clock::now();
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      if (Peer* peer = owners[i]) {  // the listener answers a caller
        ssize_t n = ::recv(peer->relay_socket, datagram.data(), datagram.size(), MSG_DONTWAIT);
        if (n > 0)
          ::sendto(peer->public_socket, datagram.data(), static_cast<size_t>(n), 0,
                   reinterpret_cast<const sockaddr*>(&peer->address), sizeof peer->address);
        continue;
      }
      sockaddr_in from{};
      socklen_t from_len = sizeof from;
      ssize_t n = ::recvfrom(fds[i].fd, datagram.data(), datagram.size(), MSG_DONTWAIT,
                             reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n <= 0) continue;
      const std::string ip = address_text(from);
      {
        std::lock_guard lock(mutex_);
        if (!spec_.allowed.allows(ip)) {
          ++refused_;
          if (refused_logged.insert(ip).second)
            spdlog::warn("ingest: {} refuses SRT datagrams from {}: outside the whitelist ({})", spec_.label, ip,
                         spec_.allowed.describe());
          continue;
        }
      }
      const std::string key = ip + ":" + std::to_string(ntohs(from.sin_port));
      auto it = peers.find(key);
      if (it == peers.end()) {
        Peer peer;
        peer.address = from;
        peer.public_socket = fds[i].fd;
        try {
          peer.relay_socket = open_udp_socket("127.0.0.1", 0);
        } catch (const std::exception& e) {
          spdlog::warn("ingest: {} cannot relay SRT caller {}: {}", spec_.label, key, e.what());
          continue;
        }
        ::connect(peer.relay_socket, reinterpret_cast<const sockaddr*>(&listener), sizeof listener);
        it = peers.emplace(key, peer).first;
        spdlog::info("ingest: {} SRT caller {} calls", spec_.label, key);
      }
      it->second.last = now;
      ::send(it->second.relay_socket, datagram.data(), static_cast<size_t>(n), MSG_DONTWAIT);
      std::lock_guard lock(mutex_);
      sender_ = ip;
    }
    std::erase_if(peers, [&](auto& entry) {
      if (now - entry.second.last < kPeerIdle) return false;
      ::close(entry.second.relay_socket);
      return true;
    });
  }
  for (auto& [key, peer] : peers) ::close(peer.relay_socket);
}

}  // namespace mediaemu::pipeline::srt
