// Which input a running channel ingests, and when that changes: the automatic input failover
// pairs of its InputAttachments and the input switches of its schedule (BatchUpdateSchedule), as
// plain values. A pure translation of the channel and schedule documents, unit-tested without
// media.
//
// AWS's rules followed (ML-UG automatic-input-failover, x-actions-in-schedule-ips):
// - a started channel ingests its first input attachment;
// - an input switch names an attachment (InputAttachmentNameReference), not an input;
// - a fixed switch runs at its UTC time; an immediate one as soon as the channel has it; a follow
//   one when the input of its reference action reaches the end of the file (ML-UG ips-switch-types);
// - a failover pair is the attachment that carries AutomaticInputFailoverSettings (the primary)
//   and the attachment of its SecondaryInputId; any of its FailoverConditions makes the channel
//   switch to the other input; with PRIMARY_INPUT_PREFERRED it returns to the primary once that
//   has been healthy for ErrorClearTimeMsec, with EQUAL_INPUT_PREFERENCE (the default) it stays.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/ingest/timecode_clip.hpp"

namespace mediaemu::media {

struct FailoverPlan {
  std::string primary_input_id, secondary_input_id;
  // The FailoverConditions, each evaluated on the input on air. Input loss is watched when it is
  // listed, or when no condition is (1,000 ms: "a typical trigger", ML-UG feature-input-loss).
  bool input_loss = true;
  int input_loss_threshold_ms = 1000;  // InputLossSettings.InputLossThresholdMsec
  // VideoBlackSettings: every pixel below BlackDetectThreshold (a fraction of white) for
  // VideoBlackThresholdMsec. 0 ms: not a condition.
  int video_black_ms = 0;
  double black_threshold = 0;
  // AudioSilenceSettings: audio lost or quieter than -50 dBFS for AudioSilenceThresholdMsec.
  int audio_silence_ms = 0;
  int error_clear_time_ms = 1000;  // ErrorClearTimeMsec (no documented default; mediaemu's choice)
  bool primary_preferred = false;  // InputPreference PRIMARY_INPUT_PREFERRED
};

struct ScheduledSwitch {
  std::string action_name;
  std::string attachment_name;  // InputAttachmentNameReference
  std::string input_id;         // the attachment's input
  // FixedModeScheduleActionStartSettings.Time in milliseconds since the epoch; empty: immediate.
  std::optional<int64_t> at_epoch_ms;
  std::optional<pipeline::TimecodeClip> clip;  // InputClippingSettings
  std::vector<std::string> url_path;           // UrlPath: what a dynamic input plays this time
  // FollowModeScheduleActionStartSettings: runs when the input of the action named here ends
  // (FollowPoint END: "when MediaLive has reached the end of the file") or when that action
  // runs (START). Empty: fixed or immediate.
  std::string follows;
  bool follows_start = false;
};

struct InputSwitchPlan {
  std::vector<FailoverPlan> failover;      // at most one pair per primary attachment
  std::vector<ScheduledSwitch> switches;   // fixed ones by time, immediate ones, then follow ones
  // InputPrepareSettings (fixed or immediate; ML-UG input-prep): the input to open ahead of its
  // switch. An empty attachment_name (and input_id) stops preparing.
  std::vector<ScheduledSwitch> prepares;
  std::vector<std::string> alerts;         // what is stored but not run, and why
};

// `channel`: the Channel document (its InputAttachments); `actions`: its schedule's
// ScheduleActions in creation order (empty when it has none).
InputSwitchPlan plan_input_switching(const nlohmann::json& channel, const nlohmann::json& actions);

}  // namespace mediaemu::media
