// MediaLive multiplexes and multiplex programs through the protocol engine.
#include "tests/unit/emulator/medialive_test_fixture.hpp"

using namespace mediaemu;
using mediaemu::testing::MediaLiveFixture;
using mediaemu::testing::Reply;

namespace {

json multiplex_body(const std::string& name) {
  return {{"Name", name},
          {"AvailabilityZones", {"us-east-1a", "us-east-1b"}},
          {"MultiplexSettings", {{"TransportStreamBitrate", 10000000}, {"TransportStreamId", 1}}},
          {"RequestId", "req-" + name},
          {"Tags", {{"env", "test"}}}};
}

json program_body(const std::string& name, int number) {
  return {{"ProgramName", name},
          {"RequestId", "req-" + name},
          {"MultiplexProgramSettings", {{"ProgramNumber", number}}}};
}

std::string create_multiplex(MediaLiveFixture& ml, const std::string& name) {
  Reply r = ml.call("CreateMultiplex", "/prod/multiplexes", multiplex_body(name));
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  return r.body["Multiplex"]["Id"];
}

std::string multiplex_path(const std::string& id, const std::string& suffix = "") { return "/prod/multiplexes/" + id + suffix; }
std::string state(MediaLiveFixture& ml, const std::string& id) {
  return ml.call("DescribeMultiplex", multiplex_path(id)).body.value("State", "");
}

}  // namespace

TEST_CASE("multiplex lifecycle, waiters would succeed on their first poll", "[medialive][multiplexes]") {
  MediaLiveFixture ml;
  Reply created = ml.call("CreateMultiplex", "/prod/multiplexes", multiplex_body("mux"));
  REQUIRE(created.status == 201);
  const json& mux = created.body["Multiplex"];
  const std::string id = mux["Id"];
  CHECK(mux["Arn"] == "arn:aws:medialive:us-east-1:123456789012:multiplex:" + id);
  CHECK(mux["State"] == "CREATING");
  CHECK(mux["Destinations"].size() == 2);
  CHECK(mux["ProgramCount"] == 0);
  CHECK(mux["PipelinesRunningCount"] == 0);
  CHECK(state(ml, id) == "IDLE");  // MultiplexCreated

  Reply started = ml.call("StartMultiplex", multiplex_path(id, "/start"));
  CHECK(started.status == 202);
  CHECK(started.body["State"] == "STARTING");
  Reply running = ml.call("DescribeMultiplex", multiplex_path(id));
  CHECK(running.body["State"] == "RUNNING");  // MultiplexRunning
  CHECK(running.body["PipelinesRunningCount"] == 2);
  CHECK(ml.call("StartMultiplex", multiplex_path(id, "/start")).status == 409);
  CHECK(ml.call("DeleteMultiplex", multiplex_path(id)).status == 409);
  CHECK(ml.call("UpdateMultiplex", multiplex_path(id), {{"Name", "x"}}).status == 409);

  CHECK(ml.call("StopMultiplex", multiplex_path(id, "/stop")).body["State"] == "STOPPING");
  CHECK(state(ml, id) == "IDLE");  // MultiplexStopped
  CHECK(ml.call("StopMultiplex", multiplex_path(id, "/stop")).status == 409);

  Reply updated = ml.call("UpdateMultiplex", multiplex_path(id), {{"Name", "renamed"}});
  CHECK(updated.body["Multiplex"]["Name"] == "renamed");

  Reply deleted = ml.call("DeleteMultiplex", multiplex_path(id));
  CHECK(deleted.status == 202);
  CHECK(deleted.body["State"] == "DELETING");
  CHECK(state(ml, id) == "DELETED");  // MultiplexDeleted
  CHECK(ml.call("ListMultiplexes", "/prod/multiplexes").body["Multiplexes"].empty());
  CHECK(ml.call("StartMultiplex", multiplex_path(id, "/start")).status == 404);
}

