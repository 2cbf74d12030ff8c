#include <catch2/catch.hpp>

#include "api/timestamps.hpp"

using namespace mediaemu::api;

TEST_CASE("timestamps format the way AWS writes them") {
  CHECK(format_iso8601(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_iso8601(1795312345.25) == "2026-11-22T01:52:25.250Z");
  CHECK(format_rfc822(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST_CASE("timestamps parse from ISO 8601 with offsets and from epoch seconds") {
  CHECK(parse_timestamp("1970-01-01T00:00:10Z") == Approx(10));
  CHECK(parse_timestamp("1970-01-01T01:00:10.5+01:00") == Approx(10.5));
  CHECK(parse_timestamp("2017-08-18T21:18:54+00:00") == Approx(1503091134));
  CHECK(parse_timestamp("1503091134") == Approx(1503091134));
  CHECK(parse_timestamp("1503091134.75") == Approx(1503091134.75));
  CHECK(parse_timestamp("1970-01-01T01:00:10.25+0100") == Approx(10.25));  // ffmpeg's hls muxer writes +hhmm
  CHECK(parse_timestamp("1969-12-31T23:00:10-01") == Approx(10));
  CHECK_FALSE(parse_timestamp("1970-01-01T00:00:10+1"));
  CHECK_FALSE(parse_timestamp("1970-01-01T00:00:10Zulu"));
  CHECK_FALSE(parse_timestamp("yesterday"));
  CHECK_FALSE(parse_timestamp("2017-13-01T00:00:00Z"));
  CHECK_FALSE(parse_timestamp(""));
}
