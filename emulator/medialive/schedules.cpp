// MediaLive channel schedules: BatchUpdateSchedule, DescribeSchedule, DeleteSchedule.
//
// A channel's schedule is one record (kind "medialive:schedule", id = the channel id) holding
// its ScheduleActions in the order they were created. Rules (ML-UG
// how-batch-schedule-requests-work, submitting-batch-command):
// - a batch passes or fails as a whole; deletes are applied before creates;
// - an action that refers to another action (follow mode) must name one that exists;
// - a fixed start time must be at least 15 seconds in the future;
// - actions can be added while the channel is idle or running.
// Action names are unique per channel. Breaking a rule is 422 UnprocessableEntityException,
// which BatchUpdateSchedule declares; AWS's exact messages are not known.
#include <spdlog/spdlog.h>

#include <set>

#include "api/timestamps.hpp"
#include "emulator/media_plans.hpp"
#include "emulator/medialive/medialive.hpp"

namespace mediaemu::medialive {

json page_json(const json& items, const json& input, const char* list_member);  // channels.cpp

namespace {

const std::string kSchedule = "medialive:schedule";
constexpr int64_t kMinimumLeadMs = 15 * 1000;

Key schedule_key(const std::string& region, const std::string& channel_id) { return {kSchedule, region, channel_id}; }

// ISO 8601 with or without the zone designator (AWS's examples write "Z"; UTC either way).
std::optional<double> parse_utc(const std::string& text) {
  if (auto t = api::parse_timestamp(text)) return t;
  return api::parse_timestamp(text + "Z");
}

// Exactly one start mode, and its references and time are usable.
void check_start(const json& action, const std::set<std::string>& names, int64_t now_ms) {
  const std::string name = str(action, "ActionName");
  const json& start = action.value("ScheduleActionStartSettings", json::object());
  if (start.size() != 1) {
    throw api::unprocessable("Schedule action \"" + name +
                             "\": scheduleActionStartSettings must contain exactly one of "
                             "fixedModeScheduleActionStartSettings, followModeScheduleActionStartSettings, "
                             "immediateModeScheduleActionStartSettings");
  }
  if (start.contains("FixedModeScheduleActionStartSettings")) {
    const std::string time = str(start["FixedModeScheduleActionStartSettings"], "Time");
    auto at = parse_utc(time);
    if (!at) {
      throw api::unprocessable("Schedule action \"" + name + "\": start time \"" + time +
                               "\" is not an ISO 8601 UTC time such as 2026-11-22T10:00:00.000Z");
    }
    if (*at * 1000 < static_cast<double>(now_ms + kMinimumLeadMs)) {
      throw api::unprocessable("Schedule action \"" + name + "\": start time " + time +
                               " must be at least 15 seconds in the future (now is " +
                               api::format_iso8601(static_cast<double>(now_ms) / 1000) + ")");
    }
  } else if (start.contains("FollowModeScheduleActionStartSettings")) {
    const std::string ref = str(start["FollowModeScheduleActionStartSettings"], "ReferenceActionName");
    if (ref == name || !names.count(ref)) {
      throw api::unprocessable("Schedule action \"" + name + "\" follows \"" + ref +
                               "\", which is not in the schedule or this batch");
    }
  }
  const json& settings = action.value("ScheduleActionSettings", json::object());
  if (!settings.is_object() || settings.size() != 1) {
    throw api::unprocessable("Schedule action \"" + name + "\": scheduleActionSettings must contain exactly one action");
  }
  if (auto problem = media::scte35_settings_problem(settings))
    throw api::unprocessable("Schedule action \"" + name + "\": " + *problem);
}

// A running channel runs its schedule's input switches (emulator/media/plan/input_switch_plan.hpp):
// after a change, its supervisor gets the new plan. Call before commit, after the change.
void replan_if_running(Domain& domain, MediaHooks& media, Tx& tx, const CallContext& ctx, const std::string& channel_id) {
  const Record* channel = domain.find(channel_key(ctx, channel_id));
  if (!channel || str(channel->doc, "State") != "RUNNING") return;
  tx.after_commit([&media, plan = channel_run_plan(domain, ctx.region, channel_id)] { media.channel_update(plan); });
}

json batch_update(Domain& domain, MediaHooks& media, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const std::string channel_id = str(in, "ChannelId");
  require_live_channel(domain, ctx, channel_id);
  json kept = schedule_actions(domain, ctx.region, channel_id);

  // Deletes first, whatever the start times (ML-UG how-batch-schedule-requests-work).
  json deleted = json::array();
  std::set<std::string> to_delete;
  for (const auto& n : in.value("Deletes", json::object()).value("ActionNames", json::array())) {
    to_delete.insert(n.get<std::string>());
  }
  json remaining = json::array();
  for (auto& action : kept) {
    (to_delete.erase(str(action, "ActionName")) ? deleted : remaining).push_back(action);
  }
  if (!to_delete.empty()) {
    throw api::unprocessable("Cannot delete schedule action(s) " + json(to_delete).dump() + ": channel " + channel_id +
                             " has no actions with those names");
  }

  std::set<std::string> names;
  for (const auto& action : remaining) names.insert(str(action, "ActionName"));
  const json& creates = in.value("Creates", json::object()).value("ScheduleActions", json::array());
  for (const auto& action : creates) {
    if (!names.insert(str(action, "ActionName")).second) {
      throw api::unprocessable("Schedule action name \"" + str(action, "ActionName") + "\" is already used in the " +
                               "schedule of channel " + channel_id + "; action names must be unique");
    }
  }
  for (const auto& action : creates) {
    check_start(action, names, tx->now_ms());
    remaining.push_back(action);
  }

  const Key key = schedule_key(ctx.region, channel_id);
  if (remaining.empty()) {
    tx->remove(key);
  } else if (tx->find(key)) {
    tx->modify(key).doc["ScheduleActions"] = remaining;
  } else {
    tx->create(key, {{"ScheduleActions", remaining}});
  }
  replan_if_running(domain, media, *tx, ctx, channel_id);
  tx->commit();
  spdlog::info("medialive: schedule of channel {} in {}: {} created, {} deleted, {} in total", channel_id, ctx.region,
               creates.size(), deleted.size(), remaining.size());
  return {{"Creates", {{"ScheduleActions", creates}}}, {"Deletes", {{"ScheduleActions", deleted}}}};
}

json describe_schedule(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  require_live_channel(domain, ctx, str(in, "ChannelId"));
  return page_json(schedule_actions(domain, ctx.region, str(in, "ChannelId")), in, "ScheduleActions");
}

// AWS advises using this only on idle channels (ML-UG about-batch-update-schedule); it is
// allowed either way.
json delete_schedule(Domain& domain, MediaHooks& media, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const std::string channel_id = str(in, "ChannelId");
  require_live_channel(domain, ctx, channel_id);
  tx->remove(schedule_key(ctx.region, channel_id));
  replan_if_running(domain, media, *tx, ctx, channel_id);
  tx->commit();
  spdlog::info("medialive: cleared the schedule of channel {} in {}", channel_id, ctx.region);
  return json::object();
}

}  // namespace

json schedule_actions(const Domain& domain, const std::string& region, const std::string& channel_id) {
  const Record* r = domain.find(schedule_key(region, channel_id));
  return r ? r->doc.value("ScheduleActions", json::array()) : json::array();
}

// A deleted channel takes its schedule with it.
void drop_schedule(Tx& tx, const std::string& region, const std::string& channel_id) {
  tx.remove(schedule_key(region, channel_id));
}

void add_schedule_operations(api::OperationTable& t, Domain& d, MediaHooks& m) {
  t["BatchUpdateSchedule"] = [&d, &m](const CallContext& c, const json& in) { return batch_update(d, m, c, in); };
  t["DescribeSchedule"] = [&d](const CallContext& c, const json& in) { return describe_schedule(d, c, in); };
  t["DeleteSchedule"] = [&d, &m](const CallContext& c, const json& in) { return delete_schedule(d, m, c, in); };
}

}  // namespace mediaemu::medialive
