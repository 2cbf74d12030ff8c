// MediaPackage v1 (live) through the AWS engine, as the CLI drives it: wire-form JSON bodies,
// SigV4-scoped requests, model-driven routing and errors. The seed 002 recipe (steps 4-5 and
// its cleanup) is the main scenario.
#include <catch2/catch.hpp>

#include <regex>

#include "api/aws_api.hpp"
#include "api/uri_template.hpp"
#include "emulator/clock.hpp"
#include "emulator/domain.hpp"
#include "emulator/mediapackage/mediapackage.hpp"
#include "emulator/store.hpp"

using namespace mediaemu;
using json = nlohmann::json;

namespace {

// Records what the media runtime is told, and whether the change was already visible then.
struct SpyHooks : MediaHooks {
  Domain* domain = nullptr;
  std::vector<std::string> calls;
  void endpoint_changed(const media::EndpointPlan& plan) override {
    auto lock = domain->read();  // would deadlock if called under the write lock
    bool visible = domain->find({mediapackage::kOriginEndpoint, plan.region, plan.id}) != nullptr;
    calls.push_back("changed " + plan.region + " " + plan.id + (visible ? "" : " (not committed)") +
                    (plan.spec ? "" : " (no package: " + plan.problem + ")"));
  }
  void endpoint_deleted(const std::string& region, const std::string& id, const std::filesystem::path& dir) override {
    auto lock = domain->read();
    bool gone = domain->find({mediapackage::kOriginEndpoint, region, id}) == nullptr;
    calls.push_back("deleted " + region + " " + id + " " + dir.filename().string() + (gone ? "" : " (not committed)"));
  }
};

struct Live {
  Config config;
  Store store{":memory:"};
  ManualClock clock;
  Domain domain{config, store, clock};
  SpyHooks hooks;
  api::AwsApi api;

  Live() {
    config.port = 4566;
    hooks.domain = &domain;
    api.set_handlers("mediapackage", mediapackage::operations(domain, hooks));
    api.set_handlers("mediapackage-vod", mediapackage::vod_operations(domain));
  }

  api::HttpResponse call(const std::string& method, const std::string& target, const json& body = nullptr,
                         const std::string& region = "us-east-1") {
    api::HttpRequest r;
    r.method = method;
    r.target = target;
    r.headers = {{"authorization", "AWS4-HMAC-SHA256 Credential=x/20261122/" + region +
                                       "/mediapackage/aws4_request, SignedHeaders=host, Signature=0"},
                 {"content-type", "application/json"}};
    if (!body.is_null()) r.body = body.dump();
    r.peer = "127.0.0.1";
    return api.handle(r);
  }
  json ok(const std::string& method, const std::string& target, const json& body = nullptr, int status = 200) {
    auto res = call(method, target, body);
    INFO(method << " " << target << " -> " << res.status << " " << res.body);
    REQUIRE(res.status == status);
    return res.body.empty() ? json::object() : json::parse(res.body);
  }
};

bool is_hex32(const json& v) { return v.is_string() && std::regex_match(v.get<std::string>(), std::regex("[0-9a-f]{32}")); }

std::string error_type(const api::HttpResponse& r) { return std::string(r.header("x-amzn-ErrorType")); }

// seed 002 step 5, as `aws mediapackage create-origin-endpoint` puts it on the wire.
json recipe_hls(const std::string& channel) {
  return {{"channelId", channel},
          {"id", channel + "-hls-advanced"},
          {"manifestName", "master.m3u8"},
          {"startoverWindowSeconds", 3600},
          {"timeDelaySeconds", 10},
          {"hlsPackage",
           {{"segmentDurationSeconds", 4},
            {"playlistType", "EVENT"},
            {"playlistWindowSeconds", 300},
            {"programDateTimeIntervalSeconds", 60},
            {"adMarkers", "SCTE35_ENHANCED"},
            {"includeIframeOnlyStream", true},
            {"useAudioRenditionGroup", true}}},
          {"tags", {{"Type", "HLS"}, {"Quality", "Advanced"}, {"Environment", "Production"}}}};
}
json recipe_dash(const std::string& channel) {
  return {{"channelId", channel},
          {"id", channel + "-dash-drm"},
          {"manifestName", "manifest.mpd"},
          {"startoverWindowSeconds", 3600},
          {"timeDelaySeconds", 10},
          {"dashPackage",
           {{"segmentDurationSeconds", 4},
            {"minBufferTimeSeconds", 20},
            {"minUpdatePeriodSeconds", 10},
            {"suggestedPresentationDelaySeconds", 30},
            {"profile", "NONE"},
            {"periodTriggers", {"ADS"}}}},
          {"tags", {{"Type", "DASH"}, {"DRM", "Enabled"}, {"Environment", "Production"}}}};
}
json recipe_cmaf(const std::string& channel) {
  return {{"channelId", channel},
          {"id", channel + "-cmaf-ll"},
          {"manifestName", "index.m3u8"},
          {"startoverWindowSeconds", 1800},
          {"timeDelaySeconds", 2},
          {"cmafPackage",
           {{"segmentDurationSeconds", 2},
            {"segmentPrefix", "segment"},
            {"hlsManifests",
             {{{"id", "low-latency"},
               {"manifestName", "ll.m3u8"},
               {"playlistType", "EVENT"},
               {"playlistWindowSeconds", 60},
               {"programDateTimeIntervalSeconds", 60},
               {"adMarkers", "SCTE35_ENHANCED"}}}}}},
          {"tags", {{"Type", "CMAF"}, {"Latency", "Low"}, {"Environment", "Production"}}}};
}

const std::string kPackageChannel = "package-channel-ab12cd34";

}  // namespace

