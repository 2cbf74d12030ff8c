// AWS::MediaPackage::Channel, ::OriginEndpoint, ::PackagingGroup and ::PackagingConfiguration.
// Property names are the API's; Tags are CloudFormation's [{Key, Value}] list where the API takes
// a map, and the channel's GetAtt HlsIngest names its list `ingestEndpoints` in lower case.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-mediapackage-channel.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-mediapackage-originendpoint.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-mediapackage-packaginggroup.html
#include "api/errors.hpp"
#include "emulator/cloudformation/providers/provider.hpp"

namespace mediaemu::cloudformation {
namespace {

// Tags change through TagResource / UntagResource: the update operations do not take them.
const TagOperations kMediaPackageTags = {"mediapackage", "UntagResource", "TagResource"};

Provided packaging_channel_result(const json& c) {
  json ingest = {{"ingestEndpoints", c.value("HlsIngest", json::object()).value("IngestEndpoints", json::array())}};
  return {c.value("Id", ""), {{"Arn", c.value("Arn", "")}, {"HlsIngest", ingest}}};
}

void configure_logs(ProviderContext& ctx, const std::string& id, const json& props) {
  json logs = {{"Id", id}};
  for (const char* k : {"EgressAccessLogs", "IngressAccessLogs"})
    if (props.contains(k)) logs[k] = props[k];
  if (logs.size() > 1) ctx.invoke("mediapackage", "ConfigureLogs", logs);
}

Provider packaging_channel_provider() {
  Provider p;
  p.create_only = {"Id"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = with_tag_map(without(props, {"EgressAccessLogs", "IngressAccessLogs", "HlsIngest"}));
    if (!in.contains("Id")) in["Id"] = ctx.generated_name(256);
    json c = ctx.invoke("mediapackage", "CreateChannel", in);
    configure_logs(ctx, c.value("Id", ""), props);
    return packaging_channel_result(ctx.invoke("mediapackage", "DescribeChannel", {{"Id", c.value("Id", "")}}));
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    json c = ctx.invoke("mediapackage", "UpdateChannel",
                        {{"Id", current.physical_id}, {"Description", text(props, "Description")}});
    configure_logs(ctx, current.physical_id, props);
    sync_tags(ctx, kMediaPackageTags, c.value("Arn", ""), current.properties.value("Tags", json::array()), props.value("Tags", json::array()));
    return packaging_channel_result(ctx.invoke("mediapackage", "DescribeChannel", {{"Id", current.physical_id}}));
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] { ctx.invoke("mediapackage", "DeleteChannel", {{"Id", current.physical_id}}); });
  };
  return p;
}

Provider endpoint_provider() {
  Provider p;
  p.create_only = {"Id", "ChannelId"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = with_tag_map(props);
    if (!in.contains("Id")) in["Id"] = ctx.generated_name(256);
    json e = ctx.invoke("mediapackage", "CreateOriginEndpoint", in);
    return Provided{e.value("Id", ""), {{"Arn", e.value("Arn", "")}, {"Url", e.value("Url", "")}}};
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    json in = without(props, {"Tags", "ChannelId"});
    in["Id"] = current.physical_id;
    json e = ctx.invoke("mediapackage", "UpdateOriginEndpoint", in);
    sync_tags(ctx, kMediaPackageTags, e.value("Arn", ""), current.properties.value("Tags", json::array()), props.value("Tags", json::array()));
    return Provided{current.physical_id, {{"Arn", e.value("Arn", "")}, {"Url", e.value("Url", "")}}};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] { ctx.invoke("mediapackage", "DeleteOriginEndpoint", {{"Id", current.physical_id}}); });
  };
  return p;
}

Provider packaging_group_provider() {
  Provider p;
  p.create_only = {"Id"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json g = ctx.invoke("mediapackage-vod", "CreatePackagingGroup", with_tag_map(props));
    return Provided{g.value("Id", ""), {{"Arn", g.value("Arn", "")}, {"DomainName", g.value("DomainName", "")}}};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] { ctx.invoke("mediapackage-vod", "DeletePackagingGroup", {{"Id", current.physical_id}}); });
  };
  return p;
}

Provider packaging_configuration_provider() {
  Provider p;
  p.create_only = {"Id", "PackagingGroupId"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json c = ctx.invoke("mediapackage-vod", "CreatePackagingConfiguration", with_tag_map(props));
    return Provided{c.value("Id", ""), {{"Arn", c.value("Arn", "")}}};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] { ctx.invoke("mediapackage-vod", "DeletePackagingConfiguration", {{"Id", current.physical_id}}); });
  };
  return p;
}

}  // namespace

void add_mediapackage_providers(ProviderTable& t) {
  t["AWS::MediaPackage::Channel"] = packaging_channel_provider();
  t["AWS::MediaPackage::OriginEndpoint"] = endpoint_provider();
  t["AWS::MediaPackage::PackagingGroup"] = packaging_group_provider();
  t["AWS::MediaPackage::PackagingConfiguration"] = packaging_configuration_provider();
}

}  // namespace mediaemu::cloudformation
