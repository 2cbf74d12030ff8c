// MediaLive channels through the protocol engine: lifecycle, illegal transitions, input
// attachment, validation, pagination, idempotency.
#include "tests/unit/emulator/medialive_test_fixture.hpp"

using namespace mediaemu;
using mediaemu::testing::MediaLiveFixture;
using mediaemu::testing::minimal_channel;
using mediaemu::testing::Reply;

namespace {

std::string create_channel(MediaLiveFixture& ml, const json& body) {
  Reply r = ml.call("CreateChannel", "/prod/channels", body);
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  return r.body["Channel"]["Id"];
}

std::string path(const std::string& id, const std::string& suffix = "") { return "/prod/channels/" + id + suffix; }

}  // namespace

TEST_CASE("channel lifecycle with --state-delay 0 settles at the next call", "[medialive][channels]") {
  MediaLiveFixture ml;
  const std::string input = ml.create_input("live");
  Reply created = ml.call("CreateChannel", "/prod/channels", minimal_channel("ch", input));
  REQUIRE(created.status == 201);
  const json& ch = created.body["Channel"];
  const std::string id = ch["Id"];
  CHECK(id.size() == 7);
  CHECK(ch["Arn"] == "arn:aws:medialive:us-east-1:123456789012:channel:" + id);
  CHECK(ch["State"] == "CREATING");
  CHECK(ch["LogLevel"] == "DISABLED");
  CHECK(ch["ChannelClass"] == "SINGLE_PIPELINE");
  CHECK(ch["EgressEndpoints"] == json::array({{{"SourceIp", "127.0.0.1"}}}));
  CHECK(ch["PipelineDetails"] == json::array());
  CHECK(ch["PipelinesRunningCount"] == 0);
  CHECK(ch["Tags"] == json{{"team", "video"}});
  CHECK(ch["EncoderSettings"]["OutputGroups"][0]["Name"] == "hls");

  CHECK(ml.channel_state(id) == "IDLE");
  Reply input_doc = ml.call("DescribeInput", "/prod/inputs/" + input);
  CHECK(input_doc.body["State"] == "ATTACHED");
  CHECK(input_doc.body["AttachedChannels"] == json::array({id}));

  Reply started = ml.call("StartChannel", path(id, "/start"));
  REQUIRE(started.status == 200);
  CHECK(started.body["State"] == "STARTING");
  Reply running = ml.call("DescribeChannel", path(id));
  CHECK(running.body["State"] == "RUNNING");
  CHECK(running.body["PipelinesRunningCount"] == 1);
  CHECK(running.body["PipelineDetails"] ==
        json::array({{{"PipelineId", "0"}, {"ActiveInputAttachmentName", "main"}}}));
  CHECK(ml.media.running == std::vector<std::string>{id});

  Reply stopped = ml.call("StopChannel", path(id, "/stop"));
  REQUIRE(stopped.status == 200);
  CHECK(stopped.body["State"] == "STOPPING");
  CHECK(ml.media.stopping == std::vector<std::string>{id});
  Reply idle = ml.call("DescribeChannel", path(id));
  CHECK(idle.body["State"] == "IDLE");
  CHECK(idle.body["PipelinesRunningCount"] == 0);
  CHECK(idle.body["PipelineDetails"] == json::array());

  Reply deleted = ml.call("DeleteChannel", path(id));
  REQUIRE(deleted.status == 200);
  CHECK(deleted.body["State"] == "DELETING");
  CHECK(deleted.body["Id"] == id);
  CHECK(ml.channel_state(id) == "DELETED");  // describable, as the ChannelDeleted waiter needs
  CHECK(ml.media.deleted == std::vector<std::string>{id});
  CHECK(ml.input_state(input) == "DETACHED");
  CHECK(ml.call("ListChannels", "/prod/channels").body["Channels"].empty());

  ml.advance(medialive::kDeletedRetentionMs);
  CHECK(ml.call("DescribeChannel", path(id)).status == 404);
}

