// Errors in each protocol's own shape, and which protocol a request speaks.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "api/protocols/protocol_errors.hpp"

using namespace mediaemu::api;
using json = nlohmann::json;

namespace {
HttpRequest request_with_headers(std::string method, std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest r;
  r.method = std::move(method);
  r.target.assign(1, '/');  // not = "/": GCC 12 reports a false -Wrestrict for that once inlined
  r.headers = std::move(headers);
  return r;
}
}  // namespace

TEST_CASE("the request's headers tell the protocol, the model's decides otherwise") {
  CHECK(protocol_of_request(request_with_headers("POST", {{"x-amz-target", "secretsmanager.ListSecrets"}}), Protocol::Json) ==
        Protocol::Json);
  CHECK(protocol_of_request(request_with_headers("POST", {{"content-type", "application/x-amz-json-1.0"}}), Protocol::Query) ==
        Protocol::Json);  // CloudWatch's json protocol, chosen by the client over its model's others
  CHECK(protocol_of_request(request_with_headers("POST", {{"smithy-protocol", "rpc-v2-cbor"}}), Protocol::Query) ==
        Protocol::RpcV2Cbor);
  CHECK(protocol_of_request(request_with_headers("POST", {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}}),
                            Protocol::RpcV2Cbor) == Protocol::Query);
  CHECK(protocol_of_request(request_with_headers("POST", {{"content-type", "application/x-www-form-urlencoded"}}), Protocol::Ec2) ==
        Protocol::Ec2);
  CHECK(protocol_of_request(request_with_headers("GET", {}), protocol_named("rest-xml")) == Protocol::RestXml);
  CHECK(protocol_named("no-such-protocol") == Protocol::RestJson);
}

TEST_CASE("each protocol's error shape, with the message escaped where it is XML") {
  const std::string message = "a <b> & 'c'";
  // A 5xx is the server's fault: <Type>Receiver</Type>; a 4xx the sender's.
  auto query = protocol_error(Protocol::Query, 501, "NotImplementedException", message, "rid");
  CHECK(query.body ==
        "<ErrorResponse><Error><Type>Receiver</Type><Code>NotImplementedException</Code>"
        "<Message>a &lt;b&gt; &amp; 'c'</Message></Error><RequestId>rid</RequestId></ErrorResponse>");
  CHECK(protocol_error(Protocol::Query, 400, "ValidationError", "m", "rid").body.find("<Type>Sender</Type>") !=
        std::string::npos);
  auto rest_xml = protocol_error(Protocol::RestXml, 501, "NotImplementedException", "m", "rid");
  CHECK(rest_xml.body == "<Error><Code>NotImplementedException</Code><Message>m</Message><RequestId>rid</RequestId></Error>");
  CHECK(rest_xml.status == 501);
  auto ec2 = protocol_error(Protocol::Ec2, 501, "X", "m", "rid");
  CHECK(ec2.body == "<Response><Errors><Error><Code>X</Code><Message>m</Message></Error></Errors><RequestID>rid</RequestID></Response>");
  auto rpc = protocol_error(Protocol::Json, 501, "X", message, "rid");
  CHECK(json::parse(rpc.body) == json{{"__type", "X"}, {"message", message}});
  auto rest_json = protocol_error(Protocol::RestJson, 501, "X", "m", "rid");
  CHECK(rest_json.header("x-amzn-ErrorType") == "X");
  CHECK(json::parse(rest_json.body) == json{{"message", "m"}});
  auto cbor = protocol_error(Protocol::RpcV2Cbor, 501, "X", "m", "rid");
  CHECK(cbor.header("smithy-protocol") == "rpc-v2-cbor");
  CHECK(json::from_cbor(cbor.body) == json{{"__type", "X"}, {"message", "m"}});
}

TEST_CASE("the build knows the protocols of services it does not emulate") {
  CHECK(model_protocol_for_signing_name("s3") == "rest-xml");
  CHECK(model_protocol_for_signing_name("sts") == "query");
  CHECK(model_protocol_for_signing_name("medialive") == "rest-json");
  CHECK(model_protocol_for_signing_name("no-such-service").empty());
}
