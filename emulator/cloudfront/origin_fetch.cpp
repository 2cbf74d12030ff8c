#include "emulator/cloudfront/origin_fetch.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>

#include "emulator/cloudfront/forwarding.hpp"
#include "emulator/loopback_http.hpp"

namespace mediaemu::cloudfront {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Where one origin's requests go.
struct Route {
  enum class Kind { Mediaemu, Loopback, Unreachable } kind = Kind::Unreachable;
  std::string host, port;     // as the origin is named (host without brackets)
  std::string host_header;    // what the origin sees in Host
  std::string s3_bucket;      // an S3 REST origin: requests go path-style to this bucket
  std::string why;            // Unreachable
};

// "<bucket>.s3.amazonaws.com", "<bucket>.s3.eu-west-1.amazonaws.com", "<bucket>.s3-eu-west-1.amazonaws.com",
// "<bucket>.s3.localhost": the bucket; "" for anything else (website endpoints included).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
std::string s3_rest_bucket(const std::string& host) {
  if (host.find(".s3-website") != std::string::npos) return {};
  for (const char* marker : {".s3.", ".s3-"}) {
    auto at = host.find(marker);
    if (at != std::string::npos && at > 0 && (ends_with(host, ".amazonaws.com") || ends_with(host, ".localhost")))
      return host.substr(0, at);
  }
  return {};
}

bool is_loopback_name(const std::string& host) {
  if (host == "localhost" || ends_with(host, ".localhost")) return true;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

Route route_of(const Config& config, const json& origin) {
  Route route;
  std::string name = ascii_lower(origin.value("DomainName", ""));
  route.host = name;
  std::string explicit_port;
  if (!name.empty() && name.front() == '[') {  // [::1]:8080
    auto close = name.find(']');
    route.host = name.substr(1, close - 1);
    if (close + 2 < name.size() && name[close + 1] == ':') explicit_port = name.substr(close + 2);
  } else if (std::count(name.begin(), name.end(), ':') == 1) {
    route.host = name.substr(0, name.find(':'));
    explicit_port = name.substr(name.find(':') + 1);
  }
  const std::string own_port = std::to_string(config.port);
  const std::string own_authority = config.url_host() + ":" + own_port;
  if (std::string bucket = s3_rest_bucket(route.host); !bucket.empty()) {
    route.kind = Route::Kind::Mediaemu;
    route.s3_bucket = bucket;
    route.host_header = own_authority;
    return route;
  }
  if (route.host.find(".s3-website") != std::string::npos) {
    route.kind = Route::Kind::Mediaemu;
    route.host_header = route.host;  // the front door's website route reads the bucket from Host
    return route;
  }
  const json custom = origin.value("CustomOriginConfig", json::object());
  const bool https = custom.value("OriginProtocolPolicy", "http-only") == "https-only";
  route.port = !explicit_port.empty() ? explicit_port
               : https                ? std::to_string(custom.value("HTTPSPort", 443))
                                      : std::to_string(custom.value("HTTPPort", 80));
  const bool local = is_loopback_name(route.host) || route.host == config.url_host() || route.host == config.host;
  if (local && route.port == own_port) {
    route.kind = Route::Kind::Mediaemu;
    route.host_header = route.host + ":" + route.port;
    return route;
  }
  if (https) {
    route.why = "origin " + name + " is https-only and mediaemu speaks no TLS to origins; use OriginProtocolPolicy "
                "http-only (or match-viewer) for a local origin";
    return route;
  }
  route.kind = Route::Kind::Loopback;  // the client refuses a host that is not on loopback
  route.host_header = route.port == "80" ? route.host : route.host + ":" + route.port;
  return route;
}

api::HttpResponse bad_gateway(const std::string& why) {
  api::HttpResponse r;
  r.status = 502;
  r.set_header("Content-Type", "text/plain; charset=utf-8");
  r.body = "502 Bad Gateway: CloudFront (mediaemu) could not reach the origin: " + why + "\n";
  return r;
}

// Hop-by-hop and framing headers of a fetched answer: the edge's own connection sets them. A
// HEAD answer keeps its Content-Length, the length of the body it does not send.
bool is_framing_header(const std::string& name, const std::string& method) {
  const std::string n = ascii_lower(name);
  return n == "connection" || n == "keep-alive" || n == "transfer-encoding" || n == "proxy-connection" ||
         n == "upgrade" || (n == "content-length" && method != "HEAD");
}

}  // namespace

api::HttpResponse fetch_from_origin(const Config& config, const api::FrontDoor& front, const json& origin,
                                    const OriginRequest& request) {
  const Route route = route_of(config, origin);
  const std::string origin_id = origin.value("Id", "");
  if (route.kind == Route::Kind::Unreachable) {
    spdlog::warn("cloudfront: origin {}: {}", origin_id, route.why);
    return bad_gateway(route.why);
  }
  if (route.kind == Route::Kind::Mediaemu) {
    api::HttpRequest in;
    in.method = request.method;
    in.target = (route.s3_bucket.empty() ? "" : "/" + route.s3_bucket) + request.path_and_query;
    in.headers = request.headers;
    in.headers.emplace_back("host", route.host_header);
    if (!route.s3_bucket.empty()) {
      // CloudFront calls an S3 origin as an AWS service. mediaemu checks no signature; the
      // credential scope tells its engine that this path-style request is S3's.
      in.headers.emplace_back("authorization",
                              "AWS4-HMAC-SHA256 Credential=cloudfront/20200531/us-east-1/s3/aws4_request, "
                              "SignedHeaders=host, Signature=0");
    }
    in.body = request.body;
    in.peer = "127.0.0.1";
    return front.handle(in);
  }
  LoopbackRequest out;
  out.method = request.method;
  out.host = route.host;
  out.port = route.port;
  out.target = request.path_and_query;
  out.headers = request.headers;
  out.headers.emplace_back("host", route.host_header);
  out.body = request.body;
  // OriginReadTimeout (seconds, 30 by default) bounds each wait for the origin.
  out.timeout = std::chrono::seconds(origin.value("CustomOriginConfig", json::object()).value("OriginReadTimeout", 30));
  LoopbackResponse answer = loopback_http(out);
  if (answer.status == 0) {
    spdlog::warn("cloudfront: origin {} ({}:{}) did not answer {} {}: {}", origin_id, route.host, route.port,
                 request.method, request.path_and_query, answer.error);
    return bad_gateway(answer.error);
  }
  api::HttpResponse r;
  r.status = answer.status;
  for (auto& [name, value] : answer.headers)
    if (!is_framing_header(name, request.method)) r.headers.emplace_back(std::move(name), std::move(value));
  r.body = std::move(answer.body);
  return r;
}

}  // namespace mediaemu::cloudfront
