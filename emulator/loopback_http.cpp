#include "emulator/loopback_http.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace mediaemu {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

const char* default_port(bool tls) { return tls ? "443" : "80"; }

std::string authority(const LoopbackRequest& r) {
  bool v6 = r.host.find(':') != std::string::npos;
  return (v6 ? "[" + r.host + "]" : r.host) + (r.port == default_port(r.tls) ? "" : ":" + r.port);
}

// One request's state, shared by the steps of its asynchronous chain (all run by io.run() on the
// caller's thread, so nothing here is shared between threads).
struct Exchange {
  explicit Exchange(const LoopbackRequest& r) : request(r), where(authority(r)) {}

  const LoopbackRequest& request;
  http::request<http::string_body> req;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  LoopbackResponse out;
  std::string where;

  void fail(const std::string& step, const boost::system::error_code& e, const std::string& detail = "") {
    out.error = step + " " + where + ": " + (e == beast::error::timeout ? "timed out" : detail.empty() ? e.message() : detail);
  }

  // Sends the request on `stream` (plain or TLS) and reads the whole answer, each step bounded by
  // the request's timeout on the TCP layer underneath.
  template <class Stream>
  void send_and_read(Stream& stream) {
    beast::get_lowest_layer(stream).expires_after(request.timeout);
    http::async_write(stream, req, [this, &stream](const boost::system::error_code& e, size_t) {
      if (e) return fail("cannot send to", e);
      beast::get_lowest_layer(stream).expires_after(request.timeout);
      http::async_read(stream, buffer, parser, [this](const boost::system::error_code& e, size_t) {
        if (e) return fail("no HTTP answer from", e);
        const auto& res = parser.get();
        out.status = static_cast<int>(res.result_int());
        for (const auto& field : res) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        out.body = res.body();
      });
    });
  }
};

// A TLS client context that verifies the peer as a browser or AWS's own delivery agent would: the
// system's trusted CAs (OpenSSL's default paths, Debian's ca-certificates) plus the extra file.
std::string make_client_context(ssl::context& ctx, const std::string& extra_ca_file) {
  boost::system::error_code ec;
  ctx.set_default_verify_paths(ec);
  if (ec) return "cannot load the system's trusted CAs: " + ec.message();
  if (!extra_ca_file.empty()) {
    ctx.load_verify_file(extra_ca_file, ec);
    if (ec) return "cannot load CA certificates from " + extra_ca_file + ": " + ec.message();
  }
  ctx.set_verify_mode(ssl::verify_peer);
  return "";
}

// SNI and the name the certificate must carry: a DNS name (SAN or CN) for a host name, an IP
// SAN for an address (RFC 6125; SNI carries names only, RFC 6066 section 3).
bool expect_peer(SSL* ssl, const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  if (!ec) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
}

// Why a handshake failed: OpenSSL's reason when the certificate did not verify.
std::string handshake_failure(SSL* ssl, const boost::system::error_code& e) {
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  return "TLS handshake failed: " + e.message();
}

}  // namespace

LoopbackResponse loopback_http(const LoopbackRequest& request) {
  Exchange x(request);
  asio::io_context io;
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  auto resolved = resolver.resolve(request.host, request.port, ec);
  if (ec) {
    x.out.error = "cannot resolve " + request.host + ": " + ec.message();
    return x.out;
  }
  std::vector<tcp::endpoint> loopback;
  for (const auto& entry : resolved)
    if (entry.endpoint().address().is_loopback()) loopback.push_back(entry.endpoint());
  if (loopback.empty()) {
    x.out.error = request.host + " resolves to no loopback address (mediaemu is offline: it connects to loopback only)";
    return x.out;
  }

  auto& req = x.req;
  req.version(11);
  if (http::verb verb = http::string_to_verb(request.method); verb != http::verb::unknown) req.method(verb);
  else req.method_string(request.method);
  req.target(request.target);
  for (const auto& [name, value] : request.headers) req.insert(name, value);
  if (req.find(http::field::host) == req.end()) req.set(http::field::host, x.where);
  req.set(http::field::connection, "close");
  req.body() = request.body;
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH")
    req.prepare_payload();
  x.parser.body_limit(request.max_body_bytes);
  x.parser.skip(request.method == "HEAD");  // a HEAD answer has a Content-Length but no body

  ssl::context ctx(ssl::context::tls_client);
  if (request.tls) {
    if (std::string problem = make_client_context(ctx, request.extra_ca_file); !problem.empty()) {
      x.out.error = problem;
      return x.out;
    }
  }
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  beast::tcp_stream& tcp_layer = beast::get_lowest_layer(stream);
  if (request.tls && !expect_peer(stream.native_handle(), request.host)) {
    x.out.error = "cannot set up TLS for " + request.host;
    return x.out;
  }

  tcp_layer.expires_after(request.timeout);
  tcp_layer.async_connect(loopback, [&](const boost::system::error_code& e, const tcp::endpoint&) {
    if (e) return x.fail("cannot connect to", e);
    if (!request.tls) return x.send_and_read(tcp_layer);
    tcp_layer.expires_after(request.timeout);
    stream.async_handshake(ssl::stream_base::client, [&](const boost::system::error_code& e) {
      if (e) return x.fail("no TLS with", e, handshake_failure(stream.native_handle(), e));
      x.send_and_read(stream);
    });
  });
  io.run();
  tcp_layer.socket().shutdown(tcp::socket::shutdown_both, ec);
  return std::move(x.out);
}

bool split_url(const std::string& url, LoopbackRequest& out) {
  out.tls = url.rfind("https://", 0) == 0;
  if (!out.tls && url.rfind("http://", 0) != 0) return false;
  const std::string rest = url.substr(out.tls ? 8 : 7);
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  out.port = default_port(out.tls);
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

bool split_http_url(const std::string& url, LoopbackRequest& out) { return split_url(url, out) && !out.tls; }

std::string ca_file_problem(const std::string& path) {
  if (std::ifstream probe(path); !probe) return "cannot read " + path + ": " + std::strerror(errno);
  ssl::context ctx(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx.load_verify_file(path, ec);
  return ec ? "cannot use " + path + " as CA certificates (PEM): " + ec.message() : "";
}

}  // namespace mediaemu
