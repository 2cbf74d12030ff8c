// Translates a MediaPackage origin endpoint (model form) into the packager's EndpointSpec.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "pipeline/package/package_spec.hpp"

namespace mediaemu::media {

// nullopt (with `problem` set) for packages mediaemu cannot produce yet (MSS).
std::optional<pipeline::EndpointSpec> plan_endpoint(const nlohmann::json& endpoint, const std::filesystem::path& directory,
                                                    std::string& problem);

}  // namespace mediaemu::media
