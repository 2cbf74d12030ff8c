// The origin: GET/HEAD under /out/v1/<hash>/... serve what an endpoint's packager wrote, the
// way a MediaPackage origin does — content types players expect, CORS for browser players,
// Cache-Control (short for manifests, long for segments), byte ranges, 404 for anything
// unknown, and no path that escapes the endpoint's directory. Requests, bytes and response times
// are aggregated per endpoint and status range, and drained into CloudWatch's AWS/MediaPackage
// metrics (EgressRequestCount, EgressBytes, EgressResponseTime) by emulator/service_telemetry.
#pragma once

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/archive_cache.hpp"
#include "api/traffic_counter.hpp"
#include "api/http_types.hpp"
#include "api/manifest_filter.hpp"
#include "api/time_shift.hpp"

namespace mediaemu::api {

struct OriginTarget {
  std::filesystem::path root;        // the endpoint's directory
  int segment_duration_seconds = 6;  // manifests are cached for half a segment
  std::string endpoint_id;           // for counters and log lines
  std::string region, channel_id;    // the endpoint's, for the metrics' dimensions
  // The channel's egress access log group (ConfigureLogs); empty: access logging is off.
  std::string access_log_group;
  std::string channel_arn, endpoint_arn;  // for the access log records
  // Time-shifted viewing (api/time_shift.hpp): StartoverWindowSeconds, and whether the endpoint's
  // playlists carry EXT-X-PROGRAM-DATE-TIME (ProgramDateTimeIntervalSeconds > 0).
  int startover_window_seconds = 0;
  bool program_date_times = false;
  // Access control (MP-UG endpoints-hls-access-control, cdn-auth). Origination DENY refuses
  // playback; `peer_allowed` (empty: everyone) checks the Whitelist CIDRs; `cdn_identifier`, when
  // set, is the X-MediaPackage-CDNIdentifier value the Authorization secret holds ("" when the
  // secret is missing or unusable, which refuses every request, as a failed lookup does on AWS).
  bool origination_denied = false;
  std::function<bool(const std::string& peer)> peer_allowed;
  std::optional<std::string> cdn_identifier;
};

// Looks up an endpoint by the 32-hex hash in its URL; nullopt when there is none.
using OriginResolver = std::function<std::optional<OriginTarget>(const std::string& hash)>;

// One egress access log record, for CloudWatch Logs: MediaPackage's JSON record of one request.
// https://docs.aws.amazon.com/mediapackage/latest/ug/access-logging.html#access-log-format
struct AccessLogEntry {
  std::string region, log_group, log_stream;
  int64_t timestamp_ms = 0;
  std::string message;
};

class Origin {
 public:
  explicit Origin(OriginResolver resolver) : resolver_(std::move(resolver)) {}
  HttpResponse handle(const HttpRequest& request);
  // The samples gathered since the last call, which starts new ones.
  std::vector<TrafficSample> take_samples() { return traffic_.take(); }
  // The access log records gathered since the last call (at most kMaxPendingLogs are kept
  // between calls; `dropped` says how many more there were).
  std::vector<AccessLogEntry> take_access_logs(uint64_t& dropped);
  static constexpr size_t kMaxPendingLogs = 100000;

 private:
  // Serves the request; `target` is set once the URL names an endpoint (only then is the request
  // counted, as MediaPackage's metrics are per channel and endpoint).
  HttpResponse serve(const HttpRequest& request, std::optional<OriginTarget>& target);
  // A 403 when Origination, the Whitelist or CDN authorisation refuses the request.
  std::optional<HttpResponse> refuse_access(const OriginTarget& target, const HttpRequest& request) const;
  struct Shifted {
    bool ok = false;
    int status = 200;
    std::string message;  // when not ok
    std::string text;     // the manifest to serve
  };
  // The manifest a time-shifted request gets, from the live one (`live`) and the archive.
  Shifted time_shifted(const OriginTarget& target, const std::string& relative, const TimeShift& shift,
                       std::string live) const;
  // The manifest with only the streams `filter` keeps: nullopt when none is left, "" when the
  // file takes no filter (a media playlist).
  std::optional<std::string> filtered_manifest(const OriginTarget& target, const std::string& relative,
                                               const ManifestFilter& filter, const std::string& manifest) const;
  void log_access(const OriginTarget& target, const HttpRequest& request, const HttpResponse& response,
                  double response_ms);

  OriginResolver resolver_;
  mutable ArchiveCache archives_;  // parsed start-over archives, for time-shifted playlists
  TrafficCounter traffic_;
  std::mutex logs_mutex_;
  std::vector<AccessLogEntry> access_logs_;
  uint64_t dropped_logs_ = 0;
};

// Content-Type for a file name by extension ("index.m3u8" -> "application/vnd.apple.mpegurl").
std::string content_type_for(const std::string& filename);

}  // namespace mediaemu::api
