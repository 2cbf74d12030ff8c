// MediaConnect Gateway bridges: CreateBridge, DescribeBridge, ListBridges, UpdateBridge,
// UpdateBridgeState and DeleteBridge, with the lifecycle (API_Bridge.BridgeState):
//   created CREATING -> STANDBY; UpdateBridgeState ACTIVE: STANDBY -> STARTING -> ACTIVE;
//   UpdateBridgeState STANDBY: ACTIVE|STARTING -> STOPPING -> STANDBY;
//   DeleteBridge (or DesiredState DELETED) from STANDBY: DELETING -> gone (404).
// Every arrow takes --state-delay. A bridge is placed on a gateway (PlacementArn) that must exist
// and be ACTIVE; an ingress bridge (ground to cloud) takes network sources, an egress bridge
// (cloud to ground) flow sources and network outputs. mediaemu keeps and checks bridges; no
// gateway instance runs them, so no traffic crosses a bridge here.
// https://docs.aws.amazon.com/mediaconnect/latest/api/API_Bridge.html
// https://docs.aws.amazon.com/mediaconnect/latest/ug/gateway-components-bridges-create.html
#include <spdlog/spdlog.h>

#include "emulator/mediaconnect/mediaconnect.hpp"

namespace mediaemu::mediaconnect {
namespace {

[[noreturn]] void bridge_state_error(const json& bridge, const std::string& what) {
  throw api::conflict("Bridge " + str(bridge, "BridgeArn") + " is " + str(bridge, "BridgeState") + "; " + what);
}

json listed_bridge(const json& b) {
  return {{"BridgeArn", b["BridgeArn"]},
          {"BridgeState", b["BridgeState"]},
          {"BridgeType", b.contains("IngressGatewayBridge") ? "INGRESS" : "EGRESS"},
          {"Name", b["Name"]},
          {"PlacementArn", b["PlacementArn"]}};
}

// The gateway a new bridge is placed on: CreateBridge declares no NotFoundException, so a
// PlacementArn that names no usable gateway is a bad request.
const json& placement_gateway(Domain& domain, const CallContext& ctx, const std::string& placement_arn) {
  const Record* gateway = nullptr;
  try {
    gateway = &require_gateway(domain, ctx, placement_arn);
  } catch (const api::ApiError&) {
    throw api::bad_request("PlacementArn " + placement_arn + " names no gateway in " + ctx.region);
  }
  if (str(gateway->doc, "GatewayState") != "ACTIVE")
    throw api::bad_request("Gateway " + placement_arn + " is " + str(gateway->doc, "GatewayState") +
                           "; bridges are placed on an ACTIVE gateway");
  return gateway->doc;
}

json create_bridge(Domain& domain, const CallContext& ctx, const json& in) {
  const std::string name = str(in, "Name");
  if (name.empty()) throw api::bad_request("Name is required");
  const bool ingress = in.contains("IngressGatewayBridge"), egress = in.contains("EgressGatewayBridge");
  if (ingress == egress) throw api::bad_request("Give exactly one of IngressGatewayBridge and EgressGatewayBridge");
  const std::string id = new_resource_id();
  const std::string arn = make_arn(ctx, "mediaconnect", "bridge:" + id + ":" + name);
  json doc = {{"BridgeArn", arn},
              {"Name", name},
              {"PlacementArn", str(in, "PlacementArn")},
              {"BridgeMessages", json::array()},
              {"Sources", json::array()},
              {"Outputs", json::array()},
              {"BridgeState", "CREATING"}};
  copy_member(doc, in, ingress ? "IngressGatewayBridge" : "EgressGatewayBridge");
  copy_member(doc, in, "SourceFailoverConfig");

  auto tx = domain.write();
  const json& gateway = placement_gateway(domain, ctx, str(in, "PlacementArn"));
  for (const auto& r : in.value("Sources", json::array()))
    doc["Sources"].push_back(make_bridge_source(domain, ctx, doc, gateway, r));
  for (const auto& r : in.value("Outputs", json::array())) doc["Outputs"].push_back(make_bridge_output(doc, gateway, r));
  validate_bridge(doc);
  Record& r = tx->create({kBridge, ctx.region, id}, doc);
  tx->schedule(r.key, "STANDBY");
  json out = {{"Bridge", r.doc}};
  tx->commit();
  spdlog::info("mediaconnect: created {} bridge {} on gateway {}", ingress ? "ingress" : "egress", arn, str(doc, "PlacementArn"));
  return out;
}

json describe_bridge(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  return {{"Bridge", require_bridge(domain, ctx, str(in, "BridgeArn")).doc}};
}

// FilterArn: "Filter the list results to display only the bridges associated with the selected
// ARN" (a gateway's). https://docs.aws.amazon.com/mediaconnect/latest/api/v1-bridges.html
json list_bridges(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  const std::string filter = str(in, "FilterArn");
  std::vector<const Record*> matching;
  for (const Record* r : domain.list(kBridge, ctx.region))
    if (filter.empty() || str(r->doc, "PlacementArn") == filter) matching.push_back(r);
  Page page = paginate(matching, in, 10);
  json out = {{"Bridges", json::array()}};
  for (const Record* r : page.items) out["Bridges"].push_back(listed_bridge(r->doc));
  put_next_token(out, page);
  return out;
}

json update_bridge(Domain& domain, const CallContext& ctx, const json& in) {
  return edit_bridge(domain, ctx, str(in, "BridgeArn"), [&in](json& bridge, const json&) {
    for (const char* type : {"IngressGatewayBridge", "EgressGatewayBridge"}) {
      if (!in.contains(type)) continue;
      if (!bridge.contains(type)) throw api::bad_request(std::string(type) + " does not apply to this bridge: its type cannot change");
      merge_member(bridge, in, type);
    }
    merge_member(bridge, in, "SourceFailoverConfig");
    return json{{"Bridge", bridge}};
  });
}

// Starts removing a bridge: only a stopped bridge can go.
void begin_bridge_delete(Tx& tx, const Record& current) {
  const std::string state = str(current.doc, "BridgeState");
  if (state == "DELETING") bridge_state_error(current.doc, "it is already being deleted");
  if (state != "STANDBY" && state != "START_FAILED" && state != "STOP_FAILED")
    bridge_state_error(current.doc, "only a stopped bridge can be deleted. Stop it first (UpdateBridgeState STANDBY)");
  Record& r = tx.modify(current.key);
  r.doc["BridgeState"] = "DELETING";
  tx.schedule(r.key, "");  // purged after the state delay: then DescribeBridge answers 404
}

json update_bridge_state(Domain& domain, const CallContext& ctx, const json& in) {
  const std::string desired = str(in, "DesiredState");
  auto tx = domain.write();
  const Record& current = require_bridge(domain, ctx, str(in, "BridgeArn"));
  const std::string state = str(current.doc, "BridgeState");
  if (desired == "DELETED") {
    begin_bridge_delete(*tx, current);
  } else if (desired == "ACTIVE") {
    if (state == "ACTIVE" || state == "STARTING") bridge_state_error(current.doc, "it is already started");
    if (state != "STANDBY" && state != "START_FAILED") bridge_state_error(current.doc, "only a bridge in STANDBY can be started");
    Record& r = tx->modify(current.key);
    r.doc["BridgeState"] = "STARTING";
    tx->schedule(r.key, "ACTIVE");
  } else {  // STANDBY
    if (state == "STANDBY" || state == "STOPPING") bridge_state_error(current.doc, "it is already stopped");
    if (state != "ACTIVE" && state != "STARTING" && state != "STOP_FAILED")
      bridge_state_error(current.doc, "only an ACTIVE or STARTING bridge can be stopped");
    Record& r = tx->modify(current.key);
    r.doc["BridgeState"] = "STOPPING";
    tx->schedule(r.key, "STANDBY");  // replaces a pending STARTING -> ACTIVE
  }
  json out = {{"BridgeArn", current.doc["BridgeArn"]}, {"DesiredState", desired}};
  tx->commit();
  spdlog::info("mediaconnect: bridge {} asked to be {}", str(out, "BridgeArn"), desired);
  return out;
}

json delete_bridge(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require_bridge(domain, ctx, str(in, "BridgeArn"));
  begin_bridge_delete(*tx, current);
  json out = {{"BridgeArn", current.doc["BridgeArn"]}};
  tx->commit();
  spdlog::info("mediaconnect: deleting bridge {}", str(out, "BridgeArn"));
  return out;
}

}  // namespace

json edit_bridge(Domain& domain, const CallContext& ctx, const std::string& bridge_arn,
                 const std::function<json(json& bridge, const json& gateway)>& change) {
  auto tx = domain.write();
  const Record& current = require_bridge(domain, ctx, bridge_arn);
  const std::string state = str(current.doc, "BridgeState");
  if (state == "CREATING" || state == "DELETING") bridge_state_error(current.doc, "wait until it is created, or it is being deleted");
  const json& gateway = require_gateway(domain, ctx, str(current.doc, "PlacementArn")).doc;
  json doc = current.doc;
  json out = change(doc, gateway);
  validate_bridge(doc);
  tx->modify(current.key).doc = std::move(doc);
  tx->commit();
  return out;
}

void add_bridge_operations(api::OperationTable& t, Domain& d) {
  t["CreateBridge"] = [&d](const CallContext& c, const json& in) { return create_bridge(d, c, in); };
  t["DescribeBridge"] = [&d](const CallContext& c, const json& in) { return describe_bridge(d, c, in); };
  t["ListBridges"] = [&d](const CallContext& c, const json& in) { return list_bridges(d, c, in); };
  t["UpdateBridge"] = [&d](const CallContext& c, const json& in) { return update_bridge(d, c, in); };
  t["UpdateBridgeState"] = [&d](const CallContext& c, const json& in) { return update_bridge_state(d, c, in); };
  t["DeleteBridge"] = [&d](const CallContext& c, const json& in) { return delete_bridge(d, c, in); };
  d.on_transition(kBridge, [](Tx& tx, const Key& key, const std::string& to) {
    Record& r = tx.modify(key);
    r.doc["BridgeState"] = to;
    spdlog::info("mediaconnect: bridge {} is {}", str(r.doc, "BridgeArn"), to);
  });
}

}  // namespace mediaemu::mediaconnect
