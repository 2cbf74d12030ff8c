#include "pipeline/package/endpoint_packager.hpp"

#include "pipeline/package/cmaf_packager.hpp"
#include "pipeline/package/dash_packager.hpp"
#include "pipeline/package/hls_packager.hpp"
#include "pipeline/package/mss_packager.hpp"

namespace mediaemu::pipeline {

std::unique_ptr<MediaSink> make_endpoint_packager(const EndpointSpec& spec) {
  switch (spec.kind) {
    case EndpointSpec::Kind::Hls: return std::make_unique<HlsTsPackager>(spec);
    case EndpointSpec::Kind::Dash: return std::make_unique<DashPackager>(spec);
    case EndpointSpec::Kind::Cmaf: return std::make_unique<CmafPackager>(spec);
    case EndpointSpec::Kind::Mss: return std::make_unique<MssPackager>(spec);
  }
  return nullptr;
}

}  // namespace mediaemu::pipeline
