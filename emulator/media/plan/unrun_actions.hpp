// Schedule actions of kinds the media side does not run (static and motion graphics overlays,
// pause state, ID3 and timed metadata, Scte35InputSettings in FIXED mode): one ListAlerts line each,
// so that a schedule BatchUpdateSchedule accepted does not silently do less than on AWS.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "emulator/media/plan/json_fields.hpp"

namespace mediaemu::media {

inline std::vector<std::string> unrun_schedule_actions(const nlohmann::json& actions) {
  static const std::set<std::string> run = {"InputSwitchSettings", "InputPrepareSettings", "Scte35SpliceInsertSettings",
                                            "Scte35ReturnToNetworkSettings", "Scte35TimeSignalSettings"};
  std::vector<std::string> alerts;
  for (const auto& action : actions.is_array() ? actions : nlohmann::json::array()) {
    const nlohmann::json settings = action.value("ScheduleActionSettings", nlohmann::json::object());
    if (!settings.is_object()) continue;
    for (const auto& [kind, value] : settings.items()) {
      if (run.count(kind)) continue;
      // FOLLOW_ACTIVE passes on the SCTE-35 of whichever input is active: what the channel does.
      if (kind == "Scte35InputSettings" && value.is_object() && text(value, "Mode") == "FOLLOW_ACTIVE") continue;
      alerts.push_back("schedule action " + text(action, "ActionName") + " (" + kind + ") is not run by mediaemu");
    }
  }
  return alerts;
}

}  // namespace mediaemu::media
