// Entitlements: GrantFlowEntitlements, RevokeFlowEntitlement, UpdateFlowEntitlement and
// ListEntitlements (every entitlement of every flow in the region, as ListedEntitlement).
// Entitlements only grant other accounts a source; there is no second account here, so they are
// kept and listed, and an entitled source of another flow is stored but carries nothing.
#include "emulator/mediaconnect/mediaconnect.hpp"

namespace mediaemu::medialive {
// Defined in emulator/medialive/channels.cpp: a page of an ordered JSON array with the shared
// NextToken scheme. It belongs in service_kit.hpp, which this change may not edit.
json page_json(const json& items, const json& input, const char* list_member);
}  // namespace mediaemu::medialive

namespace mediaemu::mediaconnect {
namespace {

json grant(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&](json& flow, json& tags) {
    json granted = json::array();
    for (const auto& request : in.value("Entitlements", json::array())) {
      json entitlement = make_entitlement(ctx, request);
      if (request.contains("EntitlementTags")) tags[str(entitlement, "EntitlementArn")] = request["EntitlementTags"];
      flow["Entitlements"].push_back(entitlement);
      granted.push_back(std::move(entitlement));
    }
    return json{{"FlowArn", flow["FlowArn"]}, {"Entitlements", granted}};
  });
}

json revoke(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  const std::string arn = str(in, "EntitlementArn");
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&](json& flow, json& tags) {
    take_part(flow["Entitlements"], "EntitlementArn", arn, "Entitlement");
    tags.erase(arn);
    return json{{"FlowArn", flow["FlowArn"]}, {"EntitlementArn", arn}};
  });
}

json update(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&](json& flow, json&) {
    json& entitlement = require_part(flow["Entitlements"], "EntitlementArn", str(in, "EntitlementArn"), "Entitlement");
    for (const char* m : {"Description", "EntitlementStatus", "Subscribers"}) copy_member(entitlement, in, m);
    merge_member(entitlement, in, "Encryption");  // UpdateEncryption
    return json{{"FlowArn", flow["FlowArn"]}, {"Entitlement", entitlement}};
  });
}

json list(Domain& domain, const CallContext& ctx, const json& in) {
  json all = json::array();
  {
    auto lock = domain.read();
    for (const Record* r : domain.list(kFlow, ctx.region)) {
      for (const auto& e : r->doc.value("Entitlements", json::array())) {
        all.push_back({{"EntitlementArn", e["EntitlementArn"]},
                       {"EntitlementName", e["Name"]},
                       {"DataTransferSubscriberFeePercent", e.value("DataTransferSubscriberFeePercent", 0)}});
      }
    }
  }
  // "If MaxResults is not included in the request, the service defaults to pagination with a
  // maximum of 20 results per page." (ListEntitlementsRequest.MaxResults)
  json page_input = in;
  if (!page_input.contains("MaxResults")) page_input["MaxResults"] = 20;
  return medialive::page_json(all, page_input, "Entitlements");
}

}  // namespace

void add_entitlement_operations(api::OperationTable& t, Domain& d, flow::FlowControl& f) {
  t["GrantFlowEntitlements"] = [&d, &f](const CallContext& c, const json& in) { return grant(d, f, c, in); };
  t["RevokeFlowEntitlement"] = [&d, &f](const CallContext& c, const json& in) { return revoke(d, f, c, in); };
  t["UpdateFlowEntitlement"] = [&d, &f](const CallContext& c, const json& in) { return update(d, f, c, in); };
  t["ListEntitlements"] = [&d](const CallContext& c, const json& in) { return list(d, c, in); };
}

}  // namespace mediaemu::mediaconnect
