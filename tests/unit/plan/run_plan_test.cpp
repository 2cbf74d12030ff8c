// The plan library alone: a channel, its inputs, security groups and destinations (model-form
// JSON, as the control plane stores them) -> the typed plan the channel's supervisor runs. No
// domain, no media, no libav, no module: this executable links mediaemu_media_plan only.
#include <catch2/catch.hpp>

#include <algorithm>

#include "emulator/media/plan/run_plan.hpp"

using namespace mediaemu::media;
using json = nlohmann::json;

namespace {

json output(const std::string& name, const std::string& video) {
  return {{"OutputName", name}, {"VideoDescriptionName", video}, {"AudioDescriptionNames", {"aac"}}};
}

// Output groups: MediaPackage, HLS to a MediaPackage ingest URL, HLS to S3, Archive to S3; plus
// one mediaemu does not run (RTMP out).
json channel_doc() {
  json encoder = {
      {"VideoDescriptions",
       json::array({{{"Name", "v720"}, {"Width", 1280}, {"Height", 720},
                     {"CodecSettings", {{"H264Settings", {{"Bitrate", 3000000}, {"RateControlMode", "QVBR"},
                                                          {"MaxBitrate", 4000000}, {"Level", "H264_LEVEL_4_1"}}}}}},
                    {{"Name", "v360"}, {"Width", 640}, {"Height", 360}},
                    {{"Name", "unused"}, {"Width", 320}, {"Height", 180}},
                    {{"Name", "thumb"}, {"Width", 320}, {"Height", 180},
                     {"CodecSettings", {{"FrameCaptureSettings", {{"CaptureInterval", 500},
                                                                  {"CaptureIntervalUnits", "MILLISECONDS"}}}}}}})},
      {"AudioDescriptions", json::array({{{"Name", "aac"}, {"CodecSettings", {{"AacSettings", {{"Bitrate", 96000}}}}}}})},
      {"OutputGroups",
       json::array({{{"Name", "mp"},
                     {"OutputGroupSettings", {{"MediaPackageGroupSettings", {{"Destination", {{"DestinationRefId", "mp"}}}}}}},
                     {"Outputs", json::array({output("hd", "v720"), output("sd", "v360")})}},
                    {{"Name", "ingest"},
                     {"OutputGroupSettings", {{"HlsGroupSettings", {{"Destination", {{"DestinationRefId", "ingest"}}}}}}},
                     {"Outputs", json::array({output("sd", "v360")})}},
                    {{"Name", "archive"},
                     {"OutputGroupSettings",
                      {{"HlsGroupSettings", {{"Destination", {{"DestinationRefId", "s3"}}}, {"SegmentLength", 4}}}}},
                     {"Outputs", json::array({output("sd", "v360")})}},
                    {{"Name", "gone"},
                     {"OutputGroupSettings", {{"MediaPackageGroupSettings", {{"Destination", {{"DestinationRefId", "nomp"}}}}}}},
                     {"Outputs", json::array({output("sd", "v360")})}},
                    {{"Name", "recording"},
                     {"OutputGroupSettings",
                      {{"ArchiveGroupSettings", {{"Destination", {{"DestinationRefId", "arch"}}}, {"RolloverInterval", 600}}}}},
                     {"Outputs", json::array({{{"OutputName", "rec"}, {"VideoDescriptionName", "v720"},
                                               {"AudioDescriptionNames", {"aac"}},
                                               {"OutputSettings", {{"ArchiveOutputSettings", {{"NameModifier", "_hd"}}}}}}})}},
                    {{"Name", "thumbs"},
                     {"OutputGroupSettings", {{"FrameCaptureGroupSettings", {{"Destination", {{"DestinationRefId", "thumbs"}}}}}}},
                     {"Outputs", json::array({{{"OutputName", "t"}, {"VideoDescriptionName", "thumb"},
                                               {"OutputSettings", {{"FrameCaptureOutputSettings",
                                                                    {{"NameModifier", "-20180820"}}}}}}})}},
                    {{"Name", "social"},
                     {"OutputGroupSettings", {{"RtmpGroupSettings", json::object()}}},
                     {"Outputs", json::array({output("sd", "v360")})}}})}};
  json destinations = json::array(
      {{{"Id", "mp"}, {"MediaPackageSettings", json::array({{{"ChannelId", "pkg"}}})}},
       {{"Id", "ingest"}, {"Settings", json::array({{{"Url", "https://elsewhere:443/in/v2/guid/ep1/channel"}}})}},
       {{"Id", "s3"}, {"Settings", json::array({{{"Url", "s3ssl://bucket/live/main"}}})}},
       {{"Id", "nomp"}, {"MediaPackageSettings", json::array({{{"ChannelId", "missing"}}})}},
       {{"Id", "arch"}, {"Settings", json::array({{{"Url", "s3ssl://bucket/channel59/delivery/curling"}}})}},
       {{"Id", "thumbs"}, {"Settings", json::array({{{"Url", "s3ssl://bucket/sports-thumbnails/delivery/curling"}}})}}});
  return {{"Id", "1234567"},
          {"ChannelClass", "STANDARD"},
          {"Destinations", destinations},
          {"EncoderSettings", encoder},
          {"InputAttachments", json::array({{{"InputId", "111"}}, {{"InputId", "222"}}})}};
}

ChannelSources sources() {
  ChannelSources s;
  s.region = "eu-west-1";
  s.channel = channel_doc();
  s.inputs.push_back({{{"Id", "111"}, {"Type", "RTMP_PUSH"}, {"SecurityGroups", {"9"}}}, {"live/main", "live/backup"}});
  s.inputs.push_back({{{"Id", "222"},
                       {"Type", "RTP_PUSH"},
                       {"Destinations", json::array({{{"Port", "5000"}}, {{"Port", "5002"}}, {{"Port", "x"}}})}},
                      {}});
  s.security_groups["9"] = {{"Id", "9"},
                            {"WhitelistRules", json::array({{{"Cidr", "10.0.0.0/8"}}, {{"Cidr", "127.0.0.1/32"}}})}};
  ChannelSources::MediaPackageChannel pkg;
  pkg.id = "pkg";
  pkg.ingest_urls = {"http://127.0.0.1:4566/in/v2/guid/ep1/channel"};
  EndpointPlan endpoint;
  endpoint.region = s.region;
  endpoint.id = "pkg-hls";
  endpoint.mediapackage_channel_id = "pkg";
  pkg.endpoints.push_back(endpoint);
  s.mediapackage.push_back(pkg);
  return s;
}

PlanSettings settings() {
  PlanSettings p;
  p.x264_preset = "ultrafast";
  p.s3_root = "/data/s3";
  return p;
}

}  // namespace