TEST_CASE("CreateChannel gives two ingest endpoints with WebDAV credentials and a GUID ARN", "[mediapackage]") {
  Live mp;
  json ch = mp.ok("POST", "/channels",
                  {{"id", kPackageChannel}, {"description", "Enterprise streaming platform channel"},
                   {"tags", {{"Name", "StreamingChannel-ab12cd34"}, {"Environment", "Production"}}}});
  CHECK(ch["id"] == kPackageChannel);
  CHECK(ch["description"] == "Enterprise streaming platform channel");
  CHECK(ch["tags"]["Environment"] == "Production");
  // Channel.CreatedAt is newer than botocore 1.29 (Debian 12's), which has no wire name for it.
  if (mp.api.model("mediapackage")->shape("Channel")->member("CreatedAt"))
    CHECK(ch["createdAt"] == "2023-11-14T22:13:20.000Z");  // the ManualClock's start
  std::smatch m;
  std::string arn = ch["arn"];
  REQUIRE(std::regex_match(arn, m, std::regex("arn:aws:mediapackage:us-east-1:123456789012:channels/([0-9a-f]{32})")));
  const std::string guid = m[1];

  const json& eps = ch["hlsIngest"]["ingestEndpoints"];
  REQUIRE(eps.size() == 2);
  CHECK(eps[0]["id"] == guid);  // the first ingest endpoint carries the channel GUID
  CHECK(eps[1]["id"] != guid);
  for (const auto& e : eps) {
    CHECK(is_hex32(e["id"]));
    CHECK(is_hex32(e["username"]));
    CHECK(is_hex32(e["password"]));
    CHECK(e["url"] == "http://127.0.0.1:4566/in/v2/" + guid + "/" + e["id"].get<std::string>() + "/channel");
  }
  CHECK(eps[0]["username"] != eps[1]["username"]);

  // The recipe reads the ingest URL and user name back with describe-channel.
  json described = mp.ok("GET", "/channels/" + kPackageChannel);
  CHECK(described == ch);

  // The media side finds the channel and endpoint by the ids in the ingest URL.
  auto lock = mp.domain.read();
  const Record* found = mediapackage::find_channel_by_guid(mp.domain, guid);
  REQUIRE(found);
  CHECK(found->key.id == kPackageChannel);
  CHECK(mediapackage::ingest_endpoint_index(*found, eps[1]["id"]) == 1);
  CHECK(mediapackage::ingest_endpoint_index(*found, "nope") == -1);
  CHECK_FALSE(mediapackage::find_channel_by_guid(mp.domain, std::string(32, '0')));
}

