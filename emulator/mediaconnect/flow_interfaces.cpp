// A flow's VPC interfaces (AddFlowVpcInterfaces, RemoveFlowVpcInterface) and media streams
// (AddFlowMediaStreams, RemoveFlowMediaStream, UpdateFlowMediaStream), the plumbing of CDI and
// JPEG XS flows. They are kept and validated (names unique, references resolve); no traffic runs
// over them here. One still used by a source or output cannot be removed.
#include "emulator/mediaconnect/mediaconnect.hpp"

namespace mediaemu::mediaconnect {
namespace {

bool uses_vpc_interface(const json& flow, const std::string& name) {
  for (const auto& s : flow["Sources"])
    if (str(s, "VpcInterfaceName") == name) return true;
  for (const auto& o : flow["Outputs"])
    if (o.contains("VpcInterfaceAttachment") && str(o["VpcInterfaceAttachment"], "VpcInterfaceName") == name) return true;
  return false;
}

bool uses_media_stream(const json& flow, const std::string& name) {
  for (const char* list : {"Sources", "Outputs"}) {
    for (const auto& part : flow[list]) {
      for (const char* configs : {"MediaStreamSourceConfigurations", "MediaStreamOutputConfigurations"}) {
        for (const auto& c : part.value(configs, json::array()))
          if (str(c, "MediaStreamName") == name) return true;
      }
    }
  }
  return false;
}

json add_vpc_interfaces(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&](json& flow, json&) {
    json added = json::array();
    for (const auto& request : in.value("VpcInterfaces", json::array())) {
      flow["VpcInterfaces"].push_back(make_vpc_interface(request));
      added.push_back(flow["VpcInterfaces"].back());
    }
    return json{{"FlowArn", flow["FlowArn"]}, {"VpcInterfaces", added}};
  });
}

json remove_vpc_interface(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  const std::string name = str(in, "VpcInterfaceName");
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&](json& flow, json&) {
    if (!flow.contains("VpcInterfaces")) flow["VpcInterfaces"] = json::array();
    take_part(flow["VpcInterfaces"], "Name", name, "VPC interface");
    if (uses_vpc_interface(flow, name))
      throw api::bad_request("VPC interface " + name + " is used by a source or output of the flow; remove or change those first");
    return json{{"FlowArn", flow["FlowArn"]}, {"VpcInterfaceName", name}, {"NonDeletedNetworkInterfaceIds", json::array()}};
  });
}

json add_media_streams(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&](json& flow, json&) {
    json added = json::array();
    for (const auto& request : in.value("MediaStreams", json::array())) {
      flow["MediaStreams"].push_back(make_media_stream(request));
      added.push_back(flow["MediaStreams"].back());
    }
    return json{{"FlowArn", flow["FlowArn"]}, {"MediaStreams", added}};
  });
}

json remove_media_stream(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  const std::string name = str(in, "MediaStreamName");
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&](json& flow, json&) {
    if (!flow.contains("MediaStreams")) flow["MediaStreams"] = json::array();
    take_part(flow["MediaStreams"], "MediaStreamName", name, "Media stream");
    if (uses_media_stream(flow, name))
      throw api::bad_request("Media stream " + name + " is used by a source or output of the flow; remove or change those first");
    return json{{"FlowArn", flow["FlowArn"]}, {"MediaStreamName", name}};
  });
}

json update_media_stream(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&](json& flow, json&) {
    if (!flow.contains("MediaStreams")) flow["MediaStreams"] = json::array();
    json& stream = require_part(flow["MediaStreams"], "MediaStreamName", str(in, "MediaStreamName"), "Media stream");
    for (const char* m : {"Attributes", "ClockRate", "Description", "MediaStreamType", "VideoFormat"}) copy_member(stream, in, m);
    if (stream.contains("Attributes") && !stream["Attributes"].contains("Fmtp")) stream["Attributes"]["Fmtp"] = json::object();
    return json{{"FlowArn", flow["FlowArn"]}, {"MediaStream", stream}};
  });
}

}  // namespace

void add_interface_operations(api::OperationTable& t, Domain& d, flow::FlowControl& f) {
  t["AddFlowVpcInterfaces"] = [&d, &f](const CallContext& c, const json& in) { return add_vpc_interfaces(d, f, c, in); };
  t["RemoveFlowVpcInterface"] = [&d, &f](const CallContext& c, const json& in) { return remove_vpc_interface(d, f, c, in); };
  t["AddFlowMediaStreams"] = [&d, &f](const CallContext& c, const json& in) { return add_media_streams(d, f, c, in); };
  t["RemoveFlowMediaStream"] = [&d, &f](const CallContext& c, const json& in) { return remove_media_stream(d, f, c, in); };
  t["UpdateFlowMediaStream"] = [&d, &f](const CallContext& c, const json& in) { return update_media_stream(d, f, c, in); };
}

}  // namespace mediaemu::mediaconnect
