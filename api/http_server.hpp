// The HTTP edge on Boost.Beast: keep-alive sessions, a body limit, read timeouts and graceful
// shutdown. Request handling is a pure function handed in by the composition root.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "api/http_types.hpp"

namespace mediaemu::api {

struct HttpLimits {
  // API Gateway, in front of the MediaLive API, caps payloads at 10 MB; bigger bodies get 413
  // and the connection closes (the rest of the body is never read).
  std::size_t max_body_bytes = 10 * 1024 * 1024;
  // S3 takes objects of up to 5 GB in one PUT; a local emulator holding a body in memory stops at
  // 1 GiB (bigger files go multipart, as `aws s3 cp` sends anything over 8 MB anyway). Applies
  // to requests `allows_large_body` accepts, which sees the method, target and headers only.
  std::size_t max_large_body_bytes = std::size_t{1} << 30;
  std::function<bool(const HttpRequest&)> allows_large_body;
  // Answers a request that asked "Expect: 100-continue" from its headers alone, before its body
  // is read (RFC 9110 §10.1.1): an upload without valid credentials gets its 401 at once, and the
  // client, which has not sent the body, retries with them. nullopt: go on (100 Continue).
  std::function<std::optional<HttpResponse>(const HttpRequest& headers_only)> screen;
  std::size_t max_header_bytes = 64 * 1024;
  int idle_timeout_seconds = 60;  // keep-alive idle and slow-client limit
};

using RequestHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  // Binds and listens at once (so a port clash fails at startup with a clear message).
  HttpServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint, RequestHandler handler,
             HttpLimits limits = {});
  ~HttpServer();
  void start();
  void stop();
  unsigned short port() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace mediaemu::api
