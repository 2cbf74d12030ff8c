// What SNS writes and checks that needs no state: the default topic policy and delivery policy,
// the JSON bodies HTTP/S subscribers receive and the string their signature covers, protocols and
// endpoints, filter policies. Pure functions (the signing key is passed in), so the unit tests run
// them directly (tests/unit/emulator/sns_messages_test.cpp, sns_signer_test.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "emulator/sns/signer.hpp"

namespace mediaemu::sns {

using json = nlohmann::json;

// The policy GetTopicAttributes returns for a topic nobody gave one, as AWS writes it.
std::string default_topic_policy(const std::string& topic_arn, const std::string& account);

// AWS's default HTTP/S delivery policy, as GetTopicAttributes' EffectiveDeliveryPolicy shows it:
// "By default, if the initial delivery of the message fails, Amazon SNS attempts up to three
// retries with a delay between failed attempts set at 20 seconds"
// (https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.retry.html).
constexpr int kHttpRetries = 3;
constexpr int kHttpRetryDelaySeconds = 20;
std::string default_delivery_policy();

// "http", "https", "email", "email-json", "sms", "sqs", "lambda", "application", "firehose".
bool known_protocol(const std::string& protocol);
// Why `endpoint` cannot be one of `protocol`'s ("" when it can), in SNS's words.
std::string endpoint_problem(const std::string& protocol, const std::string& endpoint);
// Protocols whose owner must confirm (AWS sends them a confirmation); the others are confirmed
// at once, as AWS does for same-account SQS and Lambda, SMS, applications and Firehose.
bool needs_confirmation(const std::string& protocol);

// 2026-12-03T14:10:15.123Z
std::string iso_timestamp(int64_t epoch_ms);

// The message a subscriber of `protocol` gets. With MessageStructure "json" the message is an
// object of per-protocol strings with a "default"; throws std::invalid_argument (SNS's reason)
// when it is not.
std::string message_for(const std::string& message, const std::string& structure, const std::string& protocol);

// Publish's MessageAttributes (model form {"name": {"DataType", "StringValue"|"BinaryValue"}})
// as the notification JSON carries them ({"name": {"Type", "Value"}}).
json notification_attributes(const json& message_attributes);

// What SNS POSTs to an http/https subscriber that is not raw: one of AWS's three documented
// JSON documents (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html).
struct Envelope {
  std::string type;  // "Notification", "SubscriptionConfirmation" or "UnsubscribeConfirmation"
  std::string message_id, topic_arn, subject, message, timestamp;
  std::string token, subscribe_url;    // the two confirmations
  std::string unsubscribe_url;         // Notification
  json attributes = json::object();    // Notification: notification_attributes()
  int signature_version = 1;           // the topic's SignatureVersion attribute: 1 (SHA1) or 2 (SHA256)
};

// The string AWS signs: "Name\nvalue\n" for each signed member, in byte order of the names. A
// Notification signs Message, MessageId, Subject (only when present), Timestamp, TopicArn and
// Type; the two confirmations sign Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn
// and Type (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
std::string string_to_sign(const Envelope& e);

// The JSON body, members in AWS's order (https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html,
// .../http-subscription-confirmation-json.html, .../http-unsubscribe-confirmation-json.html),
// signed by `signer` and naming its certificate in SigningCertURL.
std::string envelope_json(const Envelope& e, const SnsSigner& signer);

// Whether a filter policy (a JSON object, as stored) accepts a message with these attributes
// (Publish's model form). Exact strings and numbers, "prefix", "exists" and "anything-but" of a
// list of strings; any other operator does not match (and the caller says so).
bool filter_accepts(const json& policy, const json& message_attributes);

}  // namespace mediaemu::sns
