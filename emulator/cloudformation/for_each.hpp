// Fn::ForEach of the AWS::LanguageExtensions transform: loops in Resources, Outputs and
// Conditions (resource properties included) expanded into the plain template they stand for,
// before the template is checked and deployed.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace mediaemu::cloudformation {

using json = nlohmann::json;

// Whether the template declares the AWS::LanguageExtensions transform and has a loop.
bool uses_for_each(const json& tpl);

// The template with every "Fn::ForEach::<LoopName>": [Identifier, Collection, {OutputKey: OutputValue}]
// replaced by one OutputKey/OutputValue pair per collection item. The collection is a list, or
// a Ref to a list parameter: its value in `parameters`, else its Default split on commas.
// Throws ApiError(Validation, "ValidationError") for a malformed loop, a loop name that is also
// a resource's logical id, an OutputKey without the identifier, or a key produced twice.
json expand_for_each(const json& tpl, const std::map<std::string, json>& parameters);

}  // namespace mediaemu::cloudformation