TEST_CASE("Channel ids: duplicates, bad characters, unknown ids", "[mediapackage]") {
  Live mp;
  mp.ok("POST", "/channels", {{"id", "sports"}});
  auto dup = mp.call("POST", "/channels", {{"id", "sports"}});
  CHECK(dup.status == 422);
  CHECK(error_type(dup) == "UnprocessableEntityException");
  CHECK(json::parse(dup.body)["message"].get<std::string>().find("already exists") != std::string::npos);

  auto bad = mp.call("POST", "/channels", {{"id", "has space"}});
  CHECK(bad.status == 422);
  CHECK(mp.call("POST", "/channels", json::object()).status == 422);  // Id is required

  // Another region has its own namespace.
  CHECK(mp.call("POST", "/channels", {{"id", "sports"}}, "eu-west-1").status == 200);

  for (auto [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/channels/missing"}, {"PUT", "/channels/missing"}, {"DELETE", "/channels/missing"},
           {"PUT", "/channels/missing/configure_logs"}, {"PUT", "/channels/missing/credentials"}}) {
    auto r = mp.call(method, path, json::object());
    INFO(method << " " << path << " " << r.body);
    CHECK(r.status == 404);
    CHECK(error_type(r) == "NotFoundException");
  }
}

TEST_CASE("ListChannels pages with MaxResults and NextToken", "[mediapackage]") {
  Live mp;
  for (const char* id : {"a", "b", "c", "d", "e"}) mp.ok("POST", "/channels", {{"id", id}});
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    json page = mp.ok("GET", "/channels?maxResults=2" + (token.empty() ? "" : "&nextToken=" + token));
    for (const auto& c : page["channels"]) seen.push_back(c["id"]);
    token = page.value("nextToken", "");
    ++pages;
  } while (!token.empty());
  CHECK(pages == 3);
  CHECK(seen == std::vector<std::string>{"a", "b", "c", "d", "e"});
  CHECK(mp.call("GET", "/channels?maxResults=0").status == 422);  // 1..1000 in the model
  CHECK(mp.call("GET", "/channels?maxResults=1001").status == 422);
}

TEST_CASE("UpdateChannel, ConfigureLogs and credential rotation", "[mediapackage]") {
  Live mp;
  json ch = mp.ok("POST", "/channels", {{"id", "news"}});
  json updated = mp.ok("PUT", "/channels/news", {{"description", "evening news"}});
  CHECK(updated["description"] == "evening news");
  CHECK(updated["hlsIngest"] == ch["hlsIngest"]);

  json logs = mp.ok("PUT", "/channels/news/configure_logs",
                    {{"egressAccessLogs", json::object()}, {"ingressAccessLogs", {{"logGroupName", "/my/ingress"}}}});
  CHECK(logs["egressAccessLogs"]["logGroupName"] == "/aws/MediaPackage/EgressAccessLogs");
  CHECK(logs["ingressAccessLogs"]["logGroupName"] == "/my/ingress");
  // Leaving a kind out switches it off.
  logs = mp.ok("PUT", "/channels/news/configure_logs", {{"ingressAccessLogs", json::object()}});
  CHECK_FALSE(logs.contains("egressAccessLogs"));
  CHECK(logs["ingressAccessLogs"]["logGroupName"] == "/aws/MediaPackage/IngressAccessLogs");

  const json before = ch["hlsIngest"]["ingestEndpoints"];
  const std::string second = before[1]["id"];
  json rotated = mp.ok("PUT", "/channels/news/ingest_endpoints/" + second + "/credentials");
  const json& after = rotated["hlsIngest"]["ingestEndpoints"];
  CHECK(after[0] == before[0]);  // the other endpoint is untouched
  CHECK(after[1]["id"] == before[1]["id"]);
  CHECK(after[1]["url"] == before[1]["url"]);
  CHECK(after[1]["username"] != before[1]["username"]);
  CHECK(after[1]["password"] != before[1]["password"]);
  CHECK(is_hex32(after[1]["username"]));
  CHECK(is_hex32(after[1]["password"]));
  CHECK(rotated["id"] == "news");
  CHECK(mp.call("PUT", "/channels/news/ingest_endpoints/" + std::string(32, 'f') + "/credentials").status == 404);

  // The deprecated RotateChannelCredentials rotates the first endpoint.
  json again = mp.ok("PUT", "/channels/news/credentials");
  CHECK(again["hlsIngest"]["ingestEndpoints"][0]["password"] != before[0]["password"]);
  CHECK(again["hlsIngest"]["ingestEndpoints"][1] == after[1]);
}

