// AWS::MediaConnect::Flow, ::FlowSource, ::FlowOutput and ::FlowEntitlement. Ref of a flow is its
// ARN; GetAtt Source.SourceArn / Source.IngestIp / Source.SourceIngestPort read the flow's
// primary source (SourceIngestPort as text, per the resource reference). Read-only properties a
// template may echo back (SourceArn, IngestIp, SourceIngestPort) are not sent to the API.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-mediaconnect-flow.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-mediaconnect-flowsource.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-mediaconnect-flowoutput.html
// AWS::MediaConnect::FlowVpcInterface: Ref is "<flow ARN>|<interface name>", GetAtt
// NetworkInterfaceIds the interface's network interfaces (a list).
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-mediaconnect-flowvpcinterface.html
// The gateway types (Gateway, Bridge, BridgeSource, BridgeOutput) are in mediaconnect_gateways.cpp.
#include "api/errors.hpp"
#include "emulator/cloudformation/intrinsics.hpp"
#include "emulator/cloudformation/providers/provider.hpp"

namespace mediaemu::cloudformation {
namespace {

json source_request(const json& source) { return without(source, {"SourceArn", "IngestIp", "SourceIngestPort", "FlowArn"}); }

json source_attributes(const json& s) {
  return {{"SourceArn", s.value("SourceArn", "")},
          {"IngestIp", s.value("IngestIp", "")},
          {"SourceIngestPort", s.contains("IngestPort") ? as_text(s["IngestPort"]) : ""}};
}

Provided flow_result(const json& flow) {
  json attributes = {{"FlowArn", flow.value("FlowArn", "")},
                     {"FlowAvailabilityZone", flow.value("AvailabilityZone", "")},
                     {"EgressIp", flow.value("EgressIp", "")}};
  const json source = source_attributes(flow.value("Source", json::object()));
  for (const auto& [k, v] : source.items()) attributes["Source." + k] = v;
  return {flow.value("FlowArn", ""), attributes};
}

std::string flow_status(ProviderContext& ctx, const std::string& arn) {
  return ctx.invoke("mediaconnect", "DescribeFlow", {{"FlowArn", arn}}).at("Flow").value("Status", "");
}

Provider flow_provider() {
  Provider p;
  p.create_only = {"Name", "AvailabilityZone", "Source"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = without(props, {"FlowArn"});
    if (in.contains("Source")) in["Source"] = source_request(in["Source"]);
    if (!in.contains("Name")) in["Name"] = ctx.generated_name();
    json flow = ctx.invoke("mediaconnect", "CreateFlow", in).at("Flow");
    std::string arn = flow.value("FlowArn", "");
    ctx.created(arn);
    ctx.wait_until("flow " + arn + " STANDBY", [&] { return flow_status(ctx, arn) != "UPDATING"; });
    return flow_result(ctx.invoke("mediaconnect", "DescribeFlow", {{"FlowArn", arn}}).at("Flow"));
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    json in = {{"FlowArn", current.physical_id}};
    for (const char* k : {"SourceFailoverConfig", "Maintenance", "SourceMonitoringConfig"})
      if (props.contains(k)) in[k] = props[k];
    ctx.invoke("mediaconnect", "UpdateFlow", in);
    return flow_result(ctx.invoke("mediaconnect", "DescribeFlow", {{"FlowArn", current.physical_id}}).at("Flow"));
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    const std::string& arn = current.physical_id;
    ignore_missing([&] {
      // DeleteFlow needs a flow in STANDBY: a stack being deleted stops its flow first.
      std::string status = flow_status(ctx, arn);
      if (status == "ACTIVE" || status == "STARTING") {
        ctx.wait_until("flow " + arn + " ACTIVE", [&] { return flow_status(ctx, arn) != "STARTING"; });
        ctx.invoke("mediaconnect", "StopFlow", {{"FlowArn", arn}});
      }
      ctx.wait_until("flow " + arn + " STANDBY", [&] {
        std::string s = flow_status(ctx, arn);
        return s == "STANDBY" || s == "ERROR";
      });
      ctx.invoke("mediaconnect", "DeleteFlow", {{"FlowArn", arn}});
      ctx.wait_until("flow " + arn + " deleted", [&] { return flow_status(ctx, arn) != "DELETING"; });
    });
  };
  return p;
}

Provider flow_source_provider() {
  Provider p;
  p.create_only = {"FlowArn", "Name"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = {{"FlowArn", text(props, "FlowArn")}, {"Sources", json::array({source_request(props)})}};
    json s = ctx.invoke("mediaconnect", "AddFlowSources", in).at("Sources").at(0);
    return Provided{s.value("SourceArn", ""), source_attributes(s)};
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    json in = without(source_request(props), {"Name"});
    in["FlowArn"] = text(props, "FlowArn");
    in["SourceArn"] = current.physical_id;
    json s = ctx.invoke("mediaconnect", "UpdateFlowSource", in).at("Source");
    return Provided{current.physical_id, source_attributes(s)};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] {
      ctx.invoke("mediaconnect", "RemoveFlowSource",
                 {{"FlowArn", current.properties.value("FlowArn", "")}, {"SourceArn", current.physical_id}});
    });
  };
  return p;
}

