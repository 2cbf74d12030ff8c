// The rules a whole flow must keep, checked after every change (create, add, update, remove), so
// no sequence of calls can leave a flow AWS would have refused. From the MediaConnect API
// reference (API_FailoverConfig, API_SetSourceRequest, API_AddOutputRequest) and User Guide
// (quotas: 50 outputs and 50 entitlements per flow).
#include <set>

#include "emulator/mediaconnect/mediaconnect.hpp"
#include "pipeline/flow/cidr.hpp"

namespace mediaemu::mediaconnect {
namespace {

constexpr size_t kMaxOutputs = 50;
constexpr size_t kMaxEntitlements = 50;

[[noreturn]] void bad(const std::string& message) { throw api::bad_request(message); }

// Protocols whose sender pushes to the flow's IngestIp:IngestPort.
bool pushed_to_port(const std::string& p) {
  return p == "rtp" || p == "rtp-fec" || p == "udp" || p == "rist" || p == "srt-listener" || p == "zixi-push" ||
         p == "fujitsu-qos";
}
// Protocols the flow sends to a Destination:Port.
bool sent_to_destination(const std::string& p) {
  return p == "rtp" || p == "rtp-fec" || p == "udp" || p == "rist" || p == "zixi-push" || p == "srt-caller" ||
         p == "fujitsu-qos";
}
// CDI and JPEG XS travel as media streams over a VPC interface (User Guide, CDI flows).
bool media_stream_protocol(const std::string& p) { return p == "cdi" || p == "st2110-jpegxs"; }

void check_port(const json& part, const char* member, const std::string& what) {
  if (!part.contains(member)) return;
  const int port = part[member].get<int>();
  if (port < 1 || port > 65535) bad(what + " " + member + " " + std::to_string(port) + " is not a port (1-65535)");
}

void check_cidr(const std::string& cidr, const std::string& what) {
  if (!flow::parse_cidr(cidr)) bad(what + " has CIDR " + cidr + ", which is not an IPv4 CIDR block such as 10.24.34.0/23");
}

template <typename F>
void unique(const json& items, const char* member, const std::string& what, F&& key) {
  std::set<std::string> seen;
  for (const auto& item : items) {
    const std::string k = key(item);
    if (!seen.insert(k).second) bad("The flow already has a " + what + " with " + member + " " + k + "; names must be unique");
  }
}

std::set<std::string> vpc_interface_names(const json& flow) {
  std::set<std::string> names;
  for (const auto& v : flow.value("VpcInterfaces", json::array())) names.insert(str(v, "Name"));
  return names;
}

void validate_source(const json& source, const std::set<std::string>& vpcs) {
  const std::string what = "Source " + str(source, "Name");
  if (source.contains("EntitlementArn")) {
    if (str(source, "EntitlementArn").find(":entitlement:") == std::string::npos)
      bad(what + " has EntitlementArn " + str(source, "EntitlementArn") + ", which is not an entitlement ARN");
    return;
  }
  const std::string protocol = source.value("Transport", json::object()).value("Protocol", "");
  if (pushed_to_port(protocol) && !source.contains("IngestPort"))
    bad(what + " uses protocol " + protocol + " and needs an IngestPort, the port the flow listens on");
  check_port(source, "IngestPort", what);
  if (source.contains("WhitelistCidr")) check_cidr(str(source, "WhitelistCidr"), what);
  const json& transport = source["Transport"];
  if (protocol == "srt-caller" && (!transport.contains("SourceListenerAddress") || !transport.contains("SourceListenerPort")))
    bad(what + " uses protocol srt-caller and needs SourceListenerAddress and SourceListenerPort");
  check_port(transport, "SourceListenerPort", what);
  if (media_stream_protocol(protocol) && !source.contains("VpcInterfaceName"))
    bad(what + " uses protocol " + protocol + " and needs a VpcInterfaceName");
  if (source.contains("VpcInterfaceName") && !vpcs.count(str(source, "VpcInterfaceName")))
    bad(what + " names VPC interface " + str(source, "VpcInterfaceName") + ", which the flow does not have");
}

void validate_output(const json& output, const std::set<std::string>& vpcs) {
  const std::string what = "Output " + str(output, "Name");
  const json& transport = output["Transport"];
  const std::string protocol = str(transport, "Protocol");
  if (sent_to_destination(protocol)) {
    if (!output.contains("Destination") || !output.contains("Port"))
      bad(what + " uses protocol " + protocol + " and needs a Destination (IP address) and a Port");
    if (!flow::parse_ipv4(str(output, "Destination")))
      bad(what + " has Destination " + str(output, "Destination") + ", which is not an IPv4 address");
  }
  if (protocol == "srt-listener" && !output.contains("Port")) bad(what + " uses protocol srt-listener and needs a Port");
  if (protocol == "zixi-pull" && !transport.contains("RemoteId")) bad(what + " uses protocol zixi-pull and needs a RemoteId");
  if (media_stream_protocol(protocol) && !output.contains("MediaStreamOutputConfigurations"))
    bad(what + " uses protocol " + protocol + " and needs MediaStreamOutputConfigurations");
  check_port(output, "Port", what);
  for (const auto& cidr : transport.value("CidrAllowList", json::array())) check_cidr(cidr.get<std::string>(), what);
  if (output.contains("VpcInterfaceAttachment")) {
    const std::string vpc = str(output["VpcInterfaceAttachment"], "VpcInterfaceName");
    if (!vpcs.count(vpc)) bad(what + " is attached to VPC interface " + vpc + ", which the flow does not have");
  }
}

void validate_failover(const json& flow) {
  const json& sources = flow["Sources"];
  // "If the state is inactive, the flow can have only one source. If the state is active, the
  // flow can have one or two sources." (API_FailoverConfig)
  if (sources.size() > 2) bad("A flow can have at most two sources; this one would have " + std::to_string(sources.size()));
  const json& failover = flow["SourceFailoverConfig"];
  const bool enabled = str(failover, "State") == "ENABLED";
  if (sources.size() == 2 && !enabled)
    bad("Source failover is DISABLED, so the flow can have only one source; enable SourceFailoverConfig (State ENABLED) "
        "to add a second source");
  // API_FailoverConfig names no range for RecoveryWindow; mediaemu refuses what could not be a
  // window in milliseconds.
  if (failover.contains("RecoveryWindow")) {
    const int window = failover["RecoveryWindow"].get<int>();
    if (window < 1 || window > 60000) bad("RecoveryWindow " + std::to_string(window) + " is not a window of 1 to 60000 ms");
  }
  const std::string primary = str(failover.value("SourcePriority", json::object()), "PrimarySource");
  if (!primary.empty() && enabled) {
    bool found = false;
    for (const auto& s : sources) found = found || str(s, "Name") == primary;
    if (!found) bad("SourcePriority.PrimarySource " + primary + " is not one of the flow's sources");
  }
}

}  // namespace

void validate_flow(const json& flow) {
  const auto vpcs = vpc_interface_names(flow);
  auto name = [](const json& part) { return str(part, "Name"); };
  unique(flow["Sources"], "Name", "source", name);
  unique(flow["Outputs"], "Name", "output", name);
  unique(flow["Entitlements"], "Name", "entitlement", name);
  unique(flow.value("VpcInterfaces", json::array()), "Name", "VPC interface", name);
  unique(flow.value("MediaStreams", json::array()), "MediaStreamName", "media stream",
         [](const json& m) { return str(m, "MediaStreamName"); });
  unique(flow.value("MediaStreams", json::array()), "MediaStreamId", "media stream",
         [](const json& m) { return std::to_string(m.value("MediaStreamId", 0)); });
  // Two sources of one flow cannot listen on the same port.
  unique(flow["Sources"], "IngestPort", "source", [](const json& s) {
    return s.contains("IngestPort") ? std::to_string(s["IngestPort"].get<int>()) : "entitled " + str(s, "Name");
  });
  if (flow["Outputs"].size() > kMaxOutputs) bad("A flow can have at most 50 outputs");
  if (flow["Entitlements"].size() > kMaxEntitlements) bad("A flow can have at most 50 entitlements");
  for (const auto& s : flow["Sources"]) validate_source(s, vpcs);
  for (const auto& o : flow["Outputs"]) validate_output(o, vpcs);
  for (const auto& e : flow["Entitlements"])
    if (e.value("Subscribers", json::array()).empty()) bad("Entitlement " + str(e, "Name") + " needs at least one subscriber");
  validate_failover(flow);
}

}  // namespace mediaemu::mediaconnect