TEST_CASE("Recipe endpoints: HLS, DASH and CMAF with AWS's URLs and defaults", "[mediapackage]") {
  Live mp;
  mp.ok("POST", "/channels", {{"id", kPackageChannel}});

  json hls = mp.ok("POST", "/origin_endpoints", recipe_hls(kPackageChannel));
  std::smatch m;
  std::string arn = hls["arn"];
  REQUIRE(std::regex_match(arn, m, std::regex("arn:aws:mediapackage:us-east-1:123456789012:origin_endpoints/([0-9a-f]{32})")));
  const std::string hash = m[1];
  CHECK(hls["url"] == "http://127.0.0.1:4566/out/v1/" + hash + "/master.m3u8.m3u8");
  CHECK(hls["channelId"] == kPackageChannel);
  CHECK(hls["manifestName"] == "master.m3u8");
  CHECK(hls["startoverWindowSeconds"] == 3600);
  CHECK(hls["timeDelaySeconds"] == 10);
  CHECK(hls["origination"] == "ALLOW");
  CHECK(hls["whitelist"] == json::array());
  CHECK(hls["tags"]["Type"] == "HLS");
  const json& hp = hls["hlsPackage"];
  CHECK(hp["segmentDurationSeconds"] == 4);
  CHECK(hp["playlistType"] == "EVENT");
  CHECK(hp["playlistWindowSeconds"] == 300);
  CHECK(hp["programDateTimeIntervalSeconds"] == 60);
  CHECK(hp["adMarkers"] == "SCTE35_ENHANCED");
  CHECK(hp["includeIframeOnlyStream"] == true);
  CHECK(hp["useAudioRenditionGroup"] == true);
  CHECK(hp["streamSelection"] ==
        json{{"minVideoBitsPerSecond", 0}, {"maxVideoBitsPerSecond", 2147483647}, {"streamOrder", "ORIGINAL"}});

  json dash = mp.ok("POST", "/origin_endpoints", recipe_dash(kPackageChannel));
  const json& dp = dash["dashPackage"];
  CHECK(dash["url"].get<std::string>().ends_with("/manifest.mpd.mpd"));
  CHECK(dp["segmentDurationSeconds"] == 4);
  CHECK(dp["minBufferTimeSeconds"] == 20);
  CHECK(dp["minUpdatePeriodSeconds"] == 10);
  CHECK(dp["suggestedPresentationDelaySeconds"] == 30);
  CHECK(dp["periodTriggers"] == json::array({"ADS"}));
  CHECK(dp["manifestWindowSeconds"] == 60);  // defaults for what the recipe leaves out
  CHECK(dp["manifestLayout"] == "FULL");
  CHECK(dp["segmentTemplateFormat"] == "NUMBER_WITH_TIMELINE");
  CHECK(dp["profile"] == "NONE");

  json cmaf = mp.ok("POST", "/origin_endpoints", recipe_cmaf(kPackageChannel));
  const std::string cmaf_hash = cmaf["arn"].get<std::string>().substr(cmaf["arn"].get<std::string>().size() - 32);
  CHECK(cmaf["url"] == "");
  const json& cp = cmaf["cmafPackage"];
  CHECK(cp["segmentDurationSeconds"] == 2);
  CHECK(cp["segmentPrefix"] == "segment");
  REQUIRE(cp["hlsManifests"].size() == 1);
  const json& ll = cp["hlsManifests"][0];
  CHECK(ll["id"] == "low-latency");
  CHECK(ll["url"] == "http://127.0.0.1:4566/out/v1/" + cmaf_hash + "/low-latency/ll.m3u8.m3u8");
  CHECK(ll["playlistType"] == "EVENT");
  CHECK(ll["playlistWindowSeconds"] == 60);
  CHECK(ll["includeIframeOnlyStream"] == false);

  // The recipe's verification step reads each URL back with describe-origin-endpoint.
  CHECK(mp.ok("GET", "/origin_endpoints/" + kPackageChannel + "-hls-advanced") == hls);
  CHECK(hash != cmaf_hash);

  auto lock = mp.domain.read();
  const Record* found = mediapackage::find_endpoint_by_hash(mp.domain, hash);
  REQUIRE(found);
  CHECK(found->key.id == kPackageChannel + "-hls-advanced");
  CHECK(mediapackage::endpoint_url_hash(*found) == hash);
}

