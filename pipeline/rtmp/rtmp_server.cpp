#include "pipeline/rtmp/rtmp_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <set>
#include <unordered_map>

#include "pipeline/rtmp/rtmp_connection.hpp"

namespace mediaemu::pipeline::rtmp {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

class RtmpSession;

// What the server and its sessions share; sessions keep it alive after the server object is gone.
struct RtmpServerState : std::enable_shared_from_this<RtmpServerState> {
  RtmpServerState(asio::io_context& io, PublishAuthorizer a, RtmpLimits l)
      : io(io), acceptor(asio::make_strand(io)), authorize(std::move(a)), limits(l) {}

  void accept();

  bool claim(const std::string& key) {
    std::lock_guard lock(mutex);
    return published.insert(key).second;
  }
  void release(const std::string& key) {
    std::lock_guard lock(mutex);
    published.erase(key);
  }
  void unregister(RtmpSession* s) {
    std::lock_guard lock(mutex);
    sessions.erase(s);
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  const PublishAuthorizer authorize;
  const RtmpLimits limits;
  uint16_t port = 0;

  mutable std::mutex mutex;
  std::unordered_map<RtmpSession*, std::weak_ptr<RtmpSession>> sessions;  // open connections
  std::set<std::string> published;  // "<app>/<stream>" being published right now
};

namespace {

RtmpConnection::Hooks hooks_for(RtmpServerState* server) {
  // Sessions hold the state alive for as long as their connection exists.
  return {server->authorize, [server](const std::string& k) { return server->claim(k); },
          [server](const std::string& k) { server->release(k); }};
}

std::string ms_text(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

constexpr const char* kPeerClosed = "peer closed the connection";

}  // namespace

class RtmpSession : public std::enable_shared_from_this<RtmpSession> {
 public:
  RtmpSession(tcp::socket socket, std::shared_ptr<RtmpServerState> server, const std::string& ip, uint16_t port)
      : server_(std::move(server)),
        socket_(std::move(socket)),
        deadline_timer_(socket_.get_executor()),
        retry_timer_(socket_.get_executor()),
        conn_(ip, port, server_->limits, hooks_for(server_.get())),
        read_buffer_(64 * 1024) {}

  ~RtmpSession() {
    // Reached without finish() only when the io_context is torn down with us still in it:
    // best-effort End for the sink.
    if (!finished_) {
      conn_.disconnect("server stopped");
      conn_.deliver_pending();
      server_->unregister(this);
    }
  }

  void start() {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      self->handshake_deadline_ = Clock::now() + self->server_->limits.handshake_timeout;
      self->read();
    });
  }

  void shutdown(const std::string& reason) {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this(), reason] { self->finish(reason); });
  }

 private:
  void read() {
    if (reading_ || finished_ || conn_.closing()) return;
    reading_ = true;
    if (conn_.handshake_done()) {
      arm_deadline(Clock::now() + server_->limits.read_timeout,
                   "no data for " + ms_text(server_->limits.read_timeout) + " (read timeout)");
    } else {
      arm_deadline(handshake_deadline_, "handshake not completed within " + ms_text(server_->limits.handshake_timeout));
    }
    socket_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](error_code ec, std::size_t n) {
      self->on_read(ec, n);
    });
  }

  void on_read(error_code ec, std::size_t n) {
    reading_ = false;
    if (finished_) return;
    if (ec) {
      return finish(ec == asio::error::eof || ec == asio::error::connection_reset ? std::string(kPeerClosed)
                                                                                  : "read failed: " + ec.message());
    }
    conn_.feed(read_buffer_.data(), n);
    pump();
  }

  // Runs the protocol over what was read, then reads more, waits out a full sink, or closes.
  void pump() {
    if (finished_) return;
    RtmpConnection::Status status = conn_.process();
    flush();
    switch (status) {
      case RtmpConnection::Status::NeedData:
        // A peer that sends commands but never reads the replies must not grow our output
        // without bound: read again once the backlog is written.
        if (writing_ && conn_.output_size() > kMaxOutputBacklog) {
          waiting_for_drain_ = true;
          arm_deadline(Clock::now() + server_->limits.read_timeout, "peer stopped reading our replies");
          return;
        }
        return read();
      case RtmpConnection::Status::Blocked:
        // Backpressure: leave the socket unread (TCP pushes back on the encoder) and retry soon.
        // No read deadline meanwhile: the slowness is ours.
        arm_deadline(Clock::time_point::max(), {});
        retry_timer_.expires_after(server_->limits.backpressure_retry);
        retry_timer_.async_wait([self = shared_from_this()](error_code ec) {
          if (!ec) self->pump();
        });
        return;
      case RtmpConnection::Status::Closing:
        arm_deadline(Clock::now() + server_->limits.handshake_timeout, "timed out sending the last replies");
        return;  // flush() finishes once the output is out
    }
  }

  void flush() {
    if (writing_ || finished_) return;
    if (!conn_.has_output()) {
      if (conn_.closing()) linger();
      return;
    }
    outgoing_ = conn_.take_output();
    writing_ = true;
    asio::async_write(socket_, asio::buffer(outgoing_), [self = shared_from_this()](error_code ec, std::size_t) {
      self->writing_ = false;
      if (self->finished_) return;
      if (ec) return self->finish("write failed: " + ec.message());
      self->flush();
      if (self->waiting_for_drain_ && self->conn_.output_size() <= kMaxOutputBacklog) {
        self->waiting_for_drain_ = false;
        self->pump();
      }
    });
  }

  // Our last replies (an onStatus error, say) are written: half-close and let the peer hang up
  // first. Closing with its bytes unread would send a reset, which can destroy those replies
  // before the peer reads them.
  void linger() {
    if (lingering_ || finished_) return;
    lingering_ = true;
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    arm_deadline(Clock::now() + std::min<std::chrono::milliseconds>(1000ms, server_->limits.handshake_timeout),
                 conn_.close_reason());
    drain();
  }

  void drain() {
    socket_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](error_code ec, std::size_t) {
      if (self->finished_) return;
      if (ec) return self->finish(self->conn_.close_reason());
      self->drain();  // discard: the connection is closing
    });
  }

  void arm_deadline(Clock::time_point when, std::string reason) {
    if (finished_) return;
    deadline_reason_ = std::move(reason);
    deadline_timer_.expires_at(when);
    if (when == Clock::time_point::max()) return;
    deadline_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec && !self->finished_) self->finish(self->deadline_reason_);
    });
  }

  // The socket closes here, once; the sink still gets its End afterwards.
  void finish(const std::string& reason) {
    if (finished_) return;
    finished_ = true;
    error_code ignored;
    deadline_timer_.cancel();
    retry_timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    bool already_logged = conn_.closing() && conn_.close_logged();
    conn_.disconnect(reason);
    // A peer hanging up is the normal end (the publish, if any, logged its own end line).
    bool normal = conn_.close_reason() == kPeerClosed;
    auto level = already_logged || normal ? spdlog::level::debug : spdlog::level::info;
    spdlog::log(level, "rtmp {}: connection closed: {} ({} bytes received)", conn_.peer(), conn_.close_reason(),
                conn_.bytes_received());
    server_->unregister(this);
    end_deadline_ = Clock::now() + server_->limits.end_delivery_timeout;
    deliver_end();
  }

  void deliver_end() {
    if (conn_.deliver_pending()) return;
    if (Clock::now() >= end_deadline_) {
      spdlog::warn("rtmp {}: the ingest sink stayed full for {}; dropping the End of the publish", conn_.peer(),
                   ms_text(server_->limits.end_delivery_timeout));
      return;
    }
    retry_timer_.expires_after(server_->limits.backpressure_retry);
    retry_timer_.async_wait([self = shared_from_this()](error_code) { self->deliver_end(); });
  }

  std::shared_ptr<RtmpServerState> server_;  // before conn_: its hooks point into the server
  tcp::socket socket_;
  asio::steady_timer deadline_timer_;
  asio::steady_timer retry_timer_;
  RtmpConnection conn_;
  std::vector<uint8_t> read_buffer_;
  std::vector<uint8_t> outgoing_;
  static constexpr std::size_t kMaxOutputBacklog = 1024 * 1024;

  bool reading_ = false, writing_ = false, finished_ = false;
  bool waiting_for_drain_ = false;
  bool lingering_ = false;
  Clock::time_point handshake_deadline_;
  Clock::time_point end_deadline_;
  std::string deadline_reason_;
};

