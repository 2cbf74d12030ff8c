// MediaLive channels: CreateChannel, DescribeChannel, ListChannels, UpdateChannel,
// DeleteChannel, StartChannel, StopChannel, UpdateChannelClass, RestartChannelPipelines,
// ListAlerts, and the channel lifecycle.
//
// Flows (ML-UG monitor-activity-types-channel, editing-deleting-channel):
//   CREATING -> IDLE; IDLE -> STARTING -> RUNNING; RUNNING -> STOPPING -> IDLE;
//   IDLE -> UPDATING -> IDLE; IDLE -> DELETING -> DELETED (still describable, then purged).
// Every arrow takes --state-delay; with 0 the next call already sees the settled state, so the
// botocore Channel* waiters return at once. Edit and delete only while IDLE; tags any time.
//
// The channel document keeps every member the caller sent (members an older model lacks arrive
// under their wire names and are echoed back) plus AWS's runtime fields: EgressEndpoints (one
// per pipeline), PipelineDetails and PipelinesRunningCount (only while RUNNING), State.
#include <spdlog/spdlog.h>

#include <cstdio>

#include "emulator/media_plans.hpp"
#include "emulator/medialive/medialive.hpp"

namespace mediaemu::medialive {

// Defined in channel_validation.cpp and schedules.cpp. They belong in medialive.hpp; the files
// here may not edit it (see the report).
void validate_channel_settings(const json& channel);
void drop_schedule(Tx& tx, const std::string& region, const std::string& channel_id);
json page_json(const json& items, const json& input, const char* list_member);

namespace {

// How long a STOPPING channel waits for its media to report the end of its outputs before it
// settles to IDLE anyway (a flush takes well under a second; this only guards against a media
// side that never answers).
constexpr int64_t kMediaStopDeadlineMs = 60'000;


constexpr const char* kDeleteWhileRunning =
    "Cannot delete a channel that has not been stopped yet. Please stop the channel before deleting it";

int pipeline_count(const json& doc) { return str(doc, "ChannelClass") == "SINGLE_PIPELINE" ? 1 : 2; }

// One egress address per pipeline (ML-UG monitoring-console). Here every pipeline leaves from
// the emulator's own address.
json egress_endpoints(const Config& config, const json& doc) {
  json out = json::array();
  for (int i = 0; i < pipeline_count(doc); ++i) out.push_back({{"SourceIp", config.url_host()}});
  return out;
}

// PipelineDetails / PipelinesRunningCount describe running pipelines: pipeline "0" (and "1" for
// STANDARD) while RUNNING, nothing otherwise (ML-UG eml-metrics-gen-info). A started channel
// ingests its first attached input.
void set_pipelines_running(json& doc, bool running) {
  doc["PipelineDetails"] = json::array();
  doc["PipelinesRunningCount"] = 0;
  if (!running) return;
  const json& attachments = doc.value("InputAttachments", json::array());
  std::string active = attachments.empty() ? "" : str(attachments[0], "InputAttachmentName");
  for (int i = 0; i < pipeline_count(doc); ++i) {
    json pipeline = {{"PipelineId", std::to_string(i)}};
    if (!active.empty()) pipeline["ActiveInputAttachmentName"] = active;
    doc["PipelineDetails"].push_back(pipeline);
  }
  doc["PipelinesRunningCount"] = pipeline_count(doc);
}

// Without a requested window AWS assigns one; derive it from the id so it stays stable.
json maintenance_window(const json& current, const json& requested, const std::string& id) {
  static const char* kDays[] = {"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"};
  json out = current.is_object() ? current : json::object();
  if (!out.contains("MaintenanceDay")) {
    long long n = std::atoll(id.c_str());
    char start[8];
    std::snprintf(start, sizeof start, "%02lld:00", n % 24);
    out["MaintenanceDay"] = kDays[n % 7];
    out["MaintenanceStartTime"] = start;
  }
  if (requested.is_object()) {
    for (const char* m : {"MaintenanceDay", "MaintenanceStartTime", "MaintenanceScheduledDate"}) copy_member(out, requested, m);
  }
  return out;
}

// The request's VpcOutputSettings become the channel's VpcOutputSettingsDescription.
json vpc_description(const CallContext& ctx, const json& requested) {
  json out = {{"SecurityGroupIds", requested.value("SecurityGroupIds", json::array())},
              {"SubnetIds", requested.value("SubnetIds", json::array())},
              {"AvailabilityZones", json::array()},
              {"NetworkInterfaceIds", json::array()}};
  for (size_t i = 0; i < out["SubnetIds"].size(); ++i) {
    out["AvailabilityZones"].push_back(ctx.region + static_cast<char>('a' + i % 6));
    out["NetworkInterfaceIds"].push_back("eni-" + random_hex(9).substr(0, 17));
  }
  return out;
}

// Request members that describe the call rather than the channel.
bool is_request_only(const std::string& member) {
  return member == "RequestId" || member == "Reserved" || member == "DryRun" || member == "ChannelId";
}

// Copies what the caller sent into the channel document, known and unknown members alike.
void apply_request(json& doc, const CallContext& ctx, const json& in, const std::string& id) {
  for (auto it = in.begin(); it != in.end(); ++it) {
    if (is_request_only(it.key())) continue;
    if (it.key() == "Maintenance") {
      doc["Maintenance"] = maintenance_window(doc.value("Maintenance", json()), *it, id);
    } else if (it.key() == "Vpc") {
      doc["Vpc"] = vpc_description(ctx, *it);
    } else {
      doc[it.key()] = *it;
    }
  }
}

// 409 for an operation the channel's state does not allow, saying what to do instead.
[[noreturn]] void state_conflict(const Record& r, const std::string& what, const std::string& advice) {
  throw api::conflict("Channel " + r.key.id + " is " + str(r.doc, "State") + "; " + what + ". " + advice);
}

json create_channel(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  // RequestId is the idempotency token (botocore fills one in): a retry returns the same channel.
  if (const std::string request_id = str(in, "RequestId"); !request_id.empty()) {
    for (const Record* r : domain.list(kChannel, ctx.region)) {
      if (r->internal.value("requestId", "") == request_id) return {{"Channel", r->doc}};
    }
  }
  const std::string id = next_id(*tx);
  json doc = {{"Arn", arn(ctx, "channel", id)},
              {"ChannelClass", "STANDARD"},
              {"Destinations", json::array()},
              {"Id", id},
              {"InputAttachments", json::array()},
              // The console's defaults; AWS fills an input specification in when none is given.
              {"InputSpecification", {{"Codec", "AVC"}, {"MaximumBitrate", "MAX_20_MBPS"}, {"Resolution", "HD"}}},
              {"LogLevel", "DISABLED"},
              {"Maintenance", maintenance_window(json(), json(), id)},
              {"Name", ""},
              {"RoleArn", ""},
              {"Tags", json::object()}};
  apply_request(doc, ctx, in, id);
  doc["EgressEndpoints"] = egress_endpoints(domain.config(), doc);
  set_pipelines_running(doc, false);
  doc["State"] = "CREATING";
  check_attachable(*tx, ctx, doc["InputAttachments"], id);
  validate_channel_settings(doc);
  if (in.value("DryRun", false)) return {{"Channel", doc}};  // validated; nothing is kept

  Record& r = tx->create(channel_key(ctx, id), doc, {{"requestId", str(in, "RequestId")}});
  attach_inputs(*tx, ctx, r.doc["InputAttachments"], id);
  tx->schedule(r.key, "IDLE");
  json out = {{"Channel", r.doc}};
  tx->commit();
  spdlog::info("medialive: created {} channel {} ({}) with {} input(s) in {}", str(doc, "ChannelClass"), id,
               str(doc, "Name"), doc["InputAttachments"].size(), ctx.region);
  return out;
}

// A running channel's PipelineDetails name the input on air, which schedule switches and
// automatic failover change (its supervisor reports it; read outside the domain lock).
json describe_channel(Domain& domain, MediaHooks& media, const CallContext& ctx, const json& in) {
  json doc;
  {
    auto lock = domain.read();
    doc = require(domain, channel_key(ctx, str(in, "ChannelId")), "Channel").doc;
  }
  if (str(doc, "State") != "RUNNING") return doc;
  for (auto& pipeline : doc["PipelineDetails"]) {
    const std::string active = media.channel_active_input(ctx.region, str(doc, "Id"), std::stoi(str(pipeline, "PipelineId")));
    if (!active.empty()) pipeline["ActiveInputAttachmentName"] = active;
  }
  return doc;
}

json list_channels(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  std::vector<const Record*> live;
  for (const Record* r : domain.list(kChannel, ctx.region))
    if (str(r->doc, "State") != "DELETED") live.push_back(r);
  Page page = paginate(live, in);
  json out = {{"Channels", json::array()}};
  for (const Record* r : page.items) {
    json summary = r->doc;  // ChannelSummary: the channel without its encoder and pipeline details
    summary.erase("EncoderSettings");
    summary.erase("PipelineDetails");
    out["Channels"].push_back(summary);
  }
  put_next_token(out, page);
  return out;
}

json update_channel(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require_live_channel(domain, ctx, str(in, "ChannelId"));
  if (str(current.doc, "State") != "IDLE") {
    state_conflict(current, "a channel can be updated only while IDLE",
                   "Stop it (StopChannel) or wait for the current change to finish, then update it.");
  }
  json doc = current.doc;
  apply_request(doc, ctx, in, current.key.id);
  const bool reattach = in.contains("InputAttachments");
  if (reattach) check_attachable(*tx, ctx, doc["InputAttachments"], current.key.id);
  validate_channel_settings(doc);
  if (in.value("DryRun", false)) return {{"Channel", doc}};

  const Key key = current.key;
  if (reattach) {
    detach_inputs(*tx, ctx.region, key.id);
    attach_inputs(*tx, ctx, doc["InputAttachments"], key.id);
  }
  Record& r = tx->modify(key);
  r.doc = std::move(doc);
  r.doc["State"] = "UPDATING";
  tx->schedule(key, "IDLE");
  json out = {{"Channel", r.doc}};
  tx->commit();
  spdlog::info("medialive: updating channel {} in {}", key.id, ctx.region);
  return out;
}

json update_channel_class(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require_live_channel(domain, ctx, str(in, "ChannelId"));
  if (str(current.doc, "State") != "IDLE") {
    state_conflict(current, "the channel class can be changed only while IDLE", "Stop the channel first.");
  }
  json doc = current.doc;
  doc["ChannelClass"] = in.value("ChannelClass", "STANDARD");
  if (in.contains("Destinations")) doc["Destinations"] = in["Destinations"];
  validate_channel_settings(doc);
  doc["EgressEndpoints"] = egress_endpoints(domain.config(), doc);
  Record& r = tx->modify(current.key);
  r.doc = std::move(doc);
  r.doc["State"] = "UPDATING";
  tx->schedule(r.key, "IDLE");
  json out = {{"Channel", r.doc}};
  tx->commit();
  spdlog::info("medialive: changing channel {} to {} in {}", r.key.id, str(r.doc, "ChannelClass"), ctx.region);
  return out;
}

json delete_channel(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require_live_channel(domain, ctx, str(in, "ChannelId"));
  const std::string state = str(current.doc, "State");
  if (state == "RUNNING" || state == "STARTING" || state == "STOPPING" || state == "RECOVERING") {
    throw api::conflict(kDeleteWhileRunning);  // AWS's words (CloudTrail, rebuy-de/aws-nuke#446)
  }
  if (state == "DELETING") state_conflict(current, "it is already being deleted", "Wait for state DELETED.");
  if (state != "IDLE") state_conflict(current, "a channel can be deleted only while IDLE", "Wait until it is IDLE.");
  Record& r = tx->modify(current.key);
  r.doc["State"] = "DELETING";
  tx->schedule(r.key, "DELETED");
  json out = r.doc;
  tx->commit();
  spdlog::info("medialive: deleting channel {} in {}", r.key.id, ctx.region);
  return out;
}

json start_channel(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require_live_channel(domain, ctx, str(in, "ChannelId"));
  const std::string state = str(current.doc, "State");
  if (state == "CREATING") {
    // AWS answers 400 while the channel is still being created (openfun/marsha#796).
    throw api::bad_request("Channel " + current.key.id +
                           " is still being created (state CREATING); wait until it is IDLE, then start it");
  }
  if (state == "RUNNING" || state == "STARTING") {
    state_conflict(current, "it is already started", "Stop it first (StopChannel) if you want to restart it.");
  }
  if (state != "IDLE") state_conflict(current, "only an IDLE channel can be started", "Wait until it is IDLE.");
  Record& r = tx->modify(current.key);
  r.doc["State"] = "STARTING";
  tx->schedule(r.key, "RUNNING");
  json out = r.doc;
  tx->commit();
  spdlog::info("medialive: starting channel {} in {}", r.key.id, ctx.region);
  return out;
}

json stop_channel(Domain& domain, MediaHooks& media, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require_live_channel(domain, ctx, str(in, "ChannelId"));
  const std::string state = str(current.doc, "State");
  if (state == "IDLE" || state == "CREATING" || state == "UPDATING") {
    state_conflict(current, "it is not running, so there is nothing to stop", "Start it first (StartChannel).");
  }
  if (state == "STOPPING") state_conflict(current, "it is already stopping", "Wait for state IDLE.");
  if (state == "DELETING") state_conflict(current, "it is being deleted", "Wait for state DELETED.");
  Record& r = tx->modify(current.key);
  r.doc["State"] = "STOPPING";
  set_pipelines_running(r.doc, false);
  const uint64_t order = domain.next_sequence();
  r.internal["stopOrder"] = order;
  // Replaces a pending STARTING -> RUNNING. When the channel has outputs to end, IDLE comes after
  // the state delay from the media side's report (channel_media_stopped); this later deadline only
  // settles a channel whose media never answers.
  const bool wait_for_media = media.stop_ends_outputs(ctx.region, r.key.id);
  tx->schedule(r.key, "IDLE",
               wait_for_media ? std::optional<int64_t>(std::max(kMediaStopDeadlineMs, domain.config().state_delay_ms))
                              : std::nullopt);
  json out = r.doc;
  tx->after_commit([&media, region = ctx.region, id = r.key.id, order] { media.channel_stop(region, id, order); });
  tx->commit();
  spdlog::info("medialive: stopping channel {} in {}", r.key.id, ctx.region);
  return out;
}

// Restarting pipelines keeps the channel RUNNING; the supervisor of each named pipeline (both when
// PipelineIds is absent) tears its pipeline down and builds it again.
json restart_pipelines(Domain& domain, MediaHooks& media, const CallContext& ctx, const json& in) {
  json out;
  std::string id;
  uint64_t order = 0;
  {
    auto lock = domain.read();
    const Record& r = require_live_channel(domain, ctx, str(in, "ChannelId"));
    if (str(r.doc, "State") != "RUNNING") {
      state_conflict(r, "pipelines can be restarted only while the channel is RUNNING", "Start it first.");
    }
    for (const auto& p : in.value("PipelineIds", json::array())) {
      if (p == "PIPELINE_1" && pipeline_count(r.doc) == 1) {
        throw api::bad_request("Channel " + r.key.id + " is SINGLE_PIPELINE; it has only PIPELINE_0");
      }
    }
    out = r.doc;
    id = r.key.id;
    order = domain.next_sequence();  // under the lock: ordered against StopChannel
  }
  std::vector<int> pipelines;  // PIPELINE_0 -> 0, PIPELINE_1 -> 1
  for (const auto& p : in.value("PipelineIds", json::array()))
    if (p.is_string()) pipelines.push_back(p.get<std::string>() == "PIPELINE_1" ? 1 : 0);
  media.channel_restart(ctx.region, id, order, pipelines);  // a command: returns at once, not under the domain lock
  spdlog::info("medialive: restarting pipelines {} of channel {} in {}",
               in.value("PipelineIds", json::array({"PIPELINE_0", "PIPELINE_1"})).dump(), id, ctx.region);
  return out;
}

json list_alerts(Domain& domain, MediaHooks& media, const CallContext& ctx, const json& in) {
  std::string id;
  {
    auto lock = domain.read();
    id = require_live_channel(domain, ctx, str(in, "ChannelId")).key.id;
  }
  json alerts = media.channel_alerts(ctx.region, id);  // not under the domain lock
  if (const std::string filter = str(in, "StateFilter"); !filter.empty()) {
    json kept = json::array();
    for (const auto& a : alerts)
      if (str(a, "State") == filter) kept.push_back(a);
    alerts = std::move(kept);
  }
  return page_json(alerts, in, "Alerts");
}

// What CREATING, STARTING, STOPPING, UPDATING and DELETING settle into.
void settle_channel(MediaHooks& media, Tx& tx, const Key& key, const std::string& to) {
  Record& r = tx.modify(key);
  r.doc["State"] = to;
  if (to == "RUNNING") {
    set_pipelines_running(r.doc, true);
    // Planned here, under the lock, so the plan matches the committed records exactly.
    auto plan = channel_run_plan(tx.domain(), key.region, key.id);
    plan.order = tx.domain().next_sequence();
    tx.after_commit([&media, plan = std::move(plan)] { media.channel_start(plan); });
  } else if (to == "IDLE") {
    set_pipelines_running(r.doc, false);
  } else if (to == "DELETED") {
    set_pipelines_running(r.doc, false);
    detach_inputs(tx, key.region, key.id);
    drop_schedule(tx, key.region, key.id);
    tx.schedule(key, "", kDeletedRetentionMs);
    tx.after_commit([&media, key, order = tx.domain().next_sequence()] { media.channel_deleted(key.region, key.id, order); });
  }
  spdlog::info("medialive: channel {} in {} is {}", key.id, key.region, to);
}

}  // namespace

const Record& require_live_channel(const Domain& domain, const CallContext& ctx, const std::string& id) {
  const Record& r = require(domain, channel_key(ctx, id), "Channel");
  if (str(r.doc, "State") == "DELETED") throw api::not_found("Channel " + id + " not found (it was deleted)");
  return r;
}

// A page of an already ordered JSON array, with the same opaque NextToken as paginate(): the
// items stand in as records whose ids are their zero-padded positions.
json page_json(const json& items, const json& input, const char* list_member) {
  std::vector<Record> rows;
  rows.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    char id[24];
    std::snprintf(id, sizeof id, "%012zu", i);
    rows.push_back(Record{Key{"", "", id}, json(), json::object()});
  }
  std::vector<const Record*> all;
  for (const auto& r : rows) all.push_back(&r);
  Page page = paginate(all, input);
  json out = {{list_member, json::array()}};
  for (const Record* r : page.items) out[list_member].push_back(items[std::stoul(r->key.id)]);
  put_next_token(out, page);
  return out;
}