TEST_CASE("An endpoint created with only a package shows every default", "[mediapackage]") {
  Live mp;
  mp.ok("POST", "/channels", {{"id", "test"}});
  json hls = mp.ok("POST", "/origin_endpoints", {{"channelId", "test"}, {"id", "tester"}, {"hlsPackage", json::object()}});
  CHECK(hls["manifestName"] == "index");
  CHECK(hls["startoverWindowSeconds"] == 0);
  CHECK(hls["timeDelaySeconds"] == 0);
  CHECK(hls["tags"] == json::object());
  CHECK_FALSE(hls.contains("description"));
  CHECK(hls["url"].get<std::string>().ends_with("/index.m3u8"));
  CHECK(hls["hlsPackage"] == json{{"adMarkers", "NONE"},
                                  {"includeIframeOnlyStream", false},
                                  {"playlistType", "NONE"},
                                  {"playlistWindowSeconds", 60},
                                  {"programDateTimeIntervalSeconds", 0},
                                  {"segmentDurationSeconds", 6},
                                  {"streamSelection",
                                   {{"maxVideoBitsPerSecond", 2147483647},
                                    {"minVideoBitsPerSecond", 0},
                                    {"streamOrder", "ORIGINAL"}}},
                                  {"useAudioRenditionGroup", false}});

  json dash = mp.ok("POST", "/origin_endpoints", {{"channelId", "test"}, {"id", "tester2"}, {"dashPackage", json::object()}});
  CHECK(dash["dashPackage"]["segmentDurationSeconds"] == 2);
  CHECK(dash["dashPackage"]["minBufferTimeSeconds"] == 30);
  CHECK(dash["dashPackage"]["minUpdatePeriodSeconds"] == 15);
  CHECK(dash["dashPackage"]["suggestedPresentationDelaySeconds"] == 25);
  CHECK(dash["dashPackage"]["periodTriggers"] == json::array());

  json cmaf = mp.ok("POST", "/origin_endpoints",
                    {{"channelId", "test"}, {"id", "cm"}, {"manifestName", "sports"},
                     {"cmafPackage", {{"hlsManifests", {{{"id", "m1"}}}}}}});
  CHECK(cmaf["cmafPackage"]["segmentDurationSeconds"] == 6);
  CHECK(cmaf["cmafPackage"]["segmentPrefix"] == "test");  // the channel id
  CHECK(cmaf["cmafPackage"]["hlsManifests"][0]["manifestName"] == "sports");
  CHECK(cmaf["cmafPackage"]["hlsManifests"][0]["url"].get<std::string>().ends_with("/m1/sports.m3u8"));

  json mss = mp.ok("POST", "/origin_endpoints", {{"channelId", "test"}, {"id", "ms"}, {"mssPackage", json::object()}});
  CHECK(mss["mssPackage"]["segmentDurationSeconds"] == 2);
  CHECK(mss["mssPackage"]["manifestWindowSeconds"] == 60);
  CHECK(mss["url"].get<std::string>().ends_with("/index.ism/Manifest"));
}

