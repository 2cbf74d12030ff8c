#include "emulator/cloudformation/stack_graph.hpp"

#include "api/errors.hpp"
#include "emulator/cloudformation/intrinsics.hpp"

namespace mediaemu::cloudformation {

std::set<std::string> dependencies_of(const json& tpl, const std::string& logical) {
  const json& resources = tpl.at("Resources");
  const json& r = resources.at(logical);
  std::set<std::string> names, deps;
  collect_references(r.value("Properties", json::object()), names);
  if (r.contains("DependsOn")) {
    if (r["DependsOn"].is_array())
      for (const auto& d : r["DependsOn"]) names.insert(d.get<std::string>());
    else
      names.insert(r["DependsOn"].get<std::string>());
  }
  for (const auto& n : names)
    if (resources.contains(n) && n != logical) deps.insert(n);
  return deps;
}

std::vector<std::string> creation_order(const json& tpl, const std::map<std::string, bool>* conditions) {
  const json& resources = tpl.at("Resources");
  std::set<std::string> included;
  for (const auto& [name, r] : resources.items()) {
    bool wanted = true;
    if (conditions && r.contains("Condition")) {
      auto c = conditions->find(r["Condition"].get<std::string>());
      wanted = c != conditions->end() && c->second;
    }
    if (wanted) included.insert(name);
  }
  std::map<std::string, std::set<std::string>> pending;
  for (const auto& name : included) {
    auto deps = dependencies_of(tpl, name);
    std::set<std::string> live;
    for (const auto& d : deps)
      if (included.count(d)) live.insert(d);
    pending[name] = live;
  }
  std::vector<std::string> order;
  while (!pending.empty()) {
    std::vector<std::string> ready;
    for (const auto& [name, deps] : pending)
      if (deps.empty()) ready.push_back(name);
    if (ready.empty()) {
      std::string cycle;
      for (const auto& [name, deps] : pending) cycle += (cycle.empty() ? "" : ", ") + name;
      throw api::ApiError(api::ErrorKind::Validation, "ValidationError",
                          "Circular dependency between resources: [" + cycle + "]");
    }
    for (const auto& name : ready) {
      order.push_back(name);
      pending.erase(name);
      for (auto& [other, deps] : pending) deps.erase(name);
    }
  }
  return order;
}

}  // namespace mediaemu::cloudformation
