// The origin: GET/HEAD under /out/v1/<hash>/... serve what an endpoint's packager wrote, the
// way a MediaPackage origin does — content types players expect, CORS for browser players,
// Cache-Control (short for manifests, long for segments), byte ranges, 404 for anything
// unknown, and no path that escapes the endpoint's directory. Requests and bytes are counted per
// endpoint (CloudWatch EgressRequestCount / EgressBytes will read them).
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/http_types.hpp"

namespace mediaemu::api {

struct OriginTarget {
  std::filesystem::path root;        // the endpoint's directory
  int segment_duration_seconds = 6;  // manifests are cached for half a segment
  std::string endpoint_id;           // for counters and log lines
};

// Looks up an endpoint by the 32-hex hash in its URL; nullopt when there is none.
using OriginResolver = std::function<std::optional<OriginTarget>(const std::string& hash)>;

class Origin {
 public:
  explicit Origin(OriginResolver resolver) : resolver_(std::move(resolver)) {}
  HttpResponse handle(const HttpRequest& request);
  // {"<endpoint id>": {"requests": n, "bytes": n, "2xx": n, "4xx": n}}
  nlohmann::json stats() const;

 private:
  struct Counters {
    std::atomic<uint64_t> requests{0}, bytes{0}, ok{0}, client_errors{0};
  };
  void count(const std::string& endpoint_id, const HttpResponse& response);

  OriginResolver resolver_;
  mutable std::mutex stats_mutex_;
  std::map<std::string, std::unique_ptr<Counters>> stats_;
};

// Content-Type for a file name by extension ("index.m3u8" -> "application/vnd.apple.mpegurl").
std::string content_type_for(const std::string& filename);

}  // namespace mediaemu::api
