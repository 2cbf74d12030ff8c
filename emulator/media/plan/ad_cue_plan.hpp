// The SCTE-35 cues a running channel inserts: its schedule's Scte35SpliceInsertSettings,
// Scte35ReturnToNetworkSettings and Scte35TimeSignalSettings actions (ML-UG
// scte-35-ad-avail-schedule, x-actions-in-schedule), as plain values. Fixed ones run at their
// time, immediate ones as soon as the channel has them, follow-mode ones when the input switch
// they follow has started or played its file input to the end ("a SCTE 35 action can follow
// input A only if input A is a file input", ML-UG schedule-fields-for-time-signal). A pure
// translation, unit-tested without media.
//
// MediaLive writes a splice_insert as a program splice at the action's time, with a
// break_duration (auto_return) when Duration is set; a return to network is a splice_insert with
// out_of_network_indicator 0 for the same event id; a time_signal carries the segmentation
// descriptors as given.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/ads/ad_cue.hpp"

namespace mediaemu::media {

struct FollowingCue {
  pipeline::ads::CueRequest cue;  // inserted as soon as it is due: no at_epoch_ms
  std::string follows;            // the input switch's ActionName
  bool follows_start = false;     // FollowPoint START (else END, the console's only choice)
};

struct AdCuePlan {
  std::vector<pipeline::ads::CueRequest> cues;  // fixed ones by time, then immediate ones
  std::vector<FollowingCue> following;          // follow-mode ones
  std::vector<std::string> alerts;              // actions stored but not run, and why
};

// `actions`: the channel schedule's ScheduleActions, in creation order.
AdCuePlan plan_ad_cues(const nlohmann::json& actions);

// The problem with an action's SCTE-35 settings (a value out of its SCTE-35 field's range, a
// UPID that is not hex), or nullopt: BatchUpdateSchedule refuses such an action.
std::optional<std::string> scte35_settings_problem(const nlohmann::json& action_settings);

}  // namespace mediaemu::media
