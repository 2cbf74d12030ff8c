#include "emulator/cloudformation/intrinsics.hpp"

#include <arpa/inet.h>

#include <cmath>
#include <set>

#include "api/base64.hpp"
#include "api/errors.hpp"

namespace mediaemu::cloudformation {
namespace {

[[noreturn]] void template_error(const std::string& what) {
  throw api::ApiError(api::ErrorKind::Validation, "ValidationError", "Template error: " + what);
}

const std::set<std::string> kFunctions = {
    "Fn::Base64", "Fn::Cidr", "Fn::FindInMap", "Fn::GetAtt", "Fn::GetAZs", "Fn::ImportValue", "Fn::Join",
    "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::If", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Fn::Length",
    "Fn::ToJsonString", "Fn::Transform",
    // Rules only
    "Fn::Contains", "Fn::EachMemberEquals", "Fn::EachMemberIn", "Fn::RefAll", "Fn::ValueOf", "Fn::ValueOfAll"};

json required(const std::optional<json>& v, const char* function) {
  if (!v) template_error(std::string("AWS::NoValue cannot be an argument of ") + function);
  return *v;
}

json list_argument(const json& node, const Scope& scope, const char* function, size_t min, size_t max) {
  json args = required(evaluate(node, scope), function);
  if (!args.is_array() || args.size() < min || args.size() > max)
    template_error(std::string("every ") + function + " object requires " +
                   (min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max)) +
                   " parameters");
  return args;
}

// ${Name}, ${Resource.Attribute}, ${!Literal}: the variables of a Fn::Sub string.
template <typename F>
std::string substitute(const std::string& text, F&& value_of) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("${", i);
    if (open == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, open - i);
    size_t close = text.find('}', open);
    if (close == std::string::npos) template_error("unterminated ${ in Fn::Sub string \"" + text + "\"");
    std::string name = text.substr(open + 2, close - open - 2);
    if (!name.empty() && name[0] == '!') out += "${" + name.substr(1) + "}";
    else out += value_of(name);
    i = close + 1;
  }
  return out;
}

std::optional<json> ref(const std::string& name, const Scope& scope) {
  if (name == "AWS::NoValue") return std::nullopt;
  if (name == "AWS::Region") return scope.region;
  if (name == "AWS::AccountId") return scope.account;
  if (name == "AWS::StackName") return scope.stack_name;
  if (name == "AWS::StackId") return scope.stack_id;
  if (name == "AWS::Partition") return "aws";
  if (name == "AWS::URLSuffix") return "amazonaws.com";
  if (name == "AWS::NotificationARNs") return scope.notification_arns;
  if (auto p = scope.parameters.find(name); p != scope.parameters.end()) return p->second;
  if (scope.resource_ref) {
    if (auto v = scope.resource_ref(name)) return v;
  }
  template_error("Unresolved resource dependencies [" + name + "]");
}

json get_att(const std::string& logical, const std::string& attribute, const Scope& scope) {
  if (scope.resource_attribute) {
    if (auto v = scope.resource_attribute(logical, attribute)) return *v;
  }
  template_error("attribute " + attribute + " of " + logical + " is not available");
}

bool truth(const json& v, const char* function) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string() && (v == "true" || v == "false")) return v == "true";
  template_error(std::string(function) + " needs condition values (true or false), got " + v.dump());
}

bool same_value(const json& a, const json& b) {
  if (a.is_array() || b.is_array() || a.is_object() || b.is_object()) return a == b;
  return as_text(a) == as_text(b);
}

// Fn::Cidr [ipBlock, count, cidrBits]: `count` consecutive subnets of 32 - cidrBits prefix bits
// from the start of the block (IPv4).
json cidr(const json& args) {
  std::string block = as_text(args[0]);
  int count = std::stoi(as_text(args[1]));
  int host_bits = std::stoi(as_text(args[2]));
  auto slash = block.find('/');
  in_addr addr{};
  if (slash == std::string::npos || inet_pton(AF_INET, block.substr(0, slash).c_str(), &addr) != 1)
    template_error("Fn::Cidr needs an IPv4 CIDR block, got " + block);
  int prefix = std::stoi(block.substr(slash + 1));
  int subnet_prefix = 32 - host_bits;
  if (host_bits < 1 || subnet_prefix < prefix || count < 1 || count > 256 ||
      (static_cast<uint64_t>(count) << host_bits) > (uint64_t{1} << (32 - prefix)))
    template_error("Fn::Cidr cannot fit " + std::to_string(count) + " subnets of /" + std::to_string(subnet_prefix) +
                   " in " + block);
  uint32_t base = ntohl(addr.s_addr) & (prefix == 0 ? 0 : ~((uint32_t{1} << (32 - prefix)) - 1));
  json out = json::array();
  for (int i = 0; i < count; ++i) {
    in_addr a{htonl(base + (static_cast<uint32_t>(i) << host_bits))};
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, text, sizeof text);
    out.push_back(std::string(text) + "/" + std::to_string(subnet_prefix));
  }
  return out;
}

