// Starts a packager for a MediaPackage origin endpoint on a channel's FanOut: the one way both
// owners of MediaPackage output do it (a MediaLive channel's pipeline, media_factory.cpp, and an
// HLS ingest origin, ingest_origin.hpp).
#pragma once

#include <string>

#include "emulator/media/plan/endpoint_plan.hpp"
#include "pipeline/package/fan_out.hpp"

namespace mediaemu::media {

// Replaces the endpoint's packager on `fanout` (none when the plan cannot be packaged, which is
// logged), emptying its directory first when the plan says so. Returns an alert text when the
// packager cannot start, else "". `fed_by` names the feeder in the log line.
std::string package_endpoint(pipeline::FanOut& fanout, const EndpointPlan& endpoint, const std::string& fed_by);

}  // namespace mediaemu::media
