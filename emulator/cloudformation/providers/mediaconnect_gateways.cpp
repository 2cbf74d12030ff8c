// AWS::MediaConnect::Gateway, ::Bridge, ::BridgeSource and ::BridgeOutput, through the same
// MediaConnect handlers the API serves. Return values as the resource reference gives them:
// - Gateway: Ref the gateway ARN; GetAtt GatewayArn, GatewayState.
//   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-mediaconnect-gateway.html
// - Bridge: Ref the bridge ARN; GetAtt BridgeArn, BridgeState.
//   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-mediaconnect-bridge.html
// - BridgeSource, BridgeOutput: Ref "the bridge ARN and the name" (the resource's two primary
//   identifiers, joined with "|" as CloudFormation joins them); no GetAtt.
//   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-mediaconnect-bridgesource.html
//   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-mediaconnect-bridgeoutput.html
#include <set>

#include "api/errors.hpp"
#include "emulator/cloudformation/intrinsics.hpp"
#include "emulator/cloudformation/providers/provider.hpp"

namespace mediaemu::cloudformation {
namespace {

json describe_gateway_of(ProviderContext& ctx, const std::string& arn) {
  return ctx.invoke("mediaconnect", "DescribeGateway", {{"GatewayArn", arn}}).at("Gateway");
}

json describe_bridge_of(ProviderContext& ctx, const std::string& arn) {
  return ctx.invoke("mediaconnect", "DescribeBridge", {{"BridgeArn", arn}}).at("Bridge");
}

Provided gateway_result(const json& g) {
  const std::string arn = g.value("GatewayArn", "");
  return {arn, {{"GatewayArn", arn}, {"GatewayState", g.value("GatewayState", "")}}};
}

Provided bridge_result(const json& b) {
  const std::string arn = b.value("BridgeArn", "");
  return {arn, {{"BridgeArn", arn}, {"BridgeState", b.value("BridgeState", "")}}};
}

// Every Gateway property is create-only ("Update requires: Replacement").
Provider gateway_provider() {
  Provider p;
  p.create_only = {"Name", "EgressCidrBlocks", "Networks"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = without(props, {"GatewayArn", "GatewayState"});
    if (!in.contains("Name")) in["Name"] = ctx.generated_name();
    const std::string arn = ctx.invoke("mediaconnect", "CreateGateway", in).at("Gateway").value("GatewayArn", "");
    ctx.created(arn);
    ctx.wait_until("gateway " + arn + " ACTIVE", [&] { return describe_gateway_of(ctx, arn).value("GatewayState", "") != "CREATING"; });
    return gateway_result(describe_gateway_of(ctx, arn));
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    const std::string& arn = current.physical_id;
    ignore_missing([&] {
      ctx.invoke("mediaconnect", "DeleteGateway", {{"GatewayArn", arn}});
      // DescribeGateway's 404 once it is gone ends the wait (ignore_missing takes it).
      ctx.wait_until("gateway " + arn + " deleted", [&] { return describe_gateway_of(ctx, arn).value("GatewayState", "") != "DELETING"; });
    });
  };
  return p;
}

std::string bridge_part_name_of(const json& part) {
  for (const auto& [kind, body] : part.items()) return body.value("Name", "");
  return "";
}

std::map<std::string, json> bridge_parts_by_name(const json& parts) {
  std::map<std::string, json> out;
  for (const auto& part : parts) out[bridge_part_name_of(part)] = part;
  return out;
}

// A Bridge's Sources or Outputs changed in the template: parts gone are removed, new ones added,
// changed ones updated (the Update*Request takes the part without its Name).
void sync_bridge_parts(ProviderContext& ctx, const std::string& arn, const json& before, const json& after, bool sources) {
  const auto old_parts = bridge_parts_by_name(before), new_parts = bridge_parts_by_name(after);
  const char* list = sources ? "Sources" : "Outputs";
  json added = json::array();
  for (const auto& [name, part] : new_parts) {
    auto old = old_parts.find(name);
    if (old == old_parts.end()) {
      added.push_back(part);
    } else if (old->second != part) {
      json in = {{"BridgeArn", arn}, {sources ? "SourceName" : "OutputName", name}};
      for (const auto& [kind, body] : part.items()) in[kind] = without(body, {"Name"});
      ctx.invoke("mediaconnect", sources ? "UpdateBridgeSource" : "UpdateBridgeOutput", in);
    }
  }
  // Add first, then remove: a bridge always keeps a source.
  if (!added.empty()) ctx.invoke("mediaconnect", sources ? "AddBridgeSources" : "AddBridgeOutputs", {{"BridgeArn", arn}, {list, added}});
  for (const auto& [name, part] : old_parts) {
    if (new_parts.count(name)) continue;
    ctx.invoke("mediaconnect", sources ? "RemoveBridgeSource" : "RemoveBridgeOutput",
               {{"BridgeArn", arn}, {sources ? "SourceName" : "OutputName", name}});
  }
}

// Name and PlacementArn cannot change through the API ("This name can not be modified after the
// bridge is created"): a change replaces the bridge.
Provider bridge_provider() {
  Provider p;
  p.create_only = {"Name", "PlacementArn"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = without(props, {"BridgeArn", "BridgeState"});
    const std::string arn = ctx.invoke("mediaconnect", "CreateBridge", in).at("Bridge").value("BridgeArn", "");
    ctx.created(arn);
    ctx.wait_until("bridge " + arn + " STANDBY", [&] { return describe_bridge_of(ctx, arn).value("BridgeState", "") != "CREATING"; });
    return bridge_result(describe_bridge_of(ctx, arn));
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    const std::string& arn = current.physical_id;
    json in = {{"BridgeArn", arn}};
    for (const char* k : {"IngressGatewayBridge", "EgressGatewayBridge", "SourceFailoverConfig"})
      if (props.contains(k)) in[k] = props[k];
    ctx.invoke("mediaconnect", "UpdateBridge", in);
    sync_bridge_parts(ctx, arn, current.properties.value("Sources", json::array()), props.value("Sources", json::array()), true);
    sync_bridge_parts(ctx, arn, current.properties.value("Outputs", json::array()), props.value("Outputs", json::array()), false);
    return bridge_result(describe_bridge_of(ctx, arn));
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    const std::string& arn = current.physical_id;
    auto state = [&] { return describe_bridge_of(ctx, arn).value("BridgeState", ""); };
    ignore_missing([&] {
      // DeleteBridge needs a stopped bridge: a stack being deleted stops its bridge first.
      ctx.wait_until("bridge " + arn + " settled", [&] {
        std::string s = state();
        return s != "CREATING" && s != "STARTING" && s != "STOPPING";
      });
      if (state() == "ACTIVE") {
        ctx.invoke("mediaconnect", "UpdateBridgeState", {{"BridgeArn", arn}, {"DesiredState", "STANDBY"}});
        ctx.wait_until("bridge " + arn + " STANDBY", [&] { return state() != "STOPPING"; });
      }
      ctx.invoke("mediaconnect", "DeleteBridge", {{"BridgeArn", arn}});
      ctx.wait_until("bridge " + arn + " deleted", [&] { return state() != "DELETING"; });
    });
  };
  return p;
}

// BridgeSource and BridgeOutput name the part at the top level; the API wants the Name inside
// the part ({"FlowSource": {"Name": ..., "FlowArn": ...}}).
json named_bridge_part(const json& props, std::initializer_list<const char*> kinds) {
  json part = json::object();
  for (const char* kind : kinds) {
    if (!props.contains(kind)) continue;
    part[kind] = props[kind];
    part[kind]["Name"] = props.value("Name", json(""));
  }
  return part;
}

Provided bridge_part_result(const json& props) {
  return {text(props, "BridgeArn") + "|" + text(props, "Name"), json::object()};
}

Provider bridge_source_provider() {
  Provider p;
  p.create_only = {"BridgeArn", "Name"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = {{"BridgeArn", text(props, "BridgeArn")}, {"Sources", json::array({named_bridge_part(props, {"FlowSource", "NetworkSource"})})}};
    ctx.invoke("mediaconnect", "AddBridgeSources", in);
    return bridge_part_result(props);
  };
  p.update = [](ProviderContext& ctx, const StackResource&, const json& props) {
    json in = {{"BridgeArn", text(props, "BridgeArn")}, {"SourceName", text(props, "Name")}};
    for (const char* kind : {"FlowSource", "NetworkSource"})
      if (props.contains(kind)) in[kind] = props[kind];
    ctx.invoke("mediaconnect", "UpdateBridgeSource", in);
    return bridge_part_result(props);
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] {
      ctx.invoke("mediaconnect", "RemoveBridgeSource",
                 {{"BridgeArn", text(current.properties, "BridgeArn")}, {"SourceName", text(current.properties, "Name")}});
    });
  };
  return p;
}

