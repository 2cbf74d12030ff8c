#include "emulator/media/plan/input_switch_plan.hpp"

#include <algorithm>
#include <map>

#include "emulator/media/plan/json_fields.hpp"
#include "emulator/media/plan/schedule_start.hpp"

namespace mediaemu::media {
namespace {

using json = nlohmann::json;

FailoverPlan failover_of(const std::string& primary, const json& settings, std::vector<std::string>& alerts) {
  FailoverPlan pair;
  pair.primary_input_id = primary;
  pair.secondary_input_id = text(settings, "SecondaryInputId");
  pair.primary_preferred = text(settings, "InputPreference") == "PRIMARY_INPUT_PREFERRED";
  pair.error_clear_time_ms = std::max(1, integer(settings, "ErrorClearTimeMsec", pair.error_clear_time_ms));
  const json conditions = settings.value("FailoverConditions", json::array());
  pair.input_loss = conditions.empty();
  for (const auto& condition : conditions) {
    const json& c = condition.value("FailoverConditionSettings", json::object());
    if (c.contains("InputLossSettings")) {
      pair.input_loss = true;
      pair.input_loss_threshold_ms =
          std::max(1, integer(c["InputLossSettings"], "InputLossThresholdMsec", pair.input_loss_threshold_ms));
    }
    // The model gives no defaults for these; 1,000 ms is the console's.
    if (c.contains("VideoBlackSettings")) {
      const json& v = c["VideoBlackSettings"];
      pair.video_black_ms = std::max(1, integer(v, "VideoBlackThresholdMsec", 1000));
      pair.black_threshold = std::clamp(v.value("BlackDetectThreshold", 0.0), 0.0, 1.0);
    }
    if (c.contains("AudioSilenceSettings"))
      pair.audio_silence_ms = std::max(1, integer(c["AudioSilenceSettings"], "AudioSilenceThresholdMsec", 1000));
  }
  // Only the input on air is decoded here (AWS decodes both), so black and silence are seen on it
  // alone: the way back to a preferred primary waits for its input loss to clear, not its content.
  if ((pair.video_black_ms || pair.audio_silence_ms) && pair.primary_preferred)
    alerts.push_back("input " + primary +
                     ": black and silence are detected on the input on air only; returning to the primary "
                     "(PRIMARY_INPUT_PREFERRED) waits for it to deliver, not for its content to clear");
  return pair;
}

// InputClippingSettings as a clip; a malformed timecode drops the clip (the input plays whole) and
// says so.
std::optional<pipeline::TimecodeClip> clip_of(const std::string& action, const json& settings,
                                              std::vector<std::string>& alerts) {
  pipeline::TimecodeClip clip;
  clip.embedded = text(settings, "InputTimecodeSource") == "EMBEDDED";
  clip.start = text(settings.value("StartTimecode", json::object()), "Timecode");
  const json stop = settings.value("StopTimecode", json::object());
  clip.stop = text(stop, "Timecode");
  clip.include_last_frame = text(stop, "LastFrameClippingBehavior") == "INCLUDE_LAST_FRAME";
  for (const std::string* tc : {&clip.start, &clip.stop}) {
    if (!tc->empty() && !pipeline::is_timecode(*tc)) {
      alerts.push_back("schedule action " + action + ": InputClippingSettings timecode '" + *tc +
                       "' is not HH:MM:SS:FF; the input plays whole");
      return std::nullopt;
    }
  }
  if (clip.start.empty() && clip.stop.empty()) return std::nullopt;  // nothing to clip
  return clip;
}

// What an InputSwitchSettings or InputPrepareSettings action names: its attachment's input, the
// UrlPath and the clip. False (with an alert) for an attachment the channel does not have; an
// empty attachment is allowed when `may_be_empty` (a prepare that stops preparing).
bool read_input_action(const json& action, const json& settings, const std::map<std::string, std::string>& input_of_attachment,
                       bool may_be_empty, ScheduledSwitch& out, InputSwitchPlan& plan) {
  out.action_name = text(action, "ActionName");
  out.attachment_name = text(settings, "InputAttachmentNameReference");
  if (!(may_be_empty && out.attachment_name.empty())) {
    auto input = input_of_attachment.find(out.attachment_name);
    if (input == input_of_attachment.end()) {
      plan.alerts.push_back("schedule action " + out.action_name + " names input attachment '" + out.attachment_name +
                            "', which the channel does not have");
      return false;
    }
    out.input_id = input->second;
  }
  for (const auto& value : settings.value("UrlPath", json::array()))
    if (value.is_string()) out.url_path.push_back(value.get<std::string>());
  if (settings.contains("InputClippingSettings") && settings["InputClippingSettings"].is_object())
    out.clip = clip_of(out.action_name, settings["InputClippingSettings"], plan.alerts);
  return true;
}

// An InputPrepareSettings action into plan.prepares (or an alert).
void plan_prepare(const json& action, const json& prepare, const std::map<std::string, std::string>& input_of_attachment,
                  InputSwitchPlan& plan) {
  ScheduledSwitch p;
  if (!read_input_action(action, prepare, input_of_attachment, true, p, plan)) return;
  const ScheduleStart start = schedule_start(action);
  if (start.mode == ScheduleStart::Mode::Fixed) p.at_epoch_ms = start.at_epoch_ms;
  // Follow: the prepare follows an input switch, its start or its end ("MediaLive starts preparing
  // the input after the reference input is active", ML-UG plan-prep-start-types).
  if (start.mode == ScheduleStart::Mode::Follow) {
    p.follows = start.follows;
    p.follows_start = start.follows_start;
  }
  if (start.mode != ScheduleStart::Mode::Unknown) plan.prepares.push_back(std::move(p));
}

}  // namespace

InputSwitchPlan plan_input_switching(const json& channel, const json& actions) {
  InputSwitchPlan plan;
  std::map<std::string, std::string> input_of_attachment;
  for (const auto& a : channel.value("InputAttachments", json::array())) {
    input_of_attachment[text(a, "InputAttachmentName")] = text(a, "InputId");
    if (a.contains("AutomaticInputFailoverSettings") && a["AutomaticInputFailoverSettings"].is_object())
      plan.failover.push_back(failover_of(text(a, "InputId"), a["AutomaticInputFailoverSettings"], plan.alerts));
  }

  std::vector<ScheduledSwitch> fixed, immediate, follow;
  for (const auto& action : actions.is_array() ? actions : json::array()) {
    const json& settings = action.value("ScheduleActionSettings", json::object());
    if (settings.contains("InputPrepareSettings")) {
      plan_prepare(action, settings["InputPrepareSettings"], input_of_attachment, plan);
      continue;
    }
    if (!settings.contains("InputSwitchSettings")) continue;  // other actions: not run (yet)
    ScheduledSwitch s;
    if (!read_input_action(action, settings["InputSwitchSettings"], input_of_attachment, false, s, plan)) continue;
    const ScheduleStart start = schedule_start(action);
    if (start.mode == ScheduleStart::Mode::Fixed) {
      s.at_epoch_ms = start.at_epoch_ms;
      fixed.push_back(std::move(s));
    } else if (start.mode == ScheduleStart::Mode::Immediate) {
      immediate.push_back(std::move(s));
    } else if (start.mode == ScheduleStart::Mode::Follow) {
      s.follows = start.follows;
      s.follows_start = start.follows_start;
      follow.push_back(std::move(s));
    }
  }
  std::stable_sort(fixed.begin(), fixed.end(),
                   [](const ScheduledSwitch& a, const ScheduledSwitch& b) { return *a.at_epoch_ms < *b.at_epoch_ms; });
  plan.switches = std::move(fixed);
  for (auto& s : immediate) plan.switches.push_back(std::move(s));
  for (auto& s : follow) plan.switches.push_back(std::move(s));
  return plan;
}

}  // namespace mediaemu::media
