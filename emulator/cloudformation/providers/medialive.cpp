// AWS::MediaLive::Input, ::InputSecurityGroup and ::Channel. CloudFormation's property names are
// the API's member names for these types. Tags were a JSON object like the API's map; the
// current reference shows a [{Key, Value}] list for inputs: both forms are taken.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-medialive-channel.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-medialive-input.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-medialive-inputsecuritygroup.html
#include "api/errors.hpp"
#include "emulator/cloudformation/providers/provider.hpp"
#include "emulator/medialive/medialive.hpp"

namespace mediaemu::cloudformation {
namespace {

// Tags go through CreateTags / DeleteTags: the update operations do not take them.
const TagOperations kMediaLiveTags = {"medialive", "DeleteTags", "CreateTags"};

// Ref is the Id; GetAtt Destinations and Sources are the URLs ("rtmp://...", "rtp://...").
Provided input_result(const json& input) {
  json destinations = json::array(), sources = json::array();
  for (const auto& d : input.value("Destinations", json::array())) destinations.push_back(d.value("Url", ""));
  for (const auto& s : input.value("Sources", json::array())) sources.push_back(s.value("Url", ""));
  return {input.value("Id", ""), {{"Arn", input.value("Arn", "")}, {"Id", input.value("Id", "")},
                                   {"Destinations", destinations}, {"Sources", sources}}};
}

Provider input_provider() {
  Provider p;
  p.create_only = {"Type", "Vpc", "InputNetworkLocation"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = with_tag_map(props);
    if (!in.contains("Name")) in["Name"] = ctx.generated_name();
    json out = ctx.invoke("medialive", "CreateInput", in).at("Input");
    std::string id = out.value("Id", "");
    ctx.created(id);
    ctx.wait_until("input " + id + " DETACHED", [&] {
      return ctx.invoke("medialive", "DescribeInput", {{"InputId", id}}).value("State", "") != "CREATING";
    });
    return input_result(ctx.invoke("medialive", "DescribeInput", {{"InputId", id}}));
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    json in = without(props, {"Type", "Tags", "Vpc", "InputNetworkLocation"});
    in["InputId"] = current.physical_id;
    if (!in.contains("Name")) in["Name"] = current.properties.value("Name", ctx.generated_name());
    json out = ctx.invoke("medialive", "UpdateInput", in).at("Input");
    sync_tags(ctx, kMediaLiveTags, out.value("Arn", ""), current.properties.value("Tags", json::object()), props.value("Tags", json::object()));
    return input_result(ctx.invoke("medialive", "DescribeInput", {{"InputId", current.physical_id}}));
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] {
      ctx.invoke("medialive", "DeleteInput", {{"InputId", current.physical_id}});
      ctx.wait_until("input " + current.physical_id + " DELETED", [&] {
        return ctx.invoke("medialive", "DescribeInput", {{"InputId", current.physical_id}}).value("State", "") == "DELETED";
      });
    });
  };
  return p;
}

Provider security_group_provider() {
  Provider p;
  p.create_only = {"Vpc"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json g = ctx.invoke("medialive", "CreateInputSecurityGroup", with_tag_map(without(props, {"Vpc"}))).at("SecurityGroup");
    return Provided{g.value("Id", ""), {{"Arn", g.value("Arn", "")}, {"Id", g.value("Id", "")}}};
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    json in = with_tag_map(without(props, {"Vpc"}));
    in["InputSecurityGroupId"] = current.physical_id;
    json g = ctx.invoke("medialive", "UpdateInputSecurityGroup", in).at("SecurityGroup");
    return Provided{current.physical_id, {{"Arn", g.value("Arn", "")}, {"Id", current.physical_id}}};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] { ctx.invoke("medialive", "DeleteInputSecurityGroup", {{"InputSecurityGroupId", current.physical_id}}); });
  };
  return p;
}

std::string channel_state(ProviderContext& ctx, const std::string& id) {
  return ctx.invoke("medialive", "DescribeChannel", {{"ChannelId", id}}).value("State", "");
}

Provided channel_result(const json& channel) {
  json inputs = json::array();
  for (const auto& a : channel.value("InputAttachments", json::array())) inputs.push_back(a.value("InputId", ""));
  return {channel.value("Id", ""), {{"Arn", channel.value("Arn", "")}, {"Id", channel.value("Id", "")}, {"Inputs", inputs}}};
}

