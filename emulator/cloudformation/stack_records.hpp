// Looking stacks up and writing what the API and the engine share about them: ids, events,
// the template a request names, the scope a stack's expressions see.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/aws_api.hpp"
#include "emulator/cloudformation/intrinsics.hpp"
#include "emulator/domain.hpp"

namespace mediaemu::cloudformation {

using json = nlohmann::json;

// CloudFormation's ValidationError (400), the answer to every malformed or impossible request.
[[noreturn]] void validation_error(const std::string& message);

// The domain clock's now in epoch seconds, as stacks and events keep their times.
double now_seconds(const Domain& domain);

// "8-4-4-4-12" random hex, as CloudFormation's stack and event ids end.
std::string new_uuid();

// A stack or change set by its id (an ARN), or null. Call with a lock held.
const Record* find_by_id(const Domain& domain, const std::string& kind, const std::string& arn);

// A stack by name (the live one: not DELETE_COMPLETE) or by stack id (any, deleted too), or
// null. Call with a lock held.
const Record* find_stack(const Domain& domain, const std::string& region, const std::string& name_or_id);
// Or the ValidationError `Stack with id <name> does not exist` that `aws cloudformation deploy`
// matches on.
const Record& require_stack(const Domain& domain, const std::string& region, const std::string& name_or_id);

bool in_progress(const std::string& status);  // "..._IN_PROGRESS"

// A stack event, newest first in internal["events"].
json stack_event(const json& stack_doc, const std::string& logical, const std::string& type, const std::string& physical,
                 const std::string& status, const std::string& reason, double timestamp);

// The template a request names: TemplateBody, or TemplateURL read from mediaemu's own S3 (any of
// the URL forms S3 hands out, including https://s3.<region>.amazonaws.com/<bucket>/<key>, which
// CDK sends). Throws ValidationError.
std::string template_body(const api::AwsApi& api, const api::CallContext& ctx, const json& in);

// The resources' ref / attributes, the stack's parameters, exports of other stacks and the
// dynamic references, as the expressions of a stack see them. `resources` is the stack's
// internal["resources"] (logical id -> {PhysicalResourceId, Attributes, ...}) and must outlive
// the scope. Conditions are evaluated.
Scope stack_scope(Domain& domain, const json& stack_doc, const json& tpl, const std::map<std::string, json>& parameters,
                  const json& resources);

// Every export of every live stack in the region: name -> (value, exporting stack id).
std::map<std::string, std::pair<std::string, std::string>> exports(const Domain& domain, const std::string& region);

// Capabilities a template needs (CAPABILITY_IAM, CAPABILITY_NAMED_IAM for named IAM resources).
std::vector<std::string> required_capabilities(const json& tpl);

}  // namespace mediaemu::cloudformation
