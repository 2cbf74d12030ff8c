// MediaLive offerings and reservations through the protocol engine.
#include "tests/unit/emulator/medialive_test_fixture.hpp"

using namespace mediaemu;
using mediaemu::testing::MediaLiveFixture;
using mediaemu::testing::Reply;

namespace {

// 2023-03-15T12:00:00Z: a fixed "now" so dates in the answers are known.
constexpr int64_t kNow = 1678881600000;

std::string reservation(const std::string& id) { return "/prod/reservations/" + id; }

}  // namespace

TEST_CASE("offerings are a catalogue that lists, filters and describes", "[medialive][offerings]") {
  MediaLiveFixture ml;
  std::set<std::string> ids;
  std::string token;
  do {
    Reply page = ml.call("ListOfferings", "/prod/offerings?maxResults=20" + (token.empty() ? "" : "&nextToken=" + token));
    REQUIRE(page.status == 200);
    for (const auto& o : page.body["Offerings"]) ids.insert(o["OfferingId"].get<std::string>());
    token = page.body.value("NextToken", "");
  } while (!token.empty());
  CHECK(ids.size() == 48);
  CHECK(ids.count("87654321"));

  Reply filtered = ml.call("ListOfferings", "/prod/offerings?resourceType=INPUT&codec=HEVC&resolution=UHD&channelClass=STANDARD");
  REQUIRE(filtered.body["Offerings"].size() == 2);
  for (const auto& o : filtered.body["Offerings"]) {
    CHECK(o["ResourceSpecification"]["Codec"] == "HEVC");
    CHECK(o["ResourceSpecification"]["ResourceType"] == "INPUT");
  }
  CHECK(ml.call("ListOfferings", "/prod/offerings?duration=12").body["Offerings"].size() == 48);
  CHECK(ml.call("ListOfferings", "/prod/offerings?duration=24").body["Offerings"].empty());

  // ChannelConfiguration: the offerings that fit an existing channel's input.
  Reply ch = ml.call("CreateChannel", "/prod/channels", testing::minimal_channel("ch", ml.create_input("live")));
  Reply fitting = ml.call("ListOfferings", "/prod/offerings?channelConfiguration=" + ch.body["Channel"]["Id"].get<std::string>());
  REQUIRE(fitting.body["Offerings"].size() == 1);
  CHECK(fitting.body["Offerings"][0]["ResourceSpecification"]["Resolution"] == "HD");
  CHECK(fitting.body["Offerings"][0]["ResourceSpecification"]["ChannelClass"] == "SINGLE_PIPELINE");

  Reply one = ml.call("DescribeOffering", "/prod/offerings/87654321", json::object(), "eu-west-1");
  REQUIRE(one.status == 200);
  CHECK(one.body["Arn"] == "arn:aws:medialive:eu-west-1:123456789012:offering:87654321");
  CHECK(one.body["Region"] == "eu-west-1");
  CHECK(one.body["OfferingType"] == "NO_UPFRONT");
  CHECK(one.body["DurationUnits"] == "MONTHS");
  CHECK(one.body["OfferingDescription"].get<std::string>().find("EU (Ireland)") != std::string::npos);
  CHECK(ml.call("DescribeOffering", "/prod/offerings/1").status == 404);
}

