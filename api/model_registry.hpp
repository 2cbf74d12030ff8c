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

// Every AWS service in the models the build found (emulated or not): the name its requests are
// signed for and the protocol its model lists first, so that a request for a service mediaemu does
// not emulate still gets an error its client can parse (api/protocols/protocol_errors.hpp).
struct ServiceProtocol {
  std::string_view signing_name;  // "s3", "monitoring", "sts"
  std::string_view protocol;      // "rest-xml", "smithy-rpc-v2-cbor", "query"
};
const std::vector<ServiceProtocol>& known_service_protocols();
// Where the models came from ("botocore 1.43.11 in /…/botocore/data", or an AWS CLI's bundled
// models) and that source's version string, as tools/embed-models.py chose them.
extern const char* const kModelSource;
extern const char* const kModelVersion;

}  // namespace mediaemu::api
