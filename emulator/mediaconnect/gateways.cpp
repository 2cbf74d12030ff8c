// MediaConnect Gateway: CreateGateway, DescribeGateway, ListGateways, DeleteGateway and the gateway
// instance operations. A gateway is created CREATING and settles ACTIVE after --state-delay;
// DeleteGateway puts it DELETING and it is gone (404) after the delay (API_Gateway.GatewayState:
// CREATING | ACTIVE | UPDATING | ERROR | DELETING | DELETED).
// https://docs.aws.amazon.com/mediaconnect/latest/api/API_Gateway.html
//
// Instances are the on-premises machines that register themselves with a gateway through SSM; no
// such hardware exists for an emulator, so ListGatewayInstances is empty and every instance ARN is
// 404 NotFoundException, which is what AWS answers for a gateway nothing has registered with.
#include <spdlog/spdlog.h>

#include <set>

#include "emulator/mediaconnect/mediaconnect.hpp"
#include "pipeline/flow/cidr.hpp"

namespace mediaemu::mediaconnect {
namespace {

// "arn:aws:mediaconnect:<region>:<account>:<type>:<id>:<name>" -> the record with that id, when
// its stored ARN is exactly that one.
const Record* find_by_mediaconnect_arn(Domain& domain, const CallContext& ctx, const std::string& kind,
                                       const std::string& type, const char* arn_member, const std::string& arn) {
  const std::string prefix = "arn:aws:mediaconnect:" + ctx.region + ":" + ctx.account + ":" + type + ":";
  if (arn.rfind(prefix, 0) != 0) return nullptr;
  const std::string rest = arn.substr(prefix.size());
  const Record* r = domain.find({kind, ctx.region, rest.substr(0, rest.find(':'))});
  return r && str(r->doc, arn_member) == arn ? r : nullptr;
}

void check_gateway_cidr(const std::string& cidr, const std::string& what) {
  if (!flow::parse_cidr(cidr))
    throw api::bad_request(what + " " + cidr + " is not an IPv4 CIDR block such as 10.0.0.0/16");
}

// CreateGateway's rules: the CloudFormation reference gives Networks 1 to 4 items
// (aws-resource-mediaconnect-gateway.html); network names identify a network to the bridges'
// sources and outputs, so they must be unique.
void validate_gateway_request(const json& in) {
  if (str(in, "Name").empty()) throw api::bad_request("Name is required");
  const json& egress = in.value("EgressCidrBlocks", json::array());
  if (egress.empty()) throw api::bad_request("EgressCidrBlocks needs at least one CIDR block");
  for (const auto& cidr : egress) check_gateway_cidr(cidr.get<std::string>(), "Egress CIDR block");
  const json& networks = in.value("Networks", json::array());
  if (networks.empty() || networks.size() > 4) throw api::bad_request("A gateway has between 1 and 4 networks");
  std::set<std::string> names;
  for (const auto& n : networks) {
    const std::string name = str(n, "Name");
    if (name.empty()) throw api::bad_request("Every gateway network needs a Name");
    if (!names.insert(name).second) throw api::bad_request("Gateway network names must be unique: " + name + " is repeated");
    check_gateway_cidr(str(n, "CidrBlock"), "Network " + name + " has CidrBlock");
  }
}

json listed_gateway(const json& g) {
  return {{"GatewayArn", g["GatewayArn"]}, {"GatewayState", g["GatewayState"]}, {"Name", g["Name"]}};
}

json create_gateway(Domain& domain, const CallContext& ctx, const json& in) {
  validate_gateway_request(in);
  const std::string id = new_resource_id();
  const std::string name = str(in, "Name");
  const std::string arn = make_arn(ctx, "mediaconnect", "gateway:" + id + ":" + name);
  json doc = {{"GatewayArn", arn},
              {"Name", name},
              {"EgressCidrBlocks", in["EgressCidrBlocks"]},
              {"Networks", in["Networks"]},
              {"GatewayMessages", json::array()},
              {"GatewayState", "CREATING"}};
  auto tx = domain.write();
  Record& r = tx->create({kGateway, ctx.region, id}, doc);
  tx->schedule(r.key, "ACTIVE");
  json out = {{"Gateway", r.doc}};
  tx->commit();
  spdlog::info("mediaconnect: created gateway {} with {} network(s)", arn, doc["Networks"].size());
  return out;
}

json describe_gateway(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  return {{"Gateway", require_gateway(domain, ctx, str(in, "GatewayArn")).doc}};
}

json list_gateways(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  Page page = paginate(domain.list(kGateway, ctx.region), in, 10);
  json out = {{"Gateways", json::array()}};
  for (const Record* r : page.items) out["Gateways"].push_back(listed_gateway(r->doc));
  put_next_token(out, page);
  return out;
}

// "Before you can delete a gateway, you must deregister its instances and delete its bridges."
// https://docs.aws.amazon.com/mediaconnect/latest/api/API_DeleteGateway.html
json delete_gateway(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require_gateway(domain, ctx, str(in, "GatewayArn"));
  const std::string arn = str(current.doc, "GatewayArn");
  if (str(current.doc, "GatewayState") == "DELETING") throw api::conflict("Gateway " + arn + " is already being deleted");
  size_t bridges = 0;
  for (const Record* b : domain.list(kBridge, ctx.region))
    if (str(b->doc, "PlacementArn") == arn) ++bridges;
  if (bridges > 0)
    throw api::conflict("Gateway " + arn + " still has " + std::to_string(bridges) +
                        " bridge(s); delete its bridges (DeleteBridge) before the gateway");
  Record& r = tx->modify(current.key);
  r.doc["GatewayState"] = "DELETING";
  tx->schedule(r.key, "");  // purged after the state delay: then DescribeGateway answers 404
  tx->commit();
  spdlog::info("mediaconnect: deleting gateway {}", arn);
  return {{"GatewayArn", arn}};
}

[[noreturn]] void no_gateway_instance(const json& in) {
  throw api::not_found("Gateway instance " + str(in, "GatewayInstanceArn") +
                       " not found: no on-premises instance registers with mediaemu's gateways");
}

}  // namespace

const Record& require_gateway(Domain& domain, const CallContext& ctx, const std::string& gateway_arn) {
  if (const Record* r = find_by_mediaconnect_arn(domain, ctx, kGateway, "gateway", "GatewayArn", gateway_arn)) return *r;
  throw api::not_found("Gateway " + gateway_arn + " not found");
}

const Record& require_bridge(Domain& domain, const CallContext& ctx, const std::string& bridge_arn) {
  if (const Record* r = find_by_mediaconnect_arn(domain, ctx, kBridge, "bridge", "BridgeArn", bridge_arn)) return *r;
  throw api::not_found("Bridge " + bridge_arn + " not found");
}

void add_gateway_operations(api::OperationTable& t, Domain& d) {
  t["CreateGateway"] = [&d](const CallContext& c, const json& in) { return create_gateway(d, c, in); };
  t["DescribeGateway"] = [&d](const CallContext& c, const json& in) { return describe_gateway(d, c, in); };
  t["ListGateways"] = [&d](const CallContext& c, const json& in) { return list_gateways(d, c, in); };
  t["DeleteGateway"] = [&d](const CallContext& c, const json& in) { return delete_gateway(d, c, in); };
  // With or without FilterArn (one gateway's instances): none have registered.
  t["ListGatewayInstances"] = [](const CallContext&, const json&) { return json{{"Instances", json::array()}}; };
  t["DescribeGatewayInstance"] = [](const CallContext&, const json& in) -> json { no_gateway_instance(in); };
  t["UpdateGatewayInstance"] = [](const CallContext&, const json& in) -> json { no_gateway_instance(in); };
  t["DeregisterGatewayInstance"] = [](const CallContext&, const json& in) -> json { no_gateway_instance(in); };
  d.on_transition(kGateway, [](Tx& tx, const Key& key, const std::string& to) {
    Record& r = tx.modify(key);
    r.doc["GatewayState"] = to;
    spdlog::info("mediaconnect: gateway {} is {}", str(r.doc, "GatewayArn"), to);
  });
}

}  // namespace mediaemu::mediaconnect
