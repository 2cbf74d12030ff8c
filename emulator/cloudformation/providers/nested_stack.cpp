// AWS::CloudFormation::Stack: a nested stack, made through the CloudFormation API itself
// (CreateStack / UpdateStack / DeleteStack with its TemplateURL and Parameters) and run at once
// on the parent's thread (StackEngine::run_now), so the parent waits for its child as
// CloudFormation does. Ref is the child's stack id; GetAtt Outputs.<name> its outputs.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudformation-stack.html
#include "api/errors.hpp"
#include "emulator/cloudformation/cloudformation.hpp"
#include "emulator/cloudformation/intrinsics.hpp"
#include "emulator/cloudformation/providers/provider.hpp"
#include "emulator/cloudformation/stack_engine.hpp"
#include "emulator/cloudformation/stack_records.hpp"

namespace mediaemu::cloudformation {
namespace {

// A nested stack gets every capability: its parent's request already acknowledged them.
const json kCapabilities = json::array({"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"});

json request(const json& props) {
  json in = {{"TemplateURL", text(props, "TemplateURL")}, {"Capabilities", kCapabilities}};
  json parameters = json::array();
  for (const auto& [k, v] : section(props, "Parameters").items())
    parameters.push_back({{"ParameterKey", k}, {"ParameterValue", as_text(v)}});
  in["Parameters"] = parameters;
  for (const char* k : {"NotificationARNs", "TimeoutInMinutes", "Tags"})
    if (props.contains(k)) in[k] = props[k];
  return in;
}

// Runs the child's operation now and checks where it ended.
Provided settle(ProviderContext& ctx, const std::string& stack_id, const std::string& expected, const char* what) {
  Key key;
  {
    auto lock = ctx.domain().read();
    const Record* r = find_by_id(ctx.domain(), kStack, stack_id);
    if (!r) throw api::ApiError(api::ErrorKind::Internal, "nested stack " + stack_id + " vanished");
    key = r->key;
  }
  StackEngine::run_now(ctx.domain(), ctx.api(), key);
  auto lock = ctx.domain().read();
  const Record* r = find_by_id(ctx.domain(), kStack, stack_id);
  std::string status = r ? r->doc.value("StackStatus", "") : "";
  if (status != expected)
    throw api::ApiError(api::ErrorKind::Validation, "ValidationError",
                        std::string("Embedded stack ") + stack_id + " was not successfully " + what + ": " + status +
                            (r && r->doc.contains("StackStatusReason") ? " " + r->doc["StackStatusReason"].get<std::string>() : ""));
  Provided p{stack_id, json::object()};
  for (const auto& o : r->doc.value("Outputs", json::array()))
    p.attributes["Outputs." + o.value("OutputKey", "")] = o.value("OutputValue", "");
  return p;
}

Provider nested_stack_provider() {
  Provider p;
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = request(props);
    in["StackName"] = ctx.generated_name(128);
    std::string id = ctx.invoke("cloudformation", "CreateStack", in).value("StackId", "");
    ctx.created(id);
    return settle(ctx, id, "CREATE_COMPLETE", "created");
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    json in = request(props);
    in["StackName"] = current.physical_id;
    try {
      ctx.invoke("cloudformation", "UpdateStack", in);
    } catch (const api::ApiError& e) {
      // The parent's properties changed, the child's template and parameters did not.
      if (std::string(e.what()) != "No updates are to be performed.") throw;
      return Provided{current.physical_id, current.attributes};
    }
    return settle(ctx, current.physical_id, "UPDATE_COMPLETE", "updated");
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ctx.invoke("cloudformation", "DeleteStack", {{"StackName", current.physical_id}});
    settle(ctx, current.physical_id, "DELETE_COMPLETE", "deleted");
  };
  return p;
}

}  // namespace

void add_nested_stack_provider(ProviderTable& t) { t["AWS::CloudFormation::Stack"] = nested_stack_provider(); }

}  // namespace mediaemu::cloudformation