TEST_CASE("multiplex states follow the state delay", "[medialive][multiplexes]") {
  MediaLiveFixture ml(3000);
  const std::string id = create_multiplex(ml, "mux");
  CHECK(state(ml, id) == "CREATING");
  ml.advance(3000);
  CHECK(state(ml, id) == "IDLE");
  REQUIRE(ml.call("StartMultiplex", multiplex_path(id, "/start")).status == 202);
  ml.advance(2999);
  CHECK(state(ml, id) == "STARTING");
  ml.advance(1);
  CHECK(state(ml, id) == "RUNNING");
}

TEST_CASE("CreateMultiplex checks zones and is idempotent", "[medialive][multiplexes]") {
  MediaLiveFixture ml;
  json one_zone = multiplex_body("a");
  one_zone["AvailabilityZones"] = {"us-east-1a"};
  CHECK(ml.call("CreateMultiplex", "/prod/multiplexes", one_zone).status == 422);
  json other_region = multiplex_body("b");
  other_region["AvailabilityZones"] = {"eu-west-1a", "eu-west-1b"};
  CHECK(ml.call("CreateMultiplex", "/prod/multiplexes", other_region).status == 422);
  const std::string id = create_multiplex(ml, "mux");
  CHECK(create_multiplex(ml, "mux") == id);
  Reply list = ml.call("ListMultiplexes", "/prod/multiplexes");
  REQUIRE(list.body["Multiplexes"].size() == 1);
  CHECK(list.body["Multiplexes"][0]["MultiplexSettings"] == json{{"TransportStreamBitrate", 10000000}});
  CHECK_FALSE(list.body["Multiplexes"][0].contains("Destinations"));
}

TEST_CASE("multiplex programs", "[medialive][multiplexes]") {
  MediaLiveFixture ml;
  const std::string id = create_multiplex(ml, "mux");

  CHECK(ml.call("CreateMultiplexProgram", multiplex_path("9999999", "/programs"), program_body("p", 1)).status == 404);

  Reply created = ml.call("CreateMultiplexProgram", multiplex_path(id, "/programs"), program_body("news", 1));
  REQUIRE(created.status == 201);
  const json& program = created.body["MultiplexProgram"];
  CHECK(program["ProgramName"] == "news");
  CHECK(program["MultiplexProgramSettings"]["ProgramNumber"] == 1);
  CHECK(program["PacketIdentifiersMap"].contains("VideoPid"));
  CHECK(program["PipelineDetails"] == json::array());
  // A retry with the same RequestId is the same program; another request for the name is 409.
  CHECK(ml.call("CreateMultiplexProgram", multiplex_path(id, "/programs"), program_body("news", 1)).status == 201);
  json again = program_body("news", 1);
  again["RequestId"] = "other";
  CHECK(ml.call("CreateMultiplexProgram", multiplex_path(id, "/programs"), again).status == 409);
  CHECK(ml.call("CreateMultiplexProgram", multiplex_path(id, "/programs"), program_body("sport", 1)).status == 409);
  REQUIRE(ml.call("CreateMultiplexProgram", multiplex_path(id, "/programs"), program_body("sport", 2)).status == 201);
  CHECK(ml.call("DescribeMultiplex", multiplex_path(id)).body["ProgramCount"] == 2);

  Reply page = ml.call("ListMultiplexPrograms", multiplex_path(id, "/programs?maxResults=1"));
  REQUIRE(page.body["MultiplexPrograms"].size() == 1);
  CHECK(page.body["MultiplexPrograms"][0] == json{{"ProgramName", "news"}});  // no channel sends to it yet
  Reply rest = ml.call("ListMultiplexPrograms", multiplex_path(id, "/programs?maxResults=1&nextToken=" + page.body["NextToken"].get<std::string>()));
  CHECK(rest.body["MultiplexPrograms"][0]["ProgramName"] == "sport");
  CHECK_FALSE(rest.body.contains("NextToken"));

  Reply updated = ml.call("UpdateMultiplexProgram", multiplex_path(id, "/programs/news"),
                          {{"MultiplexProgramSettings", {{"ProgramNumber", 7}}}});
  CHECK(updated.body["MultiplexProgram"]["MultiplexProgramSettings"]["ProgramNumber"] == 7);
  CHECK(ml.call("DescribeMultiplexProgram", multiplex_path(id, "/programs/nothing")).status == 404);

  REQUIRE(ml.call("StartMultiplex", multiplex_path(id, "/start")).status == 202);
  CHECK(ml.call("DescribeMultiplexProgram", multiplex_path(id, "/programs/news")).body["PipelineDetails"].size() == 2);
  REQUIRE(ml.call("StopMultiplex", multiplex_path(id, "/stop")).status == 202);

  Reply busy = ml.call("DeleteMultiplex", multiplex_path(id));
  CHECK(busy.status == 409);
  CHECK(busy.message().find("program") != std::string::npos);

  Reply deleted = ml.call("DeleteMultiplexProgram", multiplex_path(id, "/programs/news"));
  CHECK(deleted.status == 200);
  CHECK(deleted.body["ProgramName"] == "news");
  REQUIRE(ml.call("DeleteMultiplexProgram", multiplex_path(id, "/programs/sport")).status == 200);
  CHECK(ml.call("DescribeMultiplex", multiplex_path(id)).body["ProgramCount"] == 0);
  CHECK(ml.call("DeleteMultiplex", multiplex_path(id)).status == 202);
}

