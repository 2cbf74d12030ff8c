// MediaLive tags through the protocol engine, on every kind of resource that has an ARN.
#include "tests/unit/emulator/medialive_test_fixture.hpp"

using namespace mediaemu;
using mediaemu::testing::MediaLiveFixture;
using mediaemu::testing::Reply;

namespace {

// The ARN as botocore puts it in the path: one percent-encoded segment.
std::string tags_path(const std::string& arn) {
  std::string out = "/prod/tags/";
  for (char c : arn) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
      out += c;
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
      out += hex;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("tags round trip on a channel and show in DescribeChannel", "[medialive][tags]") {
  MediaLiveFixture ml;
  Reply ch = ml.call("CreateChannel", "/prod/channels", testing::minimal_channel("ch", ml.create_input("live")));
  const std::string id = ch.body["Channel"]["Id"], arn = ch.body["Channel"]["Arn"];

  Reply added = ml.call("CreateTags", tags_path(arn), {{"Tags", {{"env", "prod"}, {"team", "live"}}}});
  CHECK(added.status == 204);
  CHECK(ml.call("ListTagsForResource", tags_path(arn)).body["Tags"] ==
        json{{"env", "prod"}, {"team", "live"}});

  Reply removed = ml.call("DeleteTags", tags_path(arn) + "?tagKeys=team&tagKeys=absent");
  CHECK(removed.status == 204);
  CHECK(ml.call("ListTagsForResource", tags_path(arn)).body["Tags"] == json{{"env", "prod"}});
  CHECK(ml.call("DescribeChannel", "/prod/channels/" + id).body["Tags"] == json{{"env", "prod"}});

  // Tags can change while the channel runs.
  REQUIRE(ml.call("StartChannel", "/prod/channels/" + id + "/start").status == 200);
  CHECK(ml.call("CreateTags", tags_path(arn), {{"Tags", {{"live", "yes"}}}}).status == 204);

  REQUIRE(ml.call("StopChannel", "/prod/channels/" + id + "/stop").status == 200);
  REQUIRE(ml.call("DeleteChannel", "/prod/channels/" + id).status == 200);
  CHECK(ml.channel_state(id) == "DELETED");
  CHECK(ml.call("ListTagsForResource", tags_path(arn)).status == 404);
}

TEST_CASE("every MediaLive resource with an ARN takes tags", "[medialive][tags]") {
  MediaLiveFixture ml;
  std::vector<std::string> arns;
  const std::string input = ml.create_input("live");
  arns.push_back(ml.call("DescribeInput", "/prod/inputs/" + input).body["Arn"]);
  arns.push_back(ml.call("CreateInputSecurityGroup", "/prod/inputSecurityGroups",
                         {{"WhitelistRules", {{{"Cidr", "10.0.0.0/8"}}}}})
                     .body["SecurityGroup"]["Arn"]);
  arns.push_back(ml.call("CreateMultiplex", "/prod/multiplexes",
                         {{"Name", "m"},
                          {"RequestId", "m"},
                          {"AvailabilityZones", {"us-east-1a", "us-east-1b"}},
                          {"MultiplexSettings", {{"TransportStreamBitrate", 1000000}, {"TransportStreamId", 1}}}})
                     .body["Multiplex"]["Arn"]);
  arns.push_back(ml.call("PurchaseOffering", "/prod/offerings/87654321/purchase", {{"Count", 1}}).body["Reservation"]["Arn"]);
  for (const auto& arn : arns) {
    INFO(arn);
    REQUIRE(ml.call("CreateTags", tags_path(arn), {{"Tags", {{"k", "v"}}}}).status == 204);
    CHECK(ml.call("ListTagsForResource", tags_path(arn)).body["Tags"]["k"] == "v");
  }
}

TEST_CASE("tags on an ARN that names no MediaLive resource are 404", "[medialive][tags]") {
  MediaLiveFixture ml;
  for (const std::string arn : {"arn:aws:medialive:us-east-1:123456789012:channel:9999999",
                                "arn:aws:medialive:us-east-1:123456789012:offering:87654321",
                                "arn:aws:mediapackage:us-east-1:123456789012:channels/abc"}) {
    INFO(arn);
    Reply r = ml.call("ListTagsForResource", tags_path(arn));
    CHECK(r.status == 404);
    CHECK(r.error_type == "NotFoundException");
    CHECK(ml.call("CreateTags", tags_path(arn), {{"Tags", {{"k", "v"}}}}).status == 404);
    CHECK(ml.call("DeleteTags", tags_path(arn) + "?tagKeys=k").status == 404);
  }
}