TEST_CASE("channel transitions take the configured state delay", "[medialive][channels]") {
  MediaLiveFixture ml(5000);
  const std::string input = ml.create_input("live");
  ml.advance(5000);
  const std::string id = create_channel(ml, minimal_channel("ch", input));
  CHECK(ml.channel_state(id) == "CREATING");
  ml.advance(4999);
  CHECK(ml.channel_state(id) == "CREATING");
  ml.advance(1);
  CHECK(ml.channel_state(id) == "IDLE");

  REQUIRE(ml.call("StartChannel", path(id, "/start")).status == 200);
  ml.advance(4000);
  CHECK(ml.channel_state(id) == "STARTING");
  CHECK(ml.media.running.empty());
  ml.advance(1000);
  CHECK(ml.channel_state(id) == "RUNNING");
  CHECK(ml.media.running == std::vector<std::string>{id});

  REQUIRE(ml.call("StopChannel", path(id, "/stop")).status == 200);
  CHECK(ml.channel_state(id) == "STOPPING");
  ml.advance(5000);
  CHECK(ml.channel_state(id) == "IDLE");

  json rename = {{"Name", "renamed"}};
  Reply updated = ml.call("UpdateChannel", path(id), rename);
  REQUIRE(updated.status == 200);
  CHECK(updated.body["Channel"]["State"] == "UPDATING");
  CHECK(updated.body["Channel"]["Name"] == "renamed");
  ml.advance(5000);
  CHECK(ml.channel_state(id) == "IDLE");

  REQUIRE(ml.call("DeleteChannel", path(id)).status == 200);
  CHECK(ml.channel_state(id) == "DELETING");
  CHECK(ml.input_state(input) == "ATTACHED");  // until the channel is gone
  ml.advance(5000);
  CHECK(ml.channel_state(id) == "DELETED");
  CHECK(ml.input_state(input) == "DETACHED");
}

TEST_CASE("illegal channel transitions answer like AWS", "[medialive][channels]") {
  MediaLiveFixture ml(1000);
  const std::string input = ml.create_input("live");
  ml.advance(1000);
  const std::string id = create_channel(ml, minimal_channel("ch", input));

  SECTION("start while CREATING is 400") {
    Reply r = ml.call("StartChannel", path(id, "/start"));
    CHECK(r.status == 400);
    CHECK(r.error_type == "BadRequestException");
    CHECK(r.message().find("CREATING") != std::string::npos);
  }
  SECTION("update, delete and stop while CREATING are 409") {
    CHECK(ml.call("UpdateChannel", path(id), {{"Name", "x"}}).status == 409);
    CHECK(ml.call("DeleteChannel", path(id)).status == 409);
    CHECK(ml.call("StopChannel", path(id, "/stop")).status == 409);
  }
  SECTION("running channels can't be deleted, updated, restarted or started again") {
    ml.advance(1000);
    Reply stop_idle = ml.call("StopChannel", path(id, "/stop"));
    CHECK(stop_idle.status == 409);
    CHECK(stop_idle.error_type == "ConflictException");
    CHECK(stop_idle.message().find("IDLE") != std::string::npos);
    if (!ml.lacks("RestartChannelPipelines"))
      CHECK(ml.call("RestartChannelPipelines", path(id, "/restartChannelPipelines")).status == 409);

    REQUIRE(ml.call("StartChannel", path(id, "/start")).status == 200);
    for (const char* state : {"STARTING", "RUNNING"}) {
      INFO(state);
      CHECK(ml.channel_state(id) == state);
      Reply del = ml.call("DeleteChannel", path(id));
      CHECK(del.status == 409);
      CHECK(del.message() ==
            "Cannot delete a channel that has not been stopped yet. Please stop the channel before deleting it");
      Reply again = ml.call("StartChannel", path(id, "/start"));
      CHECK(again.status == 409);
      CHECK(again.message().find(state) != std::string::npos);
      Reply update = ml.call("UpdateChannel", path(id), {{"Name", "x"}});
      CHECK(update.status == 409);
      CHECK(update.message().find("Stop it") != std::string::npos);
      CHECK(ml.call("UpdateChannelClass", path(id, "/channelClass"), {{"ChannelClass", "STANDARD"}}).status == 409);
      ml.advance(1000);
    }
    if (!ml.lacks("RestartChannelPipelines")) {
      Reply restart = ml.call("RestartChannelPipelines", path(id, "/restartChannelPipelines"),
                              {{"PipelineIds", {"PIPELINE_0"}}});
      CHECK(restart.status == 200);
      CHECK(restart.body["State"] == "RUNNING");
      CHECK(ml.call("RestartChannelPipelines", path(id, "/restartChannelPipelines"), {{"PipelineIds", {"PIPELINE_1"}}})
                .status == 400);  // a SINGLE_PIPELINE channel has only pipeline 0
    }

    REQUIRE(ml.call("StopChannel", path(id, "/stop")).status == 200);
    CHECK(ml.call("StopChannel", path(id, "/stop")).status == 409);
    CHECK(ml.call("StartChannel", path(id, "/start")).status == 409);
    CHECK(ml.call("DeleteChannel", path(id)).status == 409);
  }
  SECTION("a DELETED channel is describable and nothing else") {
    ml.advance(1000);
    REQUIRE(ml.call("DeleteChannel", path(id)).status == 200);
    CHECK(ml.call("DeleteChannel", path(id)).status == 409);  // already DELETING
    ml.advance(1000);
    CHECK(ml.channel_state(id) == "DELETED");
    for (auto [op, target] : std::vector<std::pair<std::string, std::string>>{
             {"StartChannel", path(id, "/start")},
             {"StopChannel", path(id, "/stop")},
             {"DeleteChannel", path(id)},
             {"UpdateChannel", path(id)},
             {"ListAlerts", path(id, "/alerts")},
             {"RestartChannelPipelines", path(id, "/restartChannelPipelines")}}) {
      INFO(op);
      if (ml.lacks(op)) continue;
      Reply r = ml.call(op, target, op == "UpdateChannel" ? json{{"Name", "x"}} : json::object());
      CHECK(r.status == 404);
      CHECK(r.error_type == "NotFoundException");
    }
  }
  SECTION("unknown channels are 404") {
    CHECK(ml.call("DescribeChannel", path("9999999")).status == 404);
    CHECK(ml.call("StartChannel", path("9999999", "/start")).status == 404);
    CHECK(ml.call("UpdateChannel", path("9999999"), {{"Name", "x"}}).status == 404);
  }
}

