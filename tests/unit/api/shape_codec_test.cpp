// Validation and wire-name mapping against the real embedded botocore models.
#include <catch2/catch.hpp>

#include "api/aws_api.hpp"
#include "api/shape_codec.hpp"

using namespace mediaemu::api;

namespace {
const AwsApi& engine() {
  static AwsApi api;
  return api;
}
const Shape& shape(const char* service, const char* name) {
  const Shape* s = engine().model(service)->shape(name);
  REQUIRE(s);
  return *s;
}
std::string validation_message(const Shape& s, const json& wire) {
  try {
    decode_value(s, wire, "");
  } catch (const ApiError& e) {
    CHECK(e.kind() == ErrorKind::Validation);
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("wire names map to member names and back") {
  const Shape& req = shape("medialive", "CreateChannelRequest");
  json wire = {{"name", "x"},
               {"inputAttachments", {{{"inputId", "123"}, {"inputAttachmentName", "a"}}}},
               {"encoderSettings",
                {{"videoDescriptions", {{{"name", "v"}, {"width", 640}}}},
                 {"audioDescriptions", json::array()},
                 {"outputGroups", json::array()},
                 {"timecodeConfig", {{"source", "EMBEDDED"}}}}}};
  json model = decode_value(req, wire, "");
  CHECK(model["Name"] == "x");
  CHECK(model["InputAttachments"][0]["InputId"] == "123");
  CHECK(model["EncoderSettings"]["VideoDescriptions"][0]["Width"] == 640);
  const Shape& channel = shape("medialive", "Channel");
  json back = encode_value(channel, model);
  CHECK(back["inputAttachments"][0]["inputAttachmentName"] == "a");
  CHECK(back["encoderSettings"]["videoDescriptions"][0]["width"] == 640);
}

TEST_CASE("unknown members are kept and echoed, not rejected") {
  const Shape& req = shape("medialive", "CreateInputRequest");
  json model = decode_value(req, {{"name", "x"}, {"brandNewMember", {{"a", 1}}}}, "");
  CHECK(model["brandNewMember"]["a"] == 1);
  json back = encode_value(shape("medialive", "Input"), model);
  CHECK(back["brandNewMember"]["a"] == 1);
  CHECK(back["name"] == "x");
}

TEST_CASE("validation names the offending member by its wire path") {
  const Shape& req = shape("medialive", "CreateChannelRequest");
  auto msg = validation_message(req, {{"encoderSettings", {{"videoDescriptions", {{{"name", "v"}, {"width", "wide"}}}}}}});
  CHECK_THAT(msg, Catch::Contains("encoderSettings.videoDescriptions[0].width"));
  CHECK_THAT(msg, Catch::Contains("expected integer"));
  msg = validation_message(req, {{"channelClass", "GOLD"}});
  CHECK_THAT(msg, Catch::Contains("channelClass") && Catch::Contains("STANDARD"));
  msg = validation_message(req, {{"inputAttachments", {{"inputId", "1"}}}});
  CHECK_THAT(msg, Catch::Contains("inputAttachments") && Catch::Contains("expected list"));
  // Required members inside structures.
  msg = validation_message(shape("medialive", "OutputGroup"), {{"name", "g"}});
  CHECK_THAT(msg, Catch::Contains("Missing required parameter") && Catch::Contains("outputGroupSettings"));
}

TEST_CASE("ranges come from the model's shape names when botocore dropped the traits") {
  const Shape& h264 = shape("medialive", "H264Settings");
  auto msg = validation_message(h264, {{"bitrate", 10}});  // __integerMin1000
  CHECK_THAT(msg, Catch::Contains("bitrate") && Catch::Contains("minimum is 1000"));
  msg = validation_message(h264, {{"gopNumBFrames", 9}});  // __integerMin0Max7
  CHECK_THAT(msg, Catch::Contains("maximum is 7"));
  CHECK(validation_message(h264, {{"bitrate", 128000.0}}).empty());  // an integral float is an integer
  CHECK_THAT(validation_message(h264, {{"bitrate", 1500.5}}), Catch::Contains("expected integer"));
  // MediaPackage keeps explicit min/max in its model.
  const Shape& list = shape("mediapackage", "ListChannelsRequest");
  CHECK(list.member("MaxResults")->shape->max == 1000);
}

TEST_CASE("text members from URIs, queries and headers are typed and checked") {
  const Shape& max = *shape("mediapackage", "ListChannelsRequest").member("MaxResults")->shape;
  CHECK(decode_text(max, "5", "maxResults") == 5);
  CHECK_THROWS_AS(decode_text(max, "five", "maxResults"), ApiError);
  CHECK_THROWS_AS(decode_text(max, "0", "maxResults"), ApiError);
}
