// MediaPackage VOD packaging groups and packaging configurations through the AWS engine, with
// wire-form bodies as the CLI sends them.
#include <catch2/catch.hpp>

#include "api/aws_api.hpp"
#include "api/uri_template.hpp"
#include "emulator/clock.hpp"
#include "emulator/domain.hpp"
#include "emulator/mediapackage/mediapackage.hpp"
#include "emulator/store.hpp"

using namespace mediaemu;
using json = nlohmann::json;

namespace {

struct Vod {
  Config config;
  Store store{":memory:"};
  ManualClock clock;
  Domain domain{config, store, clock};
  MediaHooks no_media;
  api::AwsApi api;

  Vod() {
    config.port = 4566;
    api.set_handlers("mediapackage", mediapackage::operations(domain, no_media));
    api.set_handlers("mediapackage-vod", mediapackage::vod_operations(domain));
  }

  api::HttpResponse call(const std::string& method, const std::string& target, const json& body = nullptr) {
    api::HttpRequest r;
    r.method = method;
    r.target = target;
    r.headers = {{"authorization",
                  "AWS4-HMAC-SHA256 Credential=x/20261122/us-west-2/mediapackage-vod/aws4_request, SignedHeaders=host, "
                  "Signature=0"}};
    if (!body.is_null()) r.body = body.dump();
    return api.handle(r);
  }
  json ok(const std::string& method, const std::string& target, const json& body = nullptr, int status = 200) {
    auto res = call(method, target, body);
    INFO(method << " " << target << " -> " << res.status << " " << res.body);
    REQUIRE(res.status == status);
    return res.body.empty() ? json::object() : json::parse(res.body);
  }
};

}  // namespace

TEST_CASE("Packaging groups: create, describe, list, update, logs, tags", "[mediapackage-vod]") {
  Vod vod;
  json g = vod.ok("POST", "/packaging_groups", {{"id", "hls_chicken"}, {"tags", {{"team", "vod"}}}});
  CHECK(g["arn"] == "arn:aws:mediapackage-vod:us-west-2:123456789012:packaging-groups/hls_chicken");
  CHECK(g["id"] == "hls_chicken");
  CHECK(g["domainName"] == "http://127.0.0.1:4566");
  CHECK(g["tags"]["team"] == "vod");
  CHECK_FALSE(g.contains("approximateAssetCount"));  // not in CreatePackagingGroup's output shape
  json described = vod.ok("GET", "/packaging_groups/hls_chicken");
  CHECK(described["approximateAssetCount"] == 0);
  described.erase("approximateAssetCount");
  CHECK(described == g);

  auto dup = vod.call("POST", "/packaging_groups", {{"id", "hls_chicken"}});
  CHECK(dup.status == 422);
  CHECK(dup.header("x-amzn-ErrorType") == "UnprocessableEntityException");
  CHECK(vod.call("POST", "/packaging_groups", {{"id", "no/slash"}}).status == 422);
  CHECK(vod.call("GET", "/packaging_groups/missing").status == 404);

  const json auth = {{"cdnIdentifierSecret", "arn:aws:secretsmanager:us-west-2:123456789012:secret:cdn"},
                     {"secretsRoleArn", "arn:aws:iam::123456789012:role/cdn"}};
  CHECK(vod.ok("PUT", "/packaging_groups/hls_chicken", {{"authorization", auth}})["authorization"] == auth);
  CHECK_FALSE(vod.ok("PUT", "/packaging_groups/hls_chicken", json::object()).contains("authorization"));

  json logs = vod.ok("PUT", "/packaging_groups/hls_chicken/configure_logs", {{"egressAccessLogs", json::object()}});
  CHECK(logs["egressAccessLogs"]["logGroupName"] == "/aws/MediaPackage/EgressAccessLogs");
  CHECK_FALSE(vod.ok("PUT", "/packaging_groups/hls_chicken/configure_logs", json::object()).contains("egressAccessLogs"));

  vod.ok("POST", "/packaging_groups", {{"id", "second"}});
  json page = vod.ok("GET", "/packaging_groups?maxResults=1");
  CHECK(page["packagingGroups"].size() == 1);
  CHECK(page.contains("nextToken"));

  const std::string tags = "/tags/" + api::percent_encode(g["arn"].get<std::string>());
  vod.ok("POST", tags, {{"tags", {{"env", "ci"}}}}, 204);
  CHECK(vod.ok("GET", tags)["tags"] == json{{"env", "ci"}, {"team", "vod"}});
  vod.ok("DELETE", tags + "?tagKeys=team", nullptr, 204);
  CHECK(vod.ok("GET", tags)["tags"] == json{{"env", "ci"}});
  CHECK(vod.call("GET", "/tags/" + api::percent_encode("arn:aws:mediapackage-vod:us-west-2:123456789012:packaging-groups/x"))
            .status == 404);
}