TEST_CASE("a channel with inputs and destinations becomes a typed plan", "[plan]") {
  ChannelRunPlan plan = plan_channel_run(sources(), settings());
  CHECK(plan.region == "eu-west-1");
  CHECK(plan.channel_id == "1234567");
  CHECK(plan.key() == "eu-west-1/1234567");
  CHECK(plan.pipeline_count == 2);

  SECTION("the ladder encodes each used rendition once") {
    const auto& ladder = plan.media.ladder;
    CHECK(ladder.x264_preset == "ultrafast");
    REQUIRE(ladder.video.size() == 2);  // "unused" is named by no output; "thumb" makes stills
    CHECK(ladder.video[0].name == "v360");
    CHECK(ladder.video[1].name == "v720");
    CHECK(ladder.video[1].rate_control == mediaemu::pipeline::VideoRenditionSpec::RateControl::Qvbr);
    CHECK(ladder.video[1].max_bitrate == 4000000);
    CHECK(ladder.video[1].level == "4.1");
    REQUIRE(ladder.audio.size() == 1);
    CHECK(ladder.audio[0].bitrate == 96000);
    CHECK(ladder.outputs.size() == 6);  // hd, sd (mp), sd (ingest), sd (archive), sd (gone), rec
  }

  SECTION("output groups resolve to MediaPackage channels or S3 directories") {
    REQUIRE(plan.media.deliveries.size() == 6);
    const auto& mp = plan.media.deliveries[0];
    CHECK(mp.kind == Delivery::Kind::MediaPackage);
    CHECK(mp.mediapackage_channel_id == "pkg");
    CHECK(mp.outputs == std::vector<std::string>{"mp/hd", "mp/sd"});
    CHECK(mp.pause_on_input_loss);
    // An HLS group whose URL is a MediaPackage ingest URL (any host): delivered in-process.
    CHECK(plan.media.deliveries[1].kind == Delivery::Kind::MediaPackage);
    CHECK(plan.media.deliveries[1].mediapackage_channel_id == "pkg");
    const auto& s3 = plan.media.deliveries[2];
    CHECK(s3.kind == Delivery::Kind::Hls);
    CHECK(s3.hls.directory == "/data/s3/bucket/live");
    CHECK(s3.hls.hls.playlist.manifest_name == "main");
    CHECK(s3.hls.hls.segment_duration_seconds == 4);
    CHECK_FALSE(s3.pause_on_input_loss);
    CHECK(plan.media.ladder.input_loss.emit_output);  // the S3 group emits filler during loss
    const auto& archive = plan.media.deliveries[4];
    CHECK(archive.kind == Delivery::Kind::Archive);
    CHECK(archive.archive.directory == "/data/s3/bucket/channel59/delivery");
    CHECK(archive.archive.base_name == "curling");
    CHECK(archive.archive.rollover_seconds == 600);
    REQUIRE(archive.archive.outputs.count("recording/rec"));
    CHECK(archive.archive.outputs.at("recording/rec").name_modifier == "_hd");
    CHECK(archive.archive.outputs.at("recording/rec").extension == "m2ts");
    CHECK(archive.archive.temp_prefix == ".mediaemu-tmp-");  // hidden from S3 listings until closed
    const auto& thumbs = plan.media.deliveries[5];
    CHECK(thumbs.kind == Delivery::Kind::FrameCapture);
    CHECK(thumbs.stills.directory == "/data/s3/bucket/sports-thumbnails/delivery");
    CHECK(thumbs.stills.base_name == "curling");
    CHECK(thumbs.stills.name_modifiers.at("thumbs/t") == "-20180820");
    CHECK(thumbs.outputs == std::vector<std::string>{"thumbs/t"});
    REQUIRE(plan.media.ladder.captures.size() == 1);
    CHECK(plan.media.ladder.captures[0].name == "thumbs/t");
    CHECK(plan.media.ladder.captures[0].width == 320);
    CHECK(plan.media.ladder.captures[0].interval_ms == 500);
  }

  SECTION("the endpoints of the MediaPackage channels it feeds come with the plan") {
    REQUIRE(plan.mediapackage_endpoints.count("pkg"));
    CHECK(plan.mediapackage_endpoints.at("pkg").size() == 1);
    CHECK(plan.mediapackage_endpoints.at("pkg")[0].id == "pkg-hls");
    CHECK_FALSE(plan.mediapackage_endpoints.count("missing"));
    REQUIRE(plan.delivery_alerts.size() == 1);
    CHECK_THAT(plan.delivery_alerts[0], Catch::Contains("'missing', which does not exist in eu-west-1"));
  }

  SECTION("output groups it cannot run are alerts, never silently dropped") {
    bool rtmp_alert = false;
    for (const auto& a : plan.media.alerts) rtmp_alert |= a.find("'social' (RtmpGroupSettings)") != std::string::npos;
    CHECK(rtmp_alert);
  }

  SECTION("inputs carry their transport, stream names, ports and whitelist") {
    REQUIRE(plan.inputs.size() == 2);
    const InputPlan& rtmp = plan.inputs[0];
    CHECK(rtmp.transport == InputPlan::Transport::RtmpPush);
    CHECK(rtmp.stream_names == std::vector<std::string>{"live/main", "live/backup"});
    CHECK(rtmp.allowed.allows("10.20.30.40"));
    CHECK(rtmp.allowed.allows("127.0.0.1"));
    CHECK(rtmp.allowed.allows("::ffff:127.0.0.1"));
    CHECK_FALSE(rtmp.allowed.allows("127.0.0.2"));
    CHECK_FALSE(rtmp.allowed.allows("192.168.1.1"));
    CHECK_FALSE(rtmp.allowed.allows("not an address"));
    const InputPlan& rtp = plan.inputs[1];
    CHECK(rtp.transport == InputPlan::Transport::RtpPush);
    CHECK(rtp.ports == std::vector<int>{5000, 5002});  // "x" is no port
    CHECK(rtp.allowed.allows_everyone());               // no security group: any sender
  }
}