Provider flow_output_provider() {
  Provider p;
  p.create_only = {"FlowArn", "Name"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = {{"FlowArn", text(props, "FlowArn")}, {"Outputs", json::array({without(props, {"FlowArn", "OutputArn"})})}};
    json o = ctx.invoke("mediaconnect", "AddFlowOutputs", in).at("Outputs").at(0);
    return Provided{o.value("OutputArn", ""), {{"OutputArn", o.value("OutputArn", "")}}};
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    json in = without(props, {"Name", "OutputArn"});
    in["OutputArn"] = current.physical_id;
    ctx.invoke("mediaconnect", "UpdateFlowOutput", in);
    return Provided{current.physical_id, {{"OutputArn", current.physical_id}}};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] {
      ctx.invoke("mediaconnect", "RemoveFlowOutput",
                 {{"FlowArn", current.properties.value("FlowArn", "")}, {"OutputArn", current.physical_id}});
    });
  };
  return p;
}

Provider flow_entitlement_provider() {
  Provider p;
  p.create_only = {"FlowArn", "Name"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = {{"FlowArn", text(props, "FlowArn")},
               {"Entitlements", json::array({without(props, {"FlowArn", "EntitlementArn"})})}};
    json e = ctx.invoke("mediaconnect", "GrantFlowEntitlements", in).at("Entitlements").at(0);
    return Provided{e.value("EntitlementArn", ""), {{"EntitlementArn", e.value("EntitlementArn", "")}}};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] {
      ctx.invoke("mediaconnect", "RevokeFlowEntitlement",
                 {{"FlowArn", current.properties.value("FlowArn", "")}, {"EntitlementArn", current.physical_id}});
    });
  };
  return p;
}

json vpc_interface_request(const json& props) { return without(props, {"FlowArn", "NetworkInterfaceIds"}); }

Provided vpc_interface_result(const std::string& flow_arn, const json& vpc) {
  return {flow_arn + "|" + vpc.value("Name", ""), {{"NetworkInterfaceIds", vpc.value("NetworkInterfaceIds", json::array())}}};
}

json add_stack_vpc_interface(ProviderContext& ctx, const std::string& flow_arn, const json& props) {
  json in = {{"FlowArn", flow_arn}, {"VpcInterfaces", json::array({vpc_interface_request(props)})}};
  return ctx.invoke("mediaconnect", "AddFlowVpcInterfaces", in).at("VpcInterfaces").at(0);
}

void remove_stack_vpc_interface(ProviderContext& ctx, const json& props) {
  ctx.invoke("mediaconnect", "RemoveFlowVpcInterface", {{"FlowArn", text(props, "FlowArn")}, {"VpcInterfaceName", text(props, "Name")}});
}

Provider flow_vpc_interface_provider() {
  Provider p;
  p.create_only = {"FlowArn", "Name"};
  p.create = [](ProviderContext& ctx, const json& props) {
    const std::string flow_arn = text(props, "FlowArn");
    return vpc_interface_result(flow_arn, add_stack_vpc_interface(ctx, flow_arn, props));
  };
  // RoleArn, SecurityGroupIds and SubnetId change without replacement, but MediaConnect has no
  // operation that edits a VPC interface: the interface is removed and added again under its
  // name (replacing it would add the new one first, and two interfaces cannot share a name).
  // When the new settings are refused, the old interface is put back.
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    const std::string flow_arn = text(props, "FlowArn");
    remove_stack_vpc_interface(ctx, current.properties);
    try {
      return vpc_interface_result(flow_arn, add_stack_vpc_interface(ctx, flow_arn, props));
    } catch (const api::ApiError&) {
      add_stack_vpc_interface(ctx, flow_arn, current.properties);
      throw;
    }
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] { remove_stack_vpc_interface(ctx, current.properties); });
  };
  return p;
}

}  // namespace

void add_mediaconnect_providers(ProviderTable& t) {
  t["AWS::MediaConnect::FlowVpcInterface"] = flow_vpc_interface_provider();
  add_mediaconnect_gateway_providers(t);
  add_mediaconnect_router_providers(t);
  t["AWS::MediaConnect::Flow"] = flow_provider();
  t["AWS::MediaConnect::FlowSource"] = flow_source_provider();
  t["AWS::MediaConnect::FlowOutput"] = flow_output_provider();
  t["AWS::MediaConnect::FlowEntitlement"] = flow_entitlement_provider();
}

}  // namespace mediaemu::cloudformation
