// AWS Systems Manager Parameter Store: String, StringList and SecureString parameters (a
// SecureString is stored as given: there is no KMS here), with versions, paths and tags. CDK's
// bootstrap version (/cdk-bootstrap/<qualifier>/version) lives here, and CloudFormation's
// AWS::SSM::Parameter::Value<> parameters and {{resolve:ssm:...}} will read it through
// parameter_value().
#pragma once

#include <optional>
#include <string>

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"

namespace mediaemu::ssm {

inline const std::string kParameter = "ssm:parameter";  // id = name

api::OperationTable operations(Domain& domain);

// The value of a parameter ("name" or "name:version"), or nullopt. Call with a lock held.
std::optional<std::string> parameter_value(const Domain& domain, const std::string& region, const std::string& name);

}  // namespace mediaemu::ssm
