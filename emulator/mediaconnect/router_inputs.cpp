// MediaConnect router inputs: Create, Get, BatchGet, List, Update, Delete, Start, Stop and
// Restart RouterInput, and GetRouterInputSourceMetadata / GetRouterInputThumbnail.
// "Router inputs receive your content from sources such as live camera feeds"
// (https://docs.aws.amazon.com/mediaconnect/latest/ug/managing-router-io.html). The
// Configuration union gives the input's type (RouterInputType):
//   Standard: one protocol (Rtp, Rist, SrtListener, SrtCaller) on a router network interface;
//   Failover / Merge: two protocols of one kind on a network interface, one source chosen by
//     priority or the two merged packet by packet ("Source failover and merge for router inputs",
//     https://docs.aws.amazon.com/mediaconnect/latest/ug/router-input-failover.html; Merge
//     takes Rtp or Rist only, as MergeRouterInputProtocolConfiguration has);
//   MediaConnectFlow / MediaLiveChannel: fed by a flow output or a MediaLive channel output.
// https://docs.aws.amazon.com/mediaconnect/latest/api/API_RouterInputConfiguration.html
#include <spdlog/spdlog.h>

#include <set>

#include "emulator/mediaconnect/routers.hpp"

namespace mediaemu::mediaconnect {
namespace {

const char* input_type_of(const std::string& kind) {
  if (kind == "Standard") return "STANDARD";
  if (kind == "Failover") return "FAILOVER";
  if (kind == "Merge") return "MERGE";
  if (kind == "MediaConnectFlow") return "MEDIACONNECT_FLOW";
  return "MEDIALIVE_CHANNEL";
}

// RouterInputProtocol names the member of RouterInputProtocolConfiguration.
std::string input_protocol_name(const std::string& member) {
  if (member == "Rtp") return "RTP";
  if (member == "Rist") return "RIST";
  if (member == "SrtListener") return "SRT_LISTENER";
  return "SRT_CALLER";
}

int listen_port(const json& protocol_config) {
  return protocol_config.begin().value().value("Port", 0);
}

// Two sources of one protocol on distinct ports: what failover and merge switch between.
void check_source_pair(const json& protocols, const std::string& path, std::initializer_list<const char*> allowed) {
  if (protocols.size() != 2) throw api::bad_request(path + " needs exactly two protocol configurations, one per source");
  std::set<std::string> kinds;
  for (size_t i = 0; i < protocols.size(); ++i) {
    const std::string kind = union_member(protocols[i], path + "[" + std::to_string(i) + "]");
    if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return kind == a; }) == allowed.end())
      throw api::bad_request(path + "[" + std::to_string(i) + "] sets " + kind + ", which this input type does not take");
    kinds.insert(kind);
  }
  if (kinds.size() != 1) throw api::bad_request(path + ": both sources use the same protocol");
  const int a = listen_port(protocols[0]), b = listen_port(protocols[1]);
  if (a != 0 && a == b) throw api::bad_request(path + ": the two sources listen on port " + std::to_string(a) + "; give each its own port");
}

