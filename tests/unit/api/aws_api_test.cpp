// The engine end to end on HTTP-shaped requests: service selection, routing, input assembly,
// error shapes and success codes.
#include <catch2/catch.hpp>

#include "api/aws_api.hpp"

using namespace mediaemu::api;

namespace {
HttpRequest request(std::string method, std::string target, std::string body = "", std::string service = "medialive") {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  if (!service.empty()) {
    r.headers.emplace_back("authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261122/eu-west-1/" + service +
                                                "/aws4_request, SignedHeaders=host, Signature=x");
  }
  return r;
}
}  // namespace

TEST_CASE("every operation of every service is routed, unimplemented ones answer 501") {
  AwsApi api;
  // ListInputDevices is in every MediaLive model since 2019 (botocore 1.13), old and new alike.
  auto r = api.handle(request("GET", "/prod/inputDevices"));
  CHECK(r.status == 501);
  CHECK(r.header("x-amzn-ErrorType") == "NotImplementedException");
  CHECK_THAT(r.body, Catch::Contains("ListInputDevices"));
  auto coverage = api.coverage();
  CHECK(coverage["medialive"]["notImplemented"].size() == api.model("medialive")->operations().size());
}

TEST_CASE("a handler whose operation the embedded model lacks is skipped, not fatal") {
  AwsApi api;
  api.set_handlers("medialive", {{"NoSuchOperationInAnyModel", [](const CallContext&, const json&) {
                                    return json::object();
                                  }},
                                 {"ListChannels", [](const CallContext&, const json&) {
                                    return json{{"Channels", json::array()}};
                                  }}});
  CHECK(api.skipped_handlers() == json{{"medialive", {"NoSuchOperationInAnyModel"}}});
  CHECK(api.handle(request("GET", "/prod/channels")).status == 200);
  CHECK_THROWS_AS(api.set_handlers("no-such-service", {}), std::logic_error);
}

TEST_CASE("handlers get model-form input from labels, query and body, in the signed region") {
  AwsApi api;
  json seen;
  std::string region;
  api.set_handlers("medialive", {{"DeleteTags", [&](const CallContext& c, const json& in) {
                                    seen = in;
                                    region = c.region;
                                    return json::object();
                                  }}});
  auto r = api.handle(request("DELETE", "/prod/tags/arn%3Aaws%3Amedialive%3Aeu-west-1%3A1%3Achannel%3A5?tagKeys=a&tagKeys=b"));
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  CHECK(seen["ResourceArn"] == "arn:aws:medialive:eu-west-1:1:channel:5");
  CHECK(seen["TagKeys"] == json({"a", "b"}));
  CHECK(region == "eu-west-1");
}

TEST_CASE("outputs use wire names and the model's success code") {
  AwsApi api;
  api.set_handlers("medialive", {{"CreateInput", [](const CallContext&, const json&) {
                                    return json{{"Input", {{"Id", "1"}, {"AttachedChannels", json::array()}}}};
                                  }}});
  auto r = api.handle(request("POST", "/prod/inputs", R"({"name":"x","type":"RTMP_PUSH"})"));
  CHECK(r.status == 201);
  CHECK(json::parse(r.body) == json{{"input", {{"id", "1"}, {"attachedChannels", json::array()}}}});
}

TEST_CASE("errors use each service's own shapes") {
  AwsApi api;
  auto bad = api.handle(request("POST", "/prod/inputs", R"({"type": 7})"));
  CHECK(bad.status == 400);
  CHECK(bad.header("x-amzn-ErrorType") == "BadRequestException");
  CHECK_THAT(json::parse(bad.body)["message"].get<std::string>(), Catch::Contains("'type'"));
  auto mp = api.handle(request("POST", "/channels", R"({"description": "no id"})", "mediapackage"));
  CHECK(mp.status == 422);
  CHECK(mp.header("x-amzn-ErrorType") == "UnprocessableEntityException");
  CHECK_THAT(mp.body, Catch::Contains("'id'"));
  auto malformed = api.handle(request("POST", "/prod/inputs", "{not json"));
  CHECK(malformed.status == 400);
  auto not_object = api.handle(request("POST", "/prod/inputs", "[1,2]"));
  CHECK(not_object.status == 400);
}

TEST_CASE("unknown paths, wrong methods and unknown services get clear answers") {
  AwsApi api;
  auto unknown = api.handle(request("GET", "/prod/nothing-here"));
  CHECK(unknown.status == 404);
  CHECK(unknown.header("x-amzn-ErrorType") == "UnknownOperationException");
  auto wrong = api.handle(request("PATCH", "/prod/channels"));
  CHECK(wrong.status == 405);
  CHECK(wrong.header("Allow") == "GET, POST");
  auto other = api.handle(request("GET", "/", "", "kinesis"));  // a service mediaemu does not emulate
  CHECK(other.status == 501);
  CHECK_THAT(other.body, Catch::Contains("'kinesis'"));
}

TEST_CASE("unsigned requests are routed by path, tags by the ARN's service") {
  AwsApi api;
  CHECK(api.handle(request("GET", "/prod/channels", "", "")).header("x-amzn-ErrorType") == "NotImplementedException");
  auto mp = api.handle(request("GET", "/tags/arn%3Aaws%3Amediapackage-vod%3Aus-east-1%3A1%3Apackaging-groups%2Fg", "", ""));
  CHECK_THAT(mp.body, Catch::Contains("MediaPackage Vod"));
}
