// The first stop of every HTTP request: mediaemu's own routes (/_mediaemu/health, /_mediaemu/time), the origin
// (/out/...) and MediaPackage ingest (/in/...) by path prefix, everything else to the AWS engine.
#pragma once

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
  HttpResponse handle(const HttpRequest& request) const;

 private:
  HttpResponse health() const;
  HttpResponse time() const;
  const AwsApi& api_;
  std::vector<std::pair<std::string, RequestHandler>> prefixes_;
};

}  // namespace mediaemu::api
