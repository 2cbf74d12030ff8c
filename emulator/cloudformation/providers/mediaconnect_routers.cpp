// AWS::MediaConnect::RouterNetworkInterface, ::RouterInput and ::RouterOutput, through the same
// MediaConnect handlers the API serves (emulator/mediaconnect/router_*.cpp). Facts from the
// types' registry schemas (primaryIdentifier, readOnlyProperties, createOnlyProperties, tagging)
// and the resource reference:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-mediaconnect-routerinput.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-mediaconnect-routeroutput.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-mediaconnect-routernetworkinterface.html
// - Ref: the resource's Arn (the primary identifier of all three).
// - Fn::GetAtt: the read-only properties. RouterInput: Arn, CreatedAt, Id, InputType, IpAddress,
//   MaintenanceType, RoutedOutputs, State, UpdatedAt. RouterOutput: Arn, CreatedAt, Id, IpAddress,
//   MaintenanceType, OutputType, RoutedState, State, UpdatedAt. RouterNetworkInterface: Arn,
//   AssociatedInputCount, AssociatedOutputCount, CreatedAt, Id, NetworkInterfaceType, State,
//   UpdatedAt.
// - Properties are the API's members in the same casing; Tags is a [{Key, Value}] list, changed
//   in place through TagResource/UntagResource (tagUpdatable).
// - Replacement (createOnlyProperties): AvailabilityZone, RegionName and the network interface
//   inside a Standard/Failover/Merge (input) or Standard (output) Configuration; the network
//   interface's RegionName. Everything else changes in place through Update*.
// A stack creates I/Os as the API does, in STANDBY: no property starts them. Deleting one that
// something started stops it first (Delete* needs STANDBY).
#include "api/errors.hpp"
#include "emulator/cloudformation/providers/provider.hpp"

namespace mediaemu::cloudformation {
namespace {

struct RouterResource {
  const char* stem;         // "RouterInput": the operations are Create<stem>, Get<stem>, ...
  std::vector<std::string> create_only;
  const char* get_member;   // the Get answer's member: "RouterInput"
  std::vector<const char*> attributes;
  std::vector<const char*> updatable;  // the Update request's members besides Arn
  bool has_lifecycle;                  // Start/Stop (inputs and outputs)
};

const RouterResource kNetworkInterface{"RouterNetworkInterface", {"RegionName"}, "RouterNetworkInterface",
                                       {"Arn", "AssociatedInputCount", "AssociatedOutputCount", "CreatedAt", "Id",
                                        "NetworkInterfaceType", "State", "UpdatedAt"},
                                       {"Name", "Configuration"},
                                       false};
const RouterResource kInput{"RouterInput",
                            {"AvailabilityZone", "RegionName", "Configuration/Standard/NetworkInterfaceArn",
                             "Configuration/Failover/NetworkInterfaceArn", "Configuration/Merge/NetworkInterfaceArn"},
                            "RouterInput",
                            {"Arn", "CreatedAt", "Id", "InputType", "IpAddress", "MaintenanceType", "RoutedOutputs", "State", "UpdatedAt"},
                            {"Name", "Configuration", "MaximumBitrate", "RoutingScope", "Tier", "TransitEncryption", "MaintenanceConfiguration"},
                            true};
const RouterResource kOutput{"RouterOutput",
                             {"AvailabilityZone", "RegionName", "Configuration/Standard/NetworkInterfaceArn"},
                             "RouterOutput",
                             {"Arn", "CreatedAt", "Id", "IpAddress", "MaintenanceType", "OutputType", "RoutedState", "State", "UpdatedAt"},
                             {"Name", "Configuration", "MaximumBitrate", "RoutingScope", "Tier", "MaintenanceConfiguration"},
                             true};

constexpr TagOperations kTagOps{"mediaconnect", "UntagResource", "TagResource"};

json get_router(ProviderContext& ctx, const RouterResource& type, const std::string& arn) {
  return ctx.invoke("mediaconnect", std::string("Get") + type.stem, {{"Arn", arn}}).at(type.get_member);
}

std::string state_of(ProviderContext& ctx, const RouterResource& type, const std::string& arn) {
  return get_router(ctx, type, arn).value("State", "");
}

Provided router_result(const RouterResource& type, const json& resource) {
  Provided p{resource.value("Arn", ""), json::object()};
  for (const char* a : type.attributes)
    if (resource.contains(a)) p.attributes[a] = resource[a];
  return p;
}

// Waits out CREATING and UPDATING, then reads the attributes.
Provided settled(ProviderContext& ctx, const RouterResource& type, const std::string& arn, const char* what) {
  ctx.wait_until(std::string(type.stem) + " " + arn + " " + what, [&] {
    const std::string s = state_of(ctx, type, arn);
    return s != "CREATING" && s != "UPDATING";
  });
  return router_result(type, get_router(ctx, type, arn));
}

Provider router_provider(const RouterResource& type) {
  Provider p;
  p.create_only = type.create_only;
  p.create = [&type](ProviderContext& ctx, const json& props) {
    json out = ctx.invoke("mediaconnect", std::string("Create") + type.stem, with_tag_map(props));
    const std::string arn = out.at(type.get_member).value("Arn", "");
    ctx.created(arn);
    return settled(ctx, type, arn, "created");
  };
  p.update = [&type](ProviderContext& ctx, const StackResource& current, const json& props) {
    const std::string& arn = current.physical_id;
    json in = {{"Arn", arn}};
    bool changed = false;
    for (const char* m : type.updatable) {
      if (!props.contains(m)) continue;
      in[m] = props[m];
      changed = changed || current.properties.value(m, json()) != props[m];
    }
    if (changed) ctx.invoke("mediaconnect", std::string("Update") + type.stem, in);
    sync_tags(ctx, kTagOps, arn, current.properties.value("Tags", json::array()), props.value("Tags", json::array()));
    return settled(ctx, type, arn, "updated");
  };
  p.remove = [&type](ProviderContext& ctx, const StackResource& current) {
    const std::string& arn = current.physical_id;
    ignore_missing([&] {
      ctx.wait_until(std::string(type.stem) + " " + arn + " settled", [&] {
        const std::string s = state_of(ctx, type, arn);
        return s != "CREATING" && s != "UPDATING" && s != "STARTING" && s != "STOPPING";
      });
      if (type.has_lifecycle && state_of(ctx, type, arn) == "ACTIVE") {
        ctx.invoke("mediaconnect", std::string("Stop") + type.stem, {{"Arn", arn}});
        ctx.wait_until(std::string(type.stem) + " " + arn + " STANDBY", [&] { return state_of(ctx, type, arn) != "STOPPING"; });
      }
      ctx.invoke("mediaconnect", std::string("Delete") + type.stem, {{"Arn", arn}});
      // Get*'s 404 once it is gone ends the wait (ignore_missing takes it).
      ctx.wait_until(std::string(type.stem) + " " + arn + " deleted", [&] { return state_of(ctx, type, arn) != "DELETING"; });
    });
  };
  return p;
}

}  // namespace

void add_mediaconnect_router_providers(ProviderTable& t) {
  t["AWS::MediaConnect::RouterNetworkInterface"] = router_provider(kNetworkInterface);
  t["AWS::MediaConnect::RouterInput"] = router_provider(kInput);
  t["AWS::MediaConnect::RouterOutput"] = router_provider(kOutput);
}

}  // namespace mediaemu::cloudformation
