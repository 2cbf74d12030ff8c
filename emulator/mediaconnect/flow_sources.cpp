// A flow's sources: AddFlowSources, RemoveFlowSource, UpdateFlowSource. At most two sources, and
// two only with failover ENABLED (validate_flow); an ACTIVE flow's relay picks the change up at
// once. Removing the primary source also clears SourcePriority, as it no longer names a source.
#include <spdlog/spdlog.h>

#include "emulator/mediaconnect/mediaconnect.hpp"

namespace mediaemu::mediaconnect {
namespace {

json add_sources(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&](json& flow, json& tags) {
    json added = json::array();
    for (const auto& request : in.value("Sources", json::array())) {
      json source = make_source(ctx, domain.config(), request);
      if (request.contains("SourceTags")) tags[str(source, "SourceArn")] = request["SourceTags"];
      flow["Sources"].push_back(source);
      added.push_back(std::move(source));
    }
    return json{{"FlowArn", flow["FlowArn"]}, {"Sources", added}};
  });
}

json remove_source(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  const std::string source_arn = str(in, "SourceArn");
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&](json& flow, json& tags) {
    json removed = take_part(flow["Sources"], "SourceArn", source_arn, "Source");
    json& priority = flow["SourceFailoverConfig"]["SourcePriority"];
    if (priority.is_object() && str(priority, "PrimarySource") == str(removed, "Name")) priority = json::object();
    tags.erase(source_arn);
    return json{{"FlowArn", flow["FlowArn"]}, {"SourceArn", source_arn}};
  });
}

json update_source_op(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&](json& flow, json&) {
    json& source = require_part(flow["Sources"], "SourceArn", str(in, "SourceArn"), "Source");
    update_source(source, in);
    return json{{"FlowArn", flow["FlowArn"]}, {"Source", source}};
  });
}

}  // namespace

void add_source_operations(api::OperationTable& t, Domain& d, flow::FlowControl& f) {
  t["AddFlowSources"] = [&d, &f](const CallContext& c, const json& in) { return add_sources(d, f, c, in); };
  t["RemoveFlowSource"] = [&d, &f](const CallContext& c, const json& in) { return remove_source(d, f, c, in); };
  t["UpdateFlowSource"] = [&d, &f](const CallContext& c, const json& in) { return update_source_op(d, f, c, in); };
}

}  // namespace mediaemu::mediaconnect
