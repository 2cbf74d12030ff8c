// A bridge's sources and outputs: AddBridgeSources, RemoveBridgeSource, UpdateBridgeSource,
// AddBridgeOutputs, RemoveBridgeOutput, UpdateBridgeOutput, and the checks CreateBridge shares.
// A source is {"FlowSource": ...} or {"NetworkSource": ...}, an output {"NetworkOutput": ...}, as
// DescribeBridge shows them (API_BridgeSource, API_BridgeOutput); parts are named by the Name
// inside. An ingress bridge (ground to cloud) takes network sources: content from multicast on one
// of the gateway's networks. An egress bridge (cloud to ground) takes flow sources, an existing
// flow (and, when named, one of its VPC interfaces), and delivers to network outputs.
// https://docs.aws.amazon.com/mediaconnect/latest/api/API_AddBridgeSourceRequest.html
// https://docs.aws.amazon.com/mediaconnect/latest/api/API_AddBridgeOutputRequest.html
#include <set>

#include "emulator/mediaconnect/mediaconnect.hpp"
#include "pipeline/flow/cidr.hpp"

namespace mediaemu::mediaconnect {
namespace {

// The CloudFormation reference allows 0 to 2 Sources and 0 to 2 Outputs on a bridge
// (aws-resource-mediaconnect-bridge.html); CreateBridge "must include one source".
constexpr size_t kMaxBridgeSources = 2;
constexpr size_t kMaxBridgeOutputs = 2;

bool is_ingress_bridge(const json& bridge) { return bridge.contains("IngressGatewayBridge"); }

// The part's inner object ({"FlowSource": {...}} -> {...}) and its Name.
const json& bridge_part_body(const json& part) { return part.begin().value(); }
std::string bridge_part_name(const json& part) { return part.empty() ? "" : str(bridge_part_body(part), "Name"); }

void require_gateway_network(const json& gateway, const json& part, const std::string& what) {
  const std::string network = str(part, "NetworkName");
  for (const auto& n : gateway.value("Networks", json::array()))
    if (str(n, "Name") == network) return;
  throw api::bad_request(what + " names network " + network + ", which gateway " + str(gateway, "GatewayArn") + " does not have");
}

void check_bridge_port(const json& part, const std::string& what) {
  const int port = part.value("Port", 0);
  if (port < 1 || port > 65535) throw api::bad_request(what + " needs a Port between 1 and 65535");
}

void check_network_source(const json& gateway, const json& source) {
  const std::string what = "Network source " + str(source, "Name");
  require_gateway_network(gateway, source, what);
  check_bridge_port(source, what);
  // 224.0.0.0/4 is IPv4 multicast (RFC 5771): what MulticastIp must be.
  auto ip = flow::parse_ipv4(str(source, "MulticastIp"));
  if (!ip || (*ip >> 28) != 0xE) throw api::bad_request(what + " has MulticastIp " + str(source, "MulticastIp") + ", which is not an IPv4 multicast address");
  if (source.contains("MulticastSourceSettings")) {
    const std::string ssm = str(source["MulticastSourceSettings"], "MulticastSourceIp");
    if (!ssm.empty() && !flow::parse_ipv4(ssm)) throw api::bad_request(what + " has MulticastSourceIp " + ssm + ", which is not an IPv4 address");
  }
}

void check_flow_source(Domain& domain, const CallContext& ctx, const json& source) {
  const std::string what = "Flow source " + str(source, "Name");
  const std::string flow_arn = str(source, "FlowArn");
  const Record* flow = nullptr;
  try {
    flow = &require_flow(domain, ctx, flow_arn);
  } catch (const api::ApiError&) {
    throw api::bad_request(what + " names flow " + flow_arn + ", which does not exist");
  }
  if (!source.contains("FlowVpcInterfaceAttachment")) return;
  const std::string vpc = str(source["FlowVpcInterfaceAttachment"], "VpcInterfaceName");
  for (const auto& v : flow->doc.value("VpcInterfaces", json::array()))
    if (str(v, "Name") == vpc) return;
  throw api::bad_request(what + " attaches VPC interface " + vpc + ", which flow " + flow_arn + " does not have");
}

json& require_bridge_part(json& items, const std::string& name, const std::string& what) {
  for (auto& part : items)
    if (bridge_part_name(part) == name) return part;
  throw api::not_found(what + " " + name + " not found on the bridge");
}

void take_bridge_part(json& items, const std::string& name, const std::string& what) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (bridge_part_name(items[i]) != name) continue;
    items.erase(i);
    return;
  }
  throw api::not_found(what + " " + name + " not found on the bridge");
}

