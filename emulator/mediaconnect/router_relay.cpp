// The routers' data plane: a running router input is a relay of pipeline/flow (the code a flow
// runs, through the same FlowControl), keyed by the input's ARN. Its sources come from the
// input's configuration (one for STANDARD, two for FAILOVER and MERGE, switched or merged the
// way a flow's failover does), bound on this machine's address at the configured ports, and
// accepting the senders its PUBLIC network interface's AllowRules allow; its outputs are the
// running STANDARD outputs routed to it. The relay carries RTP (with or without FEC, media
// packets only); RIST and SRT are kept by the control plane and reported in Messages, as are
// inputs fed by a flow or a MediaLive channel and outputs into one: no media crosses those here.
#include <spdlog/spdlog.h>

#include "emulator/mediaconnect/routers.hpp"

namespace mediaemu::mediaconnect {
namespace {

// The relay's protocol names (pipeline/flow/flow_plan.hpp) for a RouterInput/OutputProtocol
// configuration member.
std::string relay_protocol(const std::string& member, const json& body) {
  if (member == "Rtp") return str(body, "ForwardErrorCorrection") == "ENABLED" ? "rtp-fec" : "rtp";
  if (member == "Rist") return "rist";
  if (member == "SrtListener") return "srt-listener";
  return "srt-caller";
}

// PUBLIC: the AllowRules, comma-separated as the relay takes several; none allows no sender
// ("you must specify allowed IP addresses (CIDRs)",
// https://docs.aws.amazon.com/mediaconnect/latest/ug/managing-router-network-interfaces.html),
// and 0.0.0.0/32 contains no address a datagram comes from. VPC: security groups are not
// modelled here, so any sender.
std::string allowed_senders(Domain& domain, const std::string& interface_arn) {
  const Record* ni = domain.find_by_arn(interface_arn);
  if (!ni || !ni->doc["Configuration"].contains("Public")) return "";
  std::string cidrs;
  for (const auto& rule : ni->doc["Configuration"]["Public"].value("AllowRules", json::array()))
    cidrs += (cidrs.empty() ? "" : ",") + str(rule, "Cidr");
  return cidrs.empty() ? "0.0.0.0/32" : cidrs;
}

flow::SourcePlan source_plan(const std::string& name, const json& protocol_config, const std::string& whitelist,
                             const Config& config) {
  const std::string member = protocol_config.begin().key();
  const json& body = protocol_config.begin().value();
  flow::SourcePlan s;
  s.name = name;
  s.protocol = relay_protocol(member, body);
  s.bind_host = config.host.empty() ? "127.0.0.1" : config.host;
  s.port = static_cast<uint16_t>(body.value("Port", 0));
  s.whitelist_cidr = whitelist;
  return s;
}

void add_sources(Domain& domain, const json& input, flow::FlowPlan& plan) {
  const std::string name = str(input, "Name");
  const std::string kind = input["Configuration"].begin().key();
  const json& body = input["Configuration"].begin().value();
  if (kind != "Standard" && kind != "Failover" && kind != "Merge") return;  // fed by a flow or a channel
  const std::string whitelist = allowed_senders(domain, str(body, "NetworkInterfaceArn"));
  const Config& config = domain.config();
  if (kind == "Standard") {
    plan.sources.push_back(source_plan(name, body["ProtocolConfiguration"], whitelist, config));
    return;
  }
  const json& protocols = body["ProtocolConfigurations"];
  for (size_t i = 0; i < protocols.size(); ++i)
    plan.sources.push_back(source_plan(name + " source " + std::to_string(i), protocols[i], whitelist, config));
  plan.failover_enabled = true;
  if (kind == "Merge") {
    plan.mode = flow::FailoverMode::Merge;
    plan.recovery_window_ms = static_cast<int>(body.value("MergeRecoveryWindowMilliseconds", int64_t{200}));
  } else if (str(body, "SourcePriorityMode") == "PRIMARY_SECONDARY") {
    plan.primary_source = plan.sources.at(body.value("PrimarySourceIndex", 0) == 1 ? 1 : 0).name;
  }
}

}  // namespace

flow::FlowPlan router_relay_plan(Domain& domain, const Record& input) {
  flow::FlowPlan plan;
  plan.flow_arn = str(input.doc, "Arn");
  add_sources(domain, input.doc, plan);
  for (const Record* o : domain.list_all(kRouterOutput)) {
    if (str(o->doc, "RoutedInputArn") != plan.flow_arn || !o->internal.value("running", false)) continue;
    const json& standard = o->doc["Configuration"].value("Standard", json::object());
    if (standard.empty()) continue;  // into a flow or a MediaLive input: reported in its Messages
    const std::string member = standard["ProtocolConfiguration"].begin().key();
    const json& body = standard["ProtocolConfiguration"].begin().value();
    flow::OutputPlan out;
    out.name = str(o->doc, "Arn");  // the relay's messages name the output by its ARN
    out.protocol = relay_protocol(member, body);
    out.destination = str(body, "DestinationAddress");
    out.port = static_cast<uint16_t>(body.value("DestinationPort", 0));
    plan.outputs.push_back(std::move(out));
  }
  return plan;
}

void refresh_router_relay(Tx& tx, flow::FlowControl& flows, const std::string& input_arn) {
  if (input_arn.empty()) return;
  Domain& domain = tx.domain();
  const Record* input = domain.find_by_arn(input_arn);
  const uint64_t order = domain.next_sequence();
  if (!input || input->key.kind != kRouterInput || !input->internal.value("running", false)) {
    tx.after_commit([&flows, input_arn, order] { flows.stop(input_arn, order); });
    return;
  }
  flow::FlowPlan plan = router_relay_plan(domain, *input);
  plan.order = order;
  tx.after_commit([&flows, plan = std::move(plan)] { flows.start(plan); });
}

json router_input_messages(const json& input, bool running, flow::FlowControl& flows) {
  json messages = json::array();
  if (!running) return messages;
  const std::string type = str(input, "InputType");
  if (type == "MEDIACONNECT_FLOW" || type == "MEDIALIVE_CHANNEL") {
    messages.push_back({{"Code", "MEDIAEMU_NOT_RELAYED"},
                        {"Message", "mediaemu carries no media from a " +
                                        std::string(type == "MEDIACONNECT_FLOW" ? "MediaConnect flow" : "MediaLive channel") +
                                        " into a router input; this input receives nothing"}});
  }
  for (const auto& error : flows.errors(str(input, "Arn"))) messages.push_back({{"Code", "MEDIAEMU_DATA_PLANE"}, {"Message", error}});
  return messages;
}

json router_output_messages(const json& output, bool running, const std::string& routed_input_arn, flow::FlowControl& flows) {
  json messages = json::array();
  if (!running) return messages;
  if (str(output, "OutputType") != "STANDARD") {
    messages.push_back({{"Code", "MEDIAEMU_NOT_RELAYED"},
                        {"Message", "mediaemu carries no media from a router output into a " +
                                        std::string(str(output, "OutputType") == "MEDIACONNECT_FLOW" ? "MediaConnect flow" : "MediaLive input") +
                                        "; this output sends nothing"}});
    return messages;
  }
  if (routed_input_arn.empty()) return messages;
  const std::string arn = str(output, "Arn");
  for (const auto& error : flows.errors(routed_input_arn))
    if (error.find(arn) != std::string::npos) messages.push_back({{"Code", "MEDIAEMU_DATA_PLANE"}, {"Message", error}});
  return messages;
}

void resume_router_relays(Domain& domain, flow::FlowControl& flows) {
  std::vector<flow::FlowPlan> plans;
  {
    auto lock = domain.read();
    for (const Record* r : domain.list_all(kRouterInput)) {
      if (!r->internal.value("running", false)) continue;
      plans.push_back(router_relay_plan(domain, *r));
      plans.back().order = domain.next_sequence();
    }
  }
  for (const auto& plan : plans) flows.start(plan);
  if (!plans.empty()) spdlog::info("mediaconnect: resumed {} running router input(s)", plans.size());
}

}  // namespace mediaemu::mediaconnect
