#include "emulator/sns/messages.hpp"

#include <ctime>
#include <stdexcept>

namespace mediaemu::sns {

std::string default_topic_policy(const std::string& topic_arn, const std::string& account) {
  json policy = {
      {"Version", "2008-10-17"},
      {"Id", "__default_policy_ID"},
      {"Statement",
       json::array({{{"Sid", "__default_statement_ID"},
                     {"Effect", "Allow"},
                     {"Principal", {{"AWS", "*"}}},
                     {"Action", json::array({"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                                             "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                                             "SNS:ListSubscriptionsByTopic", "SNS:Publish"})},
                     {"Resource", topic_arn},
                     {"Condition", {{"StringEquals", {{"AWS:SourceOwner", account}}}}}}})}};
  return policy.dump();
}

std::string default_delivery_policy() {
  json retry = {{"minDelayTarget", kHttpRetryDelaySeconds}, {"maxDelayTarget", kHttpRetryDelaySeconds},
                {"numRetries", kHttpRetries},            {"numMaxDelayRetries", 0},
                {"numNoDelayRetries", 0},                {"numMinDelayRetries", 0},
                {"backoffFunction", "linear"}};
  json http = {{"defaultHealthyRetryPolicy", retry},
               {"disableSubscriptionOverrides", false},
               {"defaultRequestPolicy", {{"headerContentType", "text/plain; charset=UTF-8"}}}};
  return json{{"http", http}}.dump();
}

bool known_protocol(const std::string& p) {
  for (const char* known : {"http", "https", "email", "email-json", "sms", "sqs", "lambda", "application", "firehose"})
    if (p == known) return true;
  return false;
}

std::string endpoint_problem(const std::string& protocol, const std::string& endpoint) {
  auto starts = [&](const std::string& prefix) { return endpoint.rfind(prefix, 0) == 0; };
  if (endpoint.empty()) return "Invalid parameter: Endpoint";
  if (protocol == "http" && !starts("http://")) return "Invalid parameter: Endpoint must match the specified protocol";
  if (protocol == "https" && !starts("https://")) return "Invalid parameter: Endpoint must match the specified protocol";
  if ((protocol == "email" || protocol == "email-json") && endpoint.find('@') == std::string::npos)
    return "Invalid parameter: Email address";
  if (protocol == "sqs" && !starts("arn:aws:sqs:")) return "Invalid parameter: SQS endpoint ARN";
  if (protocol == "lambda" && !starts("arn:aws:lambda:")) return "Invalid parameter: Lambda endpoint ARN";
  if (protocol == "firehose" && !starts("arn:aws:firehose:")) return "Invalid parameter: Firehose endpoint ARN";
  if (protocol == "application" && !starts("arn:aws:sns:")) return "Invalid parameter: Application endpoint ARN";
  if (protocol == "sms" && endpoint.find_first_not_of("+0123456789- ") != std::string::npos)
    return "Invalid parameter: SMS endpoint (a phone number in E.164 format)";
  return "";
}

bool needs_confirmation(const std::string& p) {
  return p == "http" || p == "https" || p == "email" || p == "email-json";
}

std::string iso_timestamp(int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(epoch_ms % 1000));
  return buf;
}

std::string message_for(const std::string& message, const std::string& structure, const std::string& protocol) {
  if (structure.empty()) return message;
  if (structure != "json") throw std::invalid_argument("Invalid parameter: MessageStructure");
  json per_protocol = json::parse(message, nullptr, false);
  if (!per_protocol.is_object()) throw std::invalid_argument("Invalid parameter: Message Structure - JSON message body failed to parse");
  if (!per_protocol.contains("default") || !per_protocol["default"].is_string())
    throw std::invalid_argument("Invalid parameter: Message Structure - No default entry in JSON message body");
  const json& chosen = per_protocol.contains(protocol) && per_protocol[protocol].is_string() ? per_protocol[protocol]
                                                                                              : per_protocol["default"];
  return chosen.get<std::string>();
}

json notification_attributes(const json& attrs) {
  json out = json::object();
  for (const auto& [name, a] : attrs.items()) {
    std::string type = a.value("DataType", "String");
    bool binary = type.rfind("Binary", 0) == 0;
    out[name] = {{"Type", type}, {"Value", a.value(binary ? "BinaryValue" : "StringValue", "")}};
  }
  return out;
}

std::string string_to_sign(const Envelope& e) {
  const bool notification = e.type == "Notification";
  std::string s;
  auto add = [&](const char* name, const std::string& v) { s += std::string(name) + "\n" + v + "\n"; };
  add("Message", e.message);
  add("MessageId", e.message_id);
  if (notification && !e.subject.empty()) add("Subject", e.subject);
  if (!notification) add("SubscribeURL", e.subscribe_url);
  add("Timestamp", e.timestamp);
  if (!notification) add("Token", e.token);
  add("TopicArn", e.topic_arn);
  add("Type", e.type);
  return s;
}

std::string envelope_json(const Envelope& e, const SnsSigner& signer) {
  const bool notification = e.type == "Notification";
  nlohmann::ordered_json out;  // AWS's member order, not the alphabetical one of nlohmann::json
  out["Type"] = e.type;
  out["MessageId"] = e.message_id;
  if (!notification) out["Token"] = e.token;
  out["TopicArn"] = e.topic_arn;
  if (notification && !e.subject.empty()) out["Subject"] = e.subject;
  out["Message"] = e.message;
  if (!notification) out["SubscribeURL"] = e.subscribe_url;
  out["Timestamp"] = e.timestamp;
  out["SignatureVersion"] = std::to_string(e.signature_version);
  out["Signature"] = signer.sign(string_to_sign(e), e.signature_version);
  out["SigningCertURL"] = signer.certificate_url();
  if (notification) {
    out["UnsubscribeURL"] = e.unsubscribe_url;
    if (!e.attributes.empty()) out["MessageAttributes"] = e.attributes;
  }
  return out.dump();
}

namespace {
bool value_matches(const json& rule, const json* attr) {
  std::string value = attr ? attr->value("StringValue", "") : "";
  if (rule.is_string()) return attr && value == rule.get<std::string>();
  if (rule.is_number()) {
    if (!attr) return false;
    try {
      return std::stod(value) == rule.get<double>();
    } catch (const std::exception&) {
      return false;
    }
  }
  if (rule.is_object() && rule.size() == 1) {
    const std::string op = rule.begin().key();
    const json& arg = rule.begin().value();
    if (op == "exists" && arg.is_boolean()) return (attr != nullptr) == arg.get<bool>();
    if (op == "prefix" && arg.is_string()) return attr && value.rfind(arg.get<std::string>(), 0) == 0;
    if (op == "anything-but") {
      if (!attr) return false;
      json list = arg.is_array() ? arg : json::array({arg});
      for (const auto& v : list)
        if (v.is_string() && v.get<std::string>() == value) return false;
      return true;
    }
  }
  return false;  // an operator mediaemu does not evaluate
}
}  // namespace

bool filter_accepts(const json& policy, const json& message_attributes) {
  if (!policy.is_object()) return true;
  for (const auto& [name, rules] : policy.items()) {
    const json* attr = message_attributes.contains(name) ? &message_attributes[name] : nullptr;
    bool any = false;
    for (const auto& rule : rules.is_array() ? rules : json::array({rules})) any |= value_matches(rule, attr);
    if (!any) return false;
  }
  return true;
}

}  // namespace mediaemu::sns
