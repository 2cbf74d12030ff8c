// MediaLive tags: CreateTags, DeleteTags, ListTagsForResource on any MediaLive resource with an
// ARN (channels, inputs, input security groups, multiplexes, reservations). Tags live in the
// resource's own Tags member, so Describe* shows the same map. Tags can change in any state
// (ML-UG editing-deleting-channel); an ARN that names no live MediaLive resource is 404.
#include <spdlog/spdlog.h>

#include "emulator/medialive/medialive.hpp"

namespace mediaemu::medialive {
namespace {

// The tags endpoint serves every service's ARNs on a shared path, so check the service too.
void require_taggable(Domain& domain, const std::string& resource_arn) {
  auto lock = domain.read();
  const Record* r = resource_arn.rfind("arn:aws:medialive:", 0) == 0 ? domain.find_by_arn(resource_arn) : nullptr;
  if (!r || str(r->doc, "State") == "DELETED") {
    throw api::not_found("No MediaLive resource with ARN " + resource_arn + " exists");
  }
}

json create_tags(Domain& domain, const CallContext& ctx, const json& in) {
  const std::string resource_arn = str(in, "ResourceArn");
  require_taggable(domain, resource_arn);
  add_tags(domain, resource_arn, in.value("Tags", json::object()));
  spdlog::info("medialive: tagged {} with {}", resource_arn, in.value("Tags", json::object()).dump());
  return json::object();
}

json delete_tags(Domain& domain, const CallContext& ctx, const json& in) {
  const std::string resource_arn = str(in, "ResourceArn");
  require_taggable(domain, resource_arn);
  remove_tags(domain, resource_arn, in.value("TagKeys", json::array()));
  spdlog::info("medialive: removed tags {} from {}", in.value("TagKeys", json::array()).dump(), resource_arn);
  return json::object();
}

json list_tags(Domain& domain, const CallContext& ctx, const json& in) {
  const std::string resource_arn = str(in, "ResourceArn");
  require_taggable(domain, resource_arn);
  return {{"Tags", tags_for_arn(domain, resource_arn)}};
}

}  // namespace

void add_tag_operations(api::OperationTable& t, Domain& d) {
  t["CreateTags"] = [&d](const CallContext& c, const json& in) { return create_tags(d, c, in); };
  t["DeleteTags"] = [&d](const CallContext& c, const json& in) { return delete_tags(d, c, in); };
  t["ListTagsForResource"] = [&d](const CallContext& c, const json& in) { return list_tags(d, c, in); };
}

}  // namespace mediaemu::medialive
