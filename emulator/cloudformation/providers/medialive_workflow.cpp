// AWS::MediaLive::CloudWatchAlarmTemplateGroup, ::CloudWatchAlarmTemplate,
// ::EventBridgeRuleTemplateGroup, ::EventBridgeRuleTemplate and ::SignalMap: the workflow
// monitor's resources, through the MediaLive operations the CLI reaches.
//
// Their primary identifier is Identifier (the resource's id, which every operation also takes by
// name): Ref returns it, and Fn::GetAtt gives Arn, CreatedAt, Id, Identifier, ModifiedAt (and
// GroupId for templates; the signal map's discovery and deployment members for SignalMap).
// Name and Tags of groups and templates are "Update requires: Replacement"; tags are a plain map.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-medialive-cloudwatchalarmtemplategroup.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-medialive-cloudwatchalarmtemplate.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-medialive-eventbridgeruletemplategroup.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-medialive-eventbridgeruletemplate.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-medialive-signalmap.html
#include "api/errors.hpp"
#include "emulator/cloudformation/providers/provider.hpp"

namespace mediaemu::cloudformation {
namespace medialive_workflow {

// The Fn::GetAtt attributes: the members of the Get answer the reference lists.
Provided workflow_result(const json& resource, std::initializer_list<const char*> members) {
  const std::string id = resource.value("Id", "");
  Provided p{id, {{"Id", id}, {"Identifier", id}}};
  for (const char* m : members)
    if (resource.contains(m)) p.attributes[m] = resource[m];
  return p;
}

// A template group or template: `type` is the operation stem ("CloudWatchAlarmTemplateGroup").
Provider template_provider(const std::string& type, bool is_template) {
  Provider p;
  p.create_only = {"Name", "Tags"};
  auto result = [is_template](const json& r) {
    return is_template ? workflow_result(r, {"Arn", "CreatedAt", "GroupId", "ModifiedAt"})
                       : workflow_result(r, {"Arn", "CreatedAt", "ModifiedAt"});
  };
  p.create = [type, result](ProviderContext& ctx, const json& props) {
    json in = with_tag_map(props);
    if (!in.contains("Name")) in["Name"] = ctx.generated_name(255);
    json out = ctx.invoke("medialive", "Create" + type, in);
    ctx.created(out.value("Id", ""));
    return result(out);
  };
  p.update = [type, result](ProviderContext& ctx, const StackResource& current, const json& props) {
    json in = without(props, {"Name", "Tags"});
    in["Identifier"] = current.physical_id;
    return result(ctx.invoke("medialive", "Update" + type, in));
  };
  p.remove = [type](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] { ctx.invoke("medialive", "Delete" + type, {{"Identifier", current.physical_id}}); });
  };
  return p;
}

std::string signal_map_status(ProviderContext& ctx, const std::string& id) {
  return ctx.invoke("medialive", "GetSignalMap", {{"Identifier", id}}).value("Status", "");
}

bool settling(const std::string& status) { return status.find("_IN_PROGRESS") != std::string::npos; }

// Waits for discovery to finish; a failed one fails the resource with the signal map's message.
Provided settled_signal_map(ProviderContext& ctx, const std::string& id) {
  ctx.wait_until("signal map " + id + " discovery", [&] { return !settling(signal_map_status(ctx, id)); });
  json map = ctx.invoke("medialive", "GetSignalMap", {{"Identifier", id}});
  const std::string status = map.value("Status", "");
  if (status == "CREATE_FAILED" || status == "UPDATE_FAILED")
    throw api::ApiError(api::ErrorKind::Internal, "signal map " + id + " is " + status + ": " + map.value("ErrorMessage", ""));
  return workflow_result(map, {"Arn", "CloudWatchAlarmTemplateGroupIds", "CreatedAt", "ErrorMessage",
                               "EventBridgeRuleTemplateGroupIds", "FailedMediaResourceMap", "LastDiscoveredAt",
                               "LastSuccessfulMonitorDeployment", "MediaResourceMap", "ModifiedAt",
                               "MonitorChangesPendingDeployment", "MonitorDeployment", "Status"});
}

Provider signal_map_provider() {
  Provider p;
  p.create_only = {"Tags"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = with_tag_map(without(props, {"ForceRediscovery"}));
    if (!in.contains("Name")) in["Name"] = ctx.generated_name(255);
    const std::string id = ctx.invoke("medialive", "CreateSignalMap", in).value("Id", "");
    ctx.created(id);
    return settled_signal_map(ctx, id);
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    json in = without(props, {"Tags"});
    in["Identifier"] = current.physical_id;
    ctx.invoke("medialive", "StartUpdateSignalMap", in);
    return settled_signal_map(ctx, current.physical_id);
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] {
      ctx.wait_until("signal map " + current.physical_id + " settled",
                     [&] { return !settling(signal_map_status(ctx, current.physical_id)); });
      ctx.invoke("medialive", "DeleteSignalMap", {{"Identifier", current.physical_id}});
    });
  };
  return p;
}

}  // namespace medialive_workflow

void add_medialive_workflow_providers(ProviderTable& t) {
  using medialive_workflow::template_provider;
  t["AWS::MediaLive::CloudWatchAlarmTemplateGroup"] = template_provider("CloudWatchAlarmTemplateGroup", false);
  t["AWS::MediaLive::CloudWatchAlarmTemplate"] = template_provider("CloudWatchAlarmTemplate", true);
  t["AWS::MediaLive::EventBridgeRuleTemplateGroup"] = template_provider("EventBridgeRuleTemplateGroup", false);
  t["AWS::MediaLive::EventBridgeRuleTemplate"] = template_provider("EventBridgeRuleTemplate", true);
  t["AWS::MediaLive::SignalMap"] = medialive_workflow::signal_map_provider();
}

}  // namespace mediaemu::cloudformation
