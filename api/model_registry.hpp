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
// Where the models came from ("botocore 1.43.11 in /…/botocore/data", or an AWS CLI's bundled
// models) and that source's version string, as tools/embed-models.py chose them.
extern const char* const kModelSource;
extern const char* const kModelVersion;

}  // namespace mediaemu::api