TEST_CASE("M3u8Settings Scte35Behavior PASSTHROUGH puts the cues on Scte35Pid in an S3 HLS group's segments", "[plan]") {
  auto archive = [](const ChannelRunPlan& p) -> const Delivery* {
    for (const auto& d : p.media.deliveries)
      if (d.group_name == "archive") return &d;
    return nullptr;
  };
  ChannelSources s = sources();
  REQUIRE(archive(plan_channel_run(s, settings())));
  CHECK_FALSE(archive(plan_channel_run(s, settings()))->hls.hls.scte35_pid);  // NO_PASSTHROUGH by default
  json& m3u8 = s.channel["EncoderSettings"]["OutputGroups"][2]["Outputs"][0]["OutputSettings"]["HlsOutputSettings"]
                        ["HlsSettings"]["StandardHlsSettings"]["M3u8Settings"];
  m3u8["Scte35Behavior"] = "PASSTHROUGH";
  CHECK(archive(plan_channel_run(s, settings()))->hls.hls.scte35_pid == 500);  // the model's default
  m3u8["Scte35Pid"] = "0x1f5";
  CHECK(archive(plan_channel_run(s, settings()))->hls.hls.scte35_pid == 501);
  m3u8["Scte35Pid"] = "480";
  CHECK(archive(plan_channel_run(s, settings()))->hls.hls.scte35_pid == 480);
}

