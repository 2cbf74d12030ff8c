#include "emulator/cloudformation/template_parser.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <set>

#include "api/errors.hpp"
#include "emulator/cloudformation/intrinsics.hpp"

namespace mediaemu::cloudformation {
namespace {

[[noreturn]] void format_error(const std::string& what) {
  throw api::ApiError(api::ErrorKind::Validation, "ValidationError", "Template format error: " + what);
}

// A plain (unquoted) YAML scalar as the JSON value it denotes: CloudFormation reads `Port: 5000`
// as a number and `Enabled: true` as a boolean; a quoted scalar stays a string.
json plain_scalar(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  const char* begin = s.c_str();
  char* end = nullptr;
  bool digits = std::isdigit(static_cast<unsigned char>(s[0])) || ((s[0] == '-' || s[0] == '+') && s.size() > 1);
  if (digits) {
    // Leading zeros ("0123") and very long numbers stay strings: AWS account ids, bitrates written
    // with zeros, version strings like "1.10" must keep their exact text.
    bool leading_zero = s.size() > 1 && s[0] == '0' && s[1] != '.';
    long long i = std::strtoll(begin, &end, 10);
    if (!leading_zero && *end == '\0' && s.size() < 16) return i;
    double d = std::strtod(begin, &end);
    if (!leading_zero && *end == '\0' && s.find_first_of("eE") == std::string::npos && s.size() < 16) return d;
  }
  return s;
}

json from_yaml(const YAML::Node& node);

// `!Ref X` -> {"Ref": "X"}, `!GetAtt A.B` -> {"Fn::GetAtt": ["A", "B"]}, `!Condition C` ->
// {"Condition": "C"}, `!Sub ...` -> {"Fn::Sub": ...}: the long form of every short-form tag.
json short_form(const std::string& tag, const YAML::Node& node) {
  std::string name = tag.substr(1);
  json value = from_yaml(node);
  if (node.IsScalar() && value.is_null()) value = "";
  if (name == "Ref" || name == "Condition") return {{name, value}};
  if (name == "GetAtt" && value.is_string()) {
    std::string text = value;
    auto dot = text.find('.');
    if (dot == std::string::npos) format_error("the attribute in '!GetAtt " + text + "' must be <resource>.<attribute>");
    value = json::array({text.substr(0, dot), text.substr(dot + 1)});
  }
  std::string function = "Fn::" + name;
  if (!is_known_function(function)) format_error("Unrecognized tag '" + tag + "'");
  return {{function, value}};
}

json from_yaml(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  bool custom = tag.size() > 1 && tag[0] == '!' && tag.rfind("!!", 0) != 0;
  if (custom) {
    YAML::Node untagged = YAML::Clone(node);
    untagged.SetTag("?");
    return short_form(tag, untagged);
  }
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Scalar: return tag == "?" ? plain_scalar(node.Scalar()) : json(node.Scalar());
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(from_yaml(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& entry : node) out[entry.first.as<std::string>()] = from_yaml(entry.second);
      return out;
    }
  }
  return nullptr;
}

bool looks_like_json(const std::string& body) {
  for (char c : body) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    return c == '{';
  }
  return false;
}

// --- structure checks ------------------------------------------------------------------------

const std::set<std::string> kSections = {"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters",
                                         "Mappings", "Conditions", "Transform", "Resources", "Outputs", "Rules",
                                         "Hooks"};
const std::set<std::string> kResourceMembers = {"Type", "Properties", "DependsOn", "Condition", "DeletionPolicy",
                                                "UpdateReplacePolicy", "Metadata", "CreationPolicy", "UpdatePolicy",
                                                "Version", "Description"};

struct Names {
  std::set<std::string> refs;        // parameters, pseudo parameters, resources
  std::set<std::string> resources;
  std::set<std::string> conditions;
};

