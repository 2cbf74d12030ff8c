// A channel's input attachments and schedule -> the failover pairs and input switches its
// supervisor runs (emulator/media/plan/input_switch_plan.hpp).
#include <catch2/catch.hpp>

#include "emulator/media/plan/input_switch_plan.hpp"

using namespace mediaemu::media;
using json = nlohmann::json;

namespace {

json channel_with_pair(const json& failover) {
  json primary = {{"InputAttachmentName", "studio"}, {"InputId", "111"}};
  if (!failover.is_null()) primary["AutomaticInputFailoverSettings"] = failover;
  return {{"InputAttachments", json::array({primary,
                                            {{"InputAttachmentName", "backup"}, {"InputId", "222"}},
                                            {{"InputAttachmentName", "slate"}, {"InputId", "333"}}})}};
}

json switch_action(const std::string& name, const std::string& attachment, const json& start) {
  return {{"ActionName", name},
          {"ScheduleActionStartSettings", start},
          {"ScheduleActionSettings", {{"InputSwitchSettings", {{"InputAttachmentNameReference", attachment}}}}}};
}

json fixed(const std::string& time) { return {{"FixedModeScheduleActionStartSettings", {{"Time", time}}}}; }
json immediate() { return {{"ImmediateModeScheduleActionStartSettings", json::object()}}; }

}  // namespace

TEST_CASE("an attachment's AutomaticInputFailoverSettings make a failover pair", "[plan][switching]") {
  json settings = {{"SecondaryInputId", "222"},
                   {"InputPreference", "PRIMARY_INPUT_PREFERRED"},
                   {"ErrorClearTimeMsec", 3000},
                   {"FailoverConditions",
                    json::array({{{"FailoverConditionSettings", {{"InputLossSettings", {{"InputLossThresholdMsec", 1500}}}}}},
                                 {{"FailoverConditionSettings",
                                   {{"VideoBlackSettings", {{"BlackDetectThreshold", 0.1}, {"VideoBlackThresholdMsec", 500}}}}}}})}};
  InputSwitchPlan plan = plan_input_switching(channel_with_pair(settings), json::array());
  REQUIRE(plan.failover.size() == 1);
  const FailoverPlan& pair = plan.failover[0];
  CHECK(pair.primary_input_id == "111");
  CHECK(pair.secondary_input_id == "222");
  CHECK(pair.input_loss_threshold_ms == 1500);
  CHECK(pair.error_clear_time_ms == 3000);
  CHECK(pair.primary_preferred);
  CHECK(pair.input_loss);
  CHECK(pair.video_black_ms == 500);
  CHECK(pair.black_threshold == Approx(0.1));
  CHECK(pair.audio_silence_ms == 0);
  // Content is judged on the input on air only: the way back to the primary says so.
  REQUIRE(plan.alerts.size() == 1);
  CHECK_THAT(plan.alerts[0], Catch::Contains("PRIMARY_INPUT_PREFERRED"));

  // Conditions without InputLossSettings: input loss is not one of them.
  json silence = {{"SecondaryInputId", "222"},
                  {"FailoverConditions",
                   json::array({{{"FailoverConditionSettings",
                                  {{"AudioSilenceSettings", {{"AudioSelectorName", "a"}, {"AudioSilenceThresholdMsec", 2000}}}}}}})}};
  InputSwitchPlan quiet = plan_input_switching(channel_with_pair(silence), json::array());
  REQUIRE(quiet.failover.size() == 1);
  CHECK_FALSE(quiet.failover[0].input_loss);
  CHECK(quiet.failover[0].audio_silence_ms == 2000);
  CHECK(quiet.alerts.empty());

  InputSwitchPlan defaults = plan_input_switching(channel_with_pair({{"SecondaryInputId", "222"}}), json::array());
  REQUIRE(defaults.failover.size() == 1);
  CHECK_FALSE(defaults.failover[0].primary_preferred);  // EQUAL_INPUT_PREFERENCE
  CHECK(defaults.failover[0].input_loss_threshold_ms == 1000);
  CHECK(defaults.failover[0].input_loss);  // no condition listed: input loss
  CHECK(defaults.failover[0].video_black_ms == 0);
  CHECK(defaults.alerts.empty());
  CHECK(plan_input_switching(channel_with_pair(nullptr), json::array()).failover.empty());
}

TEST_CASE("schedule input switches resolve attachments and run in time order", "[plan][switching]") {
  json actions = json::array({switch_action("late", "slate", fixed("2026-12-05T10:00:30.000Z")),
                              switch_action("now", "backup", immediate()),
                              switch_action("early", "backup", fixed("2026-12-05T10:00:20Z")),
                              switch_action("nowhere", "missing", immediate()),
                              {{"ActionName", "ad"},
                               {"ScheduleActionStartSettings", immediate()},
                               {"ScheduleActionSettings", {{"Scte35ReturnToNetworkSettings", {{"SpliceEventId", 1}}}}}},
                              switch_action("after", "studio",
                                            {{"FollowModeScheduleActionStartSettings",
                                              {{"FollowPoint", "END"}, {"ReferenceActionName", "late"}}}})});
  InputSwitchPlan plan = plan_input_switching(channel_with_pair(nullptr), actions);
  REQUIRE(plan.switches.size() == 4);
  CHECK(plan.switches[0].action_name == "early");
  CHECK(plan.switches[0].input_id == "222");
  CHECK(*plan.switches[0].at_epoch_ms == 1796464820000);
  CHECK(plan.switches[1].action_name == "late");
  CHECK(plan.switches[1].input_id == "333");
  CHECK(plan.switches[1].attachment_name == "slate");
  CHECK(plan.switches[2].action_name == "now");
  CHECK_FALSE(plan.switches[2].at_epoch_ms);
  CHECK(plan.switches[3].follows == "late");  // follow-mode switches last
  // An unknown attachment is an alert, not silently dropped.
  REQUIRE(plan.alerts.size() == 1);
  CHECK_THAT(plan.alerts[0], Catch::Contains("missing"));
}