// Checks a Configuration against its input type's rules and the resources it names; returns it
// with Standard's Protocol filled in (the member the protocol configuration sets).
json checked_input_configuration(Domain& domain, const CallContext& ctx, const json& config, const std::string& region) {
  json out = config;
  const std::string kind = union_member(config, "Configuration");
  json& body = out[kind];
  if (kind == "Standard" || kind == "Failover" || kind == "Merge")
    usable_network_interface(domain, ctx, str(body, "NetworkInterfaceArn"), region);
  if (kind == "Standard") {
    const std::string member = union_member(body.value("ProtocolConfiguration", json::object()), "Configuration.Standard.ProtocolConfiguration");
    if (body.contains("Protocol") && str(body, "Protocol") != input_protocol_name(member)) {
      throw api::bad_request("Configuration.Standard.Protocol " + str(body, "Protocol") + " does not match its ProtocolConfiguration, which sets " + member);
    }
    body["Protocol"] = input_protocol_name(member);
  } else if (kind == "Failover") {
    check_source_pair(body.value("ProtocolConfigurations", json::array()), "Configuration.Failover.ProtocolConfigurations",
                      {"Rtp", "Rist", "SrtListener", "SrtCaller"});
    if (str(body, "SourcePriorityMode") == "PRIMARY_SECONDARY" && !body.contains("PrimarySourceIndex"))
      throw api::bad_request("Configuration.Failover.PrimarySourceIndex (0 or 1) is required when SourcePriorityMode is PRIMARY_SECONDARY");
  } else if (kind == "Merge") {
    check_source_pair(body.value("ProtocolConfigurations", json::array()), "Configuration.Merge.ProtocolConfigurations", {"Rtp", "Rist"});
    if (body.value("MergeRecoveryWindowMilliseconds", int64_t{0}) <= 0)
      throw api::bad_request("Configuration.Merge.MergeRecoveryWindowMilliseconds must be a positive number of milliseconds");
  } else if (kind == "MediaConnectFlow") {
    const std::string flow_arn = str(body, "FlowArn"), output_arn = str(body, "FlowOutputArn");
    if (!output_arn.empty() && flow_arn.empty())
      throw api::bad_request("Configuration.MediaConnectFlow.FlowOutputArn needs the FlowArn of the flow it belongs to");
    if (!flow_arn.empty()) {
      const Record* flow = nullptr;
      try {
        flow = &require_flow(domain, ctx, flow_arn);
      } catch (const api::ApiError&) {
        throw api::bad_request("Configuration.MediaConnectFlow.FlowArn " + flow_arn + " names no flow in " + ctx.region);
      }
      bool found = output_arn.empty();
      for (const auto& o : flow->doc.value("Outputs", json::array())) found = found || str(o, "OutputArn") == output_arn;
      if (!found) throw api::bad_request("Configuration.MediaConnectFlow.FlowOutputArn " + output_arn + " is not an output of flow " + flow_arn);
    }
  } else if (kind == "MediaLiveChannel") {
    const std::string channel = str(body, "MediaLiveChannelArn");
    if (!channel.empty() && !domain.find_by_arn(channel))
      throw api::bad_request("Configuration.MediaLiveChannel.MediaLiveChannelArn " + channel + " names no MediaLive channel");
  } else {
    throw api::bad_request("Configuration sets " + kind + ", which is not a router input configuration");
  }
  return out;
}

// StreamDetails mirrors the configuration's type; the source addresses are not known here.
json stream_details(const std::string& kind) {
  if (kind == "Failover" || kind == "Merge")
    return {{kind, {{"SourceIndexZeroStreamDetails", {{"SourceIndex", 0}}}, {"SourceIndexOneStreamDetails", {{"SourceIndex", 1}}}}}};
  return {{kind, json::object()}};
}

void apply_input_configuration(json& doc, const json& config, const Config& server) {
  const std::string kind = config.begin().key();
  doc["Configuration"] = config;
  doc["InputType"] = input_type_of(kind);
  doc["StreamDetails"] = stream_details(kind);
  // Where senders reach the input: this machine, for the types that listen on a network interface.
  if (kind == "Standard" || kind == "Failover" || kind == "Merge") doc["IpAddress"] = server.url_host();
  else doc.erase("IpAddress");
}

json listed_input(Domain& domain, const Record& r) {
  json v = view_router_input(domain, r);
  json listed = {{"MessageCount", v["Messages"].size()}};
  for (const char* m : {"Name", "Arn", "Id", "InputType", "State", "RoutedOutputs", "RegionName", "AvailabilityZone",
                        "MaximumBitrate", "RoutingScope", "CreatedAt", "UpdatedAt", "MaintenanceScheduleType", "MaintenanceSchedule"})
    if (v.contains(m)) listed[m] = v[m];
  for (const auto& [kind, body] : v["Configuration"].items())
    if (body.is_object() && body.contains("NetworkInterfaceArn")) listed["NetworkInterfaceArn"] = body["NetworkInterfaceArn"];
  return listed;
}

