// AWS::SNS::Topic, ::Subscription, AWS::CloudWatch::Alarm, AWS::Logs::LogGroup and
// AWS::CDK::Metadata (the analytics record every CDK template carries: nothing to create).
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-topic.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-loggroup.html
#include "api/errors.hpp"
#include "emulator/cloudformation/intrinsics.hpp"
#include "emulator/cloudformation/providers/provider.hpp"

namespace mediaemu::cloudformation {
namespace {

json topic_attributes(const json& props) {
  json a = json::object();
  for (const char* k : {"DisplayName", "KmsMasterKeyId", "FifoTopic", "ContentBasedDeduplication", "SignatureVersion",
                        "TracingConfig", "ArchivePolicy", "DeliveryPolicy", "DataProtectionPolicy"})
    if (props.contains(k)) a[k] = props[k].is_object() ? props[k].dump() : as_text(props[k]);
  return a;
}

Provider topic_provider() {
  Provider p;
  p.create_only = {"TopicName", "FifoTopic"};
  p.create = [](ProviderContext& ctx, const json& props) {
    std::string name = props.value("TopicName", ctx.generated_name(256));
    json in = {{"Name", name}, {"Attributes", topic_attributes(props)}};
    if (props.contains("Tags")) in["Tags"] = props["Tags"];
    std::string arn = ctx.invoke("sns", "CreateTopic", in).value("TopicArn", "");
    for (const auto& s : props.value("Subscription", json::array()))
      ctx.invoke("sns", "Subscribe", {{"TopicArn", arn}, {"Protocol", s.value("Protocol", "")}, {"Endpoint", s.value("Endpoint", "")}});
    return Provided{arn, {{"TopicArn", arn}, {"TopicName", name}}};
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    const json attributes = topic_attributes(props);
    for (const auto& [k, v] : attributes.items())
      ctx.invoke("sns", "SetTopicAttributes", {{"TopicArn", current.physical_id}, {"AttributeName", k}, {"AttributeValue", v}});
    if (props.value("Subscription", json::array()) != current.properties.value("Subscription", json::array()))
      throw api::ApiError(api::ErrorKind::NotImplemented, "mediaemu does not change a topic's inline Subscription list in place yet");
    return Provided{current.physical_id, current.attributes};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ctx.invoke("sns", "DeleteTopic", {{"TopicArn", current.physical_id}});
  };
  return p;
}

Provider subscription_provider() {
  Provider p;
  p.create_only = {"TopicArn", "Protocol", "Endpoint"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json attributes = json::object();
    for (const char* k : {"RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy", "DeliveryPolicy"})
      if (props.contains(k)) attributes[k] = props[k].is_object() ? props[k].dump() : as_text(props[k]);
    json in = {{"TopicArn", text(props, "TopicArn")}, {"Protocol", text(props, "Protocol")},
               {"Endpoint", text(props, "Endpoint")}, {"ReturnSubscriptionArn", true}};
    if (!attributes.empty()) in["Attributes"] = attributes;
    std::string arn = ctx.invoke("sns", "Subscribe", in).value("SubscriptionArn", "");
    return Provided{arn, {}};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] { ctx.invoke("sns", "Unsubscribe", {{"SubscriptionArn", current.physical_id}}); });
  };
  return p;
}

Provider alarm_provider() {
  Provider p;
  p.create_only = {"AlarmName"};
  auto put = [](ProviderContext& ctx, const std::string& name, const json& props) {
    json in = props;
    in["AlarmName"] = name;
    ctx.invoke("cloudwatch", "PutMetricAlarm", in);
    json alarm = ctx.invoke("cloudwatch", "DescribeAlarms", {{"AlarmNames", {name}}}).value("MetricAlarms", json::array());
    return Provided{name, {{"Arn", alarm.empty() ? "" : alarm[0].value("AlarmArn", "")}}};
  };
  p.create = [put](ProviderContext& ctx, const json& props) {
    return put(ctx, props.value("AlarmName", ctx.generated_name(255)), props);
  };
  p.update = [put](ProviderContext& ctx, const StackResource& current, const json& props) {
    return put(ctx, current.physical_id, props);
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ctx.invoke("cloudwatch", "DeleteAlarms", {{"AlarmNames", {current.physical_id}}});
  };
  return p;
}

Provider log_group_provider() {
  Provider p;
  p.create_only = {"LogGroupName", "KmsKeyId", "LogGroupClass"};
  p.create = [](ProviderContext& ctx, const json& props) {
    std::string name = props.value("LogGroupName", ctx.generated_name(512));
    json in = {{"logGroupName", name}};
    if (props.contains("Tags")) in["tags"] = tag_map(props["Tags"]);
    ctx.invoke("logs", "CreateLogGroup", in);
    if (props.contains("RetentionInDays"))
      ctx.invoke("logs", "PutRetentionPolicy", {{"logGroupName", name}, {"retentionInDays", props["RetentionInDays"]}});
    return Provided{name, {{"Arn", "arn:aws:logs:" + ctx.region() + ":" + ctx.account() + ":log-group:" + name + ":*"}}};
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    if (props.contains("RetentionInDays"))
      ctx.invoke("logs", "PutRetentionPolicy", {{"logGroupName", current.physical_id}, {"retentionInDays", props["RetentionInDays"]}});
    else
      ctx.invoke("logs", "DeleteRetentionPolicy", {{"logGroupName", current.physical_id}});
    return Provided{current.physical_id, current.attributes};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] { ctx.invoke("logs", "DeleteLogGroup", {{"logGroupName", current.physical_id}}); });
  };
  return p;
}

Provider cdk_metadata_provider() {
  Provider p;
  p.create = [](ProviderContext& ctx, const json&) { return Provided{ctx.generated_name(), {}}; };
  p.update = [](ProviderContext&, const StackResource& current, const json&) { return Provided{current.physical_id, {}}; };
  p.remove = [](ProviderContext&, const StackResource&) {};
  return p;
}

}  // namespace

void add_monitoring_providers(ProviderTable& t) {
  t["AWS::SNS::Topic"] = topic_provider();
  t["AWS::SNS::Subscription"] = subscription_provider();
  t["AWS::CloudWatch::Alarm"] = alarm_provider();
  t["AWS::Logs::LogGroup"] = log_group_provider();
  t["AWS::CDK::Metadata"] = cdk_metadata_provider();
}

}  // namespace mediaemu::cloudformation
