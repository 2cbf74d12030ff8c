#include "emulator/cloudformation/stack_requests.hpp"

#include <algorithm>

#include "api/errors.hpp"
#include "emulator/cloudformation/for_each.hpp"
#include "emulator/cloudformation/stack_graph.hpp"
#include "emulator/cloudformation/stack_records.hpp"
#include "emulator/cloudformation/template_parser.hpp"

namespace mediaemu::cloudformation {

PreparedTemplate prepare_template(Domain& domain, const api::AwsApi& api, const api::CallContext& ctx, const json& in,
                                  const std::string& stack_name, const Record* stack) {
  PreparedTemplate out;
  if (in.value("UsePreviousTemplate", false)) {
    if (!stack) throw api::ApiError(api::ErrorKind::Validation, "ValidationError", "UsePreviousTemplate needs an existing stack");
    out.body = stack->internal.value("Body", "");
  } else {
    out.body = template_body(api, ctx, in);
  }
  out.tpl = parse_template(out.body);
  const json previous = stack ? stack->doc.value("Parameters", json::array()) : json::array();
  auto resolve = [&] {
    return resolve_parameters(out.tpl, in.value("Parameters", json::array()), stack ? &previous : nullptr, domain,
                              ctx.region);
  };
  // Loops need the parameters first (a collection may be a list parameter); the expanded
  // template is what is checked and deployed, as the transform's output is on AWS.
  if (uses_for_each(out.tpl)) {
    out.parameters = resolve();
    out.tpl = expand_for_each(out.tpl, out.parameters.values);
  }
  check_template(out.tpl);
  creation_order(out.tpl);  // refuses a dependency cycle
  out.parameters = resolve();
  json doc = {{"StackName", stack_name},
              {"StackId", stack ? stack->doc.value("StackId", "") : cloudformation_arn(ctx, "stack", stack_name, "")}};
  const json no_resources = json::object();  // the scope keeps a pointer to it
  Scope scope = stack_scope(domain, doc, out.tpl, out.parameters.values, no_resources);
  check_rules(out.tpl, scope);
  json given = in.value("Capabilities", json::array());
  std::string missing;
  for (const auto& c : required_capabilities(out.tpl))
    if (std::find(given.begin(), given.end(), c) == given.end()) missing += (missing.empty() ? "" : ", ") + c;
  if (!missing.empty())
    throw api::ApiError(api::ErrorKind::Validation, "InsufficientCapabilitiesException",
                        "Requires capabilities : [" + missing + "]");
  return out;
}

std::set<std::string> imported_names(const json& tpl) {
  std::set<std::string> names;
  std::function<void(const json&)> walk = [&](const json& n) {
    if (n.is_object() && n.size() == 1 && n.contains("Fn::ImportValue") && n["Fn::ImportValue"].is_string())
      names.insert(n["Fn::ImportValue"].get<std::string>());
    if (n.is_structured())
      for (const auto& [k, v] : n.items()) walk(v);
  };
  walk(tpl);
  return names;
}

std::string cloudformation_arn(const api::CallContext& ctx, const std::string& kind, const std::string& name,
                               const std::string& uuid) {
  return "arn:aws:cloudformation:" + ctx.region + ":" + ctx.account + ":" + kind + "/" + name + "/" + uuid;
}

}  // namespace mediaemu::cloudformation
