// CloudFormation's intrinsic functions, condition functions, rule functions, pseudo parameters
// and AWS::NoValue, evaluated over a template's JSON tree.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/rules-section-structure.html
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

namespace mediaemu::cloudformation {

using json = nlohmann::json;

bool is_known_function(const std::string& name);  // "Fn::Sub", "Fn::If", ... (not Ref / Condition)

// What a stack's expressions can see. Resources are reached through callbacks, so the same
// evaluator serves validation (no resources), change sets and execution.
struct Scope {
  std::string region, account, stack_name, stack_id;
  json notification_arns = json::array();
  std::map<std::string, json> parameters;  // resolved: a string, or an array for list types
  json mappings = json::object();
  std::map<std::string, bool> conditions;  // evaluated (evaluate_conditions)
  // Ref / Fn::GetAtt of a resource; nullopt when it has no value (yet). May throw ApiError.
  std::function<std::optional<json>(const std::string& logical)> resource_ref;
  std::function<std::optional<json>(const std::string& logical, const std::string& attribute)> resource_attribute;
  std::function<std::optional<std::string>(const std::string& export_name)> import_value;
  // Replaces `{{resolve:ssm:...}}` / `{{resolve:secretsmanager:...}}` in a string.
  std::function<std::string(const std::string& text)> dynamic_references;
};

// The node's value; nullopt is AWS::NoValue (the caller drops the property or list item).
// Throws ApiError(Validation, "ValidationError", "Template error: ...").
std::optional<json> evaluate(const json& node, const Scope& scope);
// A resource's Properties (or an Outputs value) with every function applied and NoValue dropped.
json evaluate_object(const json& node, const Scope& scope);

// The template's Conditions section, evaluated into scope.conditions (a condition may name
// another with {"Condition": name}).
void evaluate_conditions(const json& tpl, Scope& scope);

// The template's Rules: each rule whose RuleCondition holds must have every Assert true, or the
// stack is refused with the AssertDescription (CDK's CheckBootstrapVersion is one).
void check_rules(const json& tpl, const Scope& scope);

// The names a node refers to (Ref, Fn::GetAtt, ${Name} / ${Name.Attr} in Fn::Sub): its
// implicit dependencies.
void collect_references(const json& node, std::set<std::string>& names);

// node[name] when node is an object that has it, else an empty object: a reference that stays
// valid while `node` does (iterating `node.value(name, json::object()).items()` would iterate a
// destroyed temporary).
const json& section(const json& node, const std::string& name);

// A value as CloudFormation turns it into a string (numbers without trailing zeros, booleans
// as "true"/"false").
std::string as_text(const json& value);

}  // namespace mediaemu::cloudformation