TEST_CASE("input attachment conflicts and re-attachment", "[medialive][channels]") {
  MediaLiveFixture ml;
  const std::string a = ml.create_input("a"), b = ml.create_input("b");
  const std::string first = create_channel(ml, minimal_channel("first", a));

  Reply taken = ml.call("CreateChannel", "/prod/channels", minimal_channel("second", a));
  CHECK(taken.status == 409);
  CHECK(taken.message() == "inputId=" + a + " is already attached");

  Reply unknown = ml.call("CreateChannel", "/prod/channels", minimal_channel("third", "1234"));
  CHECK(unknown.status == 400);

  // UpdateChannel recomputes attachments: a is freed, b taken.
  json attach_b = {{"InputAttachments", {{{"InputId", b}, {"InputAttachmentName", "main"}}}}};
  REQUIRE(ml.call("UpdateChannel", path(first), attach_b).status == 200);
  CHECK(ml.input_state(a) == "DETACHED");
  CHECK(ml.input_state(b) == "ATTACHED");
  CHECK(ml.call("DescribeInput", "/prod/inputs/" + b).body["AttachedChannels"] == json::array({first}));
  CHECK(ml.call("DeleteInput", "/prod/inputs/" + b).status == 409);  // attached inputs stay
  const std::string second = create_channel(ml, minimal_channel("second", a));
  CHECK(ml.call("DescribeInput", "/prod/inputs/" + a).body["AttachedChannels"] == json::array({second}));
}

