// SNS's pure pieces: the default policies, protocols and endpoints, message selection for
// MessageStructure json, the notification envelope and filter policies.
#include <catch2/catch.hpp>

#include "emulator/sns/messages.hpp"

using namespace mediaemu::sns;

TEST_CASE("sns: the default topic policy names the topic and the owner, as AWS writes it") {
  json p = json::parse(default_topic_policy("arn:aws:sns:us-east-1:123456789012:t", "123456789012"));
  CHECK(p["Version"] == "2008-10-17");
  CHECK(p["Id"] == "__default_policy_ID");
  CHECK(p["Statement"][0]["Resource"] == "arn:aws:sns:us-east-1:123456789012:t");
  CHECK(p["Statement"][0]["Condition"]["StringEquals"]["AWS:SourceOwner"] == "123456789012");
  CHECK(p["Statement"][0]["Action"].size() == 8);
}

TEST_CASE("sns: the effective HTTP delivery policy is AWS's default: 3 retries 20 s apart") {
  json p = json::parse(default_delivery_policy());
  CHECK(p["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 3);
  CHECK(p["http"]["defaultHealthyRetryPolicy"]["minDelayTarget"] == 20);
  CHECK(p["http"]["defaultHealthyRetryPolicy"]["maxDelayTarget"] == 20);
  CHECK(p["http"]["defaultRequestPolicy"]["headerContentType"] == "text/plain; charset=UTF-8");
}

TEST_CASE("sns: protocols, endpoints and which ones wait for a confirmation") {
  for (const char* p : {"http", "https", "email", "email-json", "sms", "sqs", "lambda", "application", "firehose"})
    CHECK(known_protocol(p));
  CHECK_FALSE(known_protocol("carrier-pigeon"));
  CHECK(endpoint_problem("http", "http://127.0.0.1:8080/x").empty());
  CHECK_FALSE(endpoint_problem("http", "https://x").empty());
  CHECK_FALSE(endpoint_problem("email", "nobody").empty());
  CHECK(endpoint_problem("sqs", "arn:aws:sqs:us-east-1:123456789012:q").empty());
  CHECK_FALSE(endpoint_problem("lambda", "my-function").empty());
  CHECK(endpoint_problem("sms", "+15555550100").empty());
  CHECK(needs_confirmation("http"));
  CHECK(needs_confirmation("email"));
  CHECK_FALSE(needs_confirmation("sqs"));
  CHECK_FALSE(needs_confirmation("sms"));
}

TEST_CASE("sns: timestamps are ISO 8601 UTC with milliseconds") {
  CHECK(iso_timestamp(0) == "1970-01-01T00:00:00.000Z");
  CHECK(iso_timestamp(1764771015123) == "2025-12-03T14:10:15.123Z");
}

TEST_CASE("sns: MessageStructure json picks the protocol's entry or the default") {
  std::string m = R"({"default":"d","http":"h"})";
  CHECK(message_for(m, "json", "http") == "h");
  CHECK(message_for(m, "json", "email") == "d");
  CHECK(message_for("plain", "", "http") == "plain");
  CHECK_THROWS_WITH(message_for(R"({"http":"h"})", "json", "http"), Catch::Contains("No default entry"));
  CHECK_THROWS(message_for("not json", "json", "http"));
}

TEST_CASE("sns: a notification carries AWS's members and attributes") {
  SnsSigner signer({}, "http://127.0.0.1:4566");
  Envelope e;
  e.type = "Notification";
  e.message_id = "m-1";
  e.topic_arn = "arn:aws:sns:eu-west-1:123456789012:t";
  e.subject = "S";
  e.message = "hello";
  e.timestamp = "2026-01-01T00:00:00.000Z";
  e.unsubscribe_url = "http://127.0.0.1:4566/?Action=Unsubscribe";
  e.attributes = notification_attributes({{"a", {{"DataType", "String"}, {"StringValue", "v"}}}});
  nlohmann::ordered_json n = nlohmann::ordered_json::parse(envelope_json(e, signer));
  std::vector<std::string> members;
  for (const auto& [k, v] : n.items()) members.push_back(k);
  CHECK(members == std::vector<std::string>{"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                                            "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL",
                                            "MessageAttributes"});
  CHECK(n["Message"] == "hello");
  CHECK(n["SignatureVersion"] == "1");
  CHECK(n["SigningCertURL"] == signer.certificate_url());
  CHECK(verify_signature(signer.certificate_pem(), string_to_sign(e), n["Signature"], 1));
  CHECK(n["MessageAttributes"]["a"] == json({{"Type", "String"}, {"Value", "v"}}));

  e.type = "SubscriptionConfirmation";
  e.token = "tok";
  e.subscribe_url = "http://127.0.0.1:4566/?Action=ConfirmSubscription";
  e.signature_version = 2;
  nlohmann::ordered_json c = nlohmann::ordered_json::parse(envelope_json(e, signer));
  members.clear();
  for (const auto& [k, v] : c.items()) members.push_back(k);
  CHECK(members == std::vector<std::string>{"Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL",
                                            "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"});
  CHECK(c["SignatureVersion"] == "2");
  CHECK(verify_signature(signer.certificate_pem(), string_to_sign(e), c["Signature"], 2));
}

TEST_CASE("sns: filter policies on message attributes") {
  json attrs = {{"severity", {{"DataType", "String"}, {"StringValue", "high"}}},
                {"count", {{"DataType", "Number"}, {"StringValue", "3"}}}};
  CHECK(filter_accepts(json::parse(R"({"severity":["high","critical"]})"), attrs));
  CHECK_FALSE(filter_accepts(json::parse(R"({"severity":["low"]})"), attrs));
  CHECK(filter_accepts(json::parse(R"({"count":[3]})"), attrs));
  CHECK(filter_accepts(json::parse(R"({"severity":[{"prefix":"hi"}]})"), attrs));
  CHECK(filter_accepts(json::parse(R"({"region":[{"exists":false}]})"), attrs));
  CHECK_FALSE(filter_accepts(json::parse(R"({"region":["eu"]})"), attrs));
  CHECK(filter_accepts(json::parse(R"({"severity":[{"anything-but":["low"]}]})"), attrs));
  CHECK_FALSE(filter_accepts(json::parse(R"({"count":[{"numeric":[">",1]}]})"), attrs));  // not evaluated
}
