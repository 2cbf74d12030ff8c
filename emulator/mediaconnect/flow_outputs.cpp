// A flow's outputs: AddFlowOutputs, RemoveFlowOutput, UpdateFlowOutput (up to 50 per flow). An
// ACTIVE flow's relay sends to the new set at once; OutputStatus DISABLED sends nothing.
#include "emulator/mediaconnect/mediaconnect.hpp"

namespace mediaemu::mediaconnect {
namespace {

json add_outputs(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&](json& flow, json& tags) {
    json added = json::array();
    for (const auto& request : in.value("Outputs", json::array())) {
      json output = make_output(ctx, domain.config(), request);
      if (request.contains("OutputTags")) tags[str(output, "OutputArn")] = request["OutputTags"];
      flow["Outputs"].push_back(output);
      added.push_back(std::move(output));
    }
    return json{{"FlowArn", flow["FlowArn"]}, {"Outputs", added}};
  });
}

json remove_output(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  const std::string output_arn = str(in, "OutputArn");
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&](json& flow, json& tags) {
    take_part(flow["Outputs"], "OutputArn", output_arn, "Output");
    tags.erase(output_arn);
    return json{{"FlowArn", flow["FlowArn"]}, {"OutputArn", output_arn}};
  });
}

json update_output_op(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  return edit_flow(domain, flows, ctx, str(in, "FlowArn"), [&](json& flow, json&) {
    json& output = require_part(flow["Outputs"], "OutputArn", str(in, "OutputArn"), "Output");
    update_output(output, in);
    return json{{"FlowArn", flow["FlowArn"]}, {"Output", output}};
  });
}

}  // namespace

void add_output_operations(api::OperationTable& t, Domain& d, flow::FlowControl& f) {
  t["AddFlowOutputs"] = [&d, &f](const CallContext& c, const json& in) { return add_outputs(d, f, c, in); };
  t["RemoveFlowOutput"] = [&d, &f](const CallContext& c, const json& in) { return remove_output(d, f, c, in); };
  t["UpdateFlowOutput"] = [&d, &f](const CallContext& c, const json& in) { return update_output_op(d, f, c, in); };
}

}  // namespace mediaemu::mediaconnect