Provider bridge_output_provider() {
  Provider p;
  p.create_only = {"BridgeArn", "Name"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = {{"BridgeArn", text(props, "BridgeArn")}, {"Outputs", json::array({named_bridge_part(props, {"NetworkOutput"})})}};
    ctx.invoke("mediaconnect", "AddBridgeOutputs", in);
    return bridge_part_result(props);
  };
  p.update = [](ProviderContext& ctx, const StackResource&, const json& props) {
    json in = {{"BridgeArn", text(props, "BridgeArn")}, {"OutputName", text(props, "Name")}};
    if (props.contains("NetworkOutput")) in["NetworkOutput"] = props["NetworkOutput"];
    ctx.invoke("mediaconnect", "UpdateBridgeOutput", in);
    return bridge_part_result(props);
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] {
      ctx.invoke("mediaconnect", "RemoveBridgeOutput",
                 {{"BridgeArn", text(current.properties, "BridgeArn")}, {"OutputName", text(current.properties, "Name")}});
    });
  };
  return p;
}

}  // namespace

void add_mediaconnect_gateway_providers(ProviderTable& t) {
  t["AWS::MediaConnect::Gateway"] = gateway_provider();
  t["AWS::MediaConnect::Bridge"] = bridge_provider();
  t["AWS::MediaConnect::BridgeSource"] = bridge_source_provider();
  t["AWS::MediaConnect::BridgeOutput"] = bridge_output_provider();
}

}  // namespace mediaemu::cloudformation
