// AWS::KMS::Key and AWS::KMS::Alias through KMS's own handlers.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-key.html
// (Ref: the key id; GetAtt Arn and KeyId; KeyPolicy a JSON object; PendingWindowInDays 7-30 for
// the deletion a stack's delete schedules, "the default is 30 days")
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-kms-alias.html
// (Ref: the alias name; AliasName replaces the alias, TargetKeyId updates it in place)
#include "api/errors.hpp"
#include "emulator/cloudformation/providers/provider.hpp"

namespace mediaemu::cloudformation {
namespace {

bool is_false(const json& props, const char* name) { return props.contains(name) && text(props, name) == "false"; }
bool is_true(const json& props, const char* name) { return props.contains(name) && text(props, name) == "true"; }

// KeyPolicy is a JSON object in templates; KMS takes it as text.
std::string key_policy_text(const json& props) {
  const json& policy = props["KeyPolicy"];
  return policy.is_string() ? policy.get<std::string>() : policy.dump();
}

// CloudFormation's [{Key, Value}] as KMS's [{TagKey, TagValue}].
json kms_tag_list(const json& props) {
  json tags = json::array();
  const json by_key = tag_map(props.value("Tags", json::array()));  // kept alive: items() only views it
  for (const auto& [k, v] : by_key.items()) tags.push_back({{"TagKey", k}, {"TagValue", v}});
  return tags;
}

void apply_rotation(ProviderContext& ctx, const std::string& key_id, const json& props) {
  if (is_true(props, "EnableKeyRotation")) {
    json in = {{"KeyId", key_id}};
    if (props.contains("RotationPeriodInDays")) in["RotationPeriodInDays"] = props["RotationPeriodInDays"];
    ctx.invoke("kms", "EnableKeyRotation", in);
  } else {
    ctx.invoke("kms", "DisableKeyRotation", {{"KeyId", key_id}});
  }
}

Provided key_result(const json& meta) {
  return Provided{meta.at("KeyId").get<std::string>(), {{"Arn", meta.at("Arn")}, {"KeyId", meta.at("KeyId")}}};
}

Provider key_provider() {
  Provider p;
  p.create_only = {"KeySpec", "KeyUsage", "MultiRegion", "Origin"};
  p.create = [](ProviderContext& ctx, const json& props) {
    for (const char* unsupported : {"Origin", "MultiRegion", "BypassPolicyLockoutSafetyCheck"})
      if (props.contains(unsupported) && !is_false(props, unsupported) && text(props, unsupported) != "AWS_KMS")
        throw api::ApiError(api::ErrorKind::NotImplemented,
                            std::string("mediaemu's AWS::KMS::Key provider does not support the property ") + unsupported);
    json in = json::object();
    for (const char* k : {"Description", "KeySpec", "KeyUsage"})
      if (props.contains(k)) in[k] = props[k];
    if (props.contains("KeyPolicy")) in["Policy"] = key_policy_text(props);
    if (props.contains("Tags")) in["Tags"] = kms_tag_list(props);
    json meta = ctx.invoke("kms", "CreateKey", in).at("KeyMetadata");
    std::string id = meta.at("KeyId").get<std::string>();
    ctx.created(id);
    // Rotation needs an enabled key: set it before a template's Enabled: false takes effect.
    if (is_true(props, "EnableKeyRotation")) apply_rotation(ctx, id, props);
    if (is_false(props, "Enabled")) ctx.invoke("kms", "DisableKey", {{"KeyId", id}});
    return key_result(meta);
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    const std::string& id = current.physical_id;
    const json& before = current.properties;
    if (!is_false(props, "Enabled") && is_false(before, "Enabled")) ctx.invoke("kms", "EnableKey", {{"KeyId", id}});
    if (props.value("Description", json("")) != before.value("Description", json("")))
      ctx.invoke("kms", "UpdateKeyDescription", {{"KeyId", id}, {"Description", text(props, "Description")}});
    if (props.contains("KeyPolicy") && props["KeyPolicy"] != before.value("KeyPolicy", json()))
      ctx.invoke("kms", "PutKeyPolicy", {{"KeyId", id}, {"PolicyName", "default"}, {"Policy", key_policy_text(props)}});
    if (props.value("EnableKeyRotation", json()) != before.value("EnableKeyRotation", json()) ||
        props.value("RotationPeriodInDays", json()) != before.value("RotationPeriodInDays", json()))
      apply_rotation(ctx, id, props);
    json old_tags = tag_map(before.value("Tags", json::array())), new_tags = tag_map(props.value("Tags", json::array()));
    if (old_tags != new_tags) {
      json gone = json::array();
      for (const auto& [k, v] : old_tags.items())
        if (!new_tags.contains(k)) gone.push_back(k);
      if (!gone.empty()) ctx.invoke("kms", "UntagResource", {{"KeyId", id}, {"TagKeys", gone}});
      if (!new_tags.empty()) ctx.invoke("kms", "TagResource", {{"KeyId", id}, {"Tags", kms_tag_list(props)}});
    }
    if (is_false(props, "Enabled") && !is_false(before, "Enabled")) ctx.invoke("kms", "DisableKey", {{"KeyId", id}});
    return key_result(ctx.invoke("kms", "DescribeKey", {{"KeyId", id}}).at("KeyMetadata"));
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    // A KMS key is never deleted at once: the stack's delete schedules its deletion.
    json in = {{"KeyId", current.physical_id}, {"PendingWindowInDays", current.properties.value("PendingWindowInDays", json(30))}};
    ignore_missing([&] {
      json meta = ctx.invoke("kms", "DescribeKey", {{"KeyId", current.physical_id}}).at("KeyMetadata");
      if (meta.value("KeyState", "") != "PendingDeletion") ctx.invoke("kms", "ScheduleKeyDeletion", in);
    });
  };
  return p;
}

Provider alias_provider() {
  Provider p;
  p.create_only = {"AliasName"};
  p.create = [](ProviderContext& ctx, const json& props) {
    std::string name = text(props, "AliasName");
    ctx.invoke("kms", "CreateAlias", {{"AliasName", name}, {"TargetKeyId", text(props, "TargetKeyId")}});
    return Provided{name, json::object()};
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    ctx.invoke("kms", "UpdateAlias", {{"AliasName", current.physical_id}, {"TargetKeyId", text(props, "TargetKeyId")}});
    return Provided{current.physical_id, json::object()};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] { ctx.invoke("kms", "DeleteAlias", {{"AliasName", current.physical_id}}); });
  };
  return p;
}

}  // namespace

void add_kms_providers(ProviderTable& t) {
  t["AWS::KMS::Key"] = key_provider();
  t["AWS::KMS::Alias"] = alias_provider();
}

}  // namespace mediaemu::cloudformation