std::optional<json> call(const std::string& fn, const json& arg, const Scope& scope) {
  if (fn == "Ref") {
    if (!arg.is_string()) template_error("every Ref object must have a single String value");
    return ref(arg.get<std::string>(), scope);
  }
  if (fn == "Condition") {
    auto c = scope.conditions.find(arg.get<std::string>());
    if (c == scope.conditions.end()) template_error("unresolved condition " + arg.get<std::string>());
    return c->second;
  }
  if (fn == "Fn::GetAtt") {
    json a = arg.is_string() ? json::array({arg.get<std::string>().substr(0, arg.get<std::string>().find('.')),
                                            arg.get<std::string>().substr(arg.get<std::string>().find('.') + 1)})
                             : arg;
    if (!a.is_array() || a.size() != 2 || !a[0].is_string())
      template_error("every Fn::GetAtt object requires two non-empty parameters");
    json attribute = required(evaluate(a[1], scope), "Fn::GetAtt");
    return get_att(a[0], as_text(attribute), scope);
  }
  if (fn == "Fn::Sub") {
    std::string text;
    json vars = json::object();
    if (arg.is_string()) {
      text = arg;
    } else if (arg.is_array() && arg.size() == 2 && arg[0].is_string() && arg[1].is_object()) {
      text = arg[0];
      for (const auto& [k, v] : arg[1].items()) vars[k] = required(evaluate(v, scope), "Fn::Sub");
    } else {
      template_error("Fn::Sub needs a string or [string, {variables}]");
    }
    return substitute(text, [&](const std::string& name) -> std::string {
      if (vars.contains(name)) return as_text(vars[name]);
      auto dot = name.find('.');
      if (dot != std::string::npos && !scope.parameters.count(name) && name.rfind("AWS::", 0) != 0)
        return as_text(get_att(name.substr(0, dot), name.substr(dot + 1), scope));
      auto v = ref(name, scope);
      if (!v) template_error("AWS::NoValue in Fn::Sub");
      return v->is_array() ? [&] {
        std::string joined;
        for (const auto& item : *v) {
          if (!joined.empty()) joined += ',';
          joined += as_text(item);
        }
        return joined;
      }()
                           : as_text(*v);
    });
  }
  if (fn == "Fn::Join") {
    json a = list_argument(arg, scope, "Fn::Join", 2, 2);
    if (!a[1].is_array()) template_error("the second parameter of Fn::Join must be a list");
    std::string out;
    bool first = true;
    for (const auto& item : a[1]) {
      out += (first ? "" : as_text(a[0])) + as_text(item);
      first = false;
    }
    return out;
  }
  if (fn == "Fn::Select") {
    json a = list_argument(arg, scope, "Fn::Select", 2, 2);
    size_t index = std::stoul(as_text(a[0]));
    if (!a[1].is_array() || index >= a[1].size()) template_error("Fn::Select index " + as_text(a[0]) + " out of bounds");
    return a[1][index];
  }
  if (fn == "Fn::Split") {
    json a = list_argument(arg, scope, "Fn::Split", 2, 2);
    std::string delimiter = as_text(a[0]), text = as_text(a[1]);
    if (delimiter.empty()) template_error("Fn::Split needs a non-empty delimiter");
    json out = json::array();
    size_t start = 0, at;
    while ((at = text.find(delimiter, start)) != std::string::npos) {
      out.push_back(text.substr(start, at - start));
      start = at + delimiter.size();
    }
    out.push_back(text.substr(start));
    return out;
  }
  if (fn == "Fn::FindInMap") {
    json a = list_argument(arg, scope, "Fn::FindInMap", 3, 4);
    std::string map = as_text(a[0]), top = as_text(a[1]), second = as_text(a[2]);
    const json& m = scope.mappings;
    if (m.contains(map) && m[map].contains(top) && m[map][top].contains(second)) return m[map][top][second];
    if (a.size() == 4 && a[3].is_object() && a[3].contains("DefaultValue")) return a[3]["DefaultValue"];
    template_error("Fn::FindInMap found no value for [" + map + ", " + top + ", " + second + "]");
  }
  if (fn == "Fn::GetAZs") {
    json a = required(evaluate(arg, scope), "Fn::GetAZs");
    std::string region = as_text(a).empty() ? scope.region : as_text(a);
    return json::array({region + "a", region + "b", region + "c"});
  }
  if (fn == "Fn::Base64") return api::base64_encode(as_text(required(evaluate(arg, scope), "Fn::Base64")));
  if (fn == "Fn::Cidr") return cidr(list_argument(arg, scope, "Fn::Cidr", 3, 3));
  if (fn == "Fn::ImportValue") {
    std::string name = as_text(required(evaluate(arg, scope), "Fn::ImportValue"));
    std::optional<std::string> v = scope.import_value ? scope.import_value(name) : std::nullopt;
    if (!v) template_error("No export named " + name + " found.");
    return *v;
  }
  if (fn == "Fn::Length") {
    json a = required(evaluate(arg, scope), "Fn::Length");
    if (!a.is_array()) template_error("Fn::Length needs a list");
    return static_cast<int64_t>(a.size());
  }
  if (fn == "Fn::ToJsonString") return required(evaluate(arg, scope), "Fn::ToJsonString").dump();
  if (fn == "Fn::If") {
    if (!arg.is_array() || arg.size() != 3 || !arg[0].is_string())
      template_error("Fn::If needs [condition name, value if true, value if false]");
    auto c = scope.conditions.find(arg[0].get<std::string>());
    if (c == scope.conditions.end()) template_error("unresolved condition " + arg[0].get<std::string>());
    return evaluate(arg[c->second ? 1 : 2], scope);
  }
  if (fn == "Fn::Equals") {
    json a = list_argument(arg, scope, "Fn::Equals", 2, 2);
    return same_value(a[0], a[1]);
  }
  if (fn == "Fn::And" || fn == "Fn::Or") {
    json a = list_argument(arg, scope, fn.c_str(), fn == "Fn::And" ? 2 : 2, 10);
    bool all = true, any = false;
    for (const auto& v : a) {
      bool b = truth(v, fn.c_str());
      all = all && b;
      any = any || b;
    }
    return fn == "Fn::And" ? all : any;
  }
  if (fn == "Fn::Not") return !truth(list_argument(arg, scope, "Fn::Not", 1, 1)[0], "Fn::Not");
  if (fn == "Fn::Contains") {
    json a = list_argument(arg, scope, "Fn::Contains", 2, 2);
    for (const auto& v : a[0])
      if (same_value(v, a[1])) return true;
    return false;
  }
  if (fn == "Fn::EachMemberEquals") {
    json a = list_argument(arg, scope, "Fn::EachMemberEquals", 2, 2);
    for (const auto& v : a[0])
      if (!same_value(v, a[1])) return false;
    return true;
  }
  if (fn == "Fn::EachMemberIn") {
    json a = list_argument(arg, scope, "Fn::EachMemberIn", 2, 2);
    for (const auto& v : a[0]) {
      bool found = false;
      for (const auto& w : a[1]) found = found || same_value(v, w);
      if (!found) return false;
    }
    return true;
  }
  if (fn == "Fn::RefAll" || fn == "Fn::ValueOf" || fn == "Fn::ValueOfAll")
    template_error(fn + " needs the EC2 parameter types' metadata, which mediaemu does not keep");
  if (fn == "Fn::Transform") template_error("Fn::Transform runs macros, which mediaemu does not run");
  template_error("Encountered unsupported function: " + fn);
}

}  // namespace

