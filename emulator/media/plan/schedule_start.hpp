// When a MediaLive schedule action runs (ScheduleActionStartSettings, ML-UG x-actions-in-schedule):
// at a fixed UTC time, immediately, or following another action. Shared by every kind of action
// the media side runs (input switches, SCTE-35 cues).
#pragma once

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/timestamps.hpp"
#include "emulator/media/plan/json_fields.hpp"

namespace mediaemu::media {

struct ScheduleStart {
  enum class Mode { Fixed, Immediate, Follow, Unknown } mode = Mode::Unknown;
  std::optional<int64_t> at_epoch_ms;  // Fixed
  std::string follows;                 // Follow: ReferenceActionName
  bool follows_start = false;          // Follow: FollowPoint START (else END)
};

inline ScheduleStart schedule_start(const nlohmann::json& action) {
  ScheduleStart s;
  const nlohmann::json start = action.value("ScheduleActionStartSettings", nlohmann::json::object());
  if (start.contains("FixedModeScheduleActionStartSettings")) {
    const std::string time = text(start["FixedModeScheduleActionStartSettings"], "Time");
    auto at = api::parse_timestamp(time);
    if (!at) at = api::parse_timestamp(time + "Z");  // AWS's examples write the zone; UTC either way
    if (!at) return s;                                // BatchUpdateSchedule refuses such a time
    s.mode = ScheduleStart::Mode::Fixed;
    s.at_epoch_ms = static_cast<int64_t>(std::llround(*at * 1000));
  } else if (start.contains("ImmediateModeScheduleActionStartSettings")) {
    s.mode = ScheduleStart::Mode::Immediate;
  } else if (start.contains("FollowModeScheduleActionStartSettings")) {
    const nlohmann::json& f = start["FollowModeScheduleActionStartSettings"];
    s.mode = ScheduleStart::Mode::Follow;
    s.follows = text(f, "ReferenceActionName");
    s.follows_start = text(f, "FollowPoint") == "START";
  }
  return s;
}

}  // namespace mediaemu::media
