// MediaLive workflow monitor signal maps: CreateSignalMap, GetSignalMap, ListSignalMaps,
// StartUpdateSignalMap, DeleteSignalMap.
//
// A signal map is discovered from its DiscoveryEntryPointArn: CREATE_IN_PROGRESS settles (on the
// domain clock, --state-delay) to CREATE_COMPLETE with the MediaResourceMap filled in, or to
// CREATE_FAILED with an ErrorMessage when the entry point names no resource mediaemu has;
// StartUpdateSignalMap goes UPDATE_IN_PROGRESS -> UPDATE_COMPLETE / UPDATE_FAILED likewise.
// Discovery here finds the entry point and, for a MediaLive channel, its attached inputs as
// sources (AWS follows the whole workflow: MediaConnect, MediaPackage, CloudFront...). No change
// while a status is *_IN_PROGRESS (409). Monitor deployment (StartMonitorDeployment,
// StartDeleteMonitorDeployment: CloudWatch alarms and EventBridge rules made from the
// templates) is not emulated and answers 501; MonitorDeployment stays NOT_DEPLOYED.
// https://docs.aws.amazon.com/medialive/latest/apireference/signal-maps.html
// https://docs.aws.amazon.com/mediapackage/latest/ug/monitor-with-workflow-monitor-configure-signal-maps.html
// https://docs.aws.amazon.com/medialive/latest/ug/monitor-with-workflow-monitor-configure-deploy.html
#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/timestamps.hpp"
#include "emulator/medialive/medialive.hpp"

