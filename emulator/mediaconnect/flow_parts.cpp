// A flow's parts as DescribeFlow shows them, built from the Add*/Set*/Grant* request members and
// changed by the Update* requests. Generated members follow AWS's shapes: ARNs
// arn:aws:mediaconnect:<region>:<account>:source|output|entitlement:1-<hex>-<hex>:<name>,
// IngestIp (where the flow listens: this machine), ListenerAddress for listener outputs,
// NetworkInterfaceIds for VPC interfaces, Fmt payload types for media streams.
#include "emulator/mediaconnect/mediaconnect.hpp"

namespace mediaemu::mediaconnect {
namespace {

// Members of a SetSourceRequest / UpdateFlowSourceRequest that AWS reports inside Source.Transport.
constexpr const char* kSourceTransport[] = {"MaxBitrate",        "MaxLatency",         "MinLatency",
                                            "MaxSyncBuffer",     "SenderControlPort",  "SenderIpAddress",
                                            "SourceListenerAddress", "SourceListenerPort", "StreamId",
                                            "NdiSourceSettings"};
// ... and those reported on the Source itself.
constexpr const char* kSourceOwn[] = {"Description",       "WhitelistCidr",    "Decryption",
                                      "EntitlementArn",    "VpcInterfaceName", "IngestPort",
                                      "SenderControlPort", "SenderIpAddress",  "MediaStreamSourceConfigurations",
                                      "GatewayBridgeSource", "RouterIntegrationState",
                                      "RouterIntegrationTransitDecryption"};
constexpr const char* kOutputTransport[] = {"SmoothingLatency", "MaxLatency",      "MinLatency",
                                            "RemoteId",         "StreamId",        "CidrAllowList",
                                            "SenderControlPort", "NdiProgramName", "NdiSpeedHqQuality"};
constexpr const char* kOutputOwn[] = {"Description",         "Destination",  "Port",
                                      "Encryption",          "VpcInterfaceAttachment", "OutputStatus",
                                      "MediaStreamOutputConfigurations", "RouterIntegrationState",
                                      "RouterIntegrationTransitEncryption"};

// Listener protocols: the flow waits for the caller, at its own address.
bool listens(const std::string& protocol) { return protocol == "srt-listener" || protocol == "zixi-pull"; }

std::string required_name(const json& request, const char* what) {
  std::string name = str(request, "Name");
  if (name.empty()) throw api::bad_request(std::string(what) + " Name is required");
  return name;
}

}  // namespace

void merge_member(json& into, const json& from, const char* member) {
  if (!from.contains(member)) return;
  if (!into.contains(member) || !into[member].is_object()) into[member] = json::object();
  for (auto it = from[member].begin(); it != from[member].end(); ++it) into[member][it.key()] = *it;
}

json make_source(const CallContext& ctx, const Config& config, const json& request) {
  const std::string name = required_name(request, "Source");
  json source = {{"Name", name}, {"SourceArn", resource_arn(ctx, "source", name)}};
  for (const char* m : kSourceOwn) copy_member(source, request, m);
  if (request.contains("EntitlementArn")) {
    // A source entitled from another account's flow: the content arrives over AWS, not at a port.
    source["DataTransferSubscriberFeePercent"] = 0;
    return source;
  }
  const std::string protocol = str(request, "Protocol");
  if (protocol.empty()) throw api::bad_request("Source " + name + " needs a Protocol (or an EntitlementArn)");
  source["Transport"] = {{"Protocol", protocol}};
  for (const char* m : kSourceTransport) copy_member(source["Transport"], request, m);
  // Zixi push always arrives at port 2088 (MediaConnect User Guide, source protocols).
  if (protocol == "zixi-push" && !source.contains("IngestPort")) source["IngestPort"] = 2088;
  if (source.contains("IngestPort") || protocol == "srt-listener") source["IngestIp"] = config.url_host();
  return source;
}

void update_source(json& source, const json& request) {
  for (const char* m : kSourceOwn)
    if (std::string(m) != "Decryption") copy_member(source, request, m);
  merge_member(source, request, "Decryption");  // UpdateEncryption
  if (request.contains("Protocol")) {
    if (!source.contains("Transport")) source["Transport"] = json::object();
    source["Transport"]["Protocol"] = request["Protocol"];
  }
  if (source.contains("Transport")) {
    for (const char* m : kSourceTransport) copy_member(source["Transport"], request, m);
  }
}

json make_output(const CallContext& ctx, const Config& config, const json& request) {
  const std::string name = required_name(request, "Output");
  const std::string protocol = str(request, "Protocol");
  if (protocol.empty()) throw api::bad_request("Output " + name + " needs a Protocol");
  json output = {{"Name", name},
                 {"OutputArn", resource_arn(ctx, "output", name)},
                 {"OutputStatus", "ENABLED"},
                 {"DataTransferSubscriberFeePercent", 0},
                 {"Transport", {{"Protocol", protocol}}}};
  for (const char* m : kOutputOwn) copy_member(output, request, m);
  for (const char* m : kOutputTransport) copy_member(output["Transport"], request, m);
  if (listens(protocol)) output["ListenerAddress"] = config.url_host();
  // DestinationConfiguration requires OutboundIp: the address the flow sends from.
  if (output.contains("MediaStreamOutputConfigurations")) {
    for (auto& stream : output["MediaStreamOutputConfigurations"]) {
      if (!stream.contains("DestinationConfigurations")) continue;
      for (auto& d : stream["DestinationConfigurations"])
        if (!d.contains("OutboundIp")) d["OutboundIp"] = config.url_host();
    }
  }
  return output;
}

void update_output(json& output, const json& request) {
  for (const char* m : kOutputOwn)
    if (std::string(m) != "Encryption") copy_member(output, request, m);
  merge_member(output, request, "Encryption");  // UpdateEncryption
  if (request.contains("Protocol")) output["Transport"]["Protocol"] = request["Protocol"];
  for (const char* m : kOutputTransport) copy_member(output["Transport"], request, m);
}

json make_entitlement(const CallContext& ctx, const json& request) {
  // Name is optional in GrantEntitlementRequest; AWS names an unnamed entitlement itself.
  std::string name = str(request, "Name");
  if (name.empty()) name = "Entitlement-" + random_hex(4);
  json entitlement = {{"Name", name},
                      {"EntitlementArn", resource_arn(ctx, "entitlement", name)},
                      {"Subscribers", request.value("Subscribers", json::array())},
                      {"EntitlementStatus", "ENABLED"},
                      {"DataTransferSubscriberFeePercent", 0}};
  for (const char* m : {"Description", "Encryption", "EntitlementStatus", "DataTransferSubscriberFeePercent"})
    copy_member(entitlement, request, m);
  return entitlement;
}

json make_vpc_interface(const json& request) {
  json vpc = {{"Name", required_name(request, "VPC interface")},
              {"NetworkInterfaceType", "ena"},
              {"NetworkInterfaceIds", json::array({"eni-" + random_hex(9).substr(0, 17)})}};
  for (const char* m : {"RoleArn", "SecurityGroupIds", "SubnetId", "NetworkInterfaceType"}) copy_member(vpc, request, m);
  return vpc;
}

json make_media_stream(const json& request) {
  json stream = request;
  stream.erase("MediaStreamTags");
  // Fmt is the RTP payload type MediaConnect assigns: a dynamic type (96-127) per stream.
  stream["Fmt"] = 96 + request.value("MediaStreamId", 0) % 32;
  if (stream.contains("Attributes") && !stream["Attributes"].contains("Fmtp")) stream["Attributes"]["Fmtp"] = json::object();
  return stream;
}

void update_failover(json& flow, const json& request) {
  merge_member(flow, json{{"SourceFailoverConfig", request}}, "SourceFailoverConfig");
}

json& require_part(json& items, const char* member, const std::string& value, const std::string& what) {
  for (auto& item : items)
    if (str(item, member) == value) return item;
  throw api::not_found(what + " " + value + " not found on the flow");
}

json take_part(json& items, const char* member, const std::string& value, const std::string& what) {
  json taken = require_part(items, member, value, what);
  json kept = json::array();
  for (auto& item : items)
    if (str(item, member) != value) kept.push_back(std::move(item));
  items = std::move(kept);
  return taken;
}

}  // namespace mediaemu::mediaconnect