TEST_CASE("purchasing an offering makes a reservation that expires", "[medialive][offerings]") {
  MediaLiveFixture ml;
  ml.clock.advance(kNow - ml.clock.now_ms());
  json purchase = {{"Count", 2}, {"Name", "year"}, {"RequestId", "r-1"}, {"Tags", {{"cost", "center"}}}};
  Reply bought = ml.call("PurchaseOffering", "/prod/offerings/87654321/purchase", purchase);
  REQUIRE(bought.status == 201);
  const json& r = bought.body["Reservation"];
  const std::string id = r["ReservationId"];
  CHECK(r["Arn"] == "arn:aws:medialive:us-east-1:123456789012:reservation:" + id);
  CHECK(r["State"] == "ACTIVE");
  CHECK(r["Count"] == 2);
  CHECK(r["Start"] == "2023-03-15T12:00:00");
  CHECK(r["End"] == "2024-03-15T12:00:00");
  CHECK(r["OfferingId"] == "87654321");
  CHECK(r["RenewalSettings"]["AutomaticRenewal"] == "DISABLED");
  CHECK(ml.call("PurchaseOffering", "/prod/offerings/87654321/purchase", purchase).body["Reservation"]["ReservationId"] == id);
  CHECK(ml.call("PurchaseOffering", "/prod/offerings/1/purchase", {{"Count", 1}}).status == 404);

  Reply list = ml.call("ListReservations", "/prod/reservations?resourceType=INPUT");
  REQUIRE(list.body["Reservations"].size() == 1);
  CHECK(ml.call("ListReservations", "/prod/reservations?resourceType=OUTPUT").body["Reservations"].empty());

  Reply renamed = ml.call("UpdateReservation", reservation(id), {{"Name", "renamed"}});
  CHECK(renamed.body["Reservation"]["Name"] == "renamed");

  Reply active = ml.call("DeleteReservation", reservation(id));
  CHECK(active.status == 409);  // AWS deletes only expired reservations
  ml.advance(int64_t(366) * 24 * 3600 * 1000);
  CHECK(ml.call("DescribeReservation", reservation(id)).body["State"] == "EXPIRED");
  Reply deleted = ml.call("DeleteReservation", reservation(id));
  REQUIRE(deleted.status == 200);
  CHECK(deleted.body["State"] == "DELETED");
  CHECK(deleted.body["Name"] == "renamed");
  CHECK(ml.call("DescribeReservation", reservation(id)).body["State"] == "DELETED");
  CHECK(ml.call("ListReservations", "/prod/reservations").body["Reservations"].empty());
  CHECK(ml.call("UpdateReservation", reservation(id), {{"Name", "x"}}).status == 404);
  CHECK(ml.call("DescribeReservation", reservation("1234567")).status == 404);
}

TEST_CASE("reservation start window and renewal", "[medialive][offerings]") {
  MediaLiveFixture ml;
  ml.clock.advance(kNow - ml.clock.now_ms());
  auto buy = [&](const json& extra) {
    json body = {{"Count", 1}};
    body.update(extra);
    return ml.call("PurchaseOffering", "/prod/offerings/87654330/purchase", body);
  };
  CHECK(buy({{"Start", "2023-02-28T00:00:00"}}).status == 400);  // before this month
  CHECK(buy({{"Start", "2024-04-01T00:00:00"}}).status == 400);  // more than a year ahead
  CHECK(buy({{"Start", "soon"}}).status == 400);
  Reply first_of_month = buy({{"Start", "2023-03-01T00:00:00Z"}});
  REQUIRE(first_of_month.status == 201);
  CHECK(first_of_month.body["Reservation"]["Start"] == "2023-03-01T00:00:00");
  CHECK(first_of_month.body["Reservation"]["End"] == "2024-03-01T00:00:00");

  Reply renewing = buy({{"RenewalSettings", {{"AutomaticRenewal", "ENABLED"}, {"RenewalCount", 1}}}});
  const std::string id = renewing.body["Reservation"]["ReservationId"];
  ml.advance(int64_t(366) * 24 * 3600 * 1000);
  Reply renewed = ml.call("DescribeReservation", reservation(id));
  CHECK(renewed.body["State"] == "ACTIVE");
  CHECK(renewed.body["End"] == "2025-03-15T12:00:00");
  CHECK(renewed.body["RenewalSettings"] == json{{"AutomaticRenewal", "DISABLED"}});  // that was the last renewal
  ml.advance(int64_t(366) * 24 * 3600 * 1000);
  CHECK(ml.call("DescribeReservation", reservation(id)).body["State"] == "EXPIRED");
}
