// The lifecycle router inputs and outputs share (RouterInputState, RouterOutputState), from
// "MediaConnect router I/O states" (https://docs.aws.amazon.com/mediaconnect/latest/ug/io-state-changes.html):
//   created CREATING -> STANDBY ("the default state after you create or stop an I/O");
//   Start*: STANDBY -> STARTING -> ACTIVE; Stop*: ACTIVE|STARTING -> STOPPING -> STANDBY;
//   Restart*: ACTIVE -> STARTING -> ACTIVE (the relay is rebuilt);
//   Update*: STANDBY|ACTIVE -> UPDATING -> back where it was ("The Updating state branches from
//   both Standby and Active, returning to its origin state");
//   Delete*: STANDBY -> DELETING -> gone (404). A running I/O is stopped before it is deleted,
//   as a flow is (https://docs.aws.amazon.com/mediaconnect/latest/ug/flows-delete.html): 409.
// Every arrow takes --state-delay. A state that forbids the operation is 409 ConflictException,
// which every one of these operations declares.
// internal "running" says whether the data plane should carry the I/O: set on reaching ACTIVE,
// cleared by Stop and Restart, so an UPDATING input keeps relaying.
#include <spdlog/spdlog.h>

#include "emulator/mediaconnect/routers.hpp"

namespace mediaemu::mediaconnect {
namespace {

[[noreturn]] void state_conflict(const RouterType& type, const json& doc, const std::string& what) {
  throw api::conflict(std::string(type.what) + " " + str(doc, "Arn") + " is " + str(doc, "State") + "; " + what);
}

}  // namespace

std::string relay_of(const json& io_doc) {
  const std::string arn = str(io_doc, "Arn");
  if (arn.find(":routerInput:") != std::string::npos) return arn;
  return str(io_doc, "RoutedInputArn");
}

json start_router_io(Domain& domain, const CallContext& ctx, const RouterType& type, const json& in) {
  auto tx = domain.write();
  const Record& current = require_router(domain, ctx, type, str(in, "Arn"));
  const std::string state = str(current.doc, "State");
  if (state == "ACTIVE" || state == "STARTING") state_conflict(type, current.doc, "it is already started");
  if (state != "STANDBY" && state != "ERROR") state_conflict(type, current.doc, "only an I/O in STANDBY can be started");
  Record& r = tx->modify(current.key);
  r.doc["State"] = "STARTING";
  r.doc["UpdatedAt"] = router_time(*tx);
  schedule_maintenance(r.doc, tx->now_ms());
  tx->schedule(r.key, "ACTIVE");
  json out = router_state_answer(r.doc);
  out["MaintenanceScheduleType"] = r.doc["MaintenanceScheduleType"];
  out["MaintenanceSchedule"] = r.doc["MaintenanceSchedule"];
  tx->commit();
  spdlog::info("mediaconnect: starting {} {}", type.arn_type, str(out, "Arn"));
  return out;
}

json stop_router_io(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const RouterType& type, const json& in) {
  auto tx = domain.write();
  const Record& current = require_router(domain, ctx, type, str(in, "Arn"));
  const std::string state = str(current.doc, "State");
  if (state == "STANDBY" || state == "STOPPING") state_conflict(type, current.doc, "it is already stopped");
  if (state != "ACTIVE" && state != "STARTING" && state != "ERROR")
    state_conflict(type, current.doc, "only an ACTIVE or STARTING I/O can be stopped");
  Record& r = tx->modify(current.key);
  r.doc["State"] = "STOPPING";
  r.doc["UpdatedAt"] = router_time(*tx);
  r.internal["running"] = false;
  clear_maintenance_schedule(r.doc);
  tx->schedule(r.key, "STANDBY");  // replaces a pending STARTING -> ACTIVE
  // "When you stop an I/O, its routing assignments remain in place": only the media stops.
  refresh_router_relay(*tx, flows, relay_of(r.doc));
  json out = router_state_answer(r.doc);
  tx->commit();
  spdlog::info("mediaconnect: stopping {} {}", type.arn_type, str(out, "Arn"));
  return out;
}

json restart_router_io(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const RouterType& type, const json& in) {
  auto tx = domain.write();
  const Record& current = require_router(domain, ctx, type, str(in, "Arn"));
  if (str(current.doc, "State") != "ACTIVE") state_conflict(type, current.doc, "only an ACTIVE I/O can be restarted");
  Record& r = tx->modify(current.key);
  r.doc["State"] = "STARTING";
  r.doc["UpdatedAt"] = router_time(*tx);
  r.internal["running"] = false;  // the relay ends now and starts again on ACTIVE
  tx->schedule(r.key, "ACTIVE");
  refresh_router_relay(*tx, flows, relay_of(r.doc));
  json out = router_state_answer(r.doc);
  tx->commit();
  spdlog::info("mediaconnect: restarting {} {}", type.arn_type, str(out, "Arn"));
  return out;
}

json delete_router_io(Domain& domain, const CallContext& ctx, const RouterType& type, const json& in,
                      const std::function<void(Tx&, const Record&)>& before) {
  auto tx = domain.write();
  const Record& current = require_router(domain, ctx, type, str(in, "Arn"));
  const std::string state = str(current.doc, "State");
  if (state == "DELETING") state_conflict(type, current.doc, "it is already being deleted");
  if (state != "STANDBY" && state != "ERROR")
    state_conflict(type, current.doc, "only an I/O in STANDBY can be deleted. Stop it first and wait for STANDBY");
  if (before) before(*tx, current);
  Record& r = tx->modify(current.key);
  r.doc["State"] = "DELETING";
  tx->schedule(r.key, "");  // purged after the state delay: then Get* answers 404
  json out = router_state_answer(r.doc);
  tx->commit();
  spdlog::info("mediaconnect: deleting {} {}", type.arn_type, str(out, "Arn"));
  return out;
}

json update_router_io(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const RouterType& type,
                      const json& in, const std::function<void(Tx&, json& doc)>& change,
                      const std::function<json(const Record&)>& view) {
  auto tx = domain.write();
  const Record& current = require_router(domain, ctx, type, str(in, "Arn"));
  const std::string state = str(current.doc, "State");
  if (state != "STANDBY" && state != "ACTIVE" && state != "ERROR")
    state_conflict(type, current.doc, "wait until it is STANDBY or ACTIVE to update it");
  // "If you want to update a router I/O's maintenance configuration, you must ensure that the
  // router I/O is in Standby state." https://docs.aws.amazon.com/mediaconnect/latest/ug/editing-router-io.html
  if (in.contains("MaintenanceConfiguration") && in["MaintenanceConfiguration"] != current.doc["MaintenanceConfiguration"] &&
      state == "ACTIVE")
    state_conflict(type, current.doc, "its MaintenanceConfiguration changes only in STANDBY. Stop it first");
  json doc = current.doc;
  const std::string old_relay = relay_of(doc);
  change(*tx, doc);
  copy_member(doc, in, "Name");
  if (in.contains("MaintenanceConfiguration")) set_maintenance(doc, in["MaintenanceConfiguration"]);
  doc["State"] = "UPDATING";
  doc["UpdatedAt"] = router_time(*tx);
  Record& r = tx->modify(current.key);
  r.doc = std::move(doc);
  tx->schedule(r.key, state);
  refresh_router_relay(*tx, flows, relay_of(r.doc));
  if (old_relay != relay_of(r.doc)) refresh_router_relay(*tx, flows, old_relay);
  json out = view(r);
  tx->commit();
  spdlog::info("mediaconnect: updated {} {}", type.arn_type, str(r.doc, "Arn"));
  return out;
}

void settle_router_io(flow::FlowControl& flows, Tx& tx, const Key& key, const std::string& to) {
  Record& r = tx.modify(key);
  r.doc["State"] = to;
  if (to == "ACTIVE" && !r.internal.value("running", false)) {
    r.internal["running"] = true;
    refresh_router_relay(tx, flows, relay_of(r.doc));
  }
  spdlog::info("mediaconnect: {} is {}", str(r.doc, "Arn"), to);
}

}  // namespace mediaemu::mediaconnect
