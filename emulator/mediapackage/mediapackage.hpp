// AWS Elemental MediaPackage (v1 live) and MediaPackage VOD.
#pragma once

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"
#include "emulator/media_hooks.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::mediapackage {

inline const std::string kChannel = "mediapackage:channel";
inline const std::string kOriginEndpoint = "mediapackage:origin-endpoint";
inline const std::string kPackagingGroup = "mediapackage-vod:packaging-group";
inline const std::string kPackagingConfiguration = "mediapackage-vod:packaging-configuration";

api::OperationTable operations(Domain& domain, MediaHooks& media);
api::OperationTable vod_operations(Domain& domain);

}  // namespace mediaemu::mediapackage
