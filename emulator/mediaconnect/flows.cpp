// MediaConnect flows: CreateFlow, DescribeFlow, ListFlows, UpdateFlow, DeleteFlow, StartFlow,
// StopFlow and the flow lifecycle (MediaConnect API reference, Flow.Status; botocore waiters
// FlowActive, FlowStandby, FlowDeleted):
//   created STANDBY; STANDBY -> STARTING -> ACTIVE; ACTIVE|STARTING -> STOPPING -> STANDBY;
//   STANDBY -> DELETING -> gone (DescribeFlow answers 404, which ends the FlowDeleted waiter).
// Every arrow takes --state-delay; with 0 the next call sees the settled state, so waiters
// return at once. Reaching ACTIVE hands the flow's plan to its relay (pipeline/flow/) after the
// commit; StopFlow ends the relay the same way.
#include <spdlog/spdlog.h>

#include <cstdio>

#include "emulator/mediaconnect/mediaconnect.hpp"

namespace mediaemu::mediaconnect {
namespace {

constexpr const char* kMaintenanceDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

// Without a requested window AWS assigns one; derive it from the id so it stays stable.
json default_maintenance(const std::string& id) {
  unsigned n = 0;
  for (char c : id) n = n * 31 + static_cast<unsigned char>(c);
  char hour[8];
  std::snprintf(hour, sizeof hour, "%02u:00", n % 24);
  return {{"MaintenanceDay", kMaintenanceDays[n % 7]}, {"MaintenanceStartHour", hour}};
}

// Flow.Source is the flow's first source; Flow.Sources all of them (API_Flow).
void sync_source(json& flow) {
  if (flow["Sources"].empty()) throw api::bad_request("A flow needs at least one source");
  flow["Source"] = flow["Sources"][0];
}

json listed_flow(const json& flow) {
  json listed = {{"AvailabilityZone", flow["AvailabilityZone"]},
                 {"Description", flow.value("Description", "")},
                 {"FlowArn", flow["FlowArn"]},
                 {"Name", flow["Name"]},
                 {"SourceType", flow["Source"].contains("EntitlementArn") ? "ENTITLED" : "OWNED"},
                 {"Status", flow["Status"]}};
  copy_member(listed, flow, "Maintenance");
  return listed;
}

[[noreturn]] void state_error(const Record& r, const std::string& what) {
  throw api::bad_request("Flow " + str(r.doc, "FlowArn") + " is " + str(r.doc, "Status") + "; " + what);
}

void post_plan_after_commit(Tx& tx, flow::FlowControl& flows, const json& doc) {
  flow::FlowPlan plan = flow_plan(doc, tx.domain().config());
  plan.order = tx.domain().next_sequence();
  tx.after_commit([&flows, plan = std::move(plan)] { flows.start(plan); });
}

json create_flow(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  const std::string name = str(in, "Name");
  if (name.empty()) throw api::bad_request("Name is required");
  if (in.contains("Source") && in.contains("Sources")) throw api::bad_request("Give either Source or Sources, not both");
  const json requested_sources = in.contains("Sources") ? in["Sources"] : in.contains("Source") ? json::array({in["Source"]}) : json::array();
  if (requested_sources.empty()) throw api::bad_request("A flow needs a source: give Source or Sources");

  const std::string id = new_resource_id();
  const std::string flow_arn = make_arn(ctx, "mediaconnect", "flow:" + id + ":" + name);
  json tags = {{flow_arn, in.value("FlowTags", json::object())}};
  json doc = {{"FlowArn", flow_arn},
              {"Name", name},
              // CreateFlowRequest has no Description; ListedFlow requires one. The flow's name stands in.
              {"Description", name},
              {"AvailabilityZone", in.value("AvailabilityZone", ctx.region + "a")},
              {"EgressIp", domain.config().url_host()},
              {"Sources", json::array()},
              {"Outputs", json::array()},
              {"Entitlements", json::array()},
              {"MediaStreams", json::array()},
              {"VpcInterfaces", json::array()},
              // AWS reports failover settings on every flow; without a request they are off.
              {"SourceFailoverConfig",
               {{"FailoverMode", "FAILOVER"}, {"RecoveryWindow", 200}, {"SourcePriority", json::object()}, {"State", "DISABLED"}}},
              {"Maintenance", in.contains("Maintenance") ? in["Maintenance"] : default_maintenance(id)},
              {"Status", "STANDBY"}};
  for (const char* m : {"SourceMonitoringConfig", "FlowSize", "NdiConfig", "EncodingConfig"}) copy_member(doc, in, m);
  if (in.contains("SourceFailoverConfig")) {
    json requested = in["SourceFailoverConfig"];
    // Asking for failover settings without a State means turning failover on (CDK's default too).
    if (!requested.contains("State")) requested["State"] = "ENABLED";
    update_failover(doc, requested);
  }
  auto add_tags_of = [&tags](const json& part, const char* arn_member, const json& request, const char* tags_member) {
    if (request.contains(tags_member)) tags[str(part, arn_member)] = request[tags_member];
  };
  // VPC interfaces and media streams first: sources and outputs refer to them.
  for (const auto& r : in.value("VpcInterfaces", json::array())) doc["VpcInterfaces"].push_back(make_vpc_interface(r));
  for (const auto& r : in.value("MediaStreams", json::array())) doc["MediaStreams"].push_back(make_media_stream(r));
  for (const auto& r : requested_sources) {
    doc["Sources"].push_back(make_source(ctx, domain.config(), r));
    add_tags_of(doc["Sources"].back(), "SourceArn", r, "SourceTags");
  }
  for (const auto& r : in.value("Outputs", json::array())) {
    doc["Outputs"].push_back(make_output(ctx, domain.config(), r));
    add_tags_of(doc["Outputs"].back(), "OutputArn", r, "OutputTags");
  }
  for (const auto& r : in.value("Entitlements", json::array())) {
    doc["Entitlements"].push_back(make_entitlement(ctx, r));
    add_tags_of(doc["Entitlements"].back(), "EntitlementArn", r, "EntitlementTags");
  }
  sync_source(doc);
  validate_flow(doc);

  auto tx = domain.write();
  Record& r = tx->create({kFlow, ctx.region, id}, doc, {{"tags", tags}});
  json out = {{"Flow", r.doc}};
  tx->commit();
  spdlog::info("mediaconnect: created flow {} with {} source(s), {} output(s) in {}", flow_arn, doc["Sources"].size(),
               doc["Outputs"].size(), ctx.region);
  return out;
}

json describe_flow(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  json doc;
  {
    auto lock = domain.read();
    doc = require_flow(domain, ctx, str(in, "FlowArn")).doc;
  }
  json out = {{"Flow", doc}};
  // What the running relay could not do (a protocol it does not carry, a port in use): AWS
  // reports a flow's problems in Messages.Errors.
  if (doc["Status"] == "ACTIVE") {
    auto errors = flows.errors(str(doc, "FlowArn"));  // not under the domain lock
    if (!errors.empty()) out["Messages"] = {{"Errors", errors}};
  }
  return out;
}

json list_flows(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  // "If MaxResults is not included in the request, the service defaults to pagination with a
  // maximum of 10 results per page." (ListFlowsRequest.MaxResults)
  Page page = paginate(domain.list(kFlow, ctx.region), in, 10);
  json out = {{"Flows", json::array()}};
  for (const Record* r : page.items) out["Flows"].push_back(listed_flow(r->doc));
  put_next_token(out, page);
  return out;
}

json update_flow(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&in](json& flow, json&) {
    if (in.contains("SourceFailoverConfig")) update_failover(flow, in["SourceFailoverConfig"]);
    merge_member(flow, in, "Maintenance");
    for (const char* m : {"SourceMonitoringConfig", "FlowSize", "NdiConfig", "EncodingConfig"}) copy_member(flow, in, m);
    return json{{"Flow", flow}};
  });
}