void channel_media_stopped(Domain& domain, const std::string& region, const std::string& channel_id, uint64_t order) {
  auto tx = domain.write();
  const Record* r = tx->find({kChannel, region, channel_id});
  // Only the stop that is still under way: a later start or stop superseded an earlier one.
  if (!r || str(r->doc, "State") != "STOPPING" || r->internal.value("stopOrder", uint64_t{0}) != order) return;
  tx->schedule(r->key, "IDLE");
  tx->commit();
  spdlog::info("medialive: channel {} in {} ended its outputs", channel_id, region);
}

void add_channel_operations(api::OperationTable& t, Domain& d, MediaHooks& m) {
  t["CreateChannel"] = [&d](const CallContext& c, const json& in) { return create_channel(d, c, in); };
  t["DescribeChannel"] = [&d, &m](const CallContext& c, const json& in) { return describe_channel(d, m, c, in); };
  t["ListChannels"] = [&d](const CallContext& c, const json& in) { return list_channels(d, c, in); };
  t["UpdateChannel"] = [&d](const CallContext& c, const json& in) { return update_channel(d, c, in); };
  t["UpdateChannelClass"] = [&d](const CallContext& c, const json& in) { return update_channel_class(d, c, in); };
  t["DeleteChannel"] = [&d](const CallContext& c, const json& in) { return delete_channel(d, c, in); };
  t["StartChannel"] = [&d](const CallContext& c, const json& in) { return start_channel(d, c, in); };
  t["StopChannel"] = [&d, &m](const CallContext& c, const json& in) { return stop_channel(d, m, c, in); };
  t["RestartChannelPipelines"] = [&d, &m](const CallContext& c, const json& in) { return restart_pipelines(d, m, c, in); };
  t["ListAlerts"] = [&d, &m](const CallContext& c, const json& in) { return list_alerts(d, m, c, in); };
  d.on_transition(kChannel, [&m](Tx& tx, const Key& key, const std::string& to) { settle_channel(m, tx, key, to); });
}

}  // namespace mediaemu::medialive
