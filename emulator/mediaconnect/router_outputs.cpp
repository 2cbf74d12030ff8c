// MediaConnect router outputs: Create, Get, BatchGet, List, Update, Delete, Start, Stop and
// Restart RouterOutput, and TakeRouterInput, which routes an input to an output.
// "Router outputs deliver your content to destinations" (Standard: Rtp, Rist, SrtCaller or
// SrtListener on a router network interface), or into a MediaConnect flow or a MediaLive input
// (https://docs.aws.amazon.com/mediaconnect/latest/api/API_RouterOutputConfiguration.html).
// Routing (https://docs.aws.amazon.com/mediaconnect/latest/ug/assigning-route.html): "outputs
// are unassigned by default. You can take (assign) an input from any compatible output,
// regardless of whether the output is active or in standby", and routing changes "take effect
// immediately": TakeRouterInput answers ROUTED (UNROUTED when it names no input, which removes
// the route). A REGIONAL input or output routes only within its region (RoutingScope).
#include <spdlog/spdlog.h>

#include "emulator/mediaconnect/routers.hpp"

namespace mediaemu::mediaconnect {
namespace {

const char* output_type_of(const std::string& kind) {
  if (kind == "Standard") return "STANDARD";
  if (kind == "MediaConnectFlow") return "MEDIACONNECT_FLOW";
  return "MEDIALIVE_INPUT";
}

std::string output_protocol_name(const std::string& member) {
  if (member == "Rtp") return "RTP";
  if (member == "Rist") return "RIST";
  if (member == "SrtListener") return "SRT_LISTENER";
  return "SRT_CALLER";
}

json checked_output_configuration(Domain& domain, const CallContext& ctx, const json& config, const std::string& region) {
  json out = config;
  const std::string kind = union_member(config, "Configuration");
  json& body = out[kind];
  if (kind == "Standard") {
    usable_network_interface(domain, ctx, str(body, "NetworkInterfaceArn"), region);
    const std::string member = union_member(body.value("ProtocolConfiguration", json::object()), "Configuration.Standard.ProtocolConfiguration");
    if (body.contains("Protocol") && str(body, "Protocol") != output_protocol_name(member)) {
      throw api::bad_request("Configuration.Standard.Protocol " + str(body, "Protocol") + " does not match its ProtocolConfiguration, which sets " + member);
    }
    body["Protocol"] = output_protocol_name(member);
    const json& protocol = body["ProtocolConfiguration"][member];
    if (member != "SrtListener" && str(protocol, "DestinationAddress").empty())
      throw api::bad_request("Configuration.Standard.ProtocolConfiguration." + member + ".DestinationAddress is required");
  } else if (kind == "MediaConnectFlow") {
    const std::string flow_arn = str(body, "FlowArn"), source_arn = str(body, "FlowSourceArn");
    if (!source_arn.empty() && flow_arn.empty())
      throw api::bad_request("Configuration.MediaConnectFlow.FlowSourceArn needs the FlowArn of the flow it belongs to");
    if (!flow_arn.empty()) {
      const Record* flow = nullptr;
      try {
        flow = &require_flow(domain, ctx, flow_arn);
      } catch (const api::ApiError&) {
        throw api::bad_request("Configuration.MediaConnectFlow.FlowArn " + flow_arn + " names no flow in " + ctx.region);
      }
      bool found = source_arn.empty();
      for (const auto& s : flow->doc.value("Sources", json::array())) found = found || str(s, "SourceArn") == source_arn;
      if (!found) throw api::bad_request("Configuration.MediaConnectFlow.FlowSourceArn " + source_arn + " is not a source of flow " + flow_arn);
    }
  } else if (kind == "MediaLiveInput") {
    const std::string input = str(body, "MediaLiveInputArn");
    if (!input.empty() && !domain.find_by_arn(input))
      throw api::bad_request("Configuration.MediaLiveInput.MediaLiveInputArn " + input + " names no MediaLive input");
  } else {
    throw api::bad_request("Configuration sets " + kind + ", which is not a router output configuration");
  }
  return out;
}

void apply_output_configuration(json& doc, const json& config, const Config& server) {
  const std::string kind = config.begin().key();
  doc["Configuration"] = config;
  doc["OutputType"] = output_type_of(kind);
  json details = json::object();
  if (kind == "Standard") {
    const json& protocol = config[kind]["ProtocolConfiguration"].begin().value();
    if (protocol.contains("DestinationAddress")) details["DestinationIpAddress"] = protocol["DestinationAddress"];
    doc["IpAddress"] = server.url_host();  // where the output sends from (and an SRT listener listens)
  } else {
    doc.erase("IpAddress");
  }
  doc["StreamDetails"] = {{kind, details}};
}

json listed_output(Domain& domain, const Record& r) {
  json v = view_router_output(domain, r);
  json listed = {{"MessageCount", v["Messages"].size()}};
  for (const char* m : {"Name", "Arn", "Id", "OutputType", "State", "RoutedState", "RegionName", "AvailabilityZone", "MaximumBitrate",
                        "RoutingScope", "CreatedAt", "UpdatedAt", "RoutedInputArn", "MaintenanceScheduleType", "MaintenanceSchedule"})
    if (v.contains(m)) listed[m] = v[m];
  const json& standard = v["Configuration"].value("Standard", json::object());
  if (standard.contains("NetworkInterfaceArn")) listed["NetworkInterfaceArn"] = standard["NetworkInterfaceArn"];
  return listed;
}

json create_router_output(Domain& domain, const CallContext& ctx, const json& in) {
  const std::string region = router_region(ctx, in);
  const std::string zone = checked_router_zone(in, region);
  auto tx = domain.write();
  if (const Record* existing = created_with_token(domain, ctx, kOutputType, in)) return {{"RouterOutput", view_router_output(domain, *existing)}};
  const json config = checked_output_configuration(domain, ctx, in.value("Configuration", json::object()), region);
  const std::string id = random_hex(6), now = router_time(*tx);
  json doc = new_router_doc(ctx, in, kOutputType, region, zone, id, now);
  doc["RoutedState"] = "UNROUTED";
  apply_output_configuration(doc, config, domain.config());
  set_maintenance(doc, in.value("MaintenanceConfiguration", json()));
  Record& r = tx->create({kRouterOutput, region, id}, doc, {{"client_token", str(in, "ClientToken")}, {"running", false}});
  tx->schedule(r.key, "STANDBY");
  json out = {{"RouterOutput", view_router_output(domain, r)}};
  tx->commit();
  spdlog::info("mediaconnect: created {} router output {}", str(doc, "OutputType"), str(doc, "Arn"));
  return out;
}

json get_router_output(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  json view;
  bool running = false;
  {
    auto lock = domain.read();
    const Record& r = require_router(domain, ctx, kOutputType, str(in, "Arn"));
    view = view_router_output(domain, r);
    running = r.internal.value("running", false);
  }
  view["Messages"] = router_output_messages(view, running, str(view, "RoutedInputArn"), flows);
  return {{"RouterOutput", view}};
}

json list_router_outputs(Domain& domain, const CallContext& ctx, const json& in) {
  const json filters = in.value("Filters", json::array());
  auto lock = domain.read();
  std::vector<const Record*> matching;
  for (const Record* r : router_records(domain, ctx, kOutputType)) {
    const std::string interface = str(r->doc["Configuration"].value("Standard", json::object()), "NetworkInterfaceArn");
    if (filter_allows(filters, "RegionNames", r->key.region) && filter_allows(filters, "OutputTypes", str(r->doc, "OutputType")) &&
        filter_allows(filters, "RoutingScopes", str(r->doc, "RoutingScope")) &&
        filter_allows(filters, "NetworkInterfaceArns", interface) &&
        filter_allows(filters, "RoutedInputArns", str(r->doc, "RoutedInputArn")) && name_filter_allows(filters, str(r->doc, "Name")))
      matching.push_back(r);
  }
  Page page = paginate(matching, in, 100);
  json out = {{"RouterOutputs", json::array()}};
  for (const Record* r : page.items) out["RouterOutputs"].push_back(listed_output(domain, *r));
  put_next_token(out, page);
  return out;
}

json update_router_output(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  return update_router_io(
      domain, flows, ctx, kOutputType, in,
      [&](Tx&, json& doc) {
        for (const char* m : {"MaximumBitrate", "Tier", "RoutingScope"}) copy_member(doc, in, m);
        check_tier_bitrate(str(doc, "Tier"), doc.value("MaximumBitrate", int64_t{0}));
        if (in.contains("Configuration"))
          apply_output_configuration(doc, checked_output_configuration(domain, ctx, in["Configuration"], str(doc, "RegionName")), domain.config());
      },
      [&domain](const Record& r) { return json{{"RouterOutput", view_router_output(domain, r)}}; });
}

json take_router_input(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require_router(domain, ctx, kOutputType, str(in, "RouterOutputArn"));
  const std::string state = str(current.doc, "State");
  if (state == "CREATING" || state == "DELETING") {
    throw api::conflict("Router output " + str(current.doc, "Arn") + " is " + state +
                        "; an input can be taken once it is created and until it is deleted");
  }
  const std::string input_arn = str(in, "RouterInputArn");
  json out = {{"RouterOutputArn", current.doc["Arn"]}, {"RouterOutputName", current.doc["Name"]}};
  const std::string previous = str(current.doc, "RoutedInputArn");
  if (!input_arn.empty()) {
    const Record& input = require_router(domain, ctx, kInputType, input_arn);
    if (str(input.doc, "State") == "DELETING") throw api::conflict("Router input " + input_arn + " is being deleted");
    const bool regional = str(input.doc, "RoutingScope") == "REGIONAL" || str(current.doc, "RoutingScope") == "REGIONAL";
    if (regional && input.key.region != current.key.region) {
      throw api::bad_request("Router input " + input_arn + " is in " + input.key.region + " and router output " +
                             str(current.doc, "Arn") + " in " + current.key.region +
                             "; a REGIONAL input or output routes only within its region (use RoutingScope GLOBAL)");
    }
    out["RouterInputArn"] = input_arn;
    out["RouterInputName"] = input.doc["Name"];
  }
  Record& r = tx->modify(current.key);
  if (input_arn.empty()) r.doc.erase("RoutedInputArn");
  else r.doc["RoutedInputArn"] = input_arn;
  r.doc["RoutedState"] = input_arn.empty() ? "UNROUTED" : "ROUTED";
  r.doc["UpdatedAt"] = router_time(*tx);
  out["RoutedState"] = r.doc["RoutedState"];
  if (previous != input_arn) refresh_router_relay(*tx, flows, previous);
  refresh_router_relay(*tx, flows, input_arn);
  tx->commit();
  spdlog::info("mediaconnect: router output {} takes {}", str(out, "RouterOutputArn"), input_arn.empty() ? "no input" : input_arn);
  return out;
}

}  // namespace

json view_router_output(Domain&, const Record& r) { return r.doc; }

void add_router_output_operations(api::OperationTable& t, Domain& d, flow::FlowControl& f) {
  t["CreateRouterOutput"] = [&d](const CallContext& c, const json& in) { return create_router_output(d, c, in); };
  t["GetRouterOutput"] = [&d, &f](const CallContext& c, const json& in) { return get_router_output(d, f, c, in); };
  t["BatchGetRouterOutput"] = [&d](const CallContext& c, const json& in) {
    return batch_get(d, c, kOutputType, in, "RouterOutputs", [&d](const Record& r) { return view_router_output(d, r); });
  };
  t["ListRouterOutputs"] = [&d](const CallContext& c, const json& in) { return list_router_outputs(d, c, in); };
  t["UpdateRouterOutput"] = [&d, &f](const CallContext& c, const json& in) { return update_router_output(d, f, c, in); };
  t["DeleteRouterOutput"] = [&d](const CallContext& c, const json& in) { return delete_router_io(d, c, kOutputType, in); };
  t["StartRouterOutput"] = [&d](const CallContext& c, const json& in) { return start_router_io(d, c, kOutputType, in); };
  t["StopRouterOutput"] = [&d, &f](const CallContext& c, const json& in) { return stop_router_io(d, f, c, kOutputType, in); };
  t["RestartRouterOutput"] = [&d, &f](const CallContext& c, const json& in) { return restart_router_io(d, f, c, kOutputType, in); };
  t["TakeRouterInput"] = [&d, &f](const CallContext& c, const json& in) { return take_router_input(d, f, c, in); };
  d.on_transition(kRouterOutput, [&f](Tx& tx, const Key& key, const std::string& to) { settle_router_io(f, tx, key, to); });
}

}  // namespace mediaemu::mediaconnect
