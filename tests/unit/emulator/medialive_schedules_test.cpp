// MediaLive channel schedules through the protocol engine.
#include "tests/unit/emulator/medialive_test_fixture.hpp"

#include "api/timestamps.hpp"

using namespace mediaemu;
using mediaemu::testing::MediaLiveFixture;
using mediaemu::testing::Reply;

namespace {

// An action in model form. `start` is one of the three start-settings members.
json action(const std::string& name, const json& start) {
  return {{"ActionName", name},
          {"ScheduleActionStartSettings", start},
          {"ScheduleActionSettings", {{"Scte35ReturnToNetworkSettings", {{"SpliceEventId", 1}}}}}};
}

json fixed_at(const MediaLiveFixture& ml, int64_t seconds_from_now) {
  double at = static_cast<double>(ml.clock.now_ms()) / 1000 + static_cast<double>(seconds_from_now);
  return {{"FixedModeScheduleActionStartSettings", {{"Time", api::format_iso8601(at)}}}};
}

json follow(const std::string& reference) {
  return {{"FollowModeScheduleActionStartSettings", {{"ReferenceActionName", reference}, {"FollowPoint", "END"}}}};
}

json immediate() { return {{"ImmediateModeScheduleActionStartSettings", json::object()}}; }

// A vector, not a json: a braced single json would be copied rather than wrapped in a list.
json creates(const std::vector<json>& actions) { return {{"Creates", {{"ScheduleActions", actions}}}}; }

struct ScheduleFixture : MediaLiveFixture {
  ScheduleFixture() {
    Reply r = call("CreateChannel", "/prod/channels", testing::minimal_channel("ch", create_input("live")));
    REQUIRE(r.status == 201);
    channel = r.body["Channel"]["Id"];
  }
  std::string schedule() const { return "/prod/channels/" + channel + "/schedule"; }
  std::vector<std::string> names() {
    std::vector<std::string> out;
    Reply described = call("DescribeSchedule", schedule());
    for (const auto& a : described.body["ScheduleActions"]) out.push_back(a["ActionName"]);
    return out;
  }
  std::string channel;
};

}  // namespace

TEST_CASE("BatchUpdateSchedule stores actions, DescribeSchedule pages them", "[medialive][schedules]") {
  ScheduleFixture ml;
  json batch = creates({action("first", fixed_at(ml, 60)), action("second", follow("first")), action("now", immediate())});
  Reply r = ml.call("BatchUpdateSchedule", ml.schedule(), batch);
  REQUIRE(r.status == 200);
  CHECK(r.body["Creates"]["ScheduleActions"].size() == 3);
  CHECK(r.body["Deletes"]["ScheduleActions"].empty());
  CHECK(ml.names() == std::vector<std::string>{"first", "second", "now"});

  Reply page = ml.call("DescribeSchedule", ml.schedule() + "?maxResults=2");
  CHECK(page.body["ScheduleActions"].size() == 2);
  Reply rest = ml.call("DescribeSchedule", ml.schedule() + "?maxResults=2&nextToken=" + page.body["NextToken"].get<std::string>());
  REQUIRE(rest.body["ScheduleActions"].size() == 1);
  CHECK(rest.body["ScheduleActions"][0]["ActionName"] == "now");
  CHECK(rest.body["ScheduleActions"][0]["ScheduleActionSettings"]["Scte35ReturnToNetworkSettings"]["SpliceEventId"] == 1);

  // Deletes come before creates: replacing an action in one batch works.
  json replace = creates({action("first", fixed_at(ml, 120))});
  replace["Deletes"] = {{"ActionNames", {"first"}}};
  Reply replaced = ml.call("BatchUpdateSchedule", ml.schedule(), replace);
  REQUIRE(replaced.status == 200);
  CHECK(replaced.body["Deletes"]["ScheduleActions"][0]["ActionName"] == "first");
  CHECK(ml.names() == std::vector<std::string>{"second", "now", "first"});

  REQUIRE(ml.call("DeleteSchedule", ml.schedule()).status == 200);
  CHECK(ml.names().empty());
}

TEST_CASE("schedule batches pass or fail as a whole", "[medialive][schedules]") {
  ScheduleFixture ml;
  REQUIRE(ml.call("BatchUpdateSchedule", ml.schedule(), creates({action("a", immediate())})).status == 200);

  auto rejected = [&](const json& batch) {
    Reply r = ml.call("BatchUpdateSchedule", ml.schedule(), batch);
    INFO(r.body.dump());
    CHECK(r.status == 422);
    CHECK(r.error_type == "UnprocessableEntityException");
    CHECK(ml.names() == std::vector<std::string>{"a"});
    return r.message();
  };
  CHECK(rejected(creates({action("b", immediate()), action("a", immediate())})).find("\"a\"") != std::string::npos);
  rejected(creates({action("b", immediate()), action("b", immediate())}));
  rejected(creates({action("b", json::object())}));
  rejected(creates({action("b", {{"ImmediateModeScheduleActionStartSettings", json::object()},
                                 {"FollowModeScheduleActionStartSettings",
                                  {{"ReferenceActionName", "a"}, {"FollowPoint", "END"}}}})}));
  CHECK(rejected(creates({action("b", fixed_at(ml, 10))})).find("15 seconds") != std::string::npos);
  rejected(creates({action("b", {{"FixedModeScheduleActionStartSettings", {{"Time", "tomorrow"}}}})}));
  rejected(creates({action("b", follow("nothing"))}));
  rejected({{"Deletes", {{"ActionNames", {"a", "nothing"}}}}});
  json no_settings = action("b", immediate());
  no_settings["ScheduleActionSettings"] = json::object();
  rejected(creates({no_settings}));

  // A fixed time just far enough ahead, and a follow of an action in the same batch, pass.
  Reply ok = ml.call("BatchUpdateSchedule", ml.schedule(), creates({action("b", fixed_at(ml, 15)), action("c", follow("b"))}));
  CHECK(ok.status == 200);
}

TEST_CASE("schedules belong to live channels", "[medialive][schedules]") {
  ScheduleFixture ml;
  CHECK(ml.call("DescribeSchedule", "/prod/channels/9999999/schedule").status == 404);
  CHECK(ml.call("BatchUpdateSchedule", "/prod/channels/9999999/schedule", creates({action("a", immediate())})).status ==
        404);
  CHECK(ml.call("DeleteSchedule", "/prod/channels/9999999/schedule").status == 404);

  REQUIRE(ml.call("BatchUpdateSchedule", ml.schedule(), creates({action("a", immediate())})).status == 200);
  REQUIRE(ml.call("DeleteChannel", "/prod/channels/" + ml.channel).status == 200);
  CHECK(ml.channel_state(ml.channel) == "DELETED");
  CHECK(ml.call("DescribeSchedule", ml.schedule()).status == 404);
  auto lock = ml.domain.read();
  CHECK(ml.domain.list_all("medialive:schedule").empty());  // the schedule went with its channel
}