bool is_known_function(const std::string& name) { return kFunctions.count(name) > 0; }

const json& section(const json& node, const std::string& name) {
  static const json empty = json::object();
  if (!node.is_object()) return empty;
  auto it = node.find(name);
  return it == node.end() ? empty : *it;
}

std::string as_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
    std::string s = v.dump();
    return s;
  }
  if (v.is_null()) return "";
  return v.dump();
}

std::optional<json> evaluate(const json& node, const Scope& scope) {
  if (node.is_string()) {
    const std::string& s = node.get_ref<const std::string&>();
    if (scope.dynamic_references && s.find("{{resolve:") != std::string::npos) return scope.dynamic_references(s);
    return node;
  }
  if (node.is_array()) {
    json out = json::array();
    for (const auto& item : node)
      if (auto v = evaluate(item, scope)) out.push_back(std::move(*v));
    return out;
  }
  if (!node.is_object()) return node;
  if (node.size() == 1) {
    const std::string& key = node.begin().key();
    const json& arg = node.begin().value();
    if (key == "Ref" || key == "Condition" || key.rfind("Fn::", 0) == 0) {
      auto v = call(key, arg, scope);
      // A function's result may hold a dynamic reference too (Fn::Sub building one).
      if (v && v->is_string() && scope.dynamic_references && v->get<std::string>().find("{{resolve:") != std::string::npos)
        return scope.dynamic_references(*v);
      return v;
    }
  }
  json out = json::object();
  for (const auto& [key, value] : node.items())
    if (auto v = evaluate(value, scope)) out[key] = std::move(*v);
  return out;
}

