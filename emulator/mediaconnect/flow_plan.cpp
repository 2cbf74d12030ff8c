// A flow's document -> the plan its relay runs (pipeline/flow/flow_plan.hpp). Entitled sources
// have no port (their content would come over AWS from another account) and are left out.
#include "emulator/mediaconnect/mediaconnect.hpp"

namespace mediaemu::mediaconnect {

flow::FlowPlan flow_plan(const json& doc, const Config& config) {
  flow::FlowPlan plan;
  plan.flow_arn = str(doc, "FlowArn");
  for (const auto& s : doc["Sources"]) {
    if (s.contains("EntitlementArn")) continue;
    flow::SourcePlan source;
    source.name = str(s, "Name");
    source.protocol = str(s.value("Transport", json::object()), "Protocol");
    source.bind_host = config.host.empty() ? "127.0.0.1" : config.host;
    source.port = static_cast<uint16_t>(s.value("IngestPort", 0));
    source.whitelist_cidr = str(s, "WhitelistCidr");
    plan.sources.push_back(std::move(source));
  }
  for (const auto& o : doc["Outputs"]) {
    flow::OutputPlan output;
    output.name = str(o, "Name");
    output.protocol = str(o.value("Transport", json::object()), "Protocol");
    output.destination = str(o, "Destination");
    output.port = static_cast<uint16_t>(o.value("Port", 0));
    output.enabled = str(o, "OutputStatus") != "DISABLED";
    plan.outputs.push_back(std::move(output));
  }
  const json& failover = doc.value("SourceFailoverConfig", json::object());
  plan.failover_enabled = str(failover, "State") == "ENABLED";
  plan.mode = str(failover, "FailoverMode") == "MERGE" ? flow::FailoverMode::Merge : flow::FailoverMode::Failover;
  plan.recovery_window_ms = failover.value("RecoveryWindow", 200);
  plan.primary_source = str(failover.value("SourcePriority", json::object()), "PrimarySource");
  return plan;
}

}  // namespace mediaemu::mediaconnect