TEST_CASE("an S3 HLS group names its files as MediaLive does, by each output's NameModifier", "[plan]") {
  ChannelSources s = sources();
  auto modifiers = [&] {
    for (const auto& d : plan_channel_run(s, settings()).media.deliveries)
      if (d.group_name == "archive") return d.hls.hls.playlist.name_modifiers;
    return std::map<std::string, std::string>{};
  };
  CHECK(modifiers() == std::map<std::string, std::string>{{"archive/sd", "_1"}});  // none given: "_<n>"
  s.channel["EncoderSettings"]["OutputGroups"][2]["Outputs"][0]["OutputSettings"]["HlsOutputSettings"]["NameModifier"] =
      "_360p";
  CHECK(modifiers() == std::map<std::string, std::string>{{"archive/sd", "_360p"}});
}

TEST_CASE("an HLS group to a MediaPackage ingest URL is delivered only with the credentials MediaPackage accepts", "[plan]") {
  auto ingest_group = [](const ChannelRunPlan& p) -> const Delivery* {
    for (const auto& d : p.media.deliveries)
      if (d.group_name == "ingest") return &d;
    return nullptr;
  };
  auto refusal = [](const ChannelRunPlan& p) {
    for (const auto& a : p.media.alerts)
      if (a.find("'ingest': MediaPackage channel 'pkg' refuses its uploads (HTTP 401)") != std::string::npos) return a;
    return std::string();
  };
  ChannelSources s = sources();
  s.mediapackage[0].ingest_credentials = {{"user1", "secret1"}};
  json& setting = s.channel["Destinations"][1]["Settings"][0];
  setting["Username"] = "user1";
  setting["PasswordParam"] = "/medialive/pkg";
  s.credentials["/medialive/pkg"] = "secret1";
  ChannelRunPlan ok = plan_channel_run(s, settings());
  REQUIRE(ingest_group(ok));
  CHECK(ingest_group(ok)->kind == Delivery::Kind::MediaPackage);
  CHECK(refusal(ok).empty());

  s.credentials["/medialive/pkg"] = "rotated-away";
  ChannelRunPlan rotated = plan_channel_run(s, settings());
  CHECK_FALSE(ingest_group(rotated));
  CHECK(refusal(rotated).find("does not hold the ingest endpoint's password") != std::string::npos);

  s.credentials.clear();
  CHECK(refusal(plan_channel_run(s, settings())).find("SSM parameter '/medialive/pkg', does not exist") != std::string::npos);
  setting.erase("PasswordParam");
  CHECK(refusal(plan_channel_run(s, settings())).find("no PasswordParam") != std::string::npos);
  setting["Username"] = "someone";
  CHECK(refusal(plan_channel_run(s, settings())).find("Username 'someone' is not the ingest endpoint's ('user1')") !=
        std::string::npos);
}