TEST_CASE("a failed CreateChannel leaves no channel and no attached input", "[medialive][channels]") {
  MediaLiveFixture ml;
  const std::string free_input = ml.create_input("free"), used = ml.create_input("used");
  create_channel(ml, minimal_channel("owner", used));

  SECTION("invalid encoder settings") {
    json body = minimal_channel("broken", free_input);
    body["EncoderSettings"]["OutputGroups"][0]["Outputs"][0]["VideoDescriptionName"] = "missing";
    Reply r = ml.call("CreateChannel", "/prod/channels", body);
    CHECK(r.status == 422);
    CHECK(r.error_type == "UnprocessableEntityException");
  }
  SECTION("one input of two already attached elsewhere") {
    json body = minimal_channel("broken", free_input);
    body["InputAttachments"].push_back({{"InputId", used}, {"InputAttachmentName", "backup"}});
    CHECK(ml.call("CreateChannel", "/prod/channels", body).status == 409);
  }
  Reply list = ml.call("ListChannels", "/prod/channels");
  REQUIRE(list.body["Channels"].size() == 1);
  CHECK(list.body["Channels"][0]["Name"] == "owner");
  Reply input = ml.call("DescribeInput", "/prod/inputs/" + free_input);
  CHECK(input.body["State"] == "DETACHED");
  CHECK(input.body["AttachedChannels"] == json::array());
}

TEST_CASE("ListChannels pages through 25 channels two at a time", "[medialive][channels]") {
  MediaLiveFixture ml;
  std::set<std::string> created;
  for (int i = 0; i < 25; ++i) {
    json body = minimal_channel("ch" + std::to_string(i), ml.create_input("in" + std::to_string(i)));
    created.insert(create_channel(ml, body));
  }
  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    std::string target = "/prod/channels?maxResults=2" + (token.empty() ? "" : "&nextToken=" + token);
    Reply page = ml.call("ListChannels", target);
    REQUIRE(page.status == 200);
    CHECK(page.body["Channels"].size() <= 2);
    for (const auto& ch : page.body["Channels"]) {
      CHECK(seen.insert(ch["Id"].get<std::string>()).second);
      CHECK_FALSE(ch.contains("EncoderSettings"));  // ChannelSummary
    }
    token = page.body.value("NextToken", "");
    ++pages;
  } while (!token.empty() && pages < 30);
  CHECK(pages == 13);
  CHECK(seen == created);
  CHECK(ml.call("ListChannels", "/prod/channels?nextToken=garbage").status == 400);
}

TEST_CASE("encoder settings that could not run are rejected with AWS's status and words", "[medialive][channels]") {
  MediaLiveFixture ml;
  const std::string input = ml.create_input("live");
  json body = minimal_channel("ch", input);
  json& output = body["EncoderSettings"]["OutputGroups"][0]["Outputs"][0];

  SECTION("OutputSettings with two properties") {
    output["OutputSettings"]["UdpOutputSettings"] = {{"ContainerSettings", {{"M2tsSettings", json::object()}}},
                                                     {"Destination", {{"DestinationRefId", "hls"}}}};
    Reply r = ml.call("CreateChannel", "/prod/channels", body);
    CHECK(r.status == 422);
    CHECK(r.message().rfind("OutputSettings must contain exactly one property: cmafIngestOutputSettings, "
                            "hlsOutputSettings, rtmpOutputSettings",
                            0) == 0);
  }
  SECTION("OutputSettings with none") {
    output["OutputSettings"] = json::object();
    CHECK(ml.call("CreateChannel", "/prod/channels", body).status == 422);
  }
  SECTION("unknown audio description") {
    output["AudioDescriptionNames"] = {"audio", "commentary"};
    Reply r = ml.call("CreateChannel", "/prod/channels", body);
    CHECK(r.status == 422);
    CHECK(r.message().find("commentary") != std::string::npos);
  }
  SECTION("destination reference to nothing") {
    body["EncoderSettings"]["OutputGroups"][0]["OutputGroupSettings"]["HlsGroupSettings"]["Destination"]
        ["DestinationRefId"] = "elsewhere";
    Reply r = ml.call("CreateChannel", "/prod/channels", body);
    CHECK(r.status == 422);
    CHECK(r.message().find("elsewhere") != std::string::npos);
  }
  SECTION("destination without settings") {
    body["Destinations"][0].erase("Settings");
    Reply r = ml.call("CreateChannel", "/prod/channels", body);
    CHECK(r.status == 400);
    CHECK(r.message() == "Exactly one of settings, MediaPackage settings, or Multiplex settings is required for "
                         "destination hls.");
  }
  SECTION("MediaPackage channel id with a dot") {
    body["Destinations"] = {{{"Id", "mp"}, {"MediaPackageSettings", {{{"ChannelId", "my.channel"}}}}}};
    body["EncoderSettings"]["OutputGroups"][0]["OutputGroupSettings"] = {
        {"MediaPackageGroupSettings", {{"Destination", {{"DestinationRefId", "mp"}}}}}};
    output["OutputSettings"] = {{"MediaPackageOutputSettings", json::object()}};
    Reply r = ml.call("CreateChannel", "/prod/channels", body);
    CHECK(r.status == 422);
    CHECK(r.message() == "outputGroups[0].outputGroupSettings.destination.channelId MediaPackage channel ID is "
                         "invalid. The ID can have numbers, letters, underscores, and dashes. The ID is case sensitive.");
  }
  CHECK(ml.call("ListChannels", "/prod/channels").body["Channels"].empty());
}