TEST_CASE("an input switch's InputClippingSettings become its clip, and a malformed timecode is an alert", "[plan][switching]") {
  json clipped = switch_action("clip", "slate", immediate());
  clipped["ScheduleActionSettings"]["InputSwitchSettings"]["InputClippingSettings"] = {
      {"InputTimecodeSource", "ZEROBASED"},
      {"StartTimecode", {{"Timecode", "00:00:04:00"}}},
      {"StopTimecode", {{"Timecode", "00:00:06;15"}, {"LastFrameClippingBehavior", "INCLUDE_LAST_FRAME"}}}};
  json broken = switch_action("broken", "slate", immediate());
  broken["ScheduleActionSettings"]["InputSwitchSettings"]["InputClippingSettings"] = {
      {"InputTimecodeSource", "EMBEDDED"}, {"StartTimecode", {{"Timecode", "4 seconds"}}}};
  InputSwitchPlan plan = plan_input_switching(channel_with_pair(nullptr), json::array({clipped, broken}));
  REQUIRE(plan.switches.size() == 2);
  REQUIRE(plan.switches[0].clip);
  CHECK(plan.switches[0].clip->start == "00:00:04:00");
  CHECK(plan.switches[0].clip->stop == "00:00:06;15");
  CHECK(plan.switches[0].clip->include_last_frame);
  CHECK_FALSE(plan.switches[0].clip->embedded);
  CHECK_FALSE(plan.switches[1].clip);  // plays whole, and says why
  REQUIRE(plan.alerts.size() == 1);
  CHECK_THAT(plan.alerts[0], Catch::Contains("'4 seconds' is not HH:MM:SS:FF"));
  CHECK(mediaemu::pipeline::timecode_seconds("00:00:06;15", 30) == Approx(6.5));
  CHECK_FALSE(mediaemu::pipeline::timecode_seconds("00:00:06:30", 30));  // frame 30 of 30 fps
  CHECK_FALSE(mediaemu::pipeline::timecode_seconds("00:61:00:00", 30));
}

TEST_CASE("an input switch's UrlPath is kept for its dynamic input", "[plan][switching]") {
  json dynamic = switch_action("movie", "slate", immediate());
  dynamic["ScheduleActionSettings"]["InputSwitchSettings"]["UrlPath"] = {"vod/movie.mp4", "vod/movie-b.mp4"};
  InputSwitchPlan plan = plan_input_switching(channel_with_pair(nullptr), json::array({dynamic}));
  REQUIRE(plan.switches.size() == 1);
  CHECK(plan.switches[0].url_path == std::vector<std::string>{"vod/movie.mp4", "vod/movie-b.mp4"});
  CHECK(plan.alerts.empty());
}

TEST_CASE("input prepare actions are planned, a follow-mode one with what it follows", "[plan][switching]") {
  json ready = switch_action("ready", "slate", immediate());
  ready["ScheduleActionSettings"] = {{"InputPrepareSettings", {{"InputAttachmentNameReference", "slate"},
                                                              {"UrlPath", {"vod/a.mp4"}}}}};
  json stop = switch_action("unprepare", "slate", immediate());
  stop["ScheduleActionSettings"] = {{"InputPrepareSettings", json::object()}};
  json follow = switch_action("later", "slate", {{"FollowModeScheduleActionStartSettings",
                                                  {{"FollowPoint", "END"}, {"ReferenceActionName", "ready"}}}});
  follow["ScheduleActionSettings"] = {{"InputPrepareSettings", {{"InputAttachmentNameReference", "slate"}}}};
  InputSwitchPlan plan = plan_input_switching(channel_with_pair(nullptr), json::array({ready, stop, follow}));
  REQUIRE(plan.prepares.size() == 3);
  CHECK(plan.prepares[0].input_id == plan_input_switching(channel_with_pair(nullptr), json::array({switch_action("s", "slate", immediate())})).switches[0].input_id);
  CHECK(plan.prepares[0].url_path == std::vector<std::string>{"vod/a.mp4"});
  CHECK(plan.prepares[1].input_id.empty());  // stops preparing
  CHECK(plan.prepares[2].follows == "ready");
  CHECK_FALSE(plan.prepares[2].follows_start);  // FollowPoint END
  CHECK(plan.switches.empty());
  CHECK(plan.alerts.empty());
}

TEST_CASE("follow-mode input switches follow their reference action", "[plan][switching]") {
  json follow = switch_action("after", "studio", {{"FollowModeScheduleActionStartSettings",
                                                   {{"FollowPoint", "END"}, {"ReferenceActionName", "slate-now"}}}});
  InputSwitchPlan plan = plan_input_switching(channel_with_pair(nullptr),
                                              json::array({follow, switch_action("slate-now", "slate", immediate())}));
  REQUIRE(plan.switches.size() == 2);
  CHECK(plan.switches[0].action_name == "slate-now");  // the follow ones come last
  CHECK(plan.switches[1].follows == "slate-now");
  CHECK_FALSE(plan.switches[1].follows_start);
  CHECK_FALSE(plan.switches[1].at_epoch_ms);
  CHECK(plan.alerts.empty());
}