TEST_CASE("Origin endpoint validation answers 404 and 422", "[mediapackage]") {
  Live mp;
  mp.ok("POST", "/channels", {{"id", "c"}});
  auto create = [&](json body) {
    body["channelId"] = body.value("channelId", "c");
    body["id"] = body.value("id", "e");
    return mp.call("POST", "/origin_endpoints", body);
  };
  auto missing_channel = create({{"channelId", "nope"}, {"hlsPackage", json::object()}});
  CHECK(missing_channel.status == 404);
  CHECK(error_type(missing_channel) == "NotFoundException");

  CHECK(create(json::object()).status == 422);  // no package
  CHECK(create({{"hlsPackage", json::object()}, {"dashPackage", json::object()}}).status == 422);
  CHECK(create({{"hlsPackage", {{"segmentDurationSeconds", 0}}}}).status == 422);
  CHECK(create({{"hlsPackage", {{"segmentDurationSeconds", 31}}}}).status == 422);
  CHECK(create({{"hlsPackage", {{"segmentDurationSeconds", 10}, {"playlistWindowSeconds", 5}}}}).status == 422);
  CHECK(create({{"hlsPackage", {{"adMarkers", "DATERANGE"}}}}).status == 422);
  CHECK(create({{"dashPackage", {{"segmentDurationSeconds", 40}}}}).status == 422);
  CHECK(create({{"mssPackage", {{"manifestWindowSeconds", 1}}}}).status == 422);
  CHECK(create({{"cmafPackage", {{"hlsManifests", {{{"id", "x"}}, {{"id", "x"}}}}}}}).status == 422);
  CHECK(create({{"hlsPackage", json::object()}, {"startoverWindowSeconds", 1209601}}).status == 422);
  CHECK(create({{"hlsPackage", json::object()}, {"timeDelaySeconds", 86401}}).status == 422);
  CHECK(create({{"hlsPackage", json::object()}, {"timeDelaySeconds", 60}, {"startoverWindowSeconds", 30}}).status == 422);
  CHECK(create({{"hlsPackage", json::object()}, {"whitelist", {"10.0.0.0/33"}}}).status == 422);
  CHECK(create({{"hlsPackage", json::object()}, {"whitelist", {"example.com"}}}).status == 422);
  CHECK(create({{"hlsPackage", json::object()}, {"manifestName", "a/b"}}).status == 422);
  CHECK(create({{"hlsPackage", json::object()}, {"id", "bad id"}}).status == 422);
  CHECK(create({{"hlsPackage", {{"playlistType", "LIVE"}}}}).status == 422);  // not in the model's enum
  CHECK(mp.hooks.calls.empty());

  json ok = json::parse(create({{"hlsPackage", json::object()}, {"whitelist", {"10.0.0.0/8", "203.0.113.7/32"}}}).body);
  CHECK(ok["whitelist"] == json::array({"10.0.0.0/8", "203.0.113.7/32"}));
  auto dup = create({{"hlsPackage", json::object()}});
  CHECK(dup.status == 422);
  CHECK(error_type(dup) == "UnprocessableEntityException");
  CHECK(mp.call("GET", "/origin_endpoints/nope").status == 404);
  CHECK(mp.call("PUT", "/origin_endpoints/nope", json::object()).status == 404);
  CHECK(mp.call("DELETE", "/origin_endpoints/nope").status == 404);
}

