// A MediaLive control plane on an in-memory store and a manual clock, driven through the real
// protocol engine with HTTP-shaped requests. Bodies are written in model form (as boto3 takes
// them) and sent in wire form; answers are read back into model form.
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "api/aws_api.hpp"
#include "api/shape_codec.hpp"
#include "emulator/clock.hpp"
#include "emulator/config.hpp"
#include "emulator/domain.hpp"
#include "emulator/media_hooks.hpp"
#include "emulator/medialive/medialive.hpp"
#include "emulator/store.hpp"

namespace mediaemu::testing {

using json = nlohmann::json;

// Records what the control plane asked of the media runtime.
class RecordingMedia : public MediaHooks {
 public:
  void channel_start(const media::ChannelRunPlan& plan) override {
    running.push_back(plan.channel_id);
    plans.push_back(plan);
  }
  void channel_stop(const std::string&, const std::string& id, uint64_t) override { stopping.push_back(id); }
  void channel_restart(const std::string&, const std::string& id, uint64_t, const std::vector<int>&) override {
    restarted.push_back(id);
  }
  void channel_update(const media::ChannelRunPlan& plan) override { updated.push_back(plan.channel_id); }
  void channel_deleted(const std::string&, const std::string& id, uint64_t) override { deleted.push_back(id); }
  json channel_alerts(const std::string&, const std::string&) override { return alerts; }
  std::vector<std::string> running, stopping, restarted, updated, deleted;
  std::vector<media::ChannelRunPlan> plans;  // what each start was given
  json alerts = json::array();
};

struct Reply {
  int status = 0;
  json body;               // model form for a success, {"message": ...} for an error
  std::string error_type;  // x-amzn-ErrorType
  std::string message() const { return body.value("message", ""); }
};

class MediaLiveFixture {
 public:
  explicit MediaLiveFixture(int64_t state_delay_ms = 0) {
    config.state_delay_ms = state_delay_ms;
    config.rtmp_port = 19350;
    api.set_handlers("medialive", medialive::operations(domain, media));
    domain.load();
  }

  // Whether the embedded model lacks `operation` (botocore 1.29, Debian 12's, predates ListAlerts
  // and RestartChannelPipelines): the checks that need it say so and do not run.
  bool lacks(const std::string& operation) {
    if (api.model("medialive")->operation(operation)) return false;
    WARN("the embedded MediaLive model has no " << operation << "; its checks do not run");
    return true;
  }

  // One request for `operation` at `target` (path and query, labels filled in).
  Reply call(const std::string& operation, const std::string& target, const json& body = json::object(),
             const std::string& region = "us-east-1") {
    const api::Operation* op = api.model("medialive")->operation(operation);
    REQUIRE(op);
    api::HttpRequest req;
    req.method = op->method;
    req.target = target;
    req.headers.emplace_back("authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261122/" + region +
                                                  "/medialive/aws4_request, SignedHeaders=host, Signature=0");
    if (!body.empty()) req.body = api::encode_value(*op->input, body).dump();
    api::HttpResponse res = api.handle(req);
    Reply reply;
    reply.status = res.status;
    reply.error_type = std::string(res.header("x-amzn-ErrorType"));
    json parsed = res.body.empty() ? json::object() : json::parse(res.body);
    reply.body = res.status < 300 && op->output ? api::decode_value(*op->output, parsed, "") : parsed;
    return reply;
  }

  // Moves the clock and applies what came due, as the clock thread would.
  void advance(int64_t ms) {
    clock.advance(ms);
    domain.apply_due();
  }

  // An RTMP push input (STANDARD: two destinations), created and settled.
  std::string create_input(const std::string& name) {
    Reply r = call("CreateInput", "/prod/inputs",
                   {{"Name", name},
                    {"Type", "RTMP_PUSH"},
                    {"Destinations", {{{"StreamName", name + "/a"}}, {{"StreamName", name + "/b"}}}}});
    REQUIRE(r.status == 201);
    return r.body["Input"]["Id"];
  }

  std::string input_state(const std::string& id) { return call("DescribeInput", "/prod/inputs/" + id).body.value("State", ""); }
  std::string channel_state(const std::string& id) {
    return call("DescribeChannel", "/prod/channels/" + id).body.value("State", "");
  }

  Config config;
  ManualClock clock;
  Store store{":memory:"};
  Domain domain{config, store, clock};
  RecordingMedia media;
  api::AwsApi api;
};

// A small valid channel body in model form: one input, one HLS output group.
inline json minimal_channel(const std::string& name, const std::string& input_id) {
  json hls_output = {{"HlsSettings", {{"StandardHlsSettings", {{"M3u8Settings", json::object()}}}}}};
  json output = {{"OutputName", "360p"},
                 {"VideoDescriptionName", "video"},
                 {"AudioDescriptionNames", {"audio"}},
                 {"OutputSettings", {{"HlsOutputSettings", hls_output}}}};
  json group = {{"Name", "hls"},
                {"OutputGroupSettings", {{"HlsGroupSettings", {{"Destination", {{"DestinationRefId", "hls"}}}}}}},
                {"Outputs", json::array({output})}};
  json encoder = {{"TimecodeConfig", {{"Source", "SYSTEMCLOCK"}}},
                  {"AudioDescriptions", json::array({{{"Name", "audio"}, {"AudioSelectorName", "default"}}})},
                  {"VideoDescriptions", json::array({{{"Name", "video"}, {"Width", 640}, {"Height", 360}}})},
                  {"OutputGroups", json::array({group})}};
  json destination = {{"Id", "hls"}, {"Settings", json::array({{{"Url", "s3ssl://bucket/live/index"}}})}};
  return {{"Name", name},
          {"ChannelClass", "SINGLE_PIPELINE"},
          {"InputAttachments", json::array({{{"InputId", input_id}, {"InputAttachmentName", "main"}}})},
          {"Destinations", json::array({destination})},
          {"EncoderSettings", encoder},
          {"Tags", {{"team", "video"}}}};
}

// fixtures/recipe-channel.json with its ${...} placeholders replaced.
inline json recipe_channel(const std::string& rtmp_input, const std::string& hls_input) {
  std::ifstream file(std::string(MEDIAEMU_SOURCE_DIR) + "/fixtures/recipe-channel.json");
  REQUIRE(file);
  std::stringstream text;
  text << file.rdbuf();
  std::string s = text.str();
  auto replace = [&s](const std::string& from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  };
  replace("${LIVE_CHANNEL_NAME}", "live-channel-abc123");
  replace("${MEDIALIVE_ROLE_ARN}", "arn:aws:iam::123456789012:role/MediaLivePlatformRole-abc123");
  replace("${RTMP_INPUT_ID}", rtmp_input);
  replace("${HLS_INPUT_ID}", hls_input);
  replace("${PACKAGE_CHANNEL_NAME}", "package-channel-abc123");
  replace("${BUCKET_NAME}", "streaming-platform-abc123");
  return json::parse(s);
}

}  // namespace mediaemu::testing