Provider channel_provider() {
  Provider p;
  p.create_only = {"Vpc", "AnywhereSettings"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = with_tag_map(props);
    if (!in.contains("Name")) in["Name"] = ctx.generated_name();
    json channel = ctx.invoke("medialive", "CreateChannel", in).at("Channel");
    std::string id = channel.value("Id", "");
    ctx.created(id);
    ctx.wait_until("channel " + id + " IDLE", [&] { return channel_state(ctx, id) != "CREATING"; });
    if (channel_state(ctx, id) != "IDLE")
      throw api::ApiError(api::ErrorKind::Internal, "channel " + id + " ended in state " + channel_state(ctx, id));
    return channel_result(ctx.invoke("medialive", "DescribeChannel", {{"ChannelId", id}}));
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    const std::string& id = current.physical_id;
    std::string klass = props.value("ChannelClass", "STANDARD");
    if (klass != current.properties.value("ChannelClass", "STANDARD"))
      ctx.invoke("medialive", "UpdateChannelClass", {{"ChannelId", id}, {"ChannelClass", klass}});
    json in = without(props, {"Tags", "ChannelClass", "Vpc", "AnywhereSettings", "DryRun"});
    in["ChannelId"] = id;
    if (!in.contains("Name")) in["Name"] = current.properties.value("Name", ctx.generated_name());
    json channel = ctx.invoke("medialive", "UpdateChannel", in).at("Channel");
    ctx.wait_until("channel " + id + " update", [&] { return channel_state(ctx, id) != "UPDATING"; });
    sync_tags(ctx, kMediaLiveTags, channel.value("Arn", ""), current.properties.value("Tags", json::object()),
              props.value("Tags", json::object()));
    return channel_result(ctx.invoke("medialive", "DescribeChannel", {{"ChannelId", id}}));
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    const std::string& id = current.physical_id;
    ignore_missing([&] {
      // DeleteChannel refuses a running channel; a stack that is being deleted stops it first
      // (mediaemu's choice, so that `delete-stack` after `start-channel` cleans up).
      std::string state = channel_state(ctx, id);
      if (state == "RUNNING" || state == "STARTING" || state == "RECOVERING") {
        if (state != "STARTING") ctx.invoke("medialive", "StopChannel", {{"ChannelId", id}});
        ctx.wait_until("channel " + id + " IDLE", [&] {
          std::string s = channel_state(ctx, id);
          if (s == "RUNNING") ctx.invoke("medialive", "StopChannel", {{"ChannelId", id}});
          return s == "IDLE";
        });
      } else if (state == "DELETED") {
        return;
      }
      ctx.invoke("medialive", "DeleteChannel", {{"ChannelId", id}});
      ctx.wait_until("channel " + id + " DELETED", [&] { return channel_state(ctx, id) == "DELETED"; });
    });
  };
  return p;
}

std::string multiplex_state(ProviderContext& ctx, const std::string& id) {
  return ctx.invoke("medialive", "DescribeMultiplex", {{"MultiplexId", id}}).value("State", "");
}

Provided multiplex_result(const json& m) {
  return {m.value("Id", ""),
          {{"Arn", m.value("Arn", "")}, {"Id", m.value("Id", "")}, {"State", m.value("State", "")},
           {"PipelinesRunningCount", m.value("PipelinesRunningCount", 0)}, {"ProgramCount", m.value("ProgramCount", 0)}}};
}

// The template's Destinations ([{MultiplexMediaConnectOutputDestinationSettings: {EntitlementArn}}],
// "Update requires: No interruption") as the entitlement ARNs, one per pipeline.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-medialive-multiplex-multiplexoutputdestination.html
std::vector<std::string> multiplex_entitlements(const json& props) {
  std::vector<std::string> arns;
  for (const auto& d : props.value("Destinations", json::array()))
    arns.push_back(d.value("MultiplexMediaConnectOutputDestinationSettings", json::object()).value("EntitlementArn", ""));
  return arns;
}

