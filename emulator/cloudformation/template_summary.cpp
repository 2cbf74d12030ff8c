// ValidateTemplate and GetTemplateSummary: what a template declares, checked like CreateStack
// checks it (format, structure, references, cycles), with nothing created.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ValidateTemplate.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_GetTemplateSummary.html
#include <set>

#include "api/errors.hpp"
#include "emulator/cloudformation/cloudformation.hpp"
#include "emulator/cloudformation/parameters.hpp"
#include "emulator/cloudformation/for_each.hpp"
#include "emulator/cloudformation/stack_graph.hpp"
#include "emulator/cloudformation/stack_records.hpp"
#include "emulator/cloudformation/template_parser.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::cloudformation {
namespace {

json checked_template(const std::string& body) {
  // Loops expand with the parameters' defaults: no values are given here.
  json tpl = expand_for_each(parse_template(body), {});
  check_template(tpl);
  creation_order(tpl);
  return tpl;
}

void add_capabilities(json& out, const json& tpl) {
  auto needed = required_capabilities(tpl);
  out["Capabilities"] = needed;
  if (!needed.empty()) {
    std::string names;
    for (const auto& [logical, r] : tpl["Resources"].items())
      if (r.value("Type", "").rfind("AWS::IAM::", 0) == 0) names += (names.empty() ? "" : ", ") + logical;
    out["CapabilitiesReason"] = "The following resource(s) require capabilities: [" + names + "]";
  }
}

json transforms(const json& tpl) {
  if (!tpl.contains("Transform")) return json::array();
  return tpl["Transform"].is_array() ? tpl["Transform"] : json::array({tpl["Transform"]});
}

json validate(const api::AwsApi& api, const CallContext& c, const json& in) {
  json tpl = checked_template(template_body(api, c, in));
  json out = {{"Parameters", declared_parameters(tpl, false)}, {"DeclaredTransforms", transforms(tpl)}};
  if (tpl.contains("Description")) out["Description"] = tpl["Description"];
  add_capabilities(out, tpl);
  return out;
}

json summary(Domain& d, const api::AwsApi& api, const CallContext& c, const json& in) {
  std::string body;
  if (in.contains("StackName")) {
    auto lock = d.read();
    body = require_stack(d, c.region, str(in, "StackName")).internal.value("Body", "");
  } else {
    body = template_body(api, c, in);
  }
  json tpl = checked_template(body);
  std::set<std::string> types;
  json identifiers = json::array();
  for (const auto& [logical, r] : tpl["Resources"].items()) types.insert(r.value("Type", ""));
  json out = {{"Parameters", declared_parameters(tpl, true)},
              {"ResourceTypes", json(types)},
              {"Version", tpl.value("AWSTemplateFormatVersion", "2010-09-09")},
              {"DeclaredTransforms", transforms(tpl)},
              {"ResourceIdentifierSummaries", identifiers}};
  if (tpl.contains("Description")) out["Description"] = tpl["Description"];
  if (tpl.contains("Metadata")) out["Metadata"] = tpl["Metadata"].dump();
  add_capabilities(out, tpl);
  return out;
}

}  // namespace

void add_template_summary_operations(api::OperationTable& t, Domain& d, const api::AwsApi& api) {
  t["ValidateTemplate"] = [&api](const CallContext& c, const json& in) { return validate(api, c, in); };
  t["GetTemplateSummary"] = [&d, &api](const CallContext& c, const json& in) { return summary(d, api, c, in); };
}

}  // namespace mediaemu::cloudformation
