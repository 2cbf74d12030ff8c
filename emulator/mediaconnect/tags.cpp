// MediaConnect tags: TagResource, UntagResource, ListTagsForResource on a flow or one of its
// sources, outputs and entitlements (by ARN). Kept in the owning flow's internal record (the
// Flow shape has no Tags member), so they persist and go with the flow. An ARN that names no
// MediaConnect resource here is 404, as the model declares.
// Router inputs, outputs and network interfaces have a Tags member of their own: their tags live
// there (routers.hpp).
#include <spdlog/spdlog.h>

#include "emulator/mediaconnect/routers.hpp"

namespace mediaemu::mediaconnect {
namespace {

bool owns(const json& flow, const std::string& arn) {
  if (str(flow, "FlowArn") == arn) return true;
  static const std::pair<const char*, const char*> kParts[] = {
      {"Sources", "SourceArn"}, {"Outputs", "OutputArn"}, {"Entitlements", "EntitlementArn"}};
  for (const auto& [list, member] : kParts) {
    for (const auto& part : flow.value(list, json::array()))
      if (str(part, member) == arn) return true;
  }
  return false;
}

// The flow owning `arn`, found in the ARN's own region. Call with a lock held.
const Record& owner(Domain& domain, const std::string& arn) {
  // arn:aws:mediaconnect:<region>:...
  constexpr std::string_view prefix = "arn:aws:mediaconnect:";
  if (arn.rfind(prefix, 0) == 0) {
    const std::string region = arn.substr(prefix.size(), arn.find(':', prefix.size()) - prefix.size());
    for (const Record* r : domain.list(kFlow, region))
      if (owns(r->doc, arn)) return *r;
  }
  throw api::not_found("No MediaConnect resource with ARN " + arn + " exists");
}

bool is_router_resource(Domain& domain, const std::string& arn) {
  auto lock = domain.read();
  const Record* r = domain.find_by_arn(arn);
  return r && (r->key.kind == kRouterInput || r->key.kind == kRouterOutput || r->key.kind == kRouterNetworkInterface);
}

json tag(Domain& domain, const json& in) {
  const std::string arn = str(in, "ResourceArn");
  if (is_router_resource(domain, arn)) {
    add_tags(domain, arn, in["Tags"]);
    return json::object();
  }
  auto tx = domain.write();
  Record& r = tx->modify(owner(domain, arn).key);
  json& tags = r.internal["tags"][arn];
  if (!tags.is_object()) tags = json::object();
  for (auto it = in["Tags"].begin(); it != in["Tags"].end(); ++it) tags[it.key()] = *it;
  tx->commit();
  spdlog::info("mediaconnect: tagged {} with {}", arn, in["Tags"].dump());
  return json::object();
}

json untag(Domain& domain, const json& in) {
  const std::string arn = str(in, "ResourceArn");
  if (is_router_resource(domain, arn)) {
    remove_tags(domain, arn, in.value("TagKeys", json::array()));
    return json::object();
  }
  auto tx = domain.write();
  Record& r = tx->modify(owner(domain, arn).key);
  json& tags = r.internal["tags"][arn];
  if (!tags.is_object()) tags = json::object();
  for (const auto& key : in.value("TagKeys", json::array())) tags.erase(key.get<std::string>());
  tx->commit();
  return json::object();
}

json list(Domain& domain, const json& in) {
  const std::string arn = str(in, "ResourceArn");
  if (is_router_resource(domain, arn)) return {{"Tags", tags_for_arn(domain, arn)}};
  auto lock = domain.read();
  const json& tags = owner(domain, arn).internal.value("tags", json::object());
  return {{"Tags", tags.contains(arn) ? tags[arn] : json::object()}};
}

}  // namespace

void add_tag_operations(api::OperationTable& t, Domain& d) {
  t["TagResource"] = [&d](const CallContext&, const json& in) { return tag(d, in); };
  t["UntagResource"] = [&d](const CallContext&, const json& in) { return untag(d, in); };
  t["ListTagsForResource"] = [&d](const CallContext&, const json& in) { return list(d, in); };
}

}  // namespace mediaemu::mediaconnect
