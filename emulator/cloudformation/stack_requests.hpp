// What CreateStack, UpdateStack and CreateChangeSet share: a template and parameters checked
// completely before anything is stored — format, structure, dependency cycles, parameter types
// and constraints, conditions, rules, capabilities — so that a bad request is a ValidationError
// and never a half-made stack.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "api/aws_api.hpp"
#include "emulator/cloudformation/parameters.hpp"
#include "emulator/domain.hpp"

namespace mediaemu::cloudformation {

using json = nlohmann::json;

struct PreparedTemplate {
  std::string body;
  json tpl;
  ResolvedParameters parameters;
};

// `in` is the request (TemplateBody / TemplateURL / UsePreviousTemplate, Parameters,
// Capabilities); `stack` the existing stack's record for updates, else null.
PreparedTemplate prepare_template(Domain& domain, const api::AwsApi& api, const api::CallContext& ctx, const json& in,
                                  const std::string& stack_name, const Record* stack);

// The names a template imports with a literal Fn::ImportValue (what ListImports reports and
// what keeps an export from being deleted).
std::set<std::string> imported_names(const json& tpl);

// "arn:aws:cloudformation:<region>:<account>:<kind>/<name>/<uuid>"
std::string cloudformation_arn(const api::CallContext& ctx, const std::string& kind, const std::string& name,
                               const std::string& uuid);

}  // namespace mediaemu::cloudformation
