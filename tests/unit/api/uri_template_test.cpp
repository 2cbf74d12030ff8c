#include <catch2/catch.hpp>

#include "api/uri_template.hpp"

using mediaemu::api::UriTemplate;

TEST_CASE("URI templates match labels and decode them") {
  UriTemplate t("/prod/channels/{channelId}");
  auto m = t.match("/prod/channels/1234567");
  REQUIRE(m);
  CHECK(m->at(0).first == "channelId");
  CHECK(m->at(0).second == "1234567");
  CHECK_FALSE(t.match("/prod/channels"));
  CHECK_FALSE(t.match("/prod/channels/"));
  CHECK_FALSE(t.match("/prod/channels/1/start"));
}
