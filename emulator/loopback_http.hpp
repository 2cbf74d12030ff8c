// A small blocking HTTP/1.1 client for the few places where mediaemu itself calls out: it
// connects only to loopback addresses, because mediaemu is an offline emulator and must never
// reach the network on a user's behalf (a CloudFront origin, an SNS subscriber). Plain http only:
// mediaemu speaks no TLS to anything.
//
// Built on Boost.Beast, which the API server already uses; one request, one connection.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace mediaemu {

struct LoopbackRequest {
  std::string method = "GET";
  std::string host;  // name or address; must resolve to loopback
  std::string port = "80";
  std::string target = "/";  // path and query, as sent
  std::vector<std::pair<std::string, std::string>> headers;  // Host is added unless present
  std::string body;
  std::chrono::milliseconds timeout{10000};
  size_t max_body_bytes = 64 * 1024 * 1024;
};

struct LoopbackResponse {
  int status = 0;  // 0: no HTTP answer; see error
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string error;  // why there was no answer ("cannot connect to 127.0.0.1:8080", ...)
};

// "http://host[:port][/path?query]" (an IPv6 host in brackets) into `out`'s host, port (80 when
// absent) and target ("/" when absent). False for anything else, https:// included.
bool split_http_url(const std::string& url, LoopbackRequest& out);

// Sends the request and reads the whole answer. Never throws. A host that resolves to no
// loopback address is refused without any connection attempt (error says so).
LoopbackResponse loopback_http(const LoopbackRequest& request);

}  // namespace mediaemu
