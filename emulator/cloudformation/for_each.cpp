#include "emulator/cloudformation/for_each.hpp"

#include <cctype>

#include "api/errors.hpp"

namespace mediaemu::cloudformation {
namespace {

const std::string kForEachPrefix = "Fn::ForEach::";

// Errors of a transform come back as "Transform AWS::LanguageExtensions failed with: <reason>".
[[noreturn]] void for_each_error(const std::string& reason) {
  throw api::ApiError(api::ErrorKind::Validation, "ValidationError",
                      "Transform AWS::LanguageExtensions failed with: " + reason);
}

bool has_language_extensions(const json& tpl) {
  if (!tpl.contains("Transform")) return false;
  json transforms = tpl["Transform"].is_array() ? tpl["Transform"] : json::array({tpl["Transform"]});
  for (const auto& t : transforms)
    if (t == "AWS::LanguageExtensions") return true;
  return false;
}

bool contains_loop(const json& node) {
  if (node.is_object())
    for (const auto& [k, v] : node.items())
      if (k.rfind(kForEachPrefix, 0) == 0 || contains_loop(v)) return true;
  if (node.is_array())
    for (const auto& v : node)
      if (contains_loop(v)) return true;
  return false;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

// "&{} syntax allows non-alphanumeric characters of the Collection to be used in OutputKey":
// the item with them removed (the page's example turns 10.0.2.0/24 into 1002024).
std::string alphanumeric_only(const std::string& s) {
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(c);
  return out;
}

std::string substituted_text(std::string s, const std::string& id, const std::string& item) {
  replace_all(s, "${" + id + "}", item);
  replace_all(s, "&{" + id + "}", alphanumeric_only(item));
  return s;
}

// Every ${Identifier} and &{Identifier} in keys and strings, and a {"Ref": Identifier}, become
// the item.
json substituted(const json& node, const std::string& id, const std::string& item) {
  if (node.is_string()) return substituted_text(node.get<std::string>(), id, item);
  if (node.is_array()) {
    json out = json::array();
    for (const auto& v : node) out.push_back(substituted(v, id, item));
    return out;
  }
  if (node.is_object()) {
    if (node.size() == 1 && node.contains("Ref") && node["Ref"] == id) return item;
    json out = json::object();
    for (const auto& [k, v] : node.items()) out[substituted_text(k, id, item)] = substituted(v, id, item);
    return out;
  }
  return node;
}

std::vector<std::string> split_on_commas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    out.push_back(item);
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

struct LoopExpander {
  const json& tpl;
  const std::map<std::string, json>& parameters;

  // "Collection: the collection of values to iterate over. This can be an array in this
  // parameter, or it can be a Ref to a CommaDelimitedList."
  std::vector<std::string> collection(const std::string& loop, const json& given) const {
    json list = given;
    if (given.is_object() && given.size() == 1 && given.contains("Ref") && given["Ref"].is_string()) {
      std::string name = given["Ref"].get<std::string>();
      auto it = parameters.find(name);
      const json declared = tpl.value("Parameters", json::object()).value(name, json());
      if (it != parameters.end()) list = it->second;
      else if (declared.is_object() && declared.contains("Default"))
        list = declared["Default"].is_string() ? json(split_on_commas(declared["Default"].get<std::string>())) : declared["Default"];
      else for_each_error(loop + ": the collection refers to " + name + ", which is not a list parameter");
      if (list.is_string()) list = split_on_commas(list.get<std::string>());
    }
    if (!list.is_array()) for_each_error(loop + ": the collection must be a list or a Ref to a CommaDelimitedList parameter");
    std::vector<std::string> items;
    for (const auto& v : list) {
      if (v.is_string()) items.push_back(v.get<std::string>());
      else if (v.is_number()) items.push_back(v.dump());
      else for_each_error(loop + ": every item of the collection must be a string");
    }
    return items;
  }

  void put(json& out, const std::string& key, json value, const std::string& loop) const {
    if (out.contains(key)) for_each_error(loop + " produces " + key + ", which is already defined (logical ids must be unique)");
    out[key] = std::move(value);
  }

  // One loop's pairs: for each item, the fragment with the item substituted, then its own loops
  // (nested loops see the outer item already in place).
  void expand_loop(json& out, const std::string& key, const json& loop) const {
    const std::string name = key.substr(kForEachPrefix.size());
    if (name.empty()) for_each_error(key + ": the loop needs a logical name after Fn::ForEach::");
    if (tpl.value("Resources", json::object()).contains(name))
      for_each_error(key + ": the loop name " + name + " is also the logical id of a resource");
    if (!loop.is_array() || loop.size() != 3 || !loop[0].is_string() || loop[0].get<std::string>().empty() ||
        !loop[2].is_object() || loop[2].empty()) {
      for_each_error(key + " layout is incorrect: it takes [Identifier, Collection, {OutputKey: OutputValue}]");
    }
    const std::string id = loop[0].get<std::string>();
    for (const auto& [output_key, value] : loop[2].items()) {
      bool loop_inside = output_key.rfind(kForEachPrefix, 0) == 0;
      if (!loop_inside && output_key.find("${" + id + "}") == std::string::npos &&
          output_key.find("&{" + id + "}") == std::string::npos) {
        for_each_error(key + ": the OutputKey " + output_key + " must contain ${" + id + "} or &{" + id + "}");
      }
    }
    for (const std::string& item : collection(key, loop[1])) {
      json expanded = expand(substituted(loop[2], id, item));
      for (auto& [k, v] : expanded.items()) put(out, k, v, key);
    }
  }

  json expand(const json& node) const {
    if (node.is_array()) {
      json out = json::array();
      for (const auto& v : node) out.push_back(expand(v));
      return out;
    }
    if (!node.is_object()) return node;
    json out = json::object();
    for (const auto& [k, v] : node.items())
      if (k.rfind(kForEachPrefix, 0) != 0) out[k] = expand(v);
    for (const auto& [k, v] : node.items())
      if (k.rfind(kForEachPrefix, 0) == 0) expand_loop(out, k, v);
    return out;
  }
};

}  // namespace

bool uses_for_each(const json& tpl) { return has_language_extensions(tpl) && contains_loop(tpl); }

json expand_for_each(const json& tpl, const std::map<std::string, json>& parameters) {
  if (!has_language_extensions(tpl)) return tpl;
  // "It can't be used in ... AWSTemplateFormatVersion, Description, Metadata, Transform,
  // Parameters, Mappings, Rules, or Hooks sections."
  for (const char* section : {"Parameters", "Mappings", "Rules", "Metadata", "Hooks"})
    if (tpl.contains(section) && contains_loop(tpl[section]))
      for_each_error(std::string("Fn::ForEach is not supported in the ") + section + " section");
  LoopExpander expander{tpl, parameters};
  json out = tpl;
  for (const char* section : {"Resources", "Outputs", "Conditions"})
    if (tpl.contains(section)) out[section] = expander.expand(tpl[section]);
  return out;
}

}  // namespace mediaemu::cloudformation
