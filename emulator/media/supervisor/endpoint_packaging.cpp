#include "emulator/media/supervisor/endpoint_packaging.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "pipeline/package/endpoint_packager.hpp"

namespace mediaemu::media {

std::string package_endpoint(pipeline::FanOut& fanout, const EndpointPlan& endpoint, const std::string& fed_by) {
  fanout.remove(endpoint.id);
  if (!endpoint.spec) {
    spdlog::warn("media: {} endpoint {} is not packaged: {}", endpoint.region, endpoint.id, endpoint.problem);
    return "";
  }
  std::error_code ec;
  if (endpoint.start_fresh) std::filesystem::remove_all(endpoint.spec->directory, ec);
  std::filesystem::create_directories(endpoint.spec->directory, ec);
  try {
    fanout.add(endpoint.id, pipeline::make_endpoint_packager(*endpoint.spec));
  } catch (const std::exception& e) {
    return "endpoint " + endpoint.id + " cannot be packaged: " + e.what();
  }
  spdlog::info("media: packaging {} endpoint {} of MediaPackage channel {} into {} (for {})", endpoint.region,
               endpoint.id, endpoint.mediapackage_channel_id, endpoint.spec->directory.string(), fed_by);
  return "";
}

}  // namespace mediaemu::media
