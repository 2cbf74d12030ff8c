#include "emulator/cloudformation/parameters.hpp"

#include <regex>
#include <set>

#include "api/errors.hpp"
#include "emulator/cloudformation/intrinsics.hpp"
#include "emulator/cloudformation/stack_records.hpp"
#include "emulator/ssm/ssm.hpp"

namespace mediaemu::cloudformation {
namespace {

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool is_number(const std::string& s) {
  if (s.empty()) return false;
  size_t used = 0;
  try {
    std::stod(s, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == s.size();
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0, comma;
  while ((comma = s.find(',', start)) != std::string::npos) {
    out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  out.push_back(s.substr(start));
  return out;
}

// "Parameter 'X' failed to satisfy constraint: <ConstraintDescription>" when the template has
// one, else the specific rule.
[[noreturn]] void constraint(const std::string& name, const json& spec, const std::string& rule) {
  if (spec.contains("ConstraintDescription"))
    validation_error("Parameter '" + name + "' failed to satisfy constraint: " + as_text(spec["ConstraintDescription"]));
  validation_error("Parameter '" + name + "' " + rule);
}

void check_value(const std::string& name, const json& spec, const std::string& value) {
  if (spec.contains("AllowedValues")) {
    bool ok = false;
    for (const auto& v : spec["AllowedValues"]) ok = ok || as_text(v) == value;
    if (!ok) constraint(name, spec, "must be one of AllowedValues");
  }
  if (spec.contains("AllowedPattern")) {
    std::regex pattern(as_text(spec["AllowedPattern"]), std::regex::ECMAScript);
    if (!std::regex_match(value, pattern)) constraint(name, spec, "must match pattern " + as_text(spec["AllowedPattern"]));
  }
  if (spec.contains("MinLength") && value.size() < std::stoul(as_text(spec["MinLength"])))
    constraint(name, spec, "must contain at least " + as_text(spec["MinLength"]) + " characters");
  if (spec.contains("MaxLength") && value.size() > std::stoul(as_text(spec["MaxLength"])))
    constraint(name, spec, "must contain at most " + as_text(spec["MaxLength"]) + " characters");
}

void check_number(const std::string& name, const json& spec, const std::string& value) {
  if (!is_number(value)) validation_error("Parameter '" + name + "' must be a number.");
  double v = std::stod(value);
  if (spec.contains("MinValue") && v < std::stod(as_text(spec["MinValue"])))
    constraint(name, spec, "must be a number not less than " + as_text(spec["MinValue"]));
  if (spec.contains("MaxValue") && v > std::stod(as_text(spec["MaxValue"])))
    constraint(name, spec, "must be a number not greater than " + as_text(spec["MaxValue"]));
}

// The value Ref gives for a parameter of `type` whose text is `value`.
json typed_value(const std::string& name, const json& spec, const std::string& type, const std::string& value,
                 Domain& domain, const std::string& region, std::string& resolved) {
  const std::string ssm_prefix = "AWS::SSM::Parameter::Value<";
  if (type.rfind(ssm_prefix, 0) == 0) {
    std::optional<std::string> stored;
    {
      auto lock = domain.read();
      stored = ssm::parameter_value(domain, region, value);
    }
    if (!stored) validation_error("Parameters: [" + value + "] cannot be found.");  // AWS's words for a missing SSM name
    resolved = *stored;
    std::string inner = type.substr(ssm_prefix.size(), type.size() - ssm_prefix.size() - 1);
    if (inner.rfind("List<", 0) == 0 || inner == "CommaDelimitedList") {
      json list = json::array();
      for (const auto& item : split_list(*stored)) list.push_back(item);
      return list;
    }
    return *stored;
  }
  if (type == "Number") {
    check_number(name, spec, value);
    check_value(name, spec, value);
    return value;
  }
  if (type == "CommaDelimitedList" || type.rfind("List<", 0) == 0) {
    json list = json::array();
    for (const auto& item : split_list(value)) {
      if (type == "List<Number>") check_number(name, spec, item);
      check_value(name, spec, item);
      list.push_back(item);
    }
    return list;
  }
  if (type != "String" && type.rfind("AWS::", 0) != 0)
    validation_error("Template format error: Unrecognized parameter type: " + type);
  check_value(name, spec, value);
  return value;
}

}  // namespace

ResolvedParameters resolve_parameters(const json& tpl, const json& given, const json* previous, Domain& domain,
                                      const std::string& region) {
  const json declared = tpl.value("Parameters", json::object());
  std::map<std::string, std::string> text;
  std::set<std::string> unknown, missing;
  for (const auto& p : given.is_array() ? given : json::array()) {
    std::string key = p.value("ParameterKey", "");
    if (!declared.contains(key)) {
      unknown.insert(key);
      continue;
    }
    if (p.value("UsePreviousValue", false)) {
      bool found = false;
      if (previous)
        for (const auto& old : *previous)
          if (old.value("ParameterKey", "") == key) {
            text[key] = old.value("ParameterValue", "");
            found = true;
          }
      if (!found) validation_error("Invalid input for parameter key " + key + ". Cannot specify usePreviousValue as true for a parameter key not in the previous template");
      continue;
    }
    text[key] = p.value("ParameterValue", "");
  }
  if (!unknown.empty()) validation_error("Parameters: [" + joined(unknown) + "] do not exist in the template");
  for (const auto& [name, spec] : declared.items())
    if (!text.count(name)) {
      if (spec.contains("Default")) text[name] = as_text(spec["Default"]);
      else missing.insert(name);
    }
  if (!missing.empty()) validation_error("Parameters: [" + joined(missing) + "] must have values");

  ResolvedParameters out;
  for (const auto& [name, spec] : declared.items()) {
    std::string type = spec.value("Type", "String"), resolved;
    out.values[name] = typed_value(name, spec, type, text[name], domain, region, resolved);
    bool no_echo = as_text(spec.value("NoEcho", json(false))) == "true";
    json entry = {{"ParameterKey", name}, {"ParameterValue", no_echo ? "****" : text[name]}};
    if (!resolved.empty()) entry["ResolvedValue"] = no_echo ? "****" : resolved;
    out.listing.push_back(entry);
  }
  return out;
}

json declared_parameters(const json& tpl, bool summary) {
  json out = json::array();
  for (const auto& [name, spec] : section(tpl, "Parameters").items()) {
    json p = {{"ParameterKey", name}, {"NoEcho", as_text(spec.value("NoEcho", json(false))) == "true"}};
    if (spec.contains("Default")) p["DefaultValue"] = as_text(spec["Default"]);
    if (spec.contains("Description")) p["Description"] = as_text(spec["Description"]);
    if (summary) {
      p["ParameterType"] = spec.value("Type", "String");
      json allowed = json::array();
      for (const auto& v : spec.value("AllowedValues", json::array())) allowed.push_back(as_text(v));
      p["ParameterConstraints"] = allowed.empty() ? json::object() : json{{"AllowedValues", allowed}};
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace mediaemu::cloudformation