void RtmpServerState::accept() {
  acceptor.async_accept(asio::make_strand(io), [self = shared_from_this()](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
    if (ec) {
      spdlog::warn("rtmp: accept failed: {}", ec.message());
      return self->accept();
    }
    error_code ignored;
    auto remote = socket.remote_endpoint(ignored);
    std::string ip = remote.address().to_string();
    std::shared_ptr<RtmpSession> session;
    {
      std::lock_guard lock(self->mutex);
      if (self->sessions.size() < self->limits.max_connections) {
        socket.set_option(tcp::no_delay(true), ignored);
        session = std::make_shared<RtmpSession>(std::move(socket), self, ip, remote.port());
        self->sessions.emplace(session.get(), session);
      }
    }
    if (session) {
      spdlog::debug("rtmp: connection from {}:{}", ip, remote.port());
      session->start();
    } else {
      spdlog::warn("rtmp: refused connection from {}:{}: {} connections already open (the limit)", ip, remote.port(),
                   self->limits.max_connections);
      socket.close(ignored);
    }
    self->accept();
  });
}

RtmpServer::RtmpServer(asio::io_context& io, const tcp::endpoint& endpoint, PublishAuthorizer authorize,
                       RtmpLimits limits)
    : impl_(std::make_shared<RtmpServerState>(io, std::move(authorize), limits)) {
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol());
  a.set_option(asio::socket_base::reuse_address(true));
  a.bind(endpoint);
  a.listen(asio::socket_base::max_listen_connections);
  impl_->port = a.local_endpoint().port();
}

RtmpServer::~RtmpServer() { stop(); }

void RtmpServer::start() {
  spdlog::info("rtmp: listening on {}:{}", impl_->acceptor.local_endpoint().address().to_string(), impl_->port);
  asio::dispatch(impl_->acceptor.get_executor(), [impl = impl_] { impl->accept(); });
}

void RtmpServer::stop() {
  asio::dispatch(impl_->acceptor.get_executor(), [impl = impl_] {
    if (!impl->acceptor.is_open()) return;
    error_code ignored;
    impl->acceptor.close(ignored);
    std::vector<std::shared_ptr<RtmpSession>> open;
    {
      std::lock_guard lock(impl->mutex);
      for (auto& [raw, weak] : impl->sessions)
        if (auto s = weak.lock()) open.push_back(std::move(s));
    }
    spdlog::info("rtmp: stopped listening on port {}; closing {} connection(s)", impl->port, open.size());
    for (auto& s : open) s->shutdown("server stopping");
  });
}

uint16_t RtmpServer::port() const { return impl_->port; }

std::size_t RtmpServer::active_sessions() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->sessions.size();
}

}  // namespace mediaemu::pipeline::rtmp