json create_router_input(Domain& domain, const CallContext& ctx, const json& in) {
  const std::string region = router_region(ctx, in);
  const std::string zone = checked_router_zone(in, region);
  auto tx = domain.write();
  if (const Record* existing = created_with_token(domain, ctx, kInputType, in)) return {{"RouterInput", view_router_input(domain, *existing)}};
  const json config = checked_input_configuration(domain, ctx, in.value("Configuration", json::object()), region);
  const std::string id = random_hex(6), now = router_time(*tx);
  json doc = new_router_doc(ctx, in, kInputType, region, zone, id, now);
  // Without a request, transit encryption uses a key MediaConnect manages (AUTOMATIC).
  doc["TransitEncryption"] = in.value("TransitEncryption", json{{"EncryptionKeyType", "AUTOMATIC"},
                                                                {"EncryptionKeyConfiguration", {{"Automatic", json::object()}}}});
  if (doc["TransitEncryption"].contains("EncryptionKeyConfiguration"))
    union_member(doc["TransitEncryption"]["EncryptionKeyConfiguration"], "TransitEncryption.EncryptionKeyConfiguration");
  apply_input_configuration(doc, config, domain.config());
  set_maintenance(doc, in.value("MaintenanceConfiguration", json()));
  Record& r = tx->create({kRouterInput, region, id}, doc, {{"client_token", str(in, "ClientToken")}, {"running", false}});
  tx->schedule(r.key, "STANDBY");
  json out = {{"RouterInput", view_router_input(domain, r)}};
  tx->commit();
  spdlog::info("mediaconnect: created {} router input {}", str(doc, "InputType"), str(doc, "Arn"));
  return out;
}

json get_router_input(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  json view;
  bool running = false;
  {
    auto lock = domain.read();
    const Record& r = require_router(domain, ctx, kInputType, str(in, "Arn"));
    view = view_router_input(domain, r);
    running = r.internal.value("running", false);
  }
  view["Messages"] = router_input_messages(view, running, flows);  // asks the data plane, not under the lock
  return {{"RouterInput", view}};
}

json list_router_inputs(Domain& domain, const CallContext& ctx, const json& in) {
  const json filters = in.value("Filters", json::array());
  auto lock = domain.read();
  std::vector<const Record*> matching;
  for (const Record* r : router_records(domain, ctx, kInputType)) {
    std::string interface;
    for (const auto& [kind, body] : r->doc["Configuration"].items())
      if (body.is_object()) interface = str(body, "NetworkInterfaceArn");
    if (filter_allows(filters, "RegionNames", r->key.region) && filter_allows(filters, "InputTypes", str(r->doc, "InputType")) &&
        filter_allows(filters, "RoutingScopes", str(r->doc, "RoutingScope")) &&
        filter_allows(filters, "NetworkInterfaceArns", interface) && name_filter_allows(filters, str(r->doc, "Name")))
      matching.push_back(r);
  }
  Page page = paginate(matching, in, 100);
  json out = {{"RouterInputs", json::array()}};
  for (const Record* r : page.items) out["RouterInputs"].push_back(listed_input(domain, *r));
  put_next_token(out, page);
  return out;
}

json update_router_input(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  return update_router_io(
      domain, flows, ctx, kInputType, in,
      [&](Tx&, json& doc) {
        for (const char* m : {"MaximumBitrate", "Tier", "RoutingScope", "TransitEncryption"}) copy_member(doc, in, m);
        check_tier_bitrate(str(doc, "Tier"), doc.value("MaximumBitrate", int64_t{0}));
        if (in.contains("Configuration"))
          apply_input_configuration(doc, checked_input_configuration(domain, ctx, in["Configuration"], str(doc, "RegionName")), domain.config());
      },
      [&domain](const Record& r) { return json{{"RouterInput", view_router_input(domain, r)}}; });
}