TEST_CASE("ListOriginEndpoints filters by channel and pages", "[mediapackage]") {
  Live mp;
  for (const char* c : {"one", "two"}) mp.ok("POST", "/channels", {{"id", c}});
  for (const char* e : {"one-a", "one-b", "one-c"})
    mp.ok("POST", "/origin_endpoints", {{"channelId", "one"}, {"id", e}, {"hlsPackage", json::object()}});
  mp.ok("POST", "/origin_endpoints", {{"channelId", "two"}, {"id", "two-a"}, {"dashPackage", json::object()}});

  CHECK(mp.ok("GET", "/origin_endpoints")["originEndpoints"].size() == 4);
  json two = mp.ok("GET", "/origin_endpoints?channelId=two");
  REQUIRE(two["originEndpoints"].size() == 1);
  CHECK(two["originEndpoints"][0]["id"] == "two-a");
  CHECK(mp.ok("GET", "/origin_endpoints?channelId=none")["originEndpoints"].empty());

  json first = mp.ok("GET", "/origin_endpoints?channelId=one&maxResults=2");
  CHECK(first["originEndpoints"].size() == 2);
  REQUIRE(first.contains("nextToken"));
  json rest = mp.ok("GET", "/origin_endpoints?channelId=one&maxResults=2&nextToken=" + first["nextToken"].get<std::string>());
  REQUIRE(rest["originEndpoints"].size() == 1);
  CHECK(rest["originEndpoints"][0]["id"] == "one-c");
  CHECK_FALSE(rest.contains("nextToken"));
}

TEST_CASE("UpdateOriginEndpoint resets what it leaves out and keeps URL and package", "[mediapackage]") {
  Live mp;
  mp.ok("POST", "/channels", {{"id", kPackageChannel}});
  json created = mp.ok("POST", "/origin_endpoints", recipe_cmaf(kPackageChannel));
  mp.hooks.calls.clear();

  // AWS API reference (origin_endpoints-id PUT): unspecified modifiable attributes reset.
  json updated = mp.ok("PUT", "/origin_endpoints/" + kPackageChannel + "-cmaf-ll", {{"description", "ll"}});
  CHECK(updated["description"] == "ll");
  CHECK(updated["timeDelaySeconds"] == 0);
  CHECK(updated["startoverWindowSeconds"] == 0);
  CHECK(updated["manifestName"] == "index");
  CHECK(updated["arn"] == created["arn"]);
  CHECK(updated["createdAt"] == created["createdAt"]);
  CHECK(updated["tags"] == created["tags"]);
  CHECK(updated["cmafPackage"] == created["cmafPackage"]);  // the manifest named itself "ll.m3u8"
  CHECK(mp.hooks.calls == std::vector<std::string>{"changed us-east-1 " + kPackageChannel + "-cmaf-ll"});

  // Switching packages keeps the hash, so the URL prefix never changes.
  json hls = mp.ok("PUT", "/origin_endpoints/" + kPackageChannel + "-cmaf-ll",
                   {{"hlsPackage", {{"segmentDurationSeconds", 2}}}, {"manifestName", "live"}});
  CHECK_FALSE(hls.contains("cmafPackage"));
  CHECK(hls["hlsPackage"]["segmentDurationSeconds"] == 2);
  const std::string hash = created["arn"].get<std::string>().substr(created["arn"].get<std::string>().size() - 32);
  CHECK(hls["url"] == "http://127.0.0.1:4566/out/v1/" + hash + "/live.m3u8");
  CHECK(mp.call("PUT", "/origin_endpoints/" + kPackageChannel + "-cmaf-ll", {{"hlsPackage", {{"segmentDurationSeconds", 99}}}})
            .status == 422);
  CHECK(mp.ok("GET", "/origin_endpoints/" + kPackageChannel + "-cmaf-ll") == hls);  // a refused update changed nothing
}

