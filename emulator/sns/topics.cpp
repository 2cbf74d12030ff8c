// https://docs.aws.amazon.com/sns/latest/api/API_Operations.html: topics, tags, Publish.
#include <spdlog/spdlog.h>

#include "api/uri_template.hpp"
#include "emulator/sns/messages.hpp"
#include "emulator/sns/sns.hpp"

namespace mediaemu::sns {

using api::ApiError;
using api::ErrorKind;

void not_found(const std::string& message) { throw ApiError(ErrorKind::NotFound, "NotFoundException", message); }
void invalid(const std::string& message) { throw ApiError(ErrorKind::Validation, "InvalidParameterException", message); }

const Record& topic_by_arn(const Domain& d, const std::string& arn) {
  const Record* r = d.find_by_arn(arn);
  if (!r || r->key.kind != kTopic) not_found("Topic does not exist");
  return *r;
}

std::vector<const Record*> subscriptions_of(const Domain& d, const std::string& topic_arn) {
  std::vector<const Record*> out;
  for (const Record* s : d.list_all(kSubscription))
    if (s->doc["TopicArn"] == topic_arn) out.push_back(s);
  return out;
}

int signature_version(const Record& topic) {
  return topic.doc["Attributes"].value("SignatureVersion", "1") == "2" ? 2 : 1;
}

std::string self_url(const Config& config, const std::string& region, const std::string& query) {
  // An unsigned GET names no service; the credential scope in the URL routes it to SNS, as a
  // presigned URL's does (api/aws_api.cpp scope_of). mediaemu checks no signature.
  return config.http_base() + "/?" + query + "&Version=2010-03-31&X-Amz-Credential=" +
         api::percent_encode("mediaemu/20100331/" + region + "/sns/aws4_request");
}

namespace {

std::string region_of(const std::string& arn) {
  size_t a = arn.find(':', arn.find(':', arn.find(':') + 1) + 1);  // arn:aws:sns:<region>:...
  return a == std::string::npos ? "" : arn.substr(a + 1, arn.find(':', a + 1) - a - 1);
}

// Attributes a caller may set on a topic (the rest are computed).
bool settable_topic_attribute(const std::string& name, bool creating) {
  for (const char* n : {"Policy", "DisplayName", "DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion",
                        "TracingConfig", "ContentBasedDeduplication", "ArchivePolicy", "DataProtectionPolicy",
                        "FifoThroughputScope"})
    if (name == n) return true;
  if (creating && name == "FifoTopic") return true;
  for (const char* suffix : {"SuccessFeedbackRoleArn", "FailureFeedbackRoleArn", "SuccessFeedbackSampleRate"})
    if (name.size() > std::string(suffix).size() && name.ends_with(suffix)) return true;
  return false;
}

void check_topic_attribute(const std::string& name, const std::string& value, bool creating) {
  if (!settable_topic_attribute(name, creating)) invalid("Invalid parameter: AttributeName");
  if ((name == "Policy" || name == "DeliveryPolicy" || name == "ArchivePolicy") && !value.empty() &&
      !json::parse(value, nullptr, false).is_object())
    invalid("Invalid parameter: " + name + " Reason: failed to parse JSON");
  if ((name == "FifoTopic" || name == "ContentBasedDeduplication") && value != "true" && value != "false")
    invalid("Invalid parameter: " + name + " Reason: must be true or false");
  if (name == "SignatureVersion" && value != "1" && value != "2")
    invalid("Invalid parameter: SignatureVersion Reason: must be 1 or 2");
}

bool is_fifo(const Record& topic) { return topic.doc["Attributes"].value("FifoTopic", "false") == "true"; }

json topic_attributes(const Domain& d, const Record& topic) {
  const std::string arn = topic.doc["TopicArn"];
  std::string account = arn.substr(arn.rfind(':', arn.rfind(':') - 1) + 1, 12);
  json a = {{"TopicArn", arn},
            {"Owner", account},
            {"DisplayName", ""},
            {"Policy", default_topic_policy(arn, account)},
            {"EffectiveDeliveryPolicy", default_delivery_policy()},
            {"SubscriptionsDeleted", std::to_string(topic.internal.value("deleted", 0))}};
  int confirmed = 0, pending = 0;
  for (const Record* s : subscriptions_of(d, arn)) (s->doc.value("PendingConfirmation", false) ? pending : confirmed)++;
  a["SubscriptionsConfirmed"] = std::to_string(confirmed);
  a["SubscriptionsPending"] = std::to_string(pending);
  if (is_fifo(topic)) a["ContentBasedDeduplication"] = "false";
  for (const auto& [k, v] : topic.doc["Attributes"].items()) a[k] = v;
  return a;
}

// A Publish (or one PublishBatch entry) checked and turned into POSTs, queued after the lock.
// Throws before anything is queued.
std::string publish_entry(Domain& d, SnsDelivery& delivery, const std::string& topic_arn, const json& in) {
  const std::string message = in.value("Message", "");
  const std::string structure = in.value("MessageStructure", "");
  const std::string subject = in.value("Subject", "");
  if (message.empty()) invalid("Invalid parameter: Empty message");
  if (message.size() > 262144) invalid("Invalid parameter: Message too long");
  if (subject.size() > 100) invalid("Invalid parameter: Subject");
  try {
    message_for(message, structure, "default");  // checks the structure once for every subscriber
  } catch (const std::invalid_argument& e) {
    invalid(e.what());
  }
  const json attributes = in.value("MessageAttributes", json::object());
  const std::string message_id = api::new_request_id();
  std::vector<HttpPost> posts;
  {
    auto lock = d.read();
    const Record& topic = topic_by_arn(d, topic_arn);
    if (is_fifo(topic)) {
      if (!in.contains("MessageGroupId")) invalid("Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
      if (!in.contains("MessageDeduplicationId") &&
          topic.doc["Attributes"].value("ContentBasedDeduplication", "false") != "true")
        invalid("Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
                "MessageDeduplicationId provided explicitly");
    }
    const Config& config = d.config();
    for (const Record* s : subscriptions_of(d, topic_arn)) {
      const json& sub = s->doc;
      const std::string protocol = sub["Protocol"], arn = sub["SubscriptionArn"];
      if (sub.value("PendingConfirmation", false)) continue;
      const json& sattrs = sub["Attributes"];
      if (sattrs.contains("FilterPolicy") &&
          !filter_accepts(json::parse(sattrs["FilterPolicy"].get<std::string>(), nullptr, false), attributes)) {
        spdlog::info("sns: message {} filtered out for {}", message_id, arn);
        continue;
      }
      if (protocol != "http" && protocol != "https") {
        spdlog::info("sns: message {} for {} subscriber {} ({}) is not delivered: mediaemu delivers to http "
                     "and https subscribers only", message_id, protocol, sub["Endpoint"].get<std::string>(), arn);
        continue;
      }
      std::string body = message_for(message, structure, protocol);
      if (sattrs.value("RawMessageDelivery", "false") == "true") {
        HttpPost post = subscriber_post(sub, "Notification", message_id, body);
        post.headers.emplace_back("x-amz-sns-rawdelivery", "true");
        posts.push_back(std::move(post));
        continue;
      }
      Envelope e;
      e.type = "Notification";
      e.message_id = message_id;
      e.topic_arn = topic_arn;
      e.subject = subject;
      e.message = body;
      e.timestamp = iso_timestamp(d.clock().now_ms());
      e.unsubscribe_url = self_url(config, region_of(topic_arn), "Action=Unsubscribe&SubscriptionArn=" + api::percent_encode(arn));
      e.attributes = notification_attributes(attributes);
      e.signature_version = signature_version(topic);
      posts.push_back(subscriber_post(sub, "Notification", message_id, envelope_json(e, delivery.signer())));
    }
  }
  for (auto& p : posts) delivery.post(std::move(p));
  return message_id;
}

}  // namespace

std::string publish(Domain& d, SnsDelivery& delivery, const std::string& topic_arn, const std::string& subject,
                    const std::string& message) {
  json in = {{"Message", message}};
  if (!subject.empty()) in["Subject"] = subject;
  return publish_entry(d, delivery, topic_arn, in);
}

void add_topic_operations(api::OperationTable& t, Domain& d, SnsDelivery& delivery) {
  t["CreateTopic"] = [&d](const CallContext& c, const json& in) {
    const std::string name = in.at("Name");
    json attrs = in.value("Attributes", json::object());
    for (const auto& [k, v] : attrs.items()) check_topic_attribute(k, v.get<std::string>(), true);
    bool fifo = attrs.value("FifoTopic", "false") == "true";
    std::string base = fifo && name.ends_with(".fifo") ? name.substr(0, name.size() - 5) : name;
    bool valid_name = !base.empty() && name.size() <= 256 &&
                      base.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
                          std::string::npos;
    if (!valid_name || fifo != name.ends_with(".fifo")) {
      invalid(fifo != name.ends_with(".fifo") ? "Invalid parameter: Fifo Topic names must end with .fifo and must be "
                                                "made up of only uppercase and lowercase ASCII letters, numbers, "
                                                "underscores, and hyphens, and must be between 1 and 256 characters long."
                                              : "Invalid parameter: Topic Name");
    }
    if (!fifo) attrs.erase("FifoTopic");
    auto tx = d.write();
    if (const Record* existing = tx->find({kTopic, c.region, name})) {
      // Idempotent: the same name and attributes give the same topic (AWS's rule).
      for (const auto& [k, v] : attrs.items())
        if (existing->doc["Attributes"].value(k, "") != v)
          invalid("Invalid parameter: Attributes Reason: Topic already exists with different attributes");
      return json{{"TopicArn", existing->doc["TopicArn"]}};
    }
    std::string arn = make_arn(c, "sns", name);
    json doc = {{"TopicArn", arn}, {"Arn", arn}, {"Attributes", attrs}, {"Tags", json::array()}};
    merge_tag_list(doc["Tags"], in.value("Tags", json::array()));
    tx->create({kTopic, c.region, name}, doc);
    tx->commit();
    return json{{"TopicArn", arn}};
  };
  t["DeleteTopic"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    const Record* r = tx->domain().find_by_arn(in.at("TopicArn"));
    if (!r || r->key.kind != kTopic) return json::object();  // AWS: deleting a missing topic is not an error
    for (const Record* s : subscriptions_of(tx->domain(), in.at("TopicArn"))) tx->remove(s->key);
    tx->remove(r->key);
    tx->commit();
    return json::object();
  };
  t["ListTopics"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    Page page = paginate(d.list(kTopic, c.region), in, 100, "NextToken", "-");  // pages of 100, no size member
    json out = {{"Topics", json::array()}};
    for (const Record* r : page.items) out["Topics"].push_back({{"TopicArn", r->doc["TopicArn"]}});
    put_next_token(out, page);
    return out;
  };
  t["GetTopicAttributes"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    return json{{"Attributes", topic_attributes(d, topic_by_arn(d, in.at("TopicArn")))}};
  };
  t["SetTopicAttributes"] = [&d](const CallContext&, const json& in) {
    const std::string name = in.at("AttributeName"), value = in.value("AttributeValue", "");
    check_topic_attribute(name, value, false);
    auto tx = d.write();
    Record& topic = tx->modify(topic_by_arn(tx->domain(), in.at("TopicArn")).key);
    if (value.empty()) topic.doc["Attributes"].erase(name);  // back to the default
    else topic.doc["Attributes"][name] = value;
    tx->commit();
    return json::object();
  };
  auto tagged = [](const Domain& d, const json& in) -> const Record& {
    const Record* r = d.find_by_arn(in.at("ResourceArn"));
    if (!r || r->key.kind != kTopic)
      throw ApiError(ErrorKind::NotFound, "ResourceNotFoundException", "Resource does not exist");
    return *r;
  };
  t["TagResource"] = [&d, tagged](const CallContext&, const json& in) {
    auto tx = d.write();
    merge_tag_list(tx->modify(tagged(tx->domain(), in).key).doc["Tags"], in.at("Tags"));
    tx->commit();
    return json::object();
  };
  t["UntagResource"] = [&d, tagged](const CallContext&, const json& in) {
    auto tx = d.write();
    remove_tag_list(tx->modify(tagged(tx->domain(), in).key).doc["Tags"], in.at("TagKeys"));
    tx->commit();
    return json::object();
  };
  t["ListTagsForResource"] = [&d, tagged](const CallContext&, const json& in) {
    auto lock = d.read();
    return json{{"Tags", tagged(d, in).doc.value("Tags", json::array())}};
  };
  t["Publish"] = [&d, &delivery](const CallContext&, const json& in) {
    std::string arn = in.value("TopicArn", in.value("TargetArn", ""));
    if (arn.empty()) {
      if (!in.contains("PhoneNumber")) invalid("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
      spdlog::info("sns: SMS to {} is not sent: mediaemu sends no SMS", in["PhoneNumber"].get<std::string>());
      return json{{"MessageId", api::new_request_id()}};
    }
    return json{{"MessageId", publish_entry(d, delivery, arn, in)}};
  };
  t["PublishBatch"] = [&d, &delivery](const CallContext&, const json& in) {
    const std::string arn = in.at("TopicArn");
    const json& entries = in.at("PublishBatchRequestEntries");
    if (entries.empty()) throw ApiError(ErrorKind::Validation, "EmptyBatchRequestException", "The batch request doesn't contain any entries");
    if (entries.size() > 10) throw ApiError(ErrorKind::Validation, "TooManyEntriesInBatchRequestException", "The batch request contains more entries than permissible");
    {
      auto lock = d.read();
      topic_by_arn(d, arn);  // a missing topic fails the whole call, as on AWS
    }
    json out = {{"Successful", json::array()}, {"Failed", json::array()}};
    for (const auto& e : entries) {
      try {
        out["Successful"].push_back({{"Id", e.at("Id")}, {"MessageId", publish_entry(d, delivery, arn, e)}});
      } catch (const ApiError& err) {
        out["Failed"].push_back({{"Id", e.at("Id")}, {"Code", "InvalidParameter"}, {"Message", err.what()}, {"SenderFault", true}});
      }
    }
    return out;
  };
}

api::OperationTable operations(Domain& d, SnsDelivery& delivery) {
  api::OperationTable t;
  add_topic_operations(t, d, delivery);
  add_subscription_operations(t, d, delivery);
  return t;
}

}  // namespace mediaemu::sns