TEST_CASE("the recipe's channel (seed 002 step 6) is accepted", "[medialive][channels]") {
  MediaLiveFixture ml;
  const std::string rtmp = ml.create_input("live");
  Reply hls = ml.call("CreateInput", "/prod/inputs",
                      {{"Name", "hls"}, {"Type", "URL_PULL"}, {"Sources", {{{"Url", "https://example.com/stream.m3u8"}}}}});
  REQUIRE(hls.status == 201);
  const json recipe = testing::recipe_channel(rtmp, hls.body["Input"]["Id"]);

  SECTION("exactly as written, by the CreateChannel handler") {
    // The protocol engine (and both AWS CLIs, client-side) reject this JSON before any handler
    // sees it: H264_LEVEL_3_0 / H264_LEVEL_2_0 are not in the model's enum and the archive
    // output lacks ContainerSettings. The handler itself must not add reasons of its own.
    api::OperationTable table = medialive::operations(ml.domain, ml.media);
    api::CallContext ctx;
    ctx.service = "medialive";
    ctx.operation = "CreateChannel";
    ctx.region = "us-east-1";
    json out = table.at("CreateChannel")(ctx, recipe);
    const json& ch = out["Channel"];
    CHECK(ch["State"] == "CREATING");
    CHECK(ch["ChannelClass"] == "STANDARD");
    CHECK(ch["EgressEndpoints"].size() == 2);
    CHECK(ch["Destinations"][1]["S3Settings"][0]["BucketName"] == "streaming-platform-abc123");
    CHECK(ch["EncoderSettings"]["CaptionDescriptions"][0]["CaptionSelectorName"] == "default");
    CHECK(ch["Tags"]["Component"] == "MediaLive");
  }
  SECTION("over HTTP, once the two things the model rejects are fixed") {
    json fixed = recipe;
    for (auto& v : fixed["EncoderSettings"]["VideoDescriptions"]) {
      json& level = v["CodecSettings"]["H264Settings"]["Level"];
      if (level == "H264_LEVEL_3_0") level = "H264_LEVEL_3";
      if (level == "H264_LEVEL_2_0") level = "H264_LEVEL_2";
    }
    fixed["EncoderSettings"]["OutputGroups"][1]["Outputs"][0]["OutputSettings"]["ArchiveOutputSettings"]
         ["ContainerSettings"] = {{"M2tsSettings", json::object()}};
    const std::string id = create_channel(ml, fixed);
    Reply ch = ml.call("DescribeChannel", path(id));
    CHECK(ch.body["State"] == "IDLE");
    CHECK(ch.body["InputAttachments"].size() == 2);
    CHECK(ch.body["Destinations"][1].contains("S3Settings"));  // unknown member, echoed
    REQUIRE(ml.call("StartChannel", path(id, "/start")).status == 200);
    CHECK(ml.channel_state(id) == "RUNNING");
    CHECK(ml.call("DescribeChannel", path(id)).body["PipelinesRunningCount"] == 2);
  }
}

TEST_CASE("CreateChannel is idempotent on RequestId and echoes unknown members", "[medialive][channels]") {
  MediaLiveFixture ml;
  json body = minimal_channel("ch", ml.create_input("live"));
  body["RequestId"] = "6f1c3f4e-0000-4000-8000-000000000001";
  body["futureFeature"] = {{"enabled", true}};  // a member a newer SDK might send
  const std::string id = create_channel(ml, body);
  CHECK(create_channel(ml, body) == id);
  CHECK(ml.call("ListChannels", "/prod/channels").body["Channels"].size() == 1);
  Reply ch = ml.call("DescribeChannel", path(id));
  CHECK(ch.body["futureFeature"] == json{{"enabled", true}});
  CHECK_FALSE(ch.body.contains("RequestId"));
}

