// AWS::IAM::Role, ::Policy, ::ManagedPolicy and ::InstanceProfile. Policy documents are JSON
// objects in templates and strings in the API. Ref of a role or instance profile is its name,
// of a managed policy its ARN.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-policy.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-managedpolicy.html
#include <algorithm>

#include "api/errors.hpp"
#include "emulator/cloudformation/providers/provider.hpp"

namespace mediaemu::cloudformation {
namespace {

std::string document(const json& d) { return d.is_string() ? d.get<std::string>() : d.dump(); }

// A role's inline policies and managed policy attachments, made to match the template.
void apply_role_policies(ProviderContext& ctx, const std::string& role, const json& before, const json& after) {
  json old_inline = before.value("Policies", json::array()), new_inline = after.value("Policies", json::array());
  for (const auto& p : old_inline) {
    bool kept = false;
    for (const auto& q : new_inline) kept = kept || q.value("PolicyName", "") == p.value("PolicyName", "");
    if (!kept)
      ignore_missing([&] { ctx.invoke("iam", "DeleteRolePolicy", {{"RoleName", role}, {"PolicyName", p.value("PolicyName", "")}}); });
  }
  for (const auto& p : new_inline)
    ctx.invoke("iam", "PutRolePolicy", {{"RoleName", role}, {"PolicyName", p.value("PolicyName", "")},
                                        {"PolicyDocument", document(p.value("PolicyDocument", json::object()))}});
  json old_managed = before.value("ManagedPolicyArns", json::array()), new_managed = after.value("ManagedPolicyArns", json::array());
  for (const auto& arn : old_managed)
    if (std::find(new_managed.begin(), new_managed.end(), arn) == new_managed.end())
      ignore_missing([&] { ctx.invoke("iam", "DetachRolePolicy", {{"RoleName", role}, {"PolicyArn", arn}}); });
  for (const auto& arn : new_managed)
    if (std::find(old_managed.begin(), old_managed.end(), arn) == old_managed.end())
      ctx.invoke("iam", "AttachRolePolicy", {{"RoleName", role}, {"PolicyArn", arn}});
}

Provided role_result(ProviderContext& ctx, const std::string& name) {
  json role = ctx.invoke("iam", "GetRole", {{"RoleName", name}}).at("Role");
  return {name, {{"Arn", role.value("Arn", "")}, {"RoleId", role.value("RoleId", "")}}};
}

Provider role_provider() {
  Provider p;
  p.create_only = {"RoleName", "Path"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = without(props, {"Policies", "ManagedPolicyArns"});
    if (!in.contains("RoleName")) in["RoleName"] = ctx.generated_name(64);
    in["AssumeRolePolicyDocument"] = document(props.value("AssumeRolePolicyDocument", json::object()));
    std::string name = in["RoleName"];
    ctx.invoke("iam", "CreateRole", in);
    apply_role_policies(ctx, name, json::object(), props);
    return role_result(ctx, name);
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    const std::string& name = current.physical_id;
    ctx.invoke("iam", "UpdateAssumeRolePolicy",
               {{"RoleName", name}, {"PolicyDocument", document(props.value("AssumeRolePolicyDocument", json::object()))}});
    json update = {{"RoleName", name}, {"Description", text(props, "Description")}};
    if (props.contains("MaxSessionDuration")) update["MaxSessionDuration"] = props["MaxSessionDuration"];
    ctx.invoke("iam", "UpdateRole", update);
    apply_role_policies(ctx, name, current.properties, props);
    return role_result(ctx, name);
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    const std::string& name = current.physical_id;
    ignore_missing([&] {
      // DeleteRole refuses a role with policies: detach and delete them first, as CloudFormation does.
      apply_role_policies(ctx, name, current.properties, json::object());
      ctx.invoke("iam", "DeleteRole", {{"RoleName", name}});
    });
  };
  return p;
}

// AWS::IAM::Policy: one inline policy put on each named role.
Provider inline_policy_provider() {
  Provider p;
  p.create = [](ProviderContext& ctx, const json& props) {
    for (const auto& role : props.value("Roles", json::array()))
      ctx.invoke("iam", "PutRolePolicy", {{"RoleName", role}, {"PolicyName", text(props, "PolicyName")},
                                          {"PolicyDocument", document(props.value("PolicyDocument", json::object()))}});
    if (props.contains("Users") || props.contains("Groups"))
      throw api::ApiError(api::ErrorKind::NotImplemented, "mediaemu has no IAM users or groups; only Roles can take the policy");
    return Provided{ctx.generated_name(), {}};
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    for (const auto& role : current.properties.value("Roles", json::array()))
      ignore_missing([&] {
        ctx.invoke("iam", "DeleteRolePolicy", {{"RoleName", role}, {"PolicyName", current.properties.value("PolicyName", "")}});
      });
    for (const auto& role : props.value("Roles", json::array()))
      ctx.invoke("iam", "PutRolePolicy", {{"RoleName", role}, {"PolicyName", text(props, "PolicyName")},
                                          {"PolicyDocument", document(props.value("PolicyDocument", json::object()))}});
    return Provided{current.physical_id, {}};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    for (const auto& role : current.properties.value("Roles", json::array()))
      ignore_missing([&] {
        ctx.invoke("iam", "DeleteRolePolicy", {{"RoleName", role}, {"PolicyName", current.properties.value("PolicyName", "")}});
      });
  };
  return p;
}

Provider managed_policy_provider() {
  Provider p;
  p.create_only = {"ManagedPolicyName", "Path", "Description"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = {{"PolicyName", props.value("ManagedPolicyName", ctx.generated_name(128))},
               {"PolicyDocument", document(props.value("PolicyDocument", json::object()))}};
    for (const char* k : {"Path", "Description"})
      if (props.contains(k)) in[k] = props[k];
    json policy = ctx.invoke("iam", "CreatePolicy", in).at("Policy");
    std::string arn = policy.value("Arn", "");
    for (const auto& role : props.value("Roles", json::array()))
      ctx.invoke("iam", "AttachRolePolicy", {{"RoleName", role}, {"PolicyArn", arn}});
    return Provided{arn, {{"PolicyArn", arn}, {"PolicyId", policy.value("PolicyId", "")}}};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    for (const auto& role : current.properties.value("Roles", json::array()))
      ignore_missing([&] { ctx.invoke("iam", "DetachRolePolicy", {{"RoleName", role}, {"PolicyArn", current.physical_id}}); });
    ignore_missing([&] { ctx.invoke("iam", "DeletePolicy", {{"PolicyArn", current.physical_id}}); });
  };
  return p;
}

Provider instance_profile_provider() {
  Provider p;
  p.create_only = {"InstanceProfileName", "Path"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = {{"InstanceProfileName", props.value("InstanceProfileName", ctx.generated_name(128))}};
    if (props.contains("Path")) in["Path"] = props["Path"];
    json profile = ctx.invoke("iam", "CreateInstanceProfile", in).at("InstanceProfile");
    std::string name = in["InstanceProfileName"];
    for (const auto& role : props.value("Roles", json::array()))
      ctx.invoke("iam", "AddRoleToInstanceProfile", {{"InstanceProfileName", name}, {"RoleName", role}});
    return Provided{name, {{"Arn", profile.value("Arn", "")}}};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    for (const auto& role : current.properties.value("Roles", json::array()))
      ignore_missing([&] {
        ctx.invoke("iam", "RemoveRoleFromInstanceProfile", {{"InstanceProfileName", current.physical_id}, {"RoleName", role}});
      });
    ignore_missing([&] { ctx.invoke("iam", "DeleteInstanceProfile", {{"InstanceProfileName", current.physical_id}}); });
  };
  return p;
}

}  // namespace

void add_iam_providers(ProviderTable& t) {
  t["AWS::IAM::Role"] = role_provider();
  t["AWS::IAM::Policy"] = inline_policy_provider();
  t["AWS::IAM::ManagedPolicy"] = managed_policy_provider();
  t["AWS::IAM::InstanceProfile"] = instance_profile_provider();
}

}  // namespace mediaemu::cloudformation