namespace mediaemu::medialive {
namespace signal_map_ops {

Key signal_map_key(const CallContext& ctx, const std::string& id) { return {kSignalMap, ctx.region, id}; }

std::string signal_map_time(const Tx& tx) { return api::format_iso8601(static_cast<double>(tx.now_ms()) / 1000.0); }

bool in_progress(const Record& r) {
  const std::string status = str(r.doc, "Status");
  return status.size() > 12 && status.compare(status.size() - 12, 12, "_IN_PROGRESS") == 0;
}

// The signal map the request names, if it is not in the middle of a create or update (409).
const Record& settled_signal_map(const Domain& domain, const CallContext& ctx, const json& in) {
  const Record& current = require_by_identifier(domain, ctx, kSignalMap, str(in, "Identifier"), "Signal map");
  if (in_progress(current))
    throw api::conflict("Signal map " + current.key.id + " is " + str(current.doc, "Status") + "; wait until it settles");
  return current;
}

// Template group identifiers (ids or names) as the ids the signal map keeps; 404 for an unknown one.
json resolve_groups(const Domain& domain, const CallContext& ctx, const json& identifiers, const std::string& kind,
                    const std::string& what) {
  json ids = json::array();
  for (const auto& identifier : identifiers) {
    std::string id = require_by_identifier(domain, ctx, kind, identifier.get<std::string>(), what).key.id;
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  return ids;
}

void put_groups(const Domain& domain, const CallContext& ctx, json& doc, const json& in) {
  if (in.contains("CloudWatchAlarmTemplateGroupIdentifiers"))
    doc["CloudWatchAlarmTemplateGroupIds"] = resolve_groups(domain, ctx, in["CloudWatchAlarmTemplateGroupIdentifiers"],
                                                            kCloudWatchAlarmTemplateGroup, "CloudWatch alarm template group");
  if (in.contains("EventBridgeRuleTemplateGroupIdentifiers"))
    doc["EventBridgeRuleTemplateGroupIds"] = resolve_groups(domain, ctx, in["EventBridgeRuleTemplateGroupIdentifiers"],
                                                            kEventBridgeRuleTemplateGroup, "EventBridge rule template group");
}

void check_entry_point(const std::string& entry_point) {
  if (entry_point.rfind("arn:", 0) != 0 || std::count(entry_point.begin(), entry_point.end(), ':') < 5)
    throw api::bad_request("DiscoveryEntryPointArn '" + entry_point + "' is not an ARN");
}

void check_signal_map_name(const Domain& domain, const CallContext& ctx, const std::string& name, const std::string& except_id) {
  if (name.empty() || name.find_first_of(" \t\r\n\f\v") != std::string::npos)
    throw api::bad_request("Signal map name '" + name + "' is not valid: it must be 1-255 characters without whitespace");
  for (const Record* r : domain.list(kSignalMap, ctx.region))
    if (str(r->doc, "Name") == name && r->key.id != except_id)
      throw api::conflict("A signal map named " + name + " already exists (" + r->key.id + ")");
}

// One MediaResource: the resource's name and, for a channel, its inputs as sources.
json discovered_resource(const Domain& domain, const Record& r) {
  json resource = {{"Name", str(r.doc, "Name").empty() ? r.key.id : str(r.doc, "Name")},
                   {"Sources", json::array()}, {"Destinations", json::array()}};
  if (r.key.kind == kChannel) {
    for (const auto& a : r.doc.value("InputAttachments", json::array())) {
      if (const Record* input = domain.find({kInput, r.key.region, str(a, "InputId")}))
        resource["Sources"].push_back({{"Arn", str(input->doc, "Arn")}, {"Name", str(input->doc, "Name")}});
    }
  }
  return resource;
}

// Settles CREATE_IN_PROGRESS / UPDATE_IN_PROGRESS: discovery from the entry point.
void settle_signal_map(Tx& tx, const Key& key, const std::string& to) {
  Record& r = tx.modify(key);
  const std::string entry_point = str(r.doc, "DiscoveryEntryPointArn");
  const Record* found = tx.domain().find_by_arn(entry_point);
  const bool creating = to.rfind("CREATE", 0) == 0;
  if (found && str(found->doc, "State") != "DELETED") {
    r.doc["MediaResourceMap"] = {{entry_point, discovered_resource(tx.domain(), *found)}};
    r.doc["FailedMediaResourceMap"] = json::object();
    r.doc.erase("ErrorMessage");
    r.doc["LastDiscoveredAt"] = signal_map_time(tx);
    r.doc["Status"] = creating ? "CREATE_COMPLETE" : "UPDATE_COMPLETE";
  } else {
    r.doc["ErrorMessage"] = "Discovery found no resource " + entry_point + " to start the signal map from";
    r.doc["Status"] = creating ? "CREATE_FAILED" : "UPDATE_FAILED";
  }
  spdlog::info("medialive: signal map {} in {} is {}", key.id, key.region, str(r.doc, "Status"));
}

json create_signal_map(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  // A Create retried with the same RequestId answers the signal map the first one made.
  if (const std::string request_id = str(in, "RequestId"); !request_id.empty())
    for (const Record* r : domain.list(kSignalMap, ctx.region))
      if (r->internal.value("requestId", "") == request_id) return r->doc;
  const std::string name = str(in, "Name"), entry_point = str(in, "DiscoveryEntryPointArn");
  check_signal_map_name(domain, ctx, name, "");
  check_entry_point(entry_point);
  const std::string id = next_id(*tx), now = signal_map_time(*tx);
  json doc = {{"Arn", arn(ctx, "signal-map", id)},
              {"CloudWatchAlarmTemplateGroupIds", json::array()},
              {"CreatedAt", now},
              {"DiscoveryEntryPointArn", entry_point},
              {"EventBridgeRuleTemplateGroupIds", json::array()},
              {"FailedMediaResourceMap", json::object()},
              {"Id", id},
              {"MediaResourceMap", json::object()},
              {"ModifiedAt", now},
              {"MonitorChangesPendingDeployment", false},
              {"MonitorDeployment", {{"Status", "NOT_DEPLOYED"}}},
              {"Name", name},
              {"Status", "CREATE_IN_PROGRESS"},
              {"Tags", in.value("Tags", json::object())}};
  copy_member(doc, in, "Description");
  put_groups(domain, ctx, doc, in);
  Record& r = tx->create(signal_map_key(ctx, id), doc, {{"requestId", str(in, "RequestId")}});
  tx->schedule(r.key, "CREATE_COMPLETE");
  json out = r.doc;
  tx->commit();
  spdlog::info("medialive: created signal map {} ({}) from {} in {}", id, name, entry_point, ctx.region);
  return out;
}

json get_signal_map(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  return require_by_identifier(domain, ctx, kSignalMap, str(in, "Identifier"), "Signal map").doc;
}

bool uses_group(const Domain& domain, const CallContext& ctx, const Record& map, const json& in, const char* filter,
                const char* member, const std::string& kind, const std::string& what) {
  if (!in.contains(filter)) return true;
  const std::string id = require_by_identifier(domain, ctx, kind, str(in, filter), what).key.id;
  const json& ids = map.doc.value(member, json::array());
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

json list_signal_maps(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  std::vector<const Record*> maps;
  for (const Record* r : domain.list(kSignalMap, ctx.region)) {
    if (uses_group(domain, ctx, *r, in, "CloudWatchAlarmTemplateGroupIdentifier", "CloudWatchAlarmTemplateGroupIds",
                   kCloudWatchAlarmTemplateGroup, "CloudWatch alarm template group") &&
        uses_group(domain, ctx, *r, in, "EventBridgeRuleTemplateGroupIdentifier", "EventBridgeRuleTemplateGroupIds",
                   kEventBridgeRuleTemplateGroup, "EventBridge rule template group"))
      maps.push_back(r);
  }
  Page page = paginate(maps, in);
  json out = {{"SignalMaps", json::array()}};
  for (const Record* r : page.items) {
    json summary = {{"Arn", r->doc["Arn"]}, {"CreatedAt", r->doc["CreatedAt"]}, {"Id", r->doc["Id"]},
                    {"ModifiedAt", r->doc["ModifiedAt"]}, {"Name", r->doc["Name"]}, {"Status", r->doc["Status"]},
                    {"MonitorDeploymentStatus", r->doc["MonitorDeployment"].value("Status", "NOT_DEPLOYED")},
                    {"Tags", r->doc.value("Tags", json::object())}};
    copy_member(summary, r->doc, "Description");
    out["SignalMaps"].push_back(summary);
  }
  put_next_token(out, page);
  return out;
}

json start_update_signal_map(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = settled_signal_map(domain, ctx, in);
  const Key key = current.key;
  if (in.contains("Name")) check_signal_map_name(domain, ctx, str(in, "Name"), key.id);
  if (in.contains("DiscoveryEntryPointArn")) check_entry_point(str(in, "DiscoveryEntryPointArn"));
  json changed = current.doc;
  put_groups(domain, ctx, changed, in);
  copy_member(changed, in, "Name");
  copy_member(changed, in, "Description");
  copy_member(changed, in, "DiscoveryEntryPointArn");
  changed["Status"] = "UPDATE_IN_PROGRESS";
  changed["ModifiedAt"] = signal_map_time(*tx);
  Record& r = tx->modify(key);
  r.doc = changed;
  tx->schedule(key, "UPDATE_COMPLETE");
  json out = r.doc;
  tx->commit();
  spdlog::info("medialive: updating signal map {} in {}", key.id, ctx.region);
  return out;
}

json delete_signal_map(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = settled_signal_map(domain, ctx, in);
  const Key key = current.key;
  tx->cancel_transition(key);
  tx->remove(key);
  tx->commit();
  spdlog::info("medialive: deleted signal map {} in {}", key.id, ctx.region);
  return json::object();
}

}  // namespace signal_map_ops

std::vector<std::string> signal_maps_using_group(const Domain& domain, const std::string& region,
                                                 const std::string& group_kind, const std::string& group_id) {
  const char* member = group_kind == kCloudWatchAlarmTemplateGroup ? "CloudWatchAlarmTemplateGroupIds" : "EventBridgeRuleTemplateGroupIds";
  std::vector<std::string> out;
  for (const Record* r : domain.list(kSignalMap, region)) {
    const json& ids = r->doc.value(member, json::array());
    if (std::find(ids.begin(), ids.end(), group_id) != ids.end()) out.push_back(r->key.id);
  }
  return out;
}

void add_signal_map_operations(api::OperationTable& t, Domain& d) {
  using namespace signal_map_ops;
  t["CreateSignalMap"] = [&d](const CallContext& c, const json& in) { return create_signal_map(d, c, in); };
  t["GetSignalMap"] = [&d](const CallContext& c, const json& in) { return get_signal_map(d, c, in); };
  t["ListSignalMaps"] = [&d](const CallContext& c, const json& in) { return list_signal_maps(d, c, in); };
  t["StartUpdateSignalMap"] = [&d](const CallContext& c, const json& in) { return start_update_signal_map(d, c, in); };
  t["DeleteSignalMap"] = [&d](const CallContext& c, const json& in) { return delete_signal_map(d, c, in); };
  d.on_transition(kSignalMap, settle_signal_map);
}

}  // namespace mediaemu::medialive
