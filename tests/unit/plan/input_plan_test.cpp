// Inputs of every type mediaemu receives -> InputPlan: pull sources resolved to what the media
// side opens (http URLs, local paths for s3ssl:// and file://), the attachment's InputSettings
// (SourceEndBehavior, HLS BufferSegments), SRT settings, MediaConnect flow ARNs, and what cannot
// run said as problems.
#include <catch2/catch.hpp>

#include "emulator/media/plan/input_plan.hpp"
#include "emulator/media/plan/run_plan.hpp"

using namespace mediaemu::media;
using json = nlohmann::json;

namespace {

InputPlan plan(const json& input, const json& attachment = json::object()) {
  return plan_input(input, {}, {}, attachment, "/data/s3");
}

bool has_problem(const InputPlan& p, const std::string& text) {
  for (const auto& problem : p.problems)
    if (problem.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("a URL_PULL input pulls its sources' URLs", "[plan][input]") {
  json input = {{"Id", "1"},
                {"Type", "URL_PULL"},
                {"Sources", json::array({{{"Url", "https://user:pw@cdn.example/live/index.m3u8"}},
                                         {{"Url", "http://backup.example/live/index.m3u8"},
                                          {"Username", "me"},
                                          {"PasswordParam", "/medialive/pw"}}})}};
  json attachment = {{"InputId", "1"},
                     {"InputSettings", {{"NetworkInputSettings", {{"HlsInputSettings", {{"BufferSegments", 5}}}}},
                                        {"Scte35Pid", 600}}}};
  auto p = plan(input, attachment);
  CHECK(p.transport == InputPlan::Transport::UrlPull);
  CHECK(p.scte35_pid == 600);  // InputSettings.Scte35Pid, for the sources' demuxer
  CHECK(p.urls == std::vector<std::string>{"https://user:pw@cdn.example/live/index.m3u8",
                                           "http://backup.example/live/index.m3u8"});
  CHECK(p.hls_buffer_segments == 5);
  CHECK_FALSE(p.loop);
  // The password lives in an SSM parameter that does not exist: said, not silently ignored.
  REQUIRE(p.problems.size() == 1);
  CHECK(has_problem(p, "SSM parameter '/medialive/pw'"));

  SECTION("with the SSM parameter there, its value is the password, escaped into the URL") {
    auto with = plan_input(input, {}, {}, attachment, "/data/s3", {{"/medialive/pw", "p@ss word"}});
    CHECK(with.urls[1] == "http://me:p%40ss%20word@backup.example/live/index.m3u8");
    CHECK(with.problems.empty());
  }
}

TEST_CASE("an MP4_FILE input reads local paths and mediaemu's S3, and loops only when asked", "[plan][input]") {
  json input = {{"Id", "2"},
                {"Type", "MP4_FILE"},
                {"Sources", json::array({{{"Url", "s3ssl://bucket/filler/clip.mp4"}}, {{"Url", "file:///media/clip.mp4"}}})}};
  auto once = plan(input);
  CHECK(once.transport == InputPlan::Transport::Mp4File);
  CHECK(once.urls == std::vector<std::string>{"/data/s3/bucket/filler/clip.mp4", "/media/clip.mp4"});
  CHECK_FALSE(once.loop);  // SourceEndBehavior defaults to CONTINUE: play once
  CHECK(once.problems.empty());
  auto looped = plan(input, {{"InputId", "2"}, {"InputSettings", {{"SourceEndBehavior", "LOOP"}}}});
  CHECK(looped.loop);

  SECTION("sources mediaemu cannot pull are problems, not URLs") {
    input["Sources"] = json::array({{{"Url", "mediastoressl://f31z.data.mediastore.us-west-2.amazonaws.com/a.mp4"}}});
    auto p = plan(input);
    CHECK(p.urls.empty());
    CHECK(has_problem(p, "MediaStore"));
  }
}

TEST_CASE("a dynamic input plays what each input switch's UrlPath names", "[plan][input]") {
  json input = {{"Id", "7"},
                {"Type", "MP4_FILE"},
                {"Sources", json::array({{{"Url", "s3ssl://bucket/vod/$urlPath$"}}, {{"Url", "https://example.com/$urlPath$"}}})}};
  auto p = plan(input);
  CHECK(p.dynamic);
  CHECK(p.problems.empty());
  CHECK(p.urls == std::vector<std::string>{"/data/s3/bucket/vod/$urlPath$", "https://example.com/$urlPath$"});
  auto one = with_url_path(p, {"movie.mp4"});  // one value serves both sources
  CHECK_FALSE(one.dynamic);
  CHECK(one.urls == std::vector<std::string>{"/data/s3/bucket/vod/movie.mp4", "https://example.com/movie.mp4"});
  auto two = with_url_path(p, {"a/1.mp4", "b/2.mp4"});
  CHECK(two.urls == std::vector<std::string>{"/data/s3/bucket/vod/a/1.mp4", "https://example.com/b/2.mp4"});
  CHECK(with_url_path(p, {}).urls == p.urls);  // nothing given: still dynamic
  CHECK_FALSE(plan({{"Id", "8"}, {"Type", "MP4_FILE"}, {"Sources", json::array({{{"Url", "/media/a.mp4"}}})}}).dynamic);
}

TEST_CASE("TS_FILE and RTMP_PULL inputs pull their sources too", "[plan][input]") {
  auto ts = plan({{"Id", "5"}, {"Type", "TS_FILE"}, {"Sources", json::array({{{"Url", "/media/clip.ts"}}})}},
                 {{"InputId", "5"}, {"InputSettings", {{"SourceEndBehavior", "LOOP"}}}});
  CHECK(ts.transport == InputPlan::Transport::TsFile);
  CHECK(ts.urls == std::vector<std::string>{"/media/clip.ts"});
  CHECK(ts.loop);
  auto rtmp = plan({{"Id", "6"},
                    {"Type", "RTMP_PULL"},
                    {"Sources", json::array({{{"Url", "rtmp://origin.example/live/main"}, {"Username", "u"}}})}});
  CHECK(rtmp.transport == InputPlan::Transport::RtmpPull);
  CHECK(rtmp.urls == std::vector<std::string>{"rtmp://origin.example/live/main"});
  CHECK(has_problem(rtmp, "which does not exist; it pulls without credentials"));
}

TEST_CASE("an SRT_CALLER input calls each source's listener", "[plan][input]") {
  json input = {{"Id", "3"},
                {"Type", "SRT_CALLER"},
                {"SrtSettings",
                 {{"SrtCallerSources",
                   json::array({{{"SrtListenerAddress", "10.0.0.5"}, {"SrtListenerPort", "9000"}, {"StreamId", "cam1"},
                                 {"MinimumLatency", 250}},
                                {{"SrtListenerAddress", "10.0.0.6"},
                                 {"SrtListenerPort", "9001"},
                                 {"Decryption", {{"Algorithm", "AES128"}, {"PassphraseSecretArn", "arn:secret"}}}}})}}}};
  auto p = plan(input);
  CHECK(p.transport == InputPlan::Transport::SrtCaller);
  REQUIRE(p.srt.size() == 2);
  CHECK(p.srt[0].address == "10.0.0.5");
  CHECK(p.srt[0].port == 9000);
  CHECK(p.srt[0].stream_id == "cam1");
  CHECK(p.srt[0].latency_ms == 250);
  CHECK(p.srt[1].passphrase_secret_arn == "arn:secret");
  CHECK(has_problem(p, "Secrets Manager secret 'arn:secret'"));
  // With the secret in Secrets Manager, its value is the passphrase.
  auto with = plan_input(input, {}, {}, json::object(), "/data/s3", {{"arn:secret", "correct horse battery"}});
  CHECK(with.srt[1].passphrase == "correct horse battery");
  CHECK(with.problems.empty());
}

TEST_CASE("an SRT_LISTENER input listens on its destination ports", "[plan][input]") {
  json input = {{"Id", "4"},
                {"Type", "SRT_LISTENER"},
                {"Destinations", json::array({{{"Port", "5010"}}, {{"Port", "5011"}}})},
                {"SrtSettings", {{"SrtListenerSettings", {{"MinimumLatency", 200}, {"StreamId", "s"}}}}}};
  auto p = plan(input);
  CHECK(p.transport == InputPlan::Transport::SrtListener);
  CHECK(p.ports == std::vector<int>{5010, 5011});
  REQUIRE(p.srt.size() == 1);
  CHECK(p.srt[0].latency_ms == 200);
  CHECK(p.srt[0].stream_id == "s");
  CHECK(p.problems.empty());
}

TEST_CASE("a MEDIACONNECT input takes its flows' ARNs, the first preferred", "[plan][input]") {
  const std::string a = "arn:aws:mediaconnect:us-east-1:123456789012:flow:1-aaa:primary";
  const std::string b = "arn:aws:mediaconnect:us-east-1:123456789012:flow:1-bbb:backup";
  json input = {{"Id", "5"},
                {"Type", "MEDIACONNECT"},
                {"MediaConnectFlows", json::array({{{"FlowArn", a}}, {{"FlowArn", b}}})},
                {"Destinations", json::array()}};
  auto p = plan(input);
  CHECK(p.transport == InputPlan::Transport::MediaConnect);
  CHECK(p.flow_arns == std::vector<std::string>{a, b});
  CHECK(p.ports.empty());
  CHECK(p.problems.empty());
  auto none = plan({{"Id", "6"}, {"Type", "MEDIACONNECT"}, {"MediaConnectFlows", json::array()}});
  CHECK(none.flow_arns.empty());
  CHECK(has_problem(none, "names no MediaConnect flow"));
}

TEST_CASE("the channel's attachment settings reach the input plan", "[plan][input]") {
  ChannelSources s;
  s.region = "us-east-1";
  s.channel = {{"Id", "9"},
               {"InputAttachments", json::array({{{"InputId", "2"}, {"InputSettings", {{"SourceEndBehavior", "LOOP"}}}}})}};
  s.inputs.push_back({{{"Id", "2"}, {"Type", "MP4_FILE"}, {"Sources", json::array({{{"Url", "s3://b/k.mp4"}}})}}, {}});
  PlanSettings settings;
  settings.s3_root = "/srv/s3";
  auto run = plan_channel_run(s, settings);
  REQUIRE(run.inputs.size() == 1);
  CHECK(run.inputs[0].loop);
  CHECK(run.inputs[0].urls == std::vector<std::string>{"/srv/s3/b/k.mp4"});
}
