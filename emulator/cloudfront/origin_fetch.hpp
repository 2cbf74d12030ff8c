// How the edge reaches one origin. mediaemu is offline, so an origin is one of:
//   - mediaemu itself: an S3 bucket name (<bucket>.s3.amazonaws.com, <bucket>.s3.<region>.amazonaws.com,
//     <bucket>.s3-<region>.amazonaws.com, <bucket>.s3.localhost), an S3 website endpoint
//     (<bucket>.s3-website[-.]<region>.amazonaws.com, <bucket>.s3-website.localhost), or a loopback
//     host on mediaemu's own port (the MediaPackage endpoint URLs mediaemu hands out name
//     127.0.0.1:4566): answered in-process by the front door, whatever OriginProtocolPolicy says;
//   - any other host that resolves to loopback: fetched over plain HTTP on its HTTPPort (or the
//     port written in DomainName, "127.0.0.1:8080", which AWS would refuse and mediaemu accepts
//     so that a local origin needs no port juggling);
//   - anything else: a 502, as an unreachable origin would give, and a log line.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/front_door.hpp"
#include "api/http_types.hpp"
#include "emulator/config.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::cloudfront {

struct OriginRequest {
  std::string method;
  std::string path_and_query;  // OriginPath already prefixed
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names; no Host
  std::string body;
};

// Sends `request` to `origin` (an Origin of the distribution config, model form). The answer has
// status 502 and an explanation when the origin cannot be reached.
api::HttpResponse fetch_from_origin(const Config& config, const api::FrontDoor& front, const json& origin,
                                    const OriginRequest& request);

}  // namespace mediaemu::cloudfront
