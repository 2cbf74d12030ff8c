// Translates a MediaPackage origin endpoint (model form) into the packager's EndpointSpec.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "pipeline/package/package_spec.hpp"

namespace mediaemu::media {

// An origin endpoint as its channel's supervisor needs it.
struct EndpointPlan {
  std::string region, id, mediapackage_channel_id;
  std::optional<pipeline::EndpointSpec> spec;  // nullopt: not packaged, `problem` says why
  std::string problem;
  // A new packager starts from an empty directory: files from an earlier run of the channel would
  // otherwise be served next to the new ones. The supervisor empties it before packaging.
  bool start_fresh = true;
};

// `endpoint` is the OriginEndpoint record's document; `directory` where its files are served from.
EndpointPlan plan_origin_endpoint(const std::string& region, const nlohmann::json& endpoint,
                                  const std::filesystem::path& directory);

// nullopt (with `problem` set) for packages mediaemu cannot produce (encrypted MSS).
std::optional<pipeline::EndpointSpec> plan_endpoint(const nlohmann::json& endpoint, const std::filesystem::path& directory,
                                                    std::string& problem);

}  // namespace mediaemu::media