TEST_CASE("Packaging configurations: exactly one package, defaults, group must exist", "[mediapackage-vod]") {
  Vod vod;
  vod.ok("POST", "/packaging_groups", {{"id", "grp"}});

  // The CLI example's hls_pc.json.
  json hls = vod.ok("POST", "/packaging_configurations",
                    {{"id", "new_hls"},
                     {"packagingGroupId", "grp"},
                     {"hlsPackage",
                      {{"hlsManifests",
                        {{{"adMarkers", "NONE"},
                          {"includeIframeOnlyStream", false},
                          {"manifestName", "string"},
                          {"programDateTimeIntervalSeconds", 60},
                          {"repeatExtXKey", true},
                          {"streamSelection",
                           {{"maxVideoBitsPerSecond", 1000}, {"minVideoBitsPerSecond", 0}, {"streamOrder", "ORIGINAL"}}}}}},
                       {"segmentDurationSeconds", 6},
                       {"useAudioRenditionGroup", false}}}});
  CHECK(hls["arn"] == "arn:aws:mediapackage-vod:us-west-2:123456789012:packaging-configurations/new_hls");
  CHECK(hls["packagingGroupId"] == "grp");
  CHECK(hls["hlsPackage"]["hlsManifests"][0]["manifestName"] == "string");
  CHECK(hls["hlsPackage"]["hlsManifests"][0]["repeatExtXKey"] == true);

  json dash = vod.ok("POST", "/packaging_configurations",
                     {{"id", "DASH"}, {"packagingGroupId", "grp"}, {"dashPackage", {{"dashManifests", {json::object()}}}}});
  const json& dp = dash["dashPackage"];
  CHECK(dp["segmentDurationSeconds"] == 2);
  CHECK(dp["dashManifests"][0] ==
        json{{"manifestLayout", "FULL"}, {"manifestName", "index"}, {"minBufferTimeSeconds", 30}, {"profile", "NONE"}});

  json cmaf = vod.ok("POST", "/packaging_configurations",
                     {{"id", "CMAF"}, {"packagingGroupId", "grp"}, {"cmafPackage", {{"hlsManifests", {json::object()}}}}});
  CHECK(cmaf["cmafPackage"]["hlsManifests"][0] == json{{"adMarkers", "NONE"},
                                                       {"includeIframeOnlyStream", false},
                                                       {"manifestName", "index"},
                                                       {"programDateTimeIntervalSeconds", 0},
                                                       {"repeatExtXKey", false}});

  auto missing_group = vod.call("POST", "/packaging_configurations",
                                {{"id", "x"}, {"packagingGroupId", "nope"}, {"mssPackage", {{"mssManifests", {json::object()}}}}});
  CHECK(missing_group.status == 404);
  CHECK(vod.call("POST", "/packaging_configurations", {{"id", "x"}, {"packagingGroupId", "grp"}}).status == 422);
  CHECK(vod.call("POST", "/packaging_configurations",
                 {{"id", "x"}, {"packagingGroupId", "grp"}, {"mssPackage", {{"mssManifests", {json::object()}}}},
                  {"dashPackage", {{"dashManifests", {json::object()}}}}})
            .status == 422);
  CHECK(vod.call("POST", "/packaging_configurations",
                 {{"id", "x"}, {"packagingGroupId", "grp"},
                  {"hlsPackage", {{"hlsManifests", {json::object(), json::object()}}}}})  // both named "index"
            .status == 422);
  CHECK(vod.call("POST", "/packaging_configurations",
                 {{"id", "DASH"}, {"packagingGroupId", "grp"}, {"dashPackage", {{"dashManifests", {json::object()}}}}})
            .status == 422);
  CHECK(vod.call("POST", "/packaging_configurations", {{"id", "x"}, {"packagingGroupId", "grp"}, {"hlsPackage", json::object()}})
            .status == 422);  // HlsManifests is required by the model

  vod.ok("POST", "/packaging_groups", {{"id", "other"}});
  vod.ok("POST", "/packaging_configurations",
         {{"id", "elsewhere"}, {"packagingGroupId", "other"}, {"mssPackage", {{"mssManifests", {json::object()}}}}});
  CHECK(vod.ok("GET", "/packaging_configurations")["packagingConfigurations"].size() == 4);
  json in_grp = vod.ok("GET", "/packaging_configurations?packagingGroupId=grp");
  CHECK(in_grp["packagingConfigurations"].size() == 3);
  CHECK(vod.ok("GET", "/packaging_configurations/elsewhere")["mssPackage"]["segmentDurationSeconds"] == 2);
}

TEST_CASE("A packaging group can be deleted only without configurations", "[mediapackage-vod]") {
  Vod vod;
  vod.ok("POST", "/packaging_groups", {{"id", "grp"}});
  vod.ok("POST", "/packaging_configurations",
         {{"id", "HLS"}, {"packagingGroupId", "grp"}, {"hlsPackage", {{"hlsManifests", {json::object()}}}}});
  auto refused = vod.call("DELETE", "/packaging_groups/grp");
  CHECK(refused.status == 422);
  CHECK(refused.body.find("packaging configuration") != std::string::npos);
  vod.ok("DELETE", "/packaging_configurations/HLS", nullptr, 202);
  CHECK(vod.call("GET", "/packaging_configurations/HLS").status == 404);
  CHECK(vod.call("DELETE", "/packaging_configurations/HLS").status == 404);
  vod.ok("DELETE", "/packaging_groups/grp", nullptr, 202);
  CHECK(vod.call("GET", "/packaging_groups/grp").status == 404);

  // Assets have no behaviour yet: an honest 501.
  CHECK(vod.call("GET", "/assets").status == 501);
}
