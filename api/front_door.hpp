// The first stop of every HTTP request: mediaemu's own routes (/_mediaemu/health, /_mediaemu/time), the origin
// (/out/...) and MediaPackage ingest (/in/...) by path prefix, everything else to the AWS engine.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/aws_api.hpp"
#include "api/http_server.hpp"

namespace mediaemu::api {

class FrontDoor {
 public:
  explicit FrontDoor(const AwsApi& api) : api_(api) {}

  // Requests whose path starts with `prefix` go to `handler` instead of the AWS engine.
  void route_prefix(std::string prefix, RequestHandler handler);
  // Requests `matches` accepts go to `handler` (checked before the prefixes): routes chosen by
  // Host header, such as S3 website endpoints ("<bucket>.s3-website.localhost").
  void route_when(std::function<bool(const HttpRequest&)> matches, RequestHandler handler);
  HttpResponse handle(const HttpRequest& request) const;
  // Routes that can answer from the headers alone, before the body (HttpLimits::screen).
  using Screen = std::function<std::optional<HttpResponse>(const HttpRequest&)>;
  void screen_prefix(std::string prefix, Screen screen);
  std::optional<HttpResponse> screen(const HttpRequest& headers_only) const;

 private:
  HttpResponse health() const;
  HttpResponse time() const;
  const AwsApi& api_;
  std::vector<std::pair<std::string, RequestHandler>> prefixes_;
  std::vector<std::pair<std::string, Screen>> screens_;
  std::vector<std::pair<std::function<bool(const HttpRequest&)>, RequestHandler>> predicates_;
};

}  // namespace mediaemu::api
