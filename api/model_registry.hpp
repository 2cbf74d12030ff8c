// The botocore models embedded at build time (see tools/embed-models.py).
#pragma once

#include <string_view>
#include <vector>

namespace mediaemu::api {

struct EmbeddedModel {
  std::string_view service;  // botocore directory name, e.g. "mediapackage-vod"
  std::string_view json;     // minified service-2.json without documentation
};

const std::vector<EmbeddedModel>& embedded_models();
extern const char* const kBotocoreVersion;

}  // namespace mediaemu::api