json evaluate_object(const json& node, const Scope& scope) {
  auto v = evaluate(node, scope);
  return v ? *v : json::object();
}

void evaluate_conditions(const json& tpl, Scope& scope) {
  const json conditions = tpl.value("Conditions", json::object());
  // Conditions may name each other in any order: evaluate each on demand, refusing a cycle.
  std::set<std::string> visiting;
  std::function<bool(const std::string&)> resolve = [&](const std::string& name) -> bool {
    if (auto done = scope.conditions.find(name); done != scope.conditions.end()) return done->second;
    if (!conditions.contains(name)) template_error("unresolved condition " + name);
    if (!visiting.insert(name).second) template_error("circular dependency between conditions involving " + name);
    std::set<std::string> named;
    std::function<void(const json&)> find_named = [&](const json& n) {
      if (n.is_object() && n.size() == 1 && n.contains("Condition") && n["Condition"].is_string())
        named.insert(n["Condition"].get<std::string>());
      if (n.is_structured())
        for (const auto& [k, v] : n.items()) find_named(v);
    };
    find_named(conditions[name]);
    for (const auto& other : named) resolve(other);
    bool value = truth(required(evaluate(conditions[name], scope), "Conditions"), name.c_str());
    scope.conditions[name] = value;
    visiting.erase(name);
    return value;
  };
  for (const auto& [name, body] : conditions.items()) resolve(name);
}

void check_rules(const json& tpl, const Scope& scope) {
  for (const auto& [name, rule] : section(tpl, "Rules").items()) {
    if (rule.contains("RuleCondition") && !truth(required(evaluate(rule["RuleCondition"], scope), "RuleCondition"), name.c_str()))
      continue;
    for (const auto& assertion : rule.value("Assertions", json::array())) {
      if (!truth(required(evaluate(assertion.at("Assert"), scope), "Assert"), name.c_str()))
        throw api::ApiError(api::ErrorKind::Validation, "ValidationError",
                            assertion.value("AssertDescription", "Template rule " + name + " failed"));
    }
  }
}

void collect_references(const json& node, std::set<std::string>& names) {
  if (node.is_array()) {
    for (const auto& item : node) collect_references(item, names);
    return;
  }
  if (!node.is_object()) return;
  if (node.size() == 1) {
    const std::string& key = node.begin().key();
    const json& arg = node.begin().value();
    if (key == "Ref" && arg.is_string()) names.insert(arg.get<std::string>());
    if (key == "Fn::GetAtt") {
      if (arg.is_array() && !arg.empty() && arg[0].is_string()) names.insert(arg[0].get<std::string>());
      if (arg.is_string()) names.insert(arg.get<std::string>().substr(0, arg.get<std::string>().find('.')));
    }
    if (key == "Fn::Sub") {
      const json& text = arg.is_array() && !arg.empty() ? arg[0] : arg;
      if (text.is_string()) {
        std::set<std::string> locals;
        if (arg.is_array() && arg.size() == 2 && arg[1].is_object())
          for (const auto& [k, v] : arg[1].items()) locals.insert(k);
        try {
          substitute(text.get<std::string>(), [&](const std::string& name) {
            if (!locals.count(name)) names.insert(name.substr(0, name.find('.')));
            return std::string();
          });
        } catch (const api::ApiError&) {
        }
      }
    }
  }
  for (const auto& [key, value] : node.items()) collect_references(value, names);
}

}  // namespace mediaemu::cloudformation
