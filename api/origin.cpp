#include "api/origin.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>

#include "api/aws_api.hpp"
#include "api/time_shift.hpp"
#include "api/manifest_filter.hpp"
#include "api/read_file.hpp"
#include "api/timestamps.hpp"
// The names of the packager's own files in an endpoint's directory (header-only, no media code).
#include "pipeline/package/endpoint_status.hpp"
#include "api/uri_template.hpp"

namespace mediaemu::api {
namespace {

constexpr std::string_view kPrefix = "/out/v1/";
// MP-UG manifest-filtering, error conditions: a filter on a media playlist or a segment is 400.
constexpr std::string_view kFilterTarget =
    "aws.manifestfilter applies to a multivariant playlist, an MPD or a Smooth manifest, not to ";

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_manifest(const std::string& name) {
  return ends_with(name, ".m3u8") || ends_with(name, ".mpd") || ends_with(name, "/Manifest");
}

void cors(HttpResponse& r) {
  r.set_header("Access-Control-Allow-Origin", "*");
  r.set_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
  r.set_header("Access-Control-Allow-Headers", "*");
  r.set_header("Access-Control-Expose-Headers",
               "Content-Length, Content-Range, Date, X-MediaPackage-Manifest-Last-Sequence, "
               "X-MediaPackage-Manifest-Last-Updated");
}

HttpResponse plain_error(int status, const std::string& message) {
  HttpResponse r;
  r.status = status;
  r.set_header("Content-Type", "application/json");
  // MediaPackage caches error answers about a second (re:Post "vod mediapackage with cloudfront").
  r.set_header("Cache-Control", "max-age=1");
  cors(r);
  r.body = nlohmann::json{{"message", message}}.dump();
  return r;
}

// Parses "bytes=a-b", "bytes=a-" and "bytes=-n" against a size. nullopt: not a single range we
// understand (served as a plain 200, which RFC 9110 §14.2 allows); {size, 0}: unsatisfiable.
std::optional<std::pair<uint64_t, uint64_t>> parse_range(std::string_view header, uint64_t size) {
  if (header.rfind("bytes=", 0) != 0 || header.find(',') != std::string_view::npos) return std::nullopt;
  std::string spec(header.substr(6));
  auto dash = spec.find('-');
  if (dash == std::string::npos) return std::nullopt;
  try {
    std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
    uint64_t first, last;
    if (a.empty()) {
      if (b.empty()) return std::nullopt;
      uint64_t n = std::stoull(b);
      if (n == 0) return std::make_pair(size, uint64_t{0});
      first = n >= size ? 0 : size - n;
      last = size - 1;
    } else {
      first = std::stoull(a);
      last = b.empty() ? size - 1 : std::min<uint64_t>(std::stoull(b), size - 1);
      if (!b.empty() && std::stoull(b) < first) return std::nullopt;
    }
    if (first >= size) return std::make_pair(size, uint64_t{0});
    return std::make_pair(first, last - first + 1);
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace

std::string content_type_for(const std::string& name) {
  if (ends_with(name, ".m3u8")) return "application/vnd.apple.mpegurl";
  if (ends_with(name, ".mpd")) return "application/dash+xml";
  if (ends_with(name, ".ts")) return "video/MP2T";
  if (ends_with(name, ".mp4") || ends_with(name, ".m4s") || ends_with(name, ".cmfv")) return "video/mp4";
  if (ends_with(name, ".m4a") || ends_with(name, ".cmfa")) return "audio/mp4";
  if (ends_with(name, ".aac")) return "audio/aac";
  if (ends_with(name, ".vtt")) return "text/vtt";
  if (ends_with(name, "/Manifest")) return "text/xml";
  if (name.find("/Fragments(") != std::string::npos) return "video/mp4";  // Smooth Streaming fragments
  return "application/octet-stream";
}

HttpResponse Origin::handle(const HttpRequest& request) {
  auto started = std::chrono::steady_clock::now();
  std::optional<OriginTarget> target;
  HttpResponse response = serve(request, target);
  if (target) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    traffic_.count(target->region, target->channel_id, target->endpoint_id, response.status, response.body.size(), ms);
    if (!target->access_log_group.empty()) log_access(*target, request, response, ms);
  }
  return response;
}

HttpResponse Origin::serve(const HttpRequest& request, std::optional<OriginTarget>& target) {
  if (request.method == "OPTIONS") {  // CORS preflight from browser players
    HttpResponse r;
    r.status = 204;
    cors(r);
    r.set_header("Access-Control-Max-Age", "86400");
    return r;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r = plain_error(405, "The origin answers GET and HEAD only");
    r.set_header("Allow", "GET, HEAD, OPTIONS");
    return r;
  }
  std::string_view path = request.path();
  if (path.substr(0, kPrefix.size()) != kPrefix) return plain_error(404, "Not found");
  std::string rest = percent_decode(path.substr(kPrefix.size()));
  auto slash = rest.find('/');
  if (slash == std::string::npos || slash == 0) return plain_error(404, "Not found");
  std::string hash = rest.substr(0, slash), relative = rest.substr(slash + 1);

  target = resolver_(hash);
  if (!target) return plain_error(404, "No origin endpoint serves /out/v1/" + hash);
  if (auto refusal = refuse_access(*target, request)) return *refusal;

  // No escaping the endpoint's directory: reject dot segments (and hidden names, which are the
  // packager's own files), NULs and backslashes outright, then check the canonical path still lies
  // under the root (symlinks included).
  TimeShift shift;
  if (auto error = parse_time_shift(relative, request.query(), shift)) {
    spdlog::info("origin: {} from {}: {}", target->endpoint_id, request.peer, *error);
    return plain_error(400, *error);
  }
  ManifestFilter filter;
  if (auto error = parse_manifest_filter(request.query(), filter)) {
    spdlog::info("origin: {} from {}: {}", target->endpoint_id, request.peer, *error);
    return plain_error(400, *error);
  }
  bool bad = relative.empty() || relative.find('\0') != std::string::npos || relative.find('\\') != std::string::npos;
  for (size_t start = 0; !bad && start <= relative.size();) {
    size_t end = relative.find('/', start);
    std::string seg = relative.substr(start, end == std::string::npos ? std::string::npos : end - start);
    bad = seg.empty() || seg.front() == '.';
    if (end == std::string::npos) break;
    start = end + 1;
  }
  std::error_code ec;
  std::filesystem::path file;
  if (!bad) {
    auto root = std::filesystem::weakly_canonical(target->root, ec);
    file = std::filesystem::weakly_canonical(target->root / relative, ec);
    auto [r, f] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
    bad = ec || r != root.end();
  }
  if (bad) {
    spdlog::warn("origin: refused path '{}' under endpoint {} from {}", relative, target->endpoint_id, request.peer);
    return plain_error(404, "Not found");
  }
  // Manifests are read whole (the origin may rewrite them); media is read only where the range
  // asks (I-frame playlists address byte ranges of whole segments).
  const bool manifest = is_manifest(relative);
  std::optional<std::string> content;
  uint64_t size = 0;
  bool found = false;
  if (manifest) {
    content = read_file(file);
    found = content.has_value();
  } else if (std::filesystem::is_regular_file(file, ec)) {
    size = std::filesystem::file_size(file, ec);
    found = !ec;
  }
  if (!found) return plain_error(404, "Not found: " + relative);

  HttpResponse response;
  response.set_header("Content-Type", content_type_for(relative));
  response.set_header("Accept-Ranges", "bytes");
  cors(response);
  // Manifests for half a segment, media for 14 days (MediaPackage's documented CDN guidance).
  if (manifest) {
    if (shift.start) {
      auto shifted = time_shifted(*target, relative, shift, std::move(*content));
      if (!shifted.ok) return plain_error(shifted.status, shifted.message);
      content = std::move(shifted.text);
    }
    if (!filter.empty()) {
      auto filtered = filtered_manifest(*target, relative, filter, *content);
      if (!filtered) return plain_error(400, "aws.manifestfilter leaves no audio or video stream in " + relative);
      if (filtered->empty()) {
        return plain_error(400, std::string(kFilterTarget) + relative);
      }
      content = std::move(*filtered);
    }
    response.set_header("Cache-Control", "max-age=" + std::to_string(std::max(1, target->segment_duration_seconds / 2)));
    // What the packager published last (MP-UG monitoring-manifest-last-updated).
    if (auto status = read_file(target->root / std::string(pipeline::kStatusFile))) {
      long long sequence = 0, updated = 0;
      if (std::sscanf(status->c_str(), "%lld %lld", &sequence, &updated) == 2) {
        response.set_header("X-MediaPackage-Manifest-Last-Sequence", std::to_string(sequence));
        response.set_header("X-MediaPackage-Manifest-Last-Updated", std::to_string(updated));
      }
    }
  } else {
    if (!filter.empty())  // MP-UG manifest-filtering, error conditions: a filter on a segment is 400
      return plain_error(400, std::string(kFilterTarget) + relative);
    response.set_header("Cache-Control", "max-age=1209600");
  }

  if (content) size = content->size();
  uint64_t offset = 0, length = size;
  if (auto range_header = request.header("range"); !range_header.empty()) {
    if (auto range = parse_range(range_header, size)) {
      if (range->second == 0) {
        response = plain_error(416, "Range not satisfiable");
        response.set_header("Content-Range", "bytes */" + std::to_string(size));
        return response;
      }
      offset = range->first;
      length = range->second;
      response.status = 206;
      response.set_header("Content-Range", "bytes " + std::to_string(offset) + "-" + std::to_string(offset + length - 1) +
                                               "/" + std::to_string(size));
    }
  }
  if (request.method == "HEAD") {  // the length of what GET would send, and no body
    response.set_header("Content-Length", std::to_string(length));
    return response;
  }
  if (content) {
    response.body = length == size ? std::move(*content) : content->substr(offset, length);
    return response;
  }
  std::ifstream in(file, std::ios::binary);
  response.body.resize(length);
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(response.body.data(), static_cast<std::streamsize>(length));
  response.body.resize(static_cast<size_t>(in.gcount()));
  return response;
}

std::optional<HttpResponse> Origin::refuse_access(const OriginTarget& target, const HttpRequest& request) const {
  if (target.origination_denied) {
    // Origination DENY keeps the URL but playback "responds with an error" (MP-UG hj-create-basic);
    // AWS does not document the status, 403 is what a refusal is.
    return plain_error(403, "Origination is denied on this endpoint");
  }
  if (target.peer_allowed && !target.peer_allowed(request.peer)) {
    spdlog::info("origin: {} refused {}: not in the endpoint's Whitelist", target.endpoint_id, request.peer);
    return plain_error(403, "Forbidden");
  }
  if (target.cdn_identifier) {
    // MP-UG cdn-auth: a missing or wrong X-MediaPackage-CDNIdentifier, or a secret MediaPackage
    // cannot read, is HTTP 403.
    auto given = request.header("x-mediapackage-cdnidentifier");
    if (target.cdn_identifier->empty() || given != *target.cdn_identifier) {
      spdlog::info("origin: {} refused {}: X-MediaPackage-CDNIdentifier {}", target.endpoint_id, request.peer,
                   given.empty() ? "missing" : "does not match");
      return plain_error(403, "Forbidden");
    }
  }
  return std::nullopt;
}

std::optional<std::string> Origin::filtered_manifest(const OriginTarget& target, const std::string& relative,
                                                     const ManifestFilter& filter, const std::string& manifest) const {
  if (ends_with(relative, ".mpd")) return filter_mpd(manifest, filter);
  if (ends_with(relative, "/Manifest"))
    return filter_mss(manifest, read_file(target.root / pipeline::streams_file_for(relative)).value_or(""), filter);
  // A media (bitrate) playlist takes no filter (MP-UG manifest-filtering, special conditions).
  if (!ends_with(relative, ".m3u8") || manifest.find("#EXT-X-STREAM-INF") == std::string::npos) return std::string();
  return filter_hls_master(manifest, read_file(target.root / pipeline::streams_file_for(relative)).value_or(""),
                           filter);
}

Origin::Shifted Origin::time_shifted(const OriginTarget& target, const std::string& relative, const TimeShift& shift,
                                     std::string live) const {
  ShiftWindow window = decide_window(shift, now_epoch_seconds(), target.startover_window_seconds);
  switch (window.kind) {
    case ShiftWindow::Kind::TooLong:
      return {false, 400, "A time-shifted request covers at most 24 hours", {}};
    case ShiftWindow::Kind::OutOfWindow:
      return {false, 404, "The requested time is outside the endpoint's start-over window", {}};
    case ShiftWindow::Kind::Live:
    case ShiftWindow::Kind::Window:
      break;
  }
  if (ends_with(relative, ".mpd")) {
    if (window.kind == ShiftWindow::Kind::Live) return {true, 200, {}, prefix_mpd_urls(live, shift.path_depth)};
    auto archive = read_file(target.root / std::string(pipeline::kArchiveDirectory) / relative);
    if (!archive) return {false, 404, "No segment of this manifest lies in the requested window", {}};
    if (!has_segment_timeline(*archive))
      return {false, 501, "mediaemu time-shifts DASH endpoints whose SegmentTemplateFormat has a timeline only", {}};
    std::string problem;
    auto text = cut_mpd_window(*archive, window, now_epoch_seconds(), shift.path_depth, problem);
    if (!text) return {false, 404, problem, {}};
    return {true, 200, {}, std::move(*text)};
  }
  if (ends_with(relative, "/Manifest")) {
    if (window.kind == ShiftWindow::Kind::Live) return {true, 200, {}, std::move(live)};
    auto archive = read_file(target.root / std::string(pipeline::kArchiveDirectory) / relative);
    if (!archive) return {false, 404, "No fragment of this manifest lies in the requested window", {}};
    std::string problem;
    auto text = cut_mss_window(*archive, window, now_epoch_seconds(), problem);
    if (!text) return {false, 404, problem, {}};
    return {true, 200, {}, std::move(*text)};
  }
  if (!ends_with(relative, ".m3u8"))
    return {false, 400, "Time-shifted viewing applies to HLS, DASH and Smooth Streaming manifests", {}};
  // A multivariant playlist passes the times on to its children: a query in their URIs, or, in
  // the path style, the path their relative URIs already resolve under.
  if (live.find("#EXT-X-STREAM-INF") != std::string::npos)
    return {true, 200, {}, shift.path_depth > 0 ? std::move(live) : propagate_query(live, shift.query)};
  // Live (a start still to come): the live playlist, its URIs one level up per path element.
  if (window.kind == ShiftWindow::Kind::Live) return {true, 200, {}, prefix_relative_uris(live, shift.path_depth)};
  auto archive = archives_.get(target.root / std::string(pipeline::kArchiveDirectory) / relative);
  if (!archive) return {false, 404, "No segment of this playlist lies in the requested window", {}};
  auto text = archive->cut(window, target.program_date_times, shift.path_depth);
  if (!text) return {false, 404, "No segment of this playlist lies in the requested window", {}};
  return {true, 200, {}, std::move(*text)};
}

void Origin::log_access(const OriginTarget& target, const HttpRequest& request, const HttpResponse& response,
                        double response_ms) {
  auto now = std::chrono::system_clock::now();
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::string host(request.header("host"));
  nlohmann::json record = {
      {"timestamp", format_iso8601(static_cast<double>(now_ms) / 1000.0)},
      {"clientIp", request.peer},
      {"processingTime", response_ms / 1000.0},
      {"statusCode", std::to_string(response.status)},
      {"receivedBytes", request.body.size()},
      {"sentBytes", response.body.size()},
      {"method", request.method},
      {"request", "http://" + host + request.target},
      {"protocol", "HTTP/1.1"},
      {"userAgent", std::string(request.header("user-agent"))},
      {"account", kAccountId},
      {"channelId", target.channel_id},
      {"channelArn", target.channel_arn},
      {"domainName", host.substr(0, host.rfind(':'))},
      {"requestId", new_request_id()},
      {"endpointId", target.endpoint_id},
      {"endpointArn", target.endpoint_arn}};
  std::lock_guard lock(logs_mutex_);
  if (access_logs_.size() >= kMaxPendingLogs) {
    ++dropped_logs_;
    return;
  }
  // The stream: one per channel (AWS does not document its stream names).
  access_logs_.push_back({target.region, target.access_log_group, target.channel_id, now_ms, record.dump()});
}

std::vector<AccessLogEntry> Origin::take_access_logs(uint64_t& dropped) {
  std::vector<AccessLogEntry> taken;
  std::lock_guard lock(logs_mutex_);
  taken.swap(access_logs_);
  dropped = std::exchange(dropped_logs_, 0);
  return taken;
}

}  // namespace mediaemu::api