TEST_CASE("a program shows the channel that sends to it", "[medialive][multiplexes]") {
  MediaLiveFixture ml;
  const std::string mux = create_multiplex(ml, "mux");
  REQUIRE(ml.call("CreateMultiplexProgram", multiplex_path(mux, "/programs"), program_body("news", 1)).status == 201);
  json channel = testing::minimal_channel("ch", ml.create_input("live"));
  channel["Destinations"] = {{{"Id", "mux"}, {"MultiplexSettings", {{"MultiplexId", mux}, {"ProgramName", "news"}}}}};
  channel["EncoderSettings"]["OutputGroups"][0]["OutputGroupSettings"] = {{"MultiplexGroupSettings", json::object()}};
  channel["EncoderSettings"]["OutputGroups"][0]["Outputs"][0]["OutputSettings"] = {
      {"MultiplexOutputSettings", {{"Destination", {{"DestinationRefId", "mux"}}}}}};
  Reply ch = ml.call("CreateChannel", "/prod/channels", channel);
  REQUIRE(ch.status == 201);
  CHECK(ml.call("DescribeMultiplexProgram", multiplex_path(mux, "/programs/news")).body["ChannelId"] == ch.body["Channel"]["Id"]);
  CHECK(ml.call("DeleteMultiplexProgram", multiplex_path(mux, "/programs/news")).status == 409);
}

TEST_CASE("batch operations reach multiplexes", "[medialive][multiplexes]") {
  MediaLiveFixture ml;
  const std::string a = create_multiplex(ml, "a"), b = create_multiplex(ml, "b");
  Reply started = ml.call("BatchStart", "/prod/batch/start", {{"MultiplexIds", {a, b}}});
  CHECK(started.body["Successful"].size() == 2);
  CHECK(state(ml, a) == "RUNNING");
  Reply stopped = ml.call("BatchStop", "/prod/batch/stop", {{"MultiplexIds", {a}}});
  CHECK(stopped.body["Successful"][0]["State"] == "STOPPING");
  Reply deleted = ml.call("BatchDelete", "/prod/batch/delete", {{"MultiplexIds", {a, b}}});
  CHECK(deleted.body["Successful"].size() == 1);
  REQUIRE(deleted.body["Failed"].size() == 1);
  CHECK(deleted.body["Failed"][0]["Id"] == b);  // still RUNNING
}