// Update*Request members merge into the part; its kind (flow or network) cannot change.
void merge_bridge_part(json& part, const json& in, const char* kind) {
  if (!in.contains(kind)) return;
  if (!part.contains(kind)) throw api::bad_request(std::string(kind) + " does not apply: the part is a " + part.begin().key());
  for (const auto& [k, v] : in[kind].items()) part[kind][k] = v;
}

json add_bridge_sources(Domain& domain, const CallContext& ctx, const json& in) {
  return edit_bridge(domain, ctx, str(in, "BridgeArn"), [&](json& bridge, const json& gateway) {
    json added = json::array();
    for (const auto& r : in.value("Sources", json::array())) {
      bridge["Sources"].push_back(make_bridge_source(domain, ctx, bridge, gateway, r));
      added.push_back(bridge["Sources"].back());
    }
    return json{{"BridgeArn", bridge["BridgeArn"]}, {"Sources", added}};
  });
}

json remove_bridge_source(Domain& domain, const CallContext& ctx, const json& in) {
  const std::string name = str(in, "SourceName");
  return edit_bridge(domain, ctx, str(in, "BridgeArn"), [&](json& bridge, const json&) {
    take_bridge_part(bridge["Sources"], name, "Source");
    const json& failover = bridge.value("SourceFailoverConfig", json::object());
    if (failover.contains("SourcePriority") && str(failover["SourcePriority"], "PrimarySource") == name)
      bridge["SourceFailoverConfig"]["SourcePriority"].erase("PrimarySource");
    return json{{"BridgeArn", bridge["BridgeArn"]}, {"SourceName", name}};
  });
}

json update_bridge_source(Domain& domain, const CallContext& ctx, const json& in) {
  return edit_bridge(domain, ctx, str(in, "BridgeArn"), [&](json& bridge, const json& gateway) {
    json& part = require_bridge_part(bridge["Sources"], str(in, "SourceName"), "Source");
    merge_bridge_part(part, in, "FlowSource");
    merge_bridge_part(part, in, "NetworkSource");
    part = make_bridge_source(domain, ctx, bridge, gateway, part);
    return json{{"BridgeArn", bridge["BridgeArn"]}, {"Source", part}};
  });
}

json add_bridge_outputs(Domain& domain, const CallContext& ctx, const json& in) {
  return edit_bridge(domain, ctx, str(in, "BridgeArn"), [&](json& bridge, const json& gateway) {
    json added = json::array();
    for (const auto& r : in.value("Outputs", json::array())) {
      bridge["Outputs"].push_back(make_bridge_output(bridge, gateway, r));
      added.push_back(bridge["Outputs"].back());
    }
    return json{{"BridgeArn", bridge["BridgeArn"]}, {"Outputs", added}};
  });
}

json remove_bridge_output(Domain& domain, const CallContext& ctx, const json& in) {
  const std::string name = str(in, "OutputName");
  return edit_bridge(domain, ctx, str(in, "BridgeArn"), [&](json& bridge, const json&) {
    take_bridge_part(bridge["Outputs"], name, "Output");
    return json{{"BridgeArn", bridge["BridgeArn"]}, {"OutputName", name}};
  });
}

json update_bridge_output(Domain& domain, const CallContext& ctx, const json& in) {
  return edit_bridge(domain, ctx, str(in, "BridgeArn"), [&](json& bridge, const json& gateway) {
    json& part = require_bridge_part(bridge["Outputs"], str(in, "OutputName"), "Output");
    merge_bridge_part(part, in, "NetworkOutput");
    part = make_bridge_output(bridge, gateway, part);
    return json{{"BridgeArn", bridge["BridgeArn"]}, {"Output", part}};
  });
}

}  // namespace