TEST_CASE("a STANDARD channel's pipelines each take their own destination URL and input source", "[plan]") {
  ChannelSources s = sources();
  s.channel["Destinations"][2]["Settings"].push_back({{"Url", "s3ssl://bucket/live/backup"}});
  s.mediapackage[0].ingest_urls.push_back("http://127.0.0.1:4566/in/v2/guid/ep2/channel");
  s.channel["Destinations"][1]["Settings"].push_back({{"Url", "https://elsewhere:443/in/v2/guid/ep2/channel"}});
  ChannelRunPlan run = plan_channel_run(s, settings());
  REQUIRE(run.pipeline_media.size() == 2);
  auto group = [](const ChannelRunPlan& p, const std::string& name) -> const Delivery* {
    for (const auto& d : p.media.deliveries)
      if (d.group_name == name) return &d;
    return nullptr;
  };
  ChannelRunPlan zero = pipeline_plan(run, 0), one = pipeline_plan(run, 1);
  CHECK(one.pipeline == 1);
  CHECK(one.pipeline_media.empty());
  // HLS to S3 ("archive"): Settings[pipeline]; the Archive group ("recording") has one URL, so
  // pipeline 1 does not deliver it and says so.
  REQUIRE(group(zero, "archive"));
  REQUIRE(group(one, "archive"));
  CHECK(group(zero, "archive")->hls.directory == std::filesystem::path("/data/s3/bucket/live"));
  CHECK(group(zero, "archive")->hls.hls.playlist.manifest_name == "main");
  CHECK(group(one, "archive")->hls.hls.playlist.manifest_name == "backup");
  CHECK(group(zero, "recording"));
  CHECK_FALSE(group(one, "recording"));
  bool said = false;
  for (const auto& a : one.media.alerts) said |= a.find("'recording': its destination has no URL for pipeline 1") != std::string::npos;
  CHECK(said);
  // MediaPackage: each pipeline feeds the ingest endpoint of its index.
  CHECK(group(zero, "mp")->ingest_index == 0);
  CHECK(group(one, "mp")->ingest_index == 1);
  CHECK(group(one, "ingest")->ingest_index == 1);
  // Inputs: one destination each; the RTP input's third "port" never was one.
  CHECK(zero.inputs[0].stream_names == std::vector<std::string>{"live/main"});
  CHECK(one.inputs[0].stream_names == std::vector<std::string>{"live/backup"});
  CHECK(zero.inputs[1].ports == std::vector<int>{5000});
  CHECK(one.inputs[1].ports == std::vector<int>{5002});
  InputPlan single;
  single.transport = InputPlan::Transport::Mp4File;
  single.urls = {"/media/a.mp4"};
  CHECK(pipeline_input(single, 0).has_source());
  CHECK_FALSE(pipeline_input(single, 1).has_source());  // a SINGLE_INPUT input: nothing for pipeline 1
}