json delete_flow(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require_flow(domain, ctx, str(in, "FlowArn"));
  const std::string status = str(current.doc, "Status");
  if (status == "DELETING") state_error(current, "it is already being deleted");
  if (status != "STANDBY" && status != "ERROR")
    state_error(current, "only a flow in STANDBY can be deleted. Stop it first (StopFlow) and wait for STANDBY");
  Record& r = tx->modify(current.key);
  r.doc["Status"] = "DELETING";
  tx->schedule(r.key, "");  // purged after the state delay: then DescribeFlow answers 404
  json out = {{"FlowArn", r.doc["FlowArn"]}, {"Status", "DELETING"}};
  tx->commit();
  spdlog::info("mediaconnect: deleting flow {}", str(out, "FlowArn"));
  return out;
}

json start_flow(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require_flow(domain, ctx, str(in, "FlowArn"));
  const std::string status = str(current.doc, "Status");
  if (status == "ACTIVE" || status == "STARTING") state_error(current, "it is already started");
  if (status != "STANDBY" && status != "ERROR") state_error(current, "only a flow in STANDBY can be started");
  Record& r = tx->modify(current.key);
  r.doc["Status"] = "STARTING";
  tx->schedule(r.key, "ACTIVE");
  json out = {{"FlowArn", r.doc["FlowArn"]}, {"Status", "STARTING"}};
  tx->commit();
  spdlog::info("mediaconnect: starting flow {}", str(out, "FlowArn"));
  return out;
}

json stop_flow(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require_flow(domain, ctx, str(in, "FlowArn"));
  const std::string status = str(current.doc, "Status");
  if (status == "STOPPING") state_error(current, "it is already stopping");
  if (status != "ACTIVE" && status != "STARTING") state_error(current, "only an ACTIVE or STARTING flow can be stopped");
  Record& r = tx->modify(current.key);
  r.doc["Status"] = "STOPPING";
  tx->schedule(r.key, "STANDBY");  // replaces a pending STARTING -> ACTIVE
  const std::string arn = str(r.doc, "FlowArn");
  tx->after_commit([&flows, arn, order = domain.next_sequence()] { flows.stop(arn, order); });
  json out = {{"FlowArn", arn}, {"Status", "STOPPING"}};
  tx->commit();
  spdlog::info("mediaconnect: stopping flow {}", arn);
  return out;
}

