#include <catch2/catch.hpp>

#include "api/http_types.hpp"
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

TEST_CASE("greedy labels take the rest of the path") {
  UriTemplate t("/{Path+}");
  auto m = t.match("/a/b%20c/d.ts");
  REQUIRE(m);
  CHECK(m->at(0).second == "a/b c/d.ts");
  CHECK_FALSE(t.match("/"));
}

TEST_CASE("an ARN label arrives percent-encoded as one segment") {
  UriTemplate t("/prod/tags/{resource-arn}");
  auto m = t.match("/prod/tags/arn%3Aaws%3Amediapackage%3Aus-east-1%3A123%3Achannels%2Fabc");
  REQUIRE(m);
  CHECK(m->at(0).second == "arn:aws:mediapackage:us-east-1:123:channels/abc");
}

TEST_CASE("literal segments make a template more specific and trailing slashes matter") {
  CHECK(UriTemplate("/prod/channels/{channelId}/schedule").specificity() >
        UriTemplate("/prod/channels/{channelId}").specificity());
  UriTemplate slash("/channelGroup/{ChannelGroupName}/channel/{ChannelName}/");
  CHECK(slash.match("/channelGroup/g/channel/c/"));
  CHECK_FALSE(slash.match("/channelGroup/g/channel/c"));
}

TEST_CASE("query decoding turns + into space, path decoding does not") {
  using namespace mediaemu::api;
  CHECK(percent_decode("a+b%2Fc") == "a+b/c");
  CHECK(query_decode("a+b%2Fc") == "a b/c");
  CHECK(percent_decode("%zz%4") == "%zz%4");  // malformed escapes are kept as they are
  auto q = parse_query("tagKeys=a&tagKeys=b%20c&empty&maxResults=2");
  REQUIRE(q.size() == 4);
  CHECK(q[1].second == "b c");
  CHECK(q[2].first == "empty");
}