TEST_CASE("a single-pipeline channel plans one pipeline", "[plan]") {
  ChannelSources s = sources();
  s.channel["ChannelClass"] = "SINGLE_PIPELINE";
  CHECK(plan_channel_run(s, settings()).pipeline_count == 1);
}

TEST_CASE("a whitelist rule that is no CIDR admits nobody and is reported", "[plan]") {
  ChannelSources s = sources();
  s.security_groups["9"]["WhitelistRules"] = json::array({{{"Cidr", "10.0.0.0/33"}}});
  ChannelRunPlan plan = plan_channel_run(s, settings());
  CHECK_FALSE(plan.inputs[0].allowed.allows("10.0.0.1"));
  CHECK_FALSE(plan.inputs[0].allowed.allows_everyone());
  bool reported = false;
  for (const auto& a : plan.media.alerts) reported |= a.find("'10.0.0.0/33'") != std::string::npos;
  CHECK(reported);
}

TEST_CASE("an input whose security group is gone admits nobody", "[plan]") {
  ChannelSources s = sources();
  s.security_groups.clear();
  ChannelRunPlan plan = plan_channel_run(s, settings());
  CHECK_FALSE(plan.inputs[0].allowed.allows("127.0.0.1"));
}

TEST_CASE("CIDR blocks parse the way MediaLive writes them", "[plan]") {
  using mediaemu::pipeline::Ipv4Range;
  CHECK(Ipv4Range::parse("0.0.0.0/0")->contains(0xC0A80101));
  CHECK(Ipv4Range::parse("192.168.1.7/24")->contains(0xC0A801FE));
  CHECK_FALSE(Ipv4Range::parse("192.168.1.7/24")->contains(0xC0A802FE));
  CHECK(Ipv4Range::parse("127.0.0.1")->contains(0x7F000001));  // bare address: /32
  CHECK_FALSE(Ipv4Range::parse("127.0.0.1")->contains(0x7F000002));
  for (const char* bad : {"", "1.2.3/8", "1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/8x", "::1/128", "a.b.c.d/8"})
    CHECK_FALSE(Ipv4Range::parse(bad));
}

TEST_CASE("an origin endpoint becomes a packaging plan that starts afresh", "[plan]") {
  json hls = {{"Id", "ep"}, {"ChannelId", "pkg"}, {"ManifestName", "main"},
              {"HlsPackage", {{"SegmentDurationSeconds", 2}, {"PlaylistWindowSeconds", 30}}}};
  EndpointPlan plan = plan_origin_endpoint("us-east-1", hls, "/data/origin/abc");
  CHECK(plan.id == "ep");
  CHECK(plan.mediapackage_channel_id == "pkg");
  REQUIRE(plan.spec);
  CHECK(plan.spec->kind == mediaemu::pipeline::EndpointSpec::Kind::Hls);
  CHECK(plan.spec->directory == "/data/origin/abc");
  CHECK(plan.spec->hls.segment_duration_seconds == 2);
  CHECK(plan.spec->hls.playlist.playlist_window_seconds == 30);
  CHECK(plan.start_fresh);

  json mss = {{"Id", "ms"}, {"ChannelId", "pkg"}, {"ManifestName", "live"},
              {"MssPackage", {{"SegmentDurationSeconds", 4}, {"ManifestWindowSeconds", 30}}}};
  EndpointPlan smooth = plan_origin_endpoint("us-east-1", mss, "/data/origin/def");
  REQUIRE(smooth.spec);
  CHECK(smooth.spec->kind == mediaemu::pipeline::EndpointSpec::Kind::Mss);
  CHECK(smooth.spec->mss.manifest_name == "live");
  CHECK(smooth.spec->mss.segment_duration_seconds == 4);
  CHECK(smooth.spec->mss.manifest_window_seconds == 30);
  // Encryption without PlayReady cannot be signalled: not packaged at all rather than served clear.
  mss["MssPackage"]["Encryption"] = {
      {"SpekeKeyProvider", {{"Url", "http://127.0.0.1:1/"}, {"ResourceId", "r"}, {"SystemIds", {"edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"}}}}};
  EndpointPlan not_packaged = plan_origin_endpoint("us-east-1", mss, "/data/origin/def");
  CHECK_FALSE(not_packaged.spec);
  CHECK_THAT(not_packaged.problem, Catch::Contains("PlayReady"));
  // With PlayReady: 'cenc' with one key (MssEncryption has no KeyRotationIntervalSeconds).
  mss["MssPackage"]["Encryption"]["SpekeKeyProvider"]["SystemIds"] = {"9A04F079-9840-4286-AB92-E65BE0885F95"};
  EndpointPlan encrypted = plan_origin_endpoint("us-east-1", mss, "/data/origin/def");
  REQUIRE(encrypted.spec);
  REQUIRE(encrypted.spec->encryption);
  CHECK(encrypted.spec->encryption->method == mediaemu::pipeline::crypto::EncryptionSpec::Method::Cenc);
  CHECK(encrypted.spec->encryption->key_rotation_interval_seconds == 0);
}