json make_bridge_source(Domain& domain, const CallContext& ctx, const json& bridge, const json& gateway, const json& request) {
  const bool flow = request.contains("FlowSource"), network = request.contains("NetworkSource");
  if (flow == network) throw api::bad_request("Each bridge source is exactly one of FlowSource and NetworkSource");
  const json& body = flow ? request["FlowSource"] : request["NetworkSource"];
  if (str(body, "Name").empty()) throw api::bad_request("Every bridge source needs a Name");
  if (is_ingress_bridge(bridge) && flow)
    throw api::bad_request("Flow source " + str(body, "Name") + ": an ingress bridge takes network sources (its content comes from your premises)");
  if (!is_ingress_bridge(bridge) && network)
    throw api::bad_request("Network source " + str(body, "Name") + ": an egress bridge takes flow sources (its content comes from a flow)");
  if (flow) check_flow_source(domain, ctx, body);
  else check_network_source(gateway, body);
  return {{flow ? "FlowSource" : "NetworkSource", body}};
}

json make_bridge_output(const json& bridge, const json& gateway, const json& request) {
  if (!request.contains("NetworkOutput")) throw api::bad_request("A bridge output needs a NetworkOutput");
  const json& body = request["NetworkOutput"];
  const std::string what = "Network output " + str(body, "Name");
  if (str(body, "Name").empty()) throw api::bad_request("Every bridge output needs a Name");
  // An ingress bridge's outputs are the flows that take it as their source, not network outputs.
  if (is_ingress_bridge(bridge)) throw api::bad_request(what + ": network outputs are for egress bridges (cloud to ground)");
  require_gateway_network(gateway, body, what);
  check_bridge_port(body, what);
  if (!flow::parse_ipv4(str(body, "IpAddress"))) throw api::bad_request(what + " has IpAddress " + str(body, "IpAddress") + ", which is not an IPv4 address");
  const int ttl = body.value("Ttl", 0);
  if (ttl < 1 || ttl > 255) throw api::bad_request(what + " needs a Ttl between 1 and 255");
  return {{"NetworkOutput", body}};
}

void validate_bridge(const json& bridge) {
  const json& sources = bridge["Sources"];
  const json& outputs = bridge["Outputs"];
  if (sources.empty()) throw api::bad_request("A bridge needs at least one source");
  if (sources.size() > kMaxBridgeSources) throw api::bad_request("A bridge has at most 2 sources");
  if (outputs.size() > kMaxBridgeOutputs) throw api::bad_request("A bridge has at most 2 outputs");
  for (const char* list : {"Sources", "Outputs"}) {
    std::set<std::string> names;
    for (const auto& part : bridge[list])
      if (!names.insert(bridge_part_name(part)).second)
        throw api::bad_request("Bridge " + std::string(list) + " need unique names: " + bridge_part_name(part) + " is repeated");
  }
  const json& failover = bridge.value("SourceFailoverConfig", json::object());
  const std::string primary = failover.contains("SourcePriority") ? str(failover["SourcePriority"], "PrimarySource") : "";
  if (!primary.empty()) {
    bool found = false;
    for (const auto& s : sources) found = found || bridge_part_name(s) == primary;
    if (!found) throw api::bad_request("SourcePriority.PrimarySource " + primary + " names no source of the bridge");
  }
  for (const char* type : {"IngressGatewayBridge", "EgressGatewayBridge"}) {
    if (bridge.contains(type) && bridge[type].value("MaxBitrate", 0) < 1) throw api::bad_request(std::string(type) + ".MaxBitrate must be positive");
  }
}

void add_bridge_part_operations(api::OperationTable& t, Domain& d) {
  t["AddBridgeSources"] = [&d](const CallContext& c, const json& in) { return add_bridge_sources(d, c, in); };
  t["RemoveBridgeSource"] = [&d](const CallContext& c, const json& in) { return remove_bridge_source(d, c, in); };
  t["UpdateBridgeSource"] = [&d](const CallContext& c, const json& in) { return update_bridge_source(d, c, in); };
  t["AddBridgeOutputs"] = [&d](const CallContext& c, const json& in) { return add_bridge_outputs(d, c, in); };
  t["RemoveBridgeOutput"] = [&d](const CallContext& c, const json& in) { return remove_bridge_output(d, c, in); };
  t["UpdateBridgeOutput"] = [&d](const CallContext& c, const json& in) { return update_bridge_output(d, c, in); };
}

}  // namespace mediaemu::mediaconnect
