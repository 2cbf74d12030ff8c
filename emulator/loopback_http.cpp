#include "emulator/loopback_http.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace mediaemu {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string authority(const LoopbackRequest& r) {
  bool v6 = r.host.find(':') != std::string::npos;
  return (v6 ? "[" + r.host + "]" : r.host) + (r.port == "80" ? "" : ":" + r.port);
}

}  // namespace

LoopbackResponse loopback_http(const LoopbackRequest& request) {
  LoopbackResponse out;
  asio::io_context io;
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto resolved = resolver.resolve(request.host, request.port, ec);
  if (ec) {
    out.error = "cannot resolve " + request.host + ": " + ec.message();
    return out;
  }
  std::vector<tcp::endpoint> loopback;
  for (const auto& entry : resolved)
    if (entry.endpoint().address().is_loopback()) loopback.push_back(entry.endpoint());
  if (loopback.empty()) {
    out.error = request.host + " resolves to no loopback address (mediaemu is offline: it connects to loopback only)";
    return out;
  }

  http::request<http::string_body> req;
  req.version(11);
  if (http::verb verb = http::string_to_verb(request.method); verb != http::verb::unknown) req.method(verb);
  else req.method_string(request.method);
  req.target(request.target);
  for (const auto& [name, value] : request.headers) req.insert(name, value);
  if (req.find(http::field::host) == req.end()) req.set(http::field::host, authority(request));
  req.set(http::field::connection, "close");
  req.body() = request.body;
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH")
    req.prepare_payload();

  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(request.max_body_bytes);
  parser.skip(request.method == "HEAD");  // a HEAD answer has a Content-Length but no body
  const std::string where = authority(request);
  auto fail = [&](const char* step, const boost::system::error_code& e) {
    out.error = std::string(step) + " " + where + ": " + (e == beast::error::timeout ? "timed out" : e.message());
  };

  stream.expires_after(request.timeout);
  stream.async_connect(loopback, [&](const boost::system::error_code& e, const tcp::endpoint&) {
    if (e) return fail("cannot connect to", e);
    stream.expires_after(request.timeout);
    http::async_write(stream, req, [&](const boost::system::error_code& e, size_t) {
      if (e) return fail("cannot send to", e);
      stream.expires_after(request.timeout);
      http::async_read(stream, buffer, parser, [&](const boost::system::error_code& e, size_t) {
        if (e) return fail("no HTTP answer from", e);
        const auto& res = parser.get();
        out.status = static_cast<int>(res.result_int());
        for (const auto& field : res) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        out.body = res.body();
      });
    });
  });
  io.run();
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return out;
}

bool split_http_url(const std::string& url, LoopbackRequest& out) {
  if (url.rfind("http://", 0) != 0) return false;
  const std::string rest = url.substr(7);
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  out.port = "80";
  if (authority.empty()) return false;
  if (authority.front() == '[') {  // [::1]:8080
    const size_t close = authority.find(']');
    if (close == std::string::npos) return false;
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') out.port = authority.substr(close + 2);
  } else {
    const size_t colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) out.port = authority.substr(colon + 1);
  }
  return !out.host.empty();
}

}  // namespace mediaemu
