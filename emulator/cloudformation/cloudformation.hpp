// AWS CloudFormation: stacks and change sets over the same services the CLI reaches. The API
// handlers (stacks.cpp, change_sets.cpp, template_summary.cpp) check a request completely —
// template, parameters, rules, capabilities — before anything exists, store the stack with the
// operation it asks for, and hand it to the StackEngine, whose own thread creates, updates and
// deletes the resources through providers/ (stack_engine.hpp).
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Operations.html
#pragma once

#include <string>

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"

namespace mediaemu::cloudformation {

inline const std::string kStack = "cloudformation:stack";           // id = the uuid ending the stack id
inline const std::string kChangeSet = "cloudformation:change-set";  // id = the uuid ending the change set id

class StackEngine;

api::OperationTable operations(Domain& domain, const api::AwsApi& api, StackEngine& engine);

}  // namespace mediaemu::cloudformation
