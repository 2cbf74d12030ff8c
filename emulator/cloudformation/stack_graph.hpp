// The order resources are created in: DependsOn plus every Ref, Fn::GetAtt and ${...} in a
// resource's Properties (its implicit dependencies), topologically sorted; deletion runs the
// same order backwards. A cycle is refused before anything is created, with CloudFormation's
// "Circular dependency between resources: [A, B]".
#pragma once

#include <nlohmann/json.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mediaemu::cloudformation {

using json = nlohmann::json;

// Resources whose Condition holds (all of them when `conditions` is null), dependencies first.
// Throws ApiError(Validation) on a cycle.
std::vector<std::string> creation_order(const json& tpl, const std::map<std::string, bool>* conditions = nullptr);

// The resources `logical` depends on (DependsOn and references that name resources).
std::set<std::string> dependencies_of(const json& tpl, const std::string& logical);

}  // namespace mediaemu::cloudformation
