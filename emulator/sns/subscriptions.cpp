// https://docs.aws.amazon.com/sns/latest/api/API_Operations.html: subscriptions.
#include <spdlog/spdlog.h>

#include "api/uri_template.hpp"
#include "emulator/sns/messages.hpp"
#include "emulator/sns/sns.hpp"

namespace mediaemu::sns {

namespace {

// In a topic's internal record: unsubscribed http/https subscriptions by the token of their
// UnsubscribeConfirmation, so that its SubscribeURL can restore them.
const char* const kUnsubscribed = "unsubscribed";

bool settable_subscription_attribute(const std::string& name) {
  for (const char* n : {"DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
                        "SubscriptionRoleArn", "ReplayPolicy"})
    if (name == n) return true;
  return false;
}

void check_subscription_attribute(const std::string& name, const std::string& value) {
  if (!settable_subscription_attribute(name)) invalid("Invalid parameter: AttributeName");
  if (name == "RawMessageDelivery" && value != "true" && value != "false")
    invalid("Invalid parameter: RawMessageDelivery Reason: must be true or false");
  if ((name == "FilterPolicy" || name == "DeliveryPolicy" || name == "RedrivePolicy") && !value.empty() &&
      !json::parse(value, nullptr, false).is_object())
    invalid("Invalid parameter: " + name + ": failed to parse JSON");
  if (name == "FilterPolicyScope" && value != "MessageAttributes" && value != "MessageBody")
    invalid("Invalid parameter: FilterPolicyScope");
}

const Record& subscription_by_arn(const Domain& d, const std::string& arn) {
  const Record* r = d.find_by_arn(arn);
  if (!r || r->key.kind != kSubscription) not_found("Subscription does not exist");
  return *r;
}

std::string listed_arn(const json& sub) {
  return sub.value("PendingConfirmation", false) ? "PendingConfirmation" : sub["SubscriptionArn"].get<std::string>();
}

json list_entry(const Record& s) {
  json e = {{"SubscriptionArn", listed_arn(s.doc)}};
  for (const char* m : {"Owner", "Protocol", "Endpoint", "TopicArn"}) e[m] = s.doc[m];
  return e;
}

json list_page(const std::vector<const Record*>& subs, const json& in, const char* member) {
  Page page = paginate(subs, in, 100, "NextToken", "-");  // SNS pages by NextToken only
  json out = {{member, json::array()}};
  for (const Record* s : page.items) out[member].push_back(list_entry(*s));
  put_next_token(out, page);
  return out;
}

}  // namespace

HttpPost subscriber_post(const json& sub, const std::string& type, const std::string& message_id, std::string body) {
  const std::string arn = sub["SubscriptionArn"];
  HttpPost post{sub["Endpoint"],
                {{"Content-Type", "text/plain; charset=UTF-8"},
                 {"User-Agent", "Amazon Simple Notification Service Agent"},
                 {"x-amz-sns-message-type", type},
                 {"x-amz-sns-message-id", message_id},
                 {"x-amz-sns-topic-arn", sub["TopicArn"].get<std::string>()}},
                std::move(body),
                type + " " + message_id + " for " + arn};
  // A subscription being confirmed has no ARN its owner knows yet; AWS names it on the others.
  if (type != "SubscriptionConfirmation") post.headers.emplace_back("x-amz-sns-subscription-arn", arn);
  return post;
}

void send_confirmation(const Domain& d, SnsDelivery& delivery, const json& sub, const std::string& token,
                       const std::string& type, int signature_version) {
  const std::string topic = sub["TopicArn"], protocol = sub["Protocol"], endpoint = sub["Endpoint"];
  const std::string region = topic.substr(12, topic.find(':', 12) - 12);  // arn:aws:sns:<region>:
  std::string url = self_url(d.config(), region,
                             "Action=ConfirmSubscription&TopicArn=" + api::percent_encode(topic) + "&Token=" + token);
  if (protocol != "http" && protocol != "https") {
    spdlog::info("sns: mediaemu sends no email; {} subscription of {} to {} stays pending until confirmed: GET {}",
                 protocol, endpoint, topic, url);
    return;
  }
  Envelope e;
  e.type = type;
  e.message_id = api::new_request_id();
  e.topic_arn = topic;
  // AWS's texts (https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html,
  // https://docs.aws.amazon.com/sns/latest/dg/http-unsubscribe-confirmation-json.html).
  e.message = type == "SubscriptionConfirmation"
                  ? "You have chosen to subscribe to the topic " + topic +
                        ".\nTo confirm the subscription, visit the SubscribeURL included in this message."
                  : "You have chosen to deactivate subscription " + sub["SubscriptionArn"].get<std::string>() +
                        ".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included "
                        "in this message.";
  e.timestamp = iso_timestamp(d.clock().now_ms());
  e.token = token;
  e.subscribe_url = url;
  e.signature_version = signature_version;
  delivery.post(subscriber_post(sub, type, e.message_id, envelope_json(e, delivery.signer())));
}

void add_subscription_operations(api::OperationTable& t, Domain& d, SnsDelivery& delivery) {
  t["Subscribe"] = [&d, &delivery](const CallContext& c, const json& in) {
    const std::string topic_arn = in.at("TopicArn"), protocol = in.at("Protocol"), endpoint = in.value("Endpoint", "");
    if (!known_protocol(protocol)) invalid("Invalid parameter: Amazon SNS does not support this protocol string: " + protocol);
    if (std::string why = endpoint_problem(protocol, endpoint); !why.empty()) invalid(why);
    json attrs = in.value("Attributes", json::object());
    for (const auto& [k, v] : attrs.items()) check_subscription_attribute(k, v.get<std::string>());
    bool return_arn = in.value("ReturnSubscriptionArn", false);
    auto tx = d.write();
    const Record& topic = topic_by_arn(tx->domain(), topic_arn);
    for (const Record* s : subscriptions_of(tx->domain(), topic_arn)) {
      // The same endpoint again is the same subscription, as on AWS.
      if (s->doc["Protocol"] != protocol || s->doc["Endpoint"] != endpoint) continue;
      bool hide = s->doc.value("PendingConfirmation", false) && !return_arn;
      return json{{"SubscriptionArn", hide ? "pending confirmation" : s->doc["SubscriptionArn"].get<std::string>()}};
    }
    std::string id = api::new_request_id();
    std::string arn = topic.doc["TopicArn"].get<std::string>() + ":" + id;
    bool pending = needs_confirmation(protocol);
    std::string token = pending ? random_hex(64) : "";
    json doc = {{"SubscriptionArn", arn}, {"Arn", arn},          {"TopicArn", topic_arn},
                {"Protocol", protocol},   {"Endpoint", endpoint}, {"Owner", c.account},
                {"Attributes", attrs},    {"PendingConfirmation", pending}};
    tx->create({kSubscription, topic.key.region, id}, doc, {{"Token", token}});
    if (pending) {
      tx->after_commit([&d, &delivery, doc, token, version = signature_version(topic)] {
        send_confirmation(d, delivery, doc, token, "SubscriptionConfirmation", version);
      });
    } else if (protocol != "http" && protocol != "https") {
      spdlog::info("sns: {} subscription {} to {} is confirmed; mediaemu stores it and delivers nothing to {}",
                   protocol, arn, endpoint, protocol);
    }
    tx->commit();
    return json{{"SubscriptionArn", pending && !return_arn ? "pending confirmation" : arn}};
  };
  t["ConfirmSubscription"] = [&d](const CallContext&, const json& in) {
    const std::string topic_arn = in.at("TopicArn"), token = in.at("Token");
    auto tx = d.write();
    const Record& topic = topic_by_arn(tx->domain(), topic_arn);
    for (const Record* s : subscriptions_of(tx->domain(), topic_arn)) {
      if (s->internal.value("Token", "") != token || token.empty()) continue;
      Record& sub = tx->modify(s->key);
      sub.doc["PendingConfirmation"] = false;
      sub.doc["ConfirmationWasAuthenticated"] = in.value("AuthenticateOnUnsubscribe", "false") == "true";
      json out = {{"SubscriptionArn", sub.doc["SubscriptionArn"]}};
      tx->commit();
      return out;
    }
    if (topic.internal.contains(kUnsubscribed) && topic.internal[kUnsubscribed].contains(token)) {
      // The token of an UnsubscribeConfirmation: the subscription comes back, as it was. The token
      // stays good (AWS's are for three days), so a second visit answers the same ARN.
      const Record& t = topic;
      json doc = t.internal[kUnsubscribed][token];
      std::string arn = doc["SubscriptionArn"];
      const Record* again = nullptr;  // the endpoint subscribed anew meanwhile: that one stays, alone
      for (const Record* s : subscriptions_of(tx->domain(), topic_arn))
        if (s->doc["Protocol"] == doc["Protocol"] && s->doc["Endpoint"] == doc["Endpoint"]) again = s;
      if (again) arn = again->doc["SubscriptionArn"];
      else tx->create({kSubscription, t.key.region, arn.substr(arn.rfind(':') + 1)}, doc, {{"Token", ""}});
      tx->commit();
      return json{{"SubscriptionArn", arn}};
    }
    invalid("Invalid token");
  };
  t["Unsubscribe"] = [&d, &delivery](const CallContext&, const json& in) {
    auto tx = d.write();
    const Record& s = subscription_by_arn(tx->domain(), in.at("SubscriptionArn"));
    const json sub = s.doc;
    // AWS tells a confirmed http/https endpoint that it is unsubscribed, with a token that
    // restores it (https://docs.aws.amazon.com/sns/latest/dg/http-unsubscribe-confirmation-json.html).
    const bool tell = !sub.value("PendingConfirmation", false) && (sub["Protocol"] == "http" || sub["Protocol"] == "https");
    if (const Record* topic = tx->domain().find_by_arn(sub["TopicArn"])) {
      Record& t = tx->modify(topic->key);
      t.internal["deleted"] = t.internal.value("deleted", 0) + 1;  // GetTopicAttributes' SubscriptionsDeleted
      if (tell) {
        std::string token = random_hex(64);
        json& kept = t.internal[kUnsubscribed];
        if (kept.size() >= 100) kept.erase(kept.begin());  // a bound, not an order: tokens are random
        kept[token] = sub;
        tx->after_commit([&d, &delivery, sub, token, version = signature_version(t)] {
          send_confirmation(d, delivery, sub, token, "UnsubscribeConfirmation", version);
        });
      }
    }
    tx->remove(s.key);
    tx->commit();
    return json::object();
  };
  t["ListSubscriptions"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    return list_page(d.list(kSubscription, c.region), in, "Subscriptions");
  };
  t["ListSubscriptionsByTopic"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    topic_by_arn(d, in.at("TopicArn"));
    return list_page(subscriptions_of(d, in.at("TopicArn")), in, "Subscriptions");
  };
  t["GetSubscriptionAttributes"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    const json& s = subscription_by_arn(d, in.at("SubscriptionArn")).doc;
    json a = {{"SubscriptionArn", s["SubscriptionArn"]},
              {"TopicArn", s["TopicArn"]},
              {"Owner", s["Owner"]},
              {"Protocol", s["Protocol"]},
              {"Endpoint", s["Endpoint"]},
              {"PendingConfirmation", s.value("PendingConfirmation", false) ? "true" : "false"},
              {"ConfirmationWasAuthenticated", s.value("ConfirmationWasAuthenticated", false) ? "true" : "false"},
              {"RawMessageDelivery", "false"}};
    if (s["Protocol"] == "http" || s["Protocol"] == "https") a["EffectiveDeliveryPolicy"] = default_delivery_policy();
    for (const auto& [k, v] : s["Attributes"].items()) a[k] = v;
    if (a.contains("FilterPolicy") && !a.contains("FilterPolicyScope")) a["FilterPolicyScope"] = "MessageAttributes";
    return json{{"Attributes", a}};
  };
  t["SetSubscriptionAttributes"] = [&d](const CallContext&, const json& in) {
    const std::string name = in.at("AttributeName"), value = in.value("AttributeValue", "");
    check_subscription_attribute(name, value);
    auto tx = d.write();
    Record& s = tx->modify(subscription_by_arn(tx->domain(), in.at("SubscriptionArn")).key);
    if (value.empty()) s.doc["Attributes"].erase(name);
    else s.doc["Attributes"][name] = value;
    tx->commit();
    return json::object();
  };
}

}  // namespace mediaemu::sns