TEST_CASE("UpdateChannelClass changes pipelines and egress endpoints", "[medialive][channels]") {
  MediaLiveFixture ml;
  const std::string id = create_channel(ml, minimal_channel("ch", ml.create_input("live")));
  Reply r = ml.call("UpdateChannelClass", path(id, "/channelClass"), {{"ChannelClass", "STANDARD"}});
  REQUIRE(r.status == 200);
  CHECK(r.body["Channel"]["State"] == "UPDATING");
  CHECK(r.body["Channel"]["EgressEndpoints"].size() == 2);
  REQUIRE(ml.call("StartChannel", path(id, "/start")).status == 200);
  CHECK(ml.call("DescribeChannel", path(id)).body["PipelinesRunningCount"] == 2);
}

TEST_CASE("BatchStart, BatchStop and BatchDelete report each resource", "[medialive][channels]") {
  MediaLiveFixture ml;
  const std::string in_a = ml.create_input("a"), in_b = ml.create_input("b");
  const std::string a = create_channel(ml, minimal_channel("a", in_a));
  const std::string b = create_channel(ml, minimal_channel("b", in_b));

  Reply started = ml.call("BatchStart", "/prod/batch/start", {{"ChannelIds", {a, b, "9999999"}}});
  REQUIRE(started.status == 200);
  REQUIRE(started.body["Successful"].size() == 2);
  CHECK(started.body["Successful"][0] ==
        json{{"Arn", "arn:aws:medialive:us-east-1:123456789012:channel:" + a}, {"Id", a}, {"State", "STARTING"}});
  REQUIRE(started.body["Failed"].size() == 1);
  CHECK(started.body["Failed"][0]["Id"] == "9999999");
  CHECK(started.body["Failed"][0]["Code"] == "NotFoundException");

  Reply deleted_running = ml.call("BatchDelete", "/prod/batch/delete", {{"ChannelIds", {a}}});
  CHECK(deleted_running.body["Failed"][0]["Code"] == "ConflictException");
  CHECK(deleted_running.body["Failed"][0]["Arn"] == "arn:aws:medialive:us-east-1:123456789012:channel:" + a);

  Reply stopped = ml.call("BatchStop", "/prod/batch/stop", {{"ChannelIds", {a, b}}});
  CHECK(stopped.body["Successful"].size() == 2);
  CHECK(stopped.body["Failed"].empty());

  Reply deleted = ml.call("BatchDelete", "/prod/batch/delete", {{"ChannelIds", {a, b}}, {"InputIds", {in_a, in_b}}});
  CHECK(deleted.body["Failed"].empty());
  CHECK(deleted.body["Successful"].size() == 4);
  CHECK(ml.channel_state(a) == "DELETED");
  CHECK(ml.input_state(in_b) == "DELETED");
}

TEST_CASE("ListAlerts shows the media runtime's alerts, filtered by state", "[medialive][channels]") {
  MediaLiveFixture ml;
  if (ml.lacks("ListAlerts")) return;
  const std::string id = create_channel(ml, minimal_channel("ch", ml.create_input("live")));
  ml.media.alerts = json::array({{{"AlertType", "Input Loss"}, {"Id", "1"}, {"PipelineId", "0"}, {"State", "SET"}},
                                 {{"AlertType", "Input Loss"}, {"Id", "2"}, {"PipelineId", "0"}, {"State", "CLEARED"}}});
  CHECK(ml.call("ListAlerts", path(id, "/alerts")).body["Alerts"].size() == 2);
  Reply set = ml.call("ListAlerts", path(id, "/alerts?stateFilter=SET"));
  REQUIRE(set.body["Alerts"].size() == 1);
  CHECK(set.body["Alerts"][0]["Id"] == "1");
  Reply page = ml.call("ListAlerts", path(id, "/alerts?maxResults=1"));
  CHECK(page.body["Alerts"].size() == 1);
  CHECK(page.body.contains("NextToken"));
  CHECK(ml.call("ListAlerts", path("9999999", "/alerts")).status == 404);
}
