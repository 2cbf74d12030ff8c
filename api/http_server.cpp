#include "api/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <ctime>

#include "api/aws_api.hpp"
#include "api/timestamps.hpp"

namespace mediaemu::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

HttpRequest to_request(http::request<http::string_body>&& in, const std::string& peer) {
  HttpRequest r;
  r.method = std::string(in.method_string());
  r.target = std::string(in.target());
  for (const auto& field : in) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  r.body = std::move(in.body());  // S3 objects: up to HttpLimits::max_body_bytes, never copied
  r.peer = peer;
  return r;
}

// The Date header value for now, formatted once per second per thread.
const std::string& http_date_now() {
  thread_local std::time_t formatted_at = 0;
  thread_local std::string value;
  std::time_t now = std::time(nullptr);
  if (now != formatted_at) {
    formatted_at = now;
    value = format_rfc822(static_cast<double>(now));
  }
  return value;
}

http::response<http::string_body> to_beast(HttpResponse&& in, unsigned version, bool keep_alive) {
  http::response<http::string_body> out{static_cast<http::status>(in.status), version};
  out.set(http::field::server, "mediaemu");
  bool has_length = false, has_date = false;
  for (auto& [k, v] : in.headers) {
    if (beast::iequals(k, "Content-Length")) has_length = true;
    if (beast::iequals(k, "Date")) has_date = true;
    out.insert(k, v);
  }
  // An origin server with a clock sends Date on every response (RFC 9110 §6.6.1); dash.js falls
  // back to it to synchronise its clock with a live MPD that has no UTCTiming.
  if (!has_date) out.set(http::field::date, http_date_now());
  out.keep_alive(keep_alive && !in.close);
  out.body() = std::move(in.body);
  if (has_length) {
    // HEAD responses carry the length of the body they do not send.
  } else {
    out.prepare_payload();
  }
  return out;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<const RequestHandler> handler, const HttpLimits& limits)
      : stream_(std::move(socket)), handler_(handler), limits_(limits) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    peer_ = ec ? "unknown" : ep.address().to_string();
  }

  void run() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this()));
  }

 private:
  void read() {
    parser_.emplace();
    // The larger limit until the headers say which applies (Beast checks a Content-Length
    // against the limit as soon as it reads it).
    parser_->body_limit(std::max(limits_.max_body_bytes, limits_.allows_large_body ? limits_.max_large_body_bytes : 0));
    parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    stream_.expires_after(std::chrono::seconds(limits_.idle_timeout_seconds));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  // Clients that send "Expect: 100-continue" (botocore for S3 uploads) wait up to a second for
  // an interim 100 before sending the body; answer it at once (RFC 9110 §10.1.1).
  void on_header(beast::error_code ec, std::size_t bytes) {
    if (ec) return on_read(ec, bytes);
    auto& header = parser_->get();
    if (limits_.allows_large_body && !large_body_allowed(header)) {
      if (parser_->content_length() && *parser_->content_length() > limits_.max_body_bytes)
        return on_read(http::error::body_limit, bytes);
      parser_->body_limit(limits_.max_body_bytes);  // chunked bodies: checked as they arrive
    }
    if (beast::iequals(header[http::field::expect], "100-continue") && !parser_->is_done()) {
      if (limits_.screen) {
        if (auto answer = limits_.screen(headers_only(header, peer_))) {
          answer->close = true;  // the body was never sent: the connection cannot be reused
          return write(std::move(*answer), header.version(), false);
        }
      }
      auto interim = std::make_shared<http::response<http::empty_body>>(http::status::continue_, header.version());
      http::async_write(stream_, *interim, [self = shared_from_this(), interim](beast::error_code ec, std::size_t n) {
        if (ec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  static HttpRequest headers_only(const http::request<http::string_body>& header, const std::string& peer) {
    HttpRequest r;
    r.method = std::string(header.method_string());
    r.target = std::string(header.target());
    for (const auto& field : header) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    r.peer = peer;
    return r;
  }

  bool large_body_allowed(const http::request<http::string_body>& header) const {
    return limits_.allows_large_body(headers_only(header, peer_));
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == asio::error::connection_reset || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted) {
      return close();
    }
    if (ec == http::error::body_limit) {
      std::size_t limit = limits_.allows_large_body && large_body_allowed(parser_->get()) ? limits_.max_large_body_bytes
                                                                                         : limits_.max_body_bytes;
      spdlog::warn("http: {} sent a body over {} bytes; answered 413 and closed the connection", peer_, limit);
      auto r = error_response(413, "RequestEntityTooLargeException",
                              "Request body exceeds the " + std::to_string(limit) + " byte limit", new_request_id());
      r.close = true;
      return write(std::move(r), 11, false);
    }
    if (ec) {
      spdlog::info("http: closing connection from {}: malformed request ({})", peer_, ec.message());
      auto r = error_response(400, "BadRequestException", "Malformed HTTP request: " + ec.message(), new_request_id());
      r.close = true;
      return write(std::move(r), 11, false);
    }
    auto request = parser_->release();
    bool keep_alive = request.keep_alive();
    HttpResponse response;
    try {
      response = (*handler_)(to_request(std::move(request), peer_));
    } catch (const std::exception& e) {
      spdlog::error("http: handler failed for {} {}: {}", std::string(request.method_string()),
                    std::string(request.target()), e.what());
      response = error_response(500, "InternalServerErrorException", e.what(), new_request_id());
    }
    bool head = request.method() == http::verb::head;
    write(std::move(response), request.version(), keep_alive, head);
  }

  void write(HttpResponse&& response, unsigned version, bool keep_alive, bool head = false) {
    auto msg = std::make_shared<http::response<http::string_body>>(to_beast(std::move(response), version, keep_alive));
    if (head) {
      // Keep Content-Length (already set) but send no body.
      msg->body().clear();
    }
    bool close_after = !msg->keep_alive();
    if (head) {
      auto sr = std::make_shared<http::response_serializer<http::string_body>>(*msg);
      http::async_write_header(stream_, *sr,
                               [self = shared_from_this(), msg, sr, close_after](beast::error_code ec, std::size_t) {
                                 self->after_write(ec, close_after);
                               });
      return;
    }
    http::async_write(stream_, *msg, [self = shared_from_this(), msg, close_after](beast::error_code ec, std::size_t) {
      self->after_write(ec, close_after);
    });
  }

  void after_write(beast::error_code ec, bool close_after) {
    if (ec || close_after) return close();
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<const RequestHandler> handler_;
  HttpLimits limits_;
  std::string peer_;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, RequestHandler h, HttpLimits l)
      : io(io), acceptor(asio::make_strand(io)), handler(std::make_shared<const RequestHandler>(std::move(h))), limits(l) {}

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
      if (!ec) {
        std::make_shared<Session>(std::move(socket), self->handler, self->limits)->run();
      } else {
        spdlog::warn("http: accept failed: {}", ec.message());
      }
      self->accept();
    });
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  std::shared_ptr<const RequestHandler> handler;  // shared with sessions that outlive a stop()
  HttpLimits limits;
};

HttpServer::HttpServer(asio::io_context& io, const tcp::endpoint& endpoint, RequestHandler handler, HttpLimits limits)
    : impl_(std::make_shared<Impl>(io, std::move(handler), limits)) {
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol());
  a.set_option(asio::socket_base::reuse_address(true));
  a.bind(endpoint);
  a.listen(asio::socket_base::max_listen_connections);
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() { impl_->accept(); }

void HttpServer::stop() {
  beast::error_code ec;
  if (impl_ && impl_->acceptor.is_open()) impl_->acceptor.close(ec);
}

unsigned short HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace mediaemu::api