TEST_CASE("HlsPackage.Encryption becomes the endpoint's encryption spec (AES_128 only)", "[plan]") {
  json speke = {{"Url", "http://127.0.0.1:4566/_mediaemu/speke/v1"}, {"ResourceId", "res-1"},
                {"RoleArn", "arn:aws:iam::123456789012:role/Speke"},
                {"SystemIds", {"81376844-f976-481e-a84e-cc25d39b0b33"}}};
  json hls = {{"Id", "ep"}, {"ChannelId", "pkg"},
              {"HlsPackage", {{"Encryption", {{"KeyRotationIntervalSeconds", 10}, {"RepeatExtXKey", true},
                                               {"ConstantInitializationVector", "0123456789abcdef0123456789abcdef"},
                                               {"SpekeKeyProvider", speke}}}}}};
  EndpointPlan plan = plan_origin_endpoint("us-east-1", hls, "/data/origin/abc");
  REQUIRE(plan.spec);
  REQUIRE(plan.spec->encryption);
  const auto& e = *plan.spec->encryption;
  CHECK(e.key_rotation_interval_seconds == 10);
  CHECK(e.repeat_ext_x_key);
  CHECK(e.constant_iv_hex == "0123456789abcdef0123456789abcdef");
  CHECK(e.speke_url == "http://127.0.0.1:4566/_mediaemu/speke/v1");
  CHECK(e.resource_id == "res-1");
  CHECK(e.system_ids == std::vector<std::string>{"81376844-f976-481e-a84e-cc25d39b0b33"});
  CHECK_FALSE(e.keys);  // the control plane attaches the SPEKE client (media_plans.cpp)

  hls["HlsPackage"]["Encryption"].erase("KeyRotationIntervalSeconds");
  CHECK(plan_origin_endpoint("us-east-1", hls, "/d").spec->encryption->key_rotation_interval_seconds == 60);
  CHECK(plan_origin_endpoint("us-east-1", hls, "/d").spec->encryption->method ==
        mediaemu::pipeline::crypto::EncryptionSpec::Method::Aes128);  // the model's default
  hls["HlsPackage"]["Encryption"]["EncryptionMethod"] = "SAMPLE_AES";
  CHECK(plan_origin_endpoint("us-east-1", hls, "/d").spec->encryption->method ==
        mediaemu::pipeline::crypto::EncryptionSpec::Method::SampleAes);
  hls["HlsPackage"].erase("Encryption");
  CHECK_FALSE(plan_origin_endpoint("us-east-1", hls, "/d").spec->encryption);
}