// AWS::MediaLive::Multiplex. Its Destinations (MediaConnect entitlements a running multiplex
// delivers to) have no member in CreateMultiplex: they are set on the multiplex MediaLive made
// (medialive::set_multiplex_destinations), and DescribeMultiplex shows them as
// Destinations[].MediaConnectSettings.EntitlementArn.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-medialive-multiplex.html
Provider multiplex_provider() {
  Provider p;
  p.create_only = {"AvailabilityZones"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = with_tag_map(without(props, {"Destinations"}));
    if (!in.contains("Name")) in["Name"] = ctx.generated_name();
    std::string id = ctx.invoke("medialive", "CreateMultiplex", in).at("Multiplex").value("Id", "");
    ctx.created(id);
    ctx.wait_until("multiplex " + id + " IDLE", [&] { return multiplex_state(ctx, id) != "CREATING"; });
    if (props.contains("Destinations"))
      medialive::set_multiplex_destinations(ctx.domain(), ctx.call(), id, multiplex_entitlements(props));
    return multiplex_result(ctx.invoke("medialive", "DescribeMultiplex", {{"MultiplexId", id}}));
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    json in = {{"MultiplexId", current.physical_id}, {"Name", props.contains("Name") ? text(props, "Name") : ctx.generated_name()}};
    if (props.contains("MultiplexSettings")) in["MultiplexSettings"] = props["MultiplexSettings"];
    ctx.invoke("medialive", "UpdateMultiplex", in);
    if (props.value("Destinations", json()) != current.properties.value("Destinations", json()))
      medialive::set_multiplex_destinations(ctx.domain(), ctx.call(), current.physical_id, multiplex_entitlements(props));
    json m = ctx.invoke("medialive", "DescribeMultiplex", {{"MultiplexId", current.physical_id}});
    sync_tags(ctx, kMediaLiveTags, m.value("Arn", ""), current.properties.value("Tags", json::object()), props.value("Tags", json::object()));
    return multiplex_result(m);
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    const std::string& id = current.physical_id;
    ignore_missing([&] {
      std::string state = multiplex_state(ctx, id);
      if (state == "RUNNING") ctx.invoke("medialive", "StopMultiplex", {{"MultiplexId", id}});
      if (state == "DELETED") return;
      ctx.wait_until("multiplex " + id + " IDLE", [&] { return multiplex_state(ctx, id) == "IDLE"; });
      ctx.invoke("medialive", "DeleteMultiplex", {{"MultiplexId", id}});
      ctx.wait_until("multiplex " + id + " DELETED", [&] { return multiplex_state(ctx, id) == "DELETED"; });
    });
  };
  return p;
}

// AWS::MediaLive::Multiplexprogram (the type's own spelling): a program of a multiplex, known
// by "<multiplex id>/<program name>"; GetAtt ChannelId is the channel MediaLive makes for it.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-medialive-multiplexprogram.html
Provider multiplex_program_provider() {
  Provider p;
  p.create_only = {"MultiplexId", "ProgramName"};
  auto result = [](const std::string& multiplex, const json& program) {
    return Provided{multiplex + "/" + program.value("ProgramName", ""), {{"ChannelId", program.value("ChannelId", "")}}};
  };
  p.create = [result](ProviderContext& ctx, const json& props) {
    json in = {{"MultiplexId", text(props, "MultiplexId")}, {"ProgramName", text(props, "ProgramName")},
               {"MultiplexProgramSettings", props.value("MultiplexProgramSettings", json::object())}};
    return result(text(props, "MultiplexId"), ctx.invoke("medialive", "CreateMultiplexProgram", in).at("MultiplexProgram"));
  };
  p.update = [result](ProviderContext& ctx, const StackResource&, const json& props) {
    json in = {{"MultiplexId", text(props, "MultiplexId")}, {"ProgramName", text(props, "ProgramName")},
               {"MultiplexProgramSettings", props.value("MultiplexProgramSettings", json::object())}};
    return result(text(props, "MultiplexId"), ctx.invoke("medialive", "UpdateMultiplexProgram", in).at("MultiplexProgram"));
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] {
      ctx.invoke("medialive", "DeleteMultiplexProgram", {{"MultiplexId", text(current.properties, "MultiplexId")},
                                                         {"ProgramName", text(current.properties, "ProgramName")}});
    });
  };
  return p;
}

}  // namespace

void add_medialive_providers(ProviderTable& t) {
  t["AWS::MediaLive::Input"] = input_provider();
  t["AWS::MediaLive::InputSecurityGroup"] = security_group_provider();
  t["AWS::MediaLive::Channel"] = channel_provider();
  t["AWS::MediaLive::Multiplex"] = multiplex_provider();
  t["AWS::MediaLive::Multiplexprogram"] = multiplex_program_provider();
  add_medialive_workflow_providers(t);
  add_medialive_anywhere_providers(t);
}

}  // namespace mediaemu::cloudformation