// Deleting an input takes it off the outputs routed to it: they become UNROUTED (an output
// "maintains its input assignment" only while that input exists).
void unroute_outputs(Tx& tx, const Record& input) {
  const std::string arn = str(input.doc, "Arn");
  for (const Record* o : tx.domain().list_all(kRouterOutput)) {
    if (str(o->doc, "RoutedInputArn") != arn) continue;
    Record& out = tx.modify(o->key);
    out.doc.erase("RoutedInputArn");
    out.doc["RoutedState"] = "UNROUTED";
    out.doc["UpdatedAt"] = router_time(tx);
  }
}

// A thumbnail is a decoded video frame, and source metadata the programs and streams of the
// transport stream the input receives. The control plane keeps neither: no frame is decoded and
// no stream parsed for a router input here, so these answer 501 naming the operation rather
// than an invented picture or program table.
[[noreturn]] void no_media_inspection(Domain& domain, const CallContext& ctx, const json& in, const std::string& operation,
                                      const std::string& what) {
  {
    auto lock = domain.read();
    require_router(domain, ctx, kInputType, str(in, "Arn"));  // an unknown input is still a 404
  }
  throw api::ApiError(api::ErrorKind::NotImplemented, "mediaemu does not implement MediaConnect " + operation + ": it " + what +
                                                          " for router inputs");
}

}  // namespace

json view_router_input(Domain& domain, const Record& r) {
  json v = r.doc;
  const std::string arn = str(r.doc, "Arn");
  int routed = 0;
  for (const Record* o : domain.list_all(kRouterOutput)) routed += str(o->doc, "RoutedInputArn") == arn;
  v["RoutedOutputs"] = routed;
  return v;
}

void add_router_input_operations(api::OperationTable& t, Domain& d, flow::FlowControl& f) {
  t["CreateRouterInput"] = [&d](const CallContext& c, const json& in) { return create_router_input(d, c, in); };
  t["GetRouterInput"] = [&d, &f](const CallContext& c, const json& in) { return get_router_input(d, f, c, in); };
  t["BatchGetRouterInput"] = [&d](const CallContext& c, const json& in) {
    return batch_get(d, c, kInputType, in, "RouterInputs", [&d](const Record& r) { return view_router_input(d, r); });
  };
  t["ListRouterInputs"] = [&d](const CallContext& c, const json& in) { return list_router_inputs(d, c, in); };
  t["UpdateRouterInput"] = [&d, &f](const CallContext& c, const json& in) { return update_router_input(d, f, c, in); };
  t["DeleteRouterInput"] = [&d](const CallContext& c, const json& in) { return delete_router_io(d, c, kInputType, in, unroute_outputs); };
  t["StartRouterInput"] = [&d](const CallContext& c, const json& in) { return start_router_io(d, c, kInputType, in); };
  t["StopRouterInput"] = [&d, &f](const CallContext& c, const json& in) { return stop_router_io(d, f, c, kInputType, in); };
  t["RestartRouterInput"] = [&d, &f](const CallContext& c, const json& in) { return restart_router_io(d, f, c, kInputType, in); };
  t["GetRouterInputThumbnail"] = [&d](const CallContext& c, const json& in) -> json {
    no_media_inspection(d, c, in, "GetRouterInputThumbnail", "decodes no video frames");
  };
  t["GetRouterInputSourceMetadata"] = [&d](const CallContext& c, const json& in) -> json {
    no_media_inspection(d, c, in, "GetRouterInputSourceMetadata", "parses no transport stream programs");
  };
  d.on_transition(kRouterInput, [&f](Tx& tx, const Key& key, const std::string& to) { settle_router_io(f, tx, key, to); });
}

}  // namespace mediaemu::mediaconnect