TEST_CASE("Delete order: endpoints before their channel, hooks run after commit", "[mediapackage]") {
  Live mp;
  mp.ok("POST", "/channels", {{"id", kPackageChannel}});
  std::vector<std::string> hashes;
  for (const json& body : {recipe_hls(kPackageChannel), recipe_dash(kPackageChannel), recipe_cmaf(kPackageChannel)}) {
    std::string arn = mp.ok("POST", "/origin_endpoints", body)["arn"];
    hashes.push_back(arn.substr(arn.size() - 32));
  }
  CHECK(mp.hooks.calls == std::vector<std::string>{"changed us-east-1 " + kPackageChannel + "-hls-advanced",
                                                   "changed us-east-1 " + kPackageChannel + "-dash-drm",
                                                   "changed us-east-1 " + kPackageChannel + "-cmaf-ll"});
  mp.hooks.calls.clear();

  auto refused = mp.call("DELETE", "/channels/" + kPackageChannel);
  CHECK(refused.status == 422);
  CHECK(json::parse(refused.body)["message"].get<std::string>().find(
            "You must delete the channel's origin endpoints before you can delete the channel") != std::string::npos);

  // The recipe's cleanup, in its order.
  mp.ok("DELETE", "/origin_endpoints/" + kPackageChannel + "-hls-advanced", nullptr, 202);
  mp.ok("DELETE", "/origin_endpoints/" + kPackageChannel + "-dash-drm", nullptr, 202);
  mp.ok("DELETE", "/origin_endpoints/" + kPackageChannel + "-cmaf-ll", nullptr, 202);
  mp.ok("DELETE", "/channels/" + kPackageChannel, nullptr, 202);
  CHECK(mp.hooks.calls == std::vector<std::string>{"deleted us-east-1 " + kPackageChannel + "-hls-advanced " + hashes[0],
                                                   "deleted us-east-1 " + kPackageChannel + "-dash-drm " + hashes[1],
                                                   "deleted us-east-1 " + kPackageChannel + "-cmaf-ll " + hashes[2]});
  CHECK(mp.call("GET", "/channels/" + kPackageChannel).status == 404);
  CHECK(mp.ok("GET", "/channels")["channels"].empty());
  // A deleted id can be used again.
  mp.ok("POST", "/channels", {{"id", kPackageChannel}});
}

TEST_CASE("MediaPackage tags: tag, untag, list, unknown and foreign ARNs are 404", "[mediapackage]") {
  Live mp;
  json ch = mp.ok("POST", "/channels", {{"id", "c"}, {"tags", {{"a", "1"}}}});
  json ep = mp.ok("POST", "/origin_endpoints", {{"channelId", "c"}, {"id", "e"}, {"hlsPackage", json::object()}});
  for (const std::string& arn : {ch["arn"].get<std::string>(), ep["arn"].get<std::string>()}) {
    const std::string path = "/tags/" + api::percent_encode(arn);
    mp.ok("POST", path, {{"tags", {{"env", "test"}, {"team", "video"}}}}, 204);
    json listed = mp.ok("GET", path);
    CHECK(listed["tags"]["env"] == "test");
    CHECK(listed["tags"]["team"] == "video");
    mp.ok("DELETE", path + "?tagKeys=env&tagKeys=a", nullptr, 204);
    listed = mp.ok("GET", path);
    CHECK_FALSE(listed["tags"].contains("env"));
    CHECK_FALSE(listed["tags"].contains("a"));
    CHECK(listed["tags"]["team"] == "video");
  }
  CHECK(mp.ok("GET", "/channels/c")["tags"] == json{{"team", "video"}});

  const std::string unknown = "arn:aws:mediapackage:us-east-1:123456789012:channels/" + std::string(32, '0');
  auto r = mp.call("GET", "/tags/" + api::percent_encode(unknown));
  CHECK(r.status == 404);
  CHECK(error_type(r) == "NotFoundException");
  CHECK(mp.call("POST", "/tags/" + api::percent_encode(unknown), {{"tags", {{"k", "v"}}}}).status == 404);
}
