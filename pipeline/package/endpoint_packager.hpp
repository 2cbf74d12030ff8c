// The one entry point the emulator needs: a MediaSink that packages a channel's output for one
// MediaPackage origin endpoint (HLS with TS, DASH, or CMAF), writing under spec.directory.
// Attach it to the channel's FanOut (fan_out.hpp); read what it published last from
// spec.status (endpoint_status.hpp). Throws std::runtime_error when the directory cannot be
// created.
#pragma once

#include <memory>

#include "pipeline/media.hpp"
#include "pipeline/package/package_spec.hpp"

namespace mediaemu::pipeline {

std::unique_ptr<MediaSink> make_endpoint_packager(const EndpointSpec& spec);

}  // namespace mediaemu::pipeline
