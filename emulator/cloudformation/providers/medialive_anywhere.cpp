// AWS::MediaLive::Network, ::Cluster, ::ChannelPlacementGroup and ::SdiSource (MediaLive
// Anywhere), through the MediaLive operations the CLI reaches. Ref returns the Id; Fn::GetAtt
// gives Arn, Id, State and what follows other resources (AssociatedClusterIds, ChannelIds,
// Channels, Inputs). Tags are a [{Key, Value}] list; the update operations take none and the
// reference marks Tags "Update requires: Replacement". There is no AWS::MediaLive::Node type.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-medialive-network.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-medialive-cluster.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-medialive-channelplacementgroup.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-medialive-sdisource.html
#include "api/errors.hpp"
#include "emulator/cloudformation/providers/provider.hpp"

namespace mediaemu::cloudformation {
namespace medialive_anywhere {

// What differs between the four types.
struct AnywhereType {
  std::string stem;                       // "Cluster": CreateCluster, DescribeCluster, ...
  std::string id_member;                  // "ClusterId"
  std::string wrapper;                    // "SdiSource" when answers wrap the resource, else ""
  std::vector<const char*> attributes;    // Fn::GetAtt beyond Arn, Id, State
  bool in_cluster = false;                // the placement group: every call also takes ClusterId
};

json unwrap(const AnywhereType& type, const json& answer) {
  return type.wrapper.empty() ? answer : answer.value(type.wrapper, json::object());
}

json anywhere_key(const AnywhereType& type, const std::string& id, const json& props) {
  json key = {{type.id_member, id}};
  if (type.in_cluster) key["ClusterId"] = text(props, "ClusterId");
  return key;
}

json describe(ProviderContext& ctx, const AnywhereType& type, const std::string& id, const json& props) {
  return unwrap(type, ctx.invoke("medialive", "Describe" + type.stem, anywhere_key(type, id, props)));
}

Provided anywhere_result(const AnywhereType& type, const json& r) {
  Provided p{r.value("Id", ""), {{"Arn", r.value("Arn", "")}, {"Id", r.value("Id", "")}, {"State", r.value("State", "")}}};
  for (const char* m : type.attributes) p.attributes[m] = r.value(m, json::array());
  return p;
}

bool anywhere_settling(const std::string& state) { return state == "CREATING" || state == "DELETING"; }

Provider anywhere_provider(const AnywhereType& type) {
  Provider p;
  p.create_only = {"Tags"};
  if (type.stem == "Cluster") p.create_only = {"Tags", "ClusterType", "InstanceRoleArn"};
  if (type.in_cluster) p.create_only = {"Tags", "ClusterId"};
  p.create = [type](ProviderContext& ctx, const json& props) {
    json in = with_tag_map(props);
    if (!in.contains("Name")) in["Name"] = ctx.generated_name();
    const std::string id = unwrap(type, ctx.invoke("medialive", "Create" + type.stem, in)).value("Id", "");
    ctx.created(id);
    ctx.wait_until(type.stem + " " + id + " created",
                   [&] { return !anywhere_settling(describe(ctx, type, id, props).value("State", "")); });
    json r = describe(ctx, type, id, props);
    if (r.value("State", "") == "CREATE_FAILED")
      throw api::ApiError(api::ErrorKind::Internal, type.stem + " " + id + " is CREATE_FAILED");
    return anywhere_result(type, r);
  };
  p.update = [type](ProviderContext& ctx, const StackResource& current, const json& props) {
    json in = without(props, {"Tags", "ClusterType", "InstanceRoleArn"});
    in.update(anywhere_key(type, current.physical_id, props));
    if (!in.contains("Name")) in["Name"] = current.properties.value("Name", ctx.generated_name());
    ctx.invoke("medialive", "Update" + type.stem, in);
    return anywhere_result(type, describe(ctx, type, current.physical_id, props));
  };
  p.remove = [type](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] {
      const std::string& id = current.physical_id;
      ctx.wait_until(type.stem + " " + id + " settled",
                     [&] { return !anywhere_settling(describe(ctx, type, id, current.properties).value("State", "")); });
      if (describe(ctx, type, id, current.properties).value("State", "") == "DELETED") return;
      ctx.invoke("medialive", "Delete" + type.stem, anywhere_key(type, id, current.properties));
      ctx.wait_until(type.stem + " " + id + " DELETED", [&] {
        return describe(ctx, type, id, current.properties).value("State", "") == "DELETED";
      });
    });
  };
  return p;
}

}  // namespace medialive_anywhere

void add_medialive_anywhere_providers(ProviderTable& t) {
  using medialive_anywhere::AnywhereType;
  using medialive_anywhere::anywhere_provider;
  t["AWS::MediaLive::Network"] = anywhere_provider(AnywhereType{"Network", "NetworkId", "", {"AssociatedClusterIds"}});
  t["AWS::MediaLive::Cluster"] = anywhere_provider(AnywhereType{"Cluster", "ClusterId", "", {"ChannelIds"}});
  t["AWS::MediaLive::ChannelPlacementGroup"] =
      anywhere_provider(AnywhereType{"ChannelPlacementGroup", "ChannelPlacementGroupId", "", {"Channels"}, true});
  t["AWS::MediaLive::SdiSource"] = anywhere_provider(AnywhereType{"SdiSource", "SdiSourceId", "SdiSource", {"Inputs"}});
}

}  // namespace mediaemu::cloudformation