void check_node(const json& node, const Names& names, const std::string& where) {
  if (node.is_array()) {
    for (const auto& item : node) check_node(item, names, where);
    return;
  }
  if (!node.is_object()) return;
  if (node.size() == 1) {
    const std::string& key = node.begin().key();
    const json& arg = node.begin().value();
    if (key == "Ref") {
      if (!arg.is_string()) format_error("Every Ref object must have a single String value.");
      if (!names.refs.count(arg.get<std::string>()))
        format_error("Unresolved resource dependencies [" + arg.get<std::string>() + "] in the " + where +
                     " block of the template");
    } else if (key == "Fn::GetAtt") {
      std::string target = arg.is_array() && !arg.empty() && arg[0].is_string() ? arg[0].get<std::string>()
                           : arg.is_string() ? arg.get<std::string>().substr(0, arg.get<std::string>().find('.'))
                                             : "";
      if (target.empty()) format_error("Template error: every Fn::GetAtt object requires two non-empty parameters.");
      if (!names.resources.count(target))
        format_error("Template error: instance of Fn::GetAtt references undefined resource " + target);
    } else if (key == "Condition" && arg.is_string()) {
      if (!names.conditions.count(arg.get<std::string>()))
        format_error("Template error: unresolved condition dependency " + arg.get<std::string>() + " in " + where);
    } else if (key.rfind("Fn::", 0) == 0 && !is_known_function(key)) {
      format_error("Template error: Encountered unsupported function: " + key);
    } else if (key == "Fn::If" && arg.is_array() && !arg.empty() && arg[0].is_string() &&
               !names.conditions.count(arg[0].get<std::string>())) {
      format_error("Template error: unresolved condition dependency " + arg[0].get<std::string>() + " in Fn::If");
    }
  }
  for (const auto& [key, value] : node.items()) check_node(value, names, where);
}

}  // namespace

json parse_template(const std::string& body) {
  if (body.empty()) format_error("template body is empty");
  json tpl;
  if (looks_like_json(body)) {
    try {
      tpl = json::parse(body);
    } catch (const json::parse_error& e) {
      format_error(std::string("JSON not well-formed. (") + e.what() + ")");
    }
  } else {
    try {
      tpl = from_yaml(YAML::Load(body));
    } catch (const YAML::Exception& e) {
      format_error("YAML not well-formed. (line " + std::to_string(e.mark.line + 1) + ", column " +
                   std::to_string(e.mark.column + 1) + ")");
    }
  }
  if (!tpl.is_object()) format_error("the template is not a JSON object or YAML mapping");
  return tpl;
}

void check_template(const json& tpl) {
  std::string unknown;
  for (const auto& [key, value] : tpl.items())
    if (!kSections.count(key)) unknown += (unknown.empty() ? "" : ", ") + key;
  if (!unknown.empty()) format_error("Invalid template property or properties [" + unknown + "]");
  // AWS::LanguageExtensions is the transform that enables Fn::Length and Fn::ToJsonString, which
  // mediaemu evaluates itself; any other transform is a macro (SAM, custom) that no one runs here.
  if (tpl.contains("Transform")) {
    json transforms = tpl["Transform"].is_array() ? tpl["Transform"] : json::array({tpl["Transform"]});
    for (const auto& t : transforms)
      if (t != "AWS::LanguageExtensions")
        format_error("Transform " + t.dump() + " is not supported by mediaemu (no macros run here)");
  }
  const json& resources = tpl.value("Resources", json::object());
  if (!resources.is_object() || resources.empty()) format_error("At least one Resources member must be defined.");

  Names names;
  for (const char* pseudo : {"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
                             "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"})
    names.refs.insert(pseudo);
  for (const auto& [name, p] : section(tpl, "Parameters").items()) {
    if (!p.is_object() || !p.contains("Type"))
      format_error("[/Parameters/" + name + "] Every Parameters object must contain a Type member.");
    names.refs.insert(name);
  }
  for (const auto& [name, c] : section(tpl, "Conditions").items()) names.conditions.insert(name);
  for (const auto& [name, r] : resources.items()) {
    if (!r.is_object() || !r.contains("Type") || !r["Type"].is_string())
      format_error("[/Resources/" + name + "] Every Resources object must contain a Type member.");
    for (const auto& [member, v] : r.items())
      if (!kResourceMembers.count(member))
        format_error("[/Resources/" + name + "] Invalid resource attribute " + member);
    if (r.contains("Condition") && !names.conditions.count(r["Condition"].get<std::string>()))
      format_error("Template error: unresolved condition dependency " + r["Condition"].get<std::string>() +
                   " in Resources/" + name);
    names.refs.insert(name);
    names.resources.insert(name);
  }
  check_node(tpl.value("Conditions", json::object()), names, "Conditions");
  for (const auto& [name, r] : resources.items()) {
    check_node(r.value("Properties", json::object()), names, "Resources");
    if (r.contains("DependsOn")) {
      json deps = r["DependsOn"].is_array() ? r["DependsOn"] : json::array({r["DependsOn"]});
      for (const auto& d : deps)
        if (!d.is_string() || !names.resources.count(d.get<std::string>()))
          format_error("Unresolved resource dependencies [" + (d.is_string() ? d.get<std::string>() : d.dump()) +
                       "] in the Resources block of the template");
    }
  }
  check_node(tpl.value("Outputs", json::object()), names, "Outputs");
}

}  // namespace mediaemu::cloudformation
