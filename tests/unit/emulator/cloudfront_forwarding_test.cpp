// What a cache behaviour forwards to its origin: legacy ForwardedValues, and AWS's managed cache
// and origin request policies combined as CloudFront combines them.
#include <catch2/catch.hpp>

#include "emulator/cloudfront/forwarding.hpp"

using namespace mediaemu::cloudfront;
using Kind = ForwardRule::Kind;

TEST_CASE("legacy ForwardedValues: QueryString, whitelisted headers and cookies") {
  json behavior = {{"ForwardedValues",
                    {{"QueryString", true},
                     {"Headers", {{"Quantity", 1}, {"Items", {"X-Client"}}}},
                     {"Cookies", {{"Forward", "whitelist"}, {"WhitelistedNames", {{"Quantity", 1}, {"Items", {"session"}}}}}}}}};
  Forwarding f = forwarding_of(behavior);
  CHECK(f.query_strings.forwards("anything"));
  CHECK(f.headers.forwards("x-client"));
  CHECK_FALSE(f.headers.forwards("user-agent"));
  CHECK(f.cookies.forwards("session"));
  CHECK_FALSE(f.cookies.forwards("tracking"));

  behavior["ForwardedValues"] = {{"QueryString", false}, {"Cookies", {{"Forward", "none"}}}};
  f = forwarding_of(behavior);
  CHECK_FALSE(f.query_strings.forwards("a"));
  CHECK_FALSE(f.cookies.forwards("session"));
}

TEST_CASE("managed policies: a cache policy's cache key and an origin request policy add up") {
  // Elemental-MediaPackage keeps MediaPackage's own query parameters only.
  Forwarding mediapackage = forwarding_of({{"CachePolicyId", "08627262-05a9-4f76-9ded-b50ca2e3a84f"}});
  CHECK(mediapackage.query_strings.forwards("aws.manifestfilter"));
  CHECK(mediapackage.query_strings.forwards("start"));
  CHECK_FALSE(mediapackage.query_strings.forwards("utm_source"));
  // CachingDisabled forwards nothing by itself; AllViewer forwards everything.
  Forwarding disabled = forwarding_of({{"CachePolicyId", "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"}});
  CHECK_FALSE(disabled.query_strings.forwards("a"));
  Forwarding all_viewer = forwarding_of({{"CachePolicyId", "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"},
                                         {"OriginRequestPolicyId", "216adef6-5c7f-47e4-b989-5492eafa07d3"}});
  CHECK(all_viewer.query_strings.forwards("a"));
  CHECK(all_viewer.headers.forwards("authorization"));
  // CORS-S3Origin adds the CORS request headers and no query string.
  Forwarding cors = forwarding_of({{"CachePolicyId", "658327ea-f89d-4fab-a63d-7e88639e58f6"},
                                   {"OriginRequestPolicyId", "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"}});
  CHECK(cors.headers.forwards("origin"));
  CHECK(cors.headers.forwards("access-control-request-method"));
  CHECK_FALSE(cors.query_strings.forwards("a"));
  CHECK(is_managed_cache_policy("658327ea-f89d-4fab-a63d-7e88639e58f6"));
  CHECK_FALSE(is_managed_cache_policy("00000000-0000-0000-0000-000000000000"));
}

TEST_CASE("merging rules: all wins, lists join, all-except keeps only what neither forwards") {
  ForwardRule only_a{Kind::Only, {"a"}}, only_b{Kind::Only, {"b"}}, except_ab{Kind::AllExcept, {"a", "b"}};
  ForwardRule joined = only_a.merged(only_b);
  CHECK(joined.forwards("a"));
  CHECK(joined.forwards("b"));
  CHECK_FALSE(joined.forwards("c"));
  ForwardRule except_b = except_ab.merged(only_a);
  CHECK(except_b.forwards("a"));
  CHECK_FALSE(except_b.forwards("b"));
  CHECK(except_b.forwards("z"));
  CHECK(ForwardRule{}.merged(ForwardRule{Kind::All, {}}).forwards("x"));
  CHECK_FALSE(ForwardRule{}.merged(ForwardRule{}).forwards("x"));
}
