// A stack's parameter values: the caller's, the previous stack's (UsePreviousValue) or the
// template's defaults, checked against the parameter's type and constraints, with SSM parameter
// types (`AWS::SSM::Parameter::Value<String>`, CDK's BootstrapVersion) resolved from SSM.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "emulator/domain.hpp"

namespace mediaemu::cloudformation {

using json = nlohmann::json;

struct ResolvedParameters {
  std::map<std::string, json> values;  // what Ref gives: a string, or an array for list types
  json listing = json::array();        // DescribeStacks' Parameters (NoEcho values as "****")
};

// `given` is the request's [{ParameterKey, ParameterValue | UsePreviousValue}]; `previous` the
// stack's current Parameters listing (for UsePreviousValue), or null. Throws ApiError(Validation)
// with CloudFormation's wording. Takes the domain's read lock for SSM types.
ResolvedParameters resolve_parameters(const json& tpl, const json& given, const json* previous, Domain& domain,
                                      const std::string& region);

// ValidateTemplate's / GetTemplateSummary's view of the Parameters section.
json declared_parameters(const json& tpl, bool summary);

}  // namespace mediaemu::cloudformation
