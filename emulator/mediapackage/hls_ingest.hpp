// MediaPackage's HLS ingest URLs, /in/v2/<channel GUID>/<ingest endpoint id>/<file>: encoders
// PUT (or POST, ffmpeg's default) their playlists and MPEG-TS segments there and DELETE old
// segments, with HTTP digest authentication under the ingest endpoint's Username and Password
// (MP-UG what-is-flow-gen: "an HLS live stream with digest authentication over WebDAV"). A
// request with wrong or rotated-away credentials gets 401 and nothing is kept. Authenticated
// files go to the media side (MediaHooks::hls_ingest), which packages the channel's endpoints.
// Requests to a channel's ingest URLs are counted for AWS/MediaPackage's Ingress* metrics.
#pragma once

#include <chrono>
#include <optional>

#include "api/digest_auth.hpp"
#include "api/traffic_counter.hpp"
#include "api/http_types.hpp"
#include "emulator/domain.hpp"
#include "emulator/media_hooks.hpp"

namespace mediaemu::mediapackage {

inline constexpr const char* kIngestPrefix = "/in/";

class HlsIngestDoor {
 public:
  HlsIngestDoor(Domain& domain, MediaHooks& media) : domain_(domain), media_(media) {}

  api::HttpResponse handle(const api::HttpRequest& request);
  // From the headers alone (HttpLimits::screen): the refusal the request would get, if any.
  std::optional<api::HttpResponse> screen(const api::HttpRequest& headers_only);
  // The requests to known ingest endpoints since the last call (IngressBytes, IngressRequestCount,
  // IngressResponseTime).
  std::vector<api::TrafficSample> take_samples() { return traffic_.take(); }

 private:
  struct Target {
    std::string region, channel_id, ingest_endpoint_id, file;
    int index = -1;
  };
  // The refusal for this request (404, 405, 401), or nullopt; `target` is filled in once the
  // URL names an ingest endpoint (a 401 has one).
  std::optional<api::HttpResponse> check(const api::HttpRequest& request, Target& target);
  api::HttpResponse answer(const api::HttpRequest& request, Target& target);
  // Counts the request for the Ingress* metrics when its URL named an ingest endpoint.
  void count(const Target& target, const api::HttpResponse& out, size_t taken,
             std::chrono::steady_clock::time_point started);

  Domain& domain_;
  MediaHooks& media_;
  // The realm AWS's ingest presents is not documented; the service's name serves.
  api::DigestAuth auth_{"MediaPackage"};
  api::TrafficCounter traffic_;
};

}  // namespace mediaemu::mediapackage
