// A small blocking HTTP/1.1 client for the few places where mediaemu itself calls out: it
// connects only to loopback addresses, because mediaemu is an offline emulator and must never
// reach the network on a user's behalf (a CloudFront origin, an SNS subscriber, a SPEKE server).
// Plain http, or https when the request asks for TLS (SNS's https subscribers): the server's
// certificate is then verified as a TLS client should, against the system's trusted CAs plus any
// extra CA file, with SNI and host name (or IP address) verification.
//
// Built on Boost.Beast (and its OpenSSL stream), which the API server already uses; one request,
// one connection.
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
  // Bounds each step (connect, TLS handshake, send, read the answer), so a stuck peer costs at
  // most four of these.
  std::chrono::milliseconds timeout{10000};
  size_t max_body_bytes = 64 * 1024 * 1024;
  bool tls = false;           // https: TLS, the peer's certificate verified for `host`
  std::string extra_ca_file;  // with tls: PEM CA certificates trusted besides the system's
};

struct LoopbackResponse {
  int status = 0;  // 0: no HTTP answer; see error
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string error;  // why there was no answer ("cannot connect to 127.0.0.1:8080", ...)
};

// "http://host[:port][/path?query]" or "https://..." (an IPv6 host in brackets) into `out`'s
// host, port (80 or 443 when absent), target ("/" when absent) and tls. False for anything else.
bool split_url(const std::string& url, LoopbackRequest& out);
// The same for plain http only: false for https:// too (callers that speak no TLS).
bool split_http_url(const std::string& url, LoopbackRequest& out);

// Sends the request and reads the whole answer. Never throws. A host that resolves to no
// loopback address is refused without any connection attempt (error says so). With tls, a
// certificate that does not verify ends the attempt before anything is sent; error says why
// ("certificate verify failed: self-signed certificate", "...: hostname mismatch").
LoopbackResponse loopback_http(const LoopbackRequest& request);

// Why OpenSSL cannot use `path` as a file of trusted CA certificates ("" when it can): checked
// at start for flags such as --sns-ca-file, so a bad file stops mediaemu instead of failing
// every delivery later.
std::string ca_file_problem(const std::string& path);

}  // namespace mediaemu