// What STARTING and STOPPING settle into.
void settle_flow(flow::FlowControl& flows, Tx& tx, const Key& key, const std::string& to) {
  Record& r = tx.modify(key);
  r.doc["Status"] = to;
  if (to == "ACTIVE") post_plan_after_commit(tx, flows, r.doc);
  spdlog::info("mediaconnect: flow {} is {}", str(r.doc, "FlowArn"), to);
}

}  // namespace

std::string new_resource_id() { return "1-" + random_hex(8) + "-" + random_hex(6); }

std::string resource_arn(const CallContext& ctx, const std::string& type, const std::string& name) {
  return make_arn(ctx, "mediaconnect", type + ":" + new_resource_id() + ":" + name);
}

const Record& require_flow(Domain& domain, const CallContext& ctx, const std::string& flow_arn) {
  // arn:aws:mediaconnect:<region>:<account>:flow:<id>:<name>
  const std::string prefix = "arn:aws:mediaconnect:" + ctx.region + ":" + ctx.account + ":flow:";
  if (flow_arn.rfind(prefix, 0) == 0) {
    const std::string rest = flow_arn.substr(prefix.size());
    const Record* r = domain.find({kFlow, ctx.region, rest.substr(0, rest.find(':'))});
    if (r && str(r->doc, "FlowArn") == flow_arn) return *r;
  }
  throw api::not_found("Flow " + flow_arn + " not found");
}

json edit_flow(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const std::string& flow_arn,
               const std::function<json(json& flow, json& tags)>& change) {
  auto tx = domain.write();
  const Record& current = require_flow(domain, ctx, flow_arn);
  if (str(current.doc, "Status") == "DELETING") state_error(current, "a flow being deleted cannot change");
  json doc = current.doc;
  json tags = current.internal.value("tags", json::object());
  json out = change(doc, tags);
  sync_source(doc);
  validate_flow(doc);
  Record& r = tx->modify(current.key);
  r.doc = std::move(doc);
  r.internal["tags"] = std::move(tags);
  // A running flow relays the new plan at once (its relay is rebuilt with it).
  if (r.doc["Status"] == "ACTIVE") post_plan_after_commit(*tx, flows, r.doc);
  tx->commit();
  return out;
}

void resume_flows(Domain& domain, flow::FlowControl& flows) {
  std::vector<flow::FlowPlan> plans;
  {
    auto lock = domain.read();
    for (const Record* r : domain.list_all(kFlow)) {
      if (str(r->doc, "Status") != "ACTIVE") continue;
      plans.push_back(flow_plan(r->doc, domain.config()));
      plans.back().order = domain.next_sequence();
    }
  }
  for (const auto& plan : plans) flows.start(plan);
  if (!plans.empty()) spdlog::info("mediaconnect: resumed {} active flow(s)", plans.size());
  resume_router_relays(domain, flows);
}

void add_flow_operations(api::OperationTable& t, Domain& d, flow::FlowControl& f) {
  t["CreateFlow"] = [&d, &f](const CallContext& c, const json& in) { return create_flow(d, f, c, in); };
  t["DescribeFlow"] = [&d, &f](const CallContext& c, const json& in) { return describe_flow(d, f, c, in); };
  t["ListFlows"] = [&d](const CallContext& c, const json& in) { return list_flows(d, c, in); };
  t["UpdateFlow"] = [&d, &f](const CallContext& c, const json& in) { return update_flow(d, f, c, in); };
  t["DeleteFlow"] = [&d, &f](const CallContext& c, const json& in) { return delete_flow(d, f, c, in); };
  t["StartFlow"] = [&d](const CallContext& c, const json& in) { return start_flow(d, c, in); };
  t["StopFlow"] = [&d, &f](const CallContext& c, const json& in) { return stop_flow(d, f, c, in); };
  d.on_transition(kFlow, [&f](Tx& tx, const Key& key, const std::string& to) { settle_flow(f, tx, key, to); });
}

api::OperationTable operations(Domain& domain, flow::FlowControl& flows) {
  api::OperationTable t;
  add_flow_operations(t, domain, flows);
  add_source_operations(t, domain, flows);
  add_output_operations(t, domain, flows);
  add_entitlement_operations(t, domain, flows);
  add_interface_operations(t, domain, flows);
  add_tag_operations(t, domain);
  add_gateway_operations(t, domain);
  add_bridge_operations(t, domain);
  add_bridge_part_operations(t, domain);
  add_router_operations(t, domain, flows);
  return t;
}

}  // namespace mediaemu::mediaconnect