TEST_CASE("AvailBlankingImage and InputLossImageSlate are read from mediaemu's S3, files or http(s)", "[plan]") {
  ChannelSources s = sources();
  json& encoder = s.channel["EncoderSettings"];
  encoder["AvailBlanking"] = {{"State", "ENABLED"}, {"AvailBlankingImage", {{"Uri", "s3://slates/break.png"}}}};
  encoder["GlobalConfiguration"] = {
      {"InputLossBehavior", {{"InputLossImageType", "SLATE"},
                             {"InputLossImageSlate", {{"Uri", "https://cdn.example/slate.bmp"}, {"Username", "u"}}}}}};
  auto plan = plan_channel_run(s, settings());
  CHECK(plan.media.ladder.avail_blanking);
  CHECK(plan.media.ladder.avail_blanking_image == "/data/s3/slates/break.png");
  CHECK(plan.media.ladder.input_loss.slate_image == "https://cdn.example/slate.bmp");
  auto said = [&](const std::string& what) {
    return std::any_of(plan.media.alerts.begin(), plan.media.alerts.end(),
                       [&](const std::string& a) { return a.find(what) != std::string::npos; });
  };
  CHECK(said("InputLossImageSlate https://cdn.example/slate.bmp is fetched without its Username and PasswordParam"));

  encoder["AvailBlanking"]["AvailBlankingImage"]["Uri"] = "mediastoressl://x/y.png";
  encoder["GlobalConfiguration"]["InputLossBehavior"]["InputLossImageSlate"] = {{"Uri", "file:///srv/slate.png"}};
  plan = plan_channel_run(s, settings());
  CHECK(plan.media.ladder.avail_blanking_image.empty());  // black, and said
  CHECK(said("AvailBlankingImage 'mediastoressl://x/y.png' is not an s3://, http(s)://, file:// or absolute location"));
  CHECK(plan.media.ladder.input_loss.slate_image == "/srv/slate.png");
  encoder["AvailBlanking"]["State"] = "DISABLED";
  CHECK(plan_channel_run(s, settings()).media.ladder.avail_blanking_image.empty());
}

TEST_CASE("AvailConfiguration's AvailSettings become the ladder's avail rules, and Esam is said", "[plan]") {
  ChannelSources s = sources();
  json& encoder = s.channel["EncoderSettings"];
  using Mode = mediaemu::pipeline::ads::AvailRules::Mode;
  auto plan = plan_channel_run(s, settings());
  CHECK(plan.media.ladder.avail_rules.mode == Mode::SpliceInsert);  // no AvailConfiguration: the defaults
  CHECK(plan.media.ladder.avail_rules.follow_web_delivery_allowed);
  CHECK(plan.media.ladder.avail_rules.ad_avail_offset_ms == 0);

  encoder["AvailConfiguration"] = {{"AvailSettings",
                                    {{"Scte35TimeSignalApos",
                                      {{"AdAvailOffset", -500}, {"NoRegionalBlackoutFlag", "IGNORE"}}}}}};
  plan = plan_channel_run(s, settings());
  const auto& rules = plan.media.ladder.avail_rules;
  CHECK(rules.mode == Mode::TimeSignalApos);
  CHECK(rules.ad_avail_offset_ms == -500);
  CHECK(rules.follow_web_delivery_allowed);
  CHECK_FALSE(rules.follow_no_regional_blackout);

  encoder["AvailConfiguration"]["AvailSettings"] = {{"Esam", {{"AcquisitionPointId", "a"}, {"PoisEndpoint", {}}}}};
  plan = plan_channel_run(s, settings());
  CHECK(plan.media.ladder.avail_rules.mode == Mode::SpliceInsert);
  CHECK(std::any_of(plan.media.alerts.begin(), plan.media.alerts.end(),
                    [](const std::string& a) { return a.find("AvailSettings Esam") != std::string::npos; }));
}
