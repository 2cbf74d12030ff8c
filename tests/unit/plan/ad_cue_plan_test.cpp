// A channel's schedule -> the SCTE-35 cues its transcoder inserts (emulator/media/plan/ad_cue_plan.hpp),
// and the SCTE-35 settings BatchUpdateSchedule refuses.
#include <catch2/catch.hpp>

#include "emulator/media/plan/ad_cue_plan.hpp"
#include "emulator/media/plan/unrun_actions.hpp"

using namespace mediaemu::media;
using json = nlohmann::json;

namespace {

json cue_action(const std::string& name, const json& start, const json& settings) {
  return {{"ActionName", name}, {"ScheduleActionStartSettings", start}, {"ScheduleActionSettings", settings}};
}

json at(const std::string& time) { return {{"FixedModeScheduleActionStartSettings", {{"Time", time}}}}; }

}  // namespace

TEST_CASE("SCTE-35 schedule actions become cues: fixed ones by time, then immediate ones, and follow-mode ones after a switch",
          "[plan][ads]") {
  json actions = json::array({
      cue_action("later", at("2026-12-06T10:00:30.000Z"), {{"Scte35ReturnToNetworkSettings", {{"SpliceEventId", 9}}}}),
      cue_action("now", {{"ImmediateModeScheduleActionStartSettings", json::object()}},
                 {{"Scte35SpliceInsertSettings", {{"SpliceEventId", 10}}}}),
      cue_action("sooner", at("2026-12-06T10:00:00Z"),
                 {{"Scte35SpliceInsertSettings", {{"SpliceEventId", 9}, {"Duration", 2700000}}}}),
      cue_action("po", at("2026-12-06T10:01:00Z"),
                 {{"Scte35TimeSignalSettings",
                   {{"Scte35Descriptors",
                     {{{"Scte35DescriptorSettings",
                        {{"SegmentationDescriptorScte35DescriptorSettings",
                          {{"SegmentationEventId", 5}, {"SegmentationCancelIndicator", "SEGMENTATION_EVENT_NOT_CANCELED"},
                           {"SegmentationTypeId", 52}, {"SegmentationDuration", 900000}, {"SegmentationUpid", "0aFF"},
                           {"SegmentationUpidType", 12},
                           {"DeliveryRestrictions",
                            {{"WebDeliveryAllowedFlag", "WEB_DELIVERY_NOT_ALLOWED"},
                             {"NoRegionalBlackoutFlag", "NO_REGIONAL_BLACKOUT"},
                             {"ArchiveAllowedFlag", "ARCHIVE_ALLOWED"},
                             {"DeviceRestrictions", "RESTRICT_GROUP1"}}}}}}}}}}}}}),
      cue_action("follow", {{"FollowModeScheduleActionStartSettings", {{"ReferenceActionName", "sooner"}}}},
                 {{"Scte35SpliceInsertSettings", {{"SpliceEventId", 11}}}}),
      cue_action("switch", at("2026-12-06T10:00:00Z"), {{"InputSwitchSettings", {{"InputAttachmentNameReference", "a"}}}}),
      cue_action("after-file",
                 {{"FollowModeScheduleActionStartSettings", {{"ReferenceActionName", "switch"}, {"FollowPoint", "END"}}}},
                 {{"Scte35SpliceInsertSettings", {{"SpliceEventId", 12}, {"Duration", 900000}}}}),
  });
  AdCuePlan plan = plan_ad_cues(actions);
  REQUIRE(plan.cues.size() == 4);
  CHECK(plan.cues[0].name == "sooner");
  CHECK(*plan.cues[0].at_epoch_ms == 1796551200000);
  CHECK(plan.cues[0].info.event_id == 9);
  CHECK(*plan.cues[0].info.break_duration_90k == 2700000);
  CHECK(plan.cues[1].name == "later");
  CHECK_FALSE(plan.cues[1].info.out_of_network);
  CHECK(plan.cues[2].name == "po");
  const auto& d = plan.cues[2].info.descriptors.at(0);
  CHECK(d.type_id == 52);
  CHECK(d.upid == std::vector<uint8_t>{0x0A, 0xFF});
  REQUIRE(d.restrictions);
  CHECK_FALSE(d.restrictions->web_delivery_allowed);
  CHECK(d.restrictions->no_regional_blackout);
  CHECK(d.restrictions->device_restrictions == 1);
  CHECK(plan.cues[3].name == "now");
  CHECK_FALSE(plan.cues[3].at_epoch_ms);
  REQUIRE(plan.following.size() == 1);  // follows an input switch: run at its file's end
  CHECK(plan.following[0].cue.name == "after-file");
  CHECK(plan.following[0].follows == "switch");
  CHECK_FALSE(plan.following[0].follows_start);
  CHECK_FALSE(plan.following[0].cue.at_epoch_ms);
  CHECK(plan.following[0].cue.info.event_id == 12);
  REQUIRE(plan.alerts.size() == 1);  // follows another SCTE-35 action, which MediaLive's follow mode cannot
  CHECK(plan.alerts[0] == "schedule action follow: an SCTE-35 action in follow mode runs after an input switch; "
                          "\"sooner\" is none, so it is not run");
}

TEST_CASE("SCTE-35 settings out of their fields' ranges are refused", "[plan][ads]") {
  CHECK_FALSE(scte35_settings_problem({{"Scte35SpliceInsertSettings", {{"SpliceEventId", 4294967295}}}}));
  CHECK(scte35_settings_problem({{"Scte35SpliceInsertSettings", {{"SpliceEventId", 4294967296}}}}));
  CHECK(scte35_settings_problem({{"Scte35SpliceInsertSettings", {{"SpliceEventId", 1}, {"Duration", -1}}}}));
  CHECK(scte35_settings_problem({{"Scte35TimeSignalSettings", {{"Scte35Descriptors", json::array()}}}}));
  auto descriptor = [](const json& d) {
    return json{{"Scte35TimeSignalSettings",
                 {{"Scte35Descriptors",
                   {{{"Scte35DescriptorSettings", {{"SegmentationDescriptorScte35DescriptorSettings", d}}}}}}}}};
  };
  CHECK_FALSE(scte35_settings_problem(descriptor({{"SegmentationEventId", 1}, {"SegmentationTypeId", 48}})));
  auto odd = scte35_settings_problem(descriptor({{"SegmentationEventId", 1}, {"SegmentationUpid", "abc"}}));
  REQUIRE(odd);
  CHECK(odd->find("SegmentationUpid") != std::string::npos);
  CHECK(scte35_settings_problem(descriptor({{"SegmentationEventId", 1}, {"SegmentationTypeId", 256}})));
}

TEST_CASE("schedule actions of kinds mediaemu does not run are alerts, not silent", "[plan]") {
  const json now = {{"ImmediateModeScheduleActionStartSettings", json::object()}};
  const json actions = json::array(
      {cue_action("slate", now, {{"StaticImageActivateSettings", {{"Image", {{"Uri", "s3://b/x.png"}}}}}}),
       cue_action("follow", now, {{"Scte35InputSettings", {{"Mode", "FOLLOW_ACTIVE"}}}}),
       cue_action("fixed", now, {{"Scte35InputSettings", {{"Mode", "FIXED"}, {"InputAttachmentNameReference", "b"}}}}),
       cue_action("break", now, {{"Scte35SpliceInsertSettings", {{"SpliceEventId", 1}}}})});
  CHECK(unrun_schedule_actions(actions) ==
        std::vector<std::string>{"schedule action slate (StaticImageActivateSettings) is not run by mediaemu",
                                 "schedule action fixed (Scte35InputSettings) is not run by mediaemu"});
}
