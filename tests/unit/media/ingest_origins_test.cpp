// HLS ingest origins (emulator/media/supervisor/ingest_origins.hpp): one feeder per MediaPackage
// channel at a time, answers in WebDAV's terms, endpoint plans asked for once.
#include <catch2/catch.hpp>

#include "emulator/media/supervisor/ingest_origins.hpp"

using namespace mediaemu::media;

namespace {

HlsIngestDelivery upload(const std::string& file, std::string body, int* plans = nullptr, bool remove = false) {
  HlsIngestDelivery d;
  d.region = "us-east-1";
  d.mediapackage_channel_id = "mp";
  d.ingest_index = 0;
  d.file = file;
  d.body = std::move(body);
  d.remove = remove;
  d.plan_endpoints = [plans] {
    if (plans) ++*plans;
    return std::vector<EndpointPlan>{};
  };
  return d;
}

}  // namespace

TEST_CASE("ingest origins: a running MediaLive channel's claim refuses uploads, and uploads hold the claim",
          "[media][ingest]") {
  MediaPackageClaims claims;
  IngestOrigins origins(claims);
  std::string holder;
  REQUIRE(claims.claim("us-east-1/mp", "us-east-1/7", holder));

  auto refused = origins.deliver(upload("channel.m3u8", "#EXTM3U\n"));
  CHECK(refused.status == 409);
  CHECK_THAT(refused.why, Catch::Contains("running MediaLive channel 7"));

  claims.release_all("us-east-1/7");
  int plans = 0;
  CHECK(origins.deliver(upload("channel_0.m3u8", "#EXTM3U\n", &plans)).status == 201);  // WebDAV: created
  CHECK(origins.deliver(upload("channel_0.m3u8", "#EXTM3U\n", &plans)).status == 204);  // replaced
  CHECK(origins.deliver(upload("channel_00.ts", std::string(188, 'G'), &plans)).status == 201);
  CHECK(origins.deliver(upload("channel_00.ts", "", &plans, true)).status == 204);        // DELETE
  CHECK(plans == 1);  // the endpoints are planned when the origin starts, not per upload

  // Now the channel is fed over HTTP: a MediaLive channel cannot claim it.
  CHECK_FALSE(claims.claim("us-east-1/mp", "us-east-1/8", holder));
  CHECK(holder == IngestOrigins::kClaimant);
  CHECK(origins.active_input("us-east-1", "mp") == -1);  // no media yet, so no active input

  origins.shutdown();
  CHECK(origins.deliver(upload("channel_0.m3u8", "#EXTM3U\n")).status == 503);
}
