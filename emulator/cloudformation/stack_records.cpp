#include "emulator/cloudformation/stack_records.hpp"

#include <regex>

#include "api/errors.hpp"
#include "api/uri_template.hpp"
#include "emulator/cloudformation/cloudformation.hpp"
#include "emulator/secretsmanager/secretsmanager.hpp"
#include "emulator/service_kit.hpp"
#include "emulator/ssm/ssm.hpp"

namespace mediaemu::cloudformation {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0, at;
  while ((at = s.find(sep, start)) != std::string::npos) {
    out.push_back(s.substr(start, at - start));
    start = at + 1;
  }
  out.push_back(s.substr(start));
  return out;
}

// {{resolve:ssm:name[:version]}}, {{resolve:ssm-secure:name[:version]}} and
// {{resolve:secretsmanager:secret-id[:SecretString[:json-key[:version-stage[:version-id]]]]}}.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html
std::string resolve_one(Domain& domain, const std::string& region, const std::string& reference) {
  auto parts = split(reference, ':');
  const std::string& service = parts[0];
  auto lock = domain.read();
  if (service == "ssm" || service == "ssm-secure") {
    if (parts.size() < 2 || parts.size() > 3) validation_error("Incorrect format for dynamic reference {{resolve:" + reference + "}}");
    std::string name = parts.size() == 3 ? parts[1] + ":" + parts[2] : parts[1];
    auto v = ssm::parameter_value(domain, region, name);
    if (!v) validation_error("Parameters: [" + parts[1] + "] referenced by template have types not supported by CloudFormation or cannot be found.");
    return *v;
  }
  if (service == "secretsmanager") {
    // A secret ARN has colons of its own: arn:aws:secretsmanager:<region>:<account>:secret:<name>.
    size_t id_parts = parts.size() > 1 && parts[1] == "arn" ? 7 : 1;
    if (parts.size() < 1 + id_parts) validation_error("Incorrect format for dynamic reference {{resolve:" + reference + "}}");
    std::string id;
    for (size_t i = 1; i <= id_parts; ++i) id += (i > 1 ? ":" : "") + parts[i];
    std::vector<std::string> rest(parts.begin() + 1 + static_cast<long>(id_parts), parts.end());
    if (rest.size() > 2 && ((!rest[2].empty() && rest[2] != "AWSCURRENT") || (rest.size() > 3 && !rest[3].empty())))
      validation_error("mediaemu resolves only the AWSCURRENT version of a secret in {{resolve:" + reference + "}}");
    auto v = secretsmanager::current_secret_string(domain, region, id);
    if (!v) validation_error("Secrets Manager can't find the specified secret. (" + id + ")");
    if (rest.size() < 2 || rest[1].empty()) return *v;
    json doc = json::parse(*v, nullptr, false);
    if (!doc.is_object() || !doc.contains(rest[1]))
      validation_error("Could not find a value associated with JSONKey in SecretString (" + rest[1] + ")");
    return as_text(doc[rest[1]]);
  }
  validation_error("Unsupported dynamic reference service " + service + " in {{resolve:" + reference + "}}");
}

}  // namespace

void validation_error(const std::string& message) {
  throw api::ApiError(api::ErrorKind::Validation, "ValidationError", message);
}

double now_seconds(const Domain& domain) { return static_cast<double>(domain.clock().now_ms()) / 1000.0; }

const Record* find_by_id(const Domain& domain, const std::string& kind, const std::string& arn) {
  // arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid> (changeSet/<name>/<uuid>): the
  // record's key is (kind, region, uuid).
  auto fields = split(arn, ':');
  if (fields.size() < 6) return nullptr;
  return domain.find({kind, fields[3], arn.substr(arn.rfind('/') + 1)});
}

std::string new_uuid() {
  std::string h = random_hex(16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

const Record* find_stack(const Domain& domain, const std::string& region, const std::string& name_or_id) {
  if (name_or_id.rfind("arn:", 0) == 0) return find_by_id(domain, kStack, name_or_id);
  for (const Record* r : domain.list(kStack, region))
    if (r->doc.value("StackName", "") == name_or_id && r->doc.value("StackStatus", "") != "DELETE_COMPLETE") return r;
  return nullptr;
}

const Record& require_stack(const Domain& domain, const std::string& region, const std::string& name_or_id) {
  const Record* r = find_stack(domain, region, name_or_id);
  if (!r) validation_error("Stack with id " + name_or_id + " does not exist");
  return *r;
}

bool in_progress(const std::string& status) {
  return status.size() > 12 && status.compare(status.size() - 12, 12, "_IN_PROGRESS") == 0;
}

json stack_event(const json& stack, const std::string& logical, const std::string& type, const std::string& physical,
                 const std::string& status, const std::string& reason, double timestamp) {
  json e = {{"StackId", stack.value("StackId", "")},
            {"EventId", logical + "-" + new_uuid()},
            {"StackName", stack.value("StackName", "")},
            {"LogicalResourceId", logical},
            {"PhysicalResourceId", physical},
            {"ResourceType", type},
            {"Timestamp", timestamp},
            {"ResourceStatus", status}};
  if (!reason.empty()) e["ResourceStatusReason"] = reason;
  return e;
}

std::string template_body(const api::AwsApi& api, const api::CallContext& ctx, const json& in) {
  bool has_body = in.contains("TemplateBody"), has_url = in.contains("TemplateURL");
  if (has_body == has_url) validation_error("Specify exactly one of TemplateBody or TemplateURL.");
  if (has_body) return in["TemplateBody"].get<std::string>();
  std::string url = in["TemplateURL"].get<std::string>();
  auto scheme = url.find("://");
  if (scheme == std::string::npos) validation_error("TemplateURL must be a supported URL.");
  std::string rest = url.substr(scheme + 3);
  auto slash = rest.find('/');
  std::string host = rest.substr(0, slash), path = slash == std::string::npos ? "" : rest.substr(slash + 1);
  host = host.substr(0, host.find(':'));
  path = path.substr(0, path.find('?'));
  std::string bucket, key;
  auto s3_at = host.find(".s3");
  if (s3_at != std::string::npos && s3_at > 0 && host.rfind("s3", 0) != 0) {
    bucket = host.substr(0, s3_at);  // virtual-hosted: <bucket>.s3[.<region>].amazonaws.com
    key = path;
  } else {
    auto cut = path.find('/');  // path-style: s3.<region>.amazonaws.com/<bucket>/<key>, 127.0.0.1:4566/<bucket>/<key>
    bucket = path.substr(0, cut);
    key = cut == std::string::npos ? "" : path.substr(cut + 1);
  }
  if (bucket.empty() || key.empty()) validation_error("TemplateURL must reference a valid S3 object to which you have access.");
  try {
    json object = api.invoke("s3", "GetObject", ctx, {{"Bucket", bucket}, {"Key", api::percent_decode(key)}});
    return object.value("Body", "");
  } catch (const api::ApiError& e) {
    validation_error("TemplateURL must reference a valid S3 object to which you have access. (" + std::string(e.what()) + ")");
  }
}

Scope stack_scope(Domain& domain, const json& stack_doc, const json& tpl, const std::map<std::string, json>& parameters,
                  const json& resources) {
  Scope scope;
  std::string stack_id = stack_doc.value("StackId", "");
  scope.region = stack_id.empty() ? api::kDefaultRegion : split(stack_id, ':')[3];
  scope.account = api::kAccountId;
  scope.stack_name = stack_doc.value("StackName", "");
  scope.stack_id = stack_id;
  scope.notification_arns = stack_doc.value("NotificationARNs", json::array());
  scope.parameters = parameters;
  scope.mappings = tpl.value("Mappings", json::object());
  const json* res = &resources;
  scope.resource_ref = [res](const std::string& logical) -> std::optional<json> {
    if (!res->contains(logical)) return std::nullopt;
    const json& r = (*res)[logical];
    const json attributes = r.value("Attributes", json::object());
    if (attributes.contains("Ref")) return attributes["Ref"];
    std::string physical = r.value("PhysicalResourceId", "");
    if (physical.empty()) return std::nullopt;
    return physical;
  };
  scope.resource_attribute = [res](const std::string& logical, const std::string& attribute) -> std::optional<json> {
    if (!res->contains(logical)) return std::nullopt;
    const json attributes = (*res)[logical].value("Attributes", json::object());
    if (attributes.contains(attribute)) return attributes[attribute];
    return std::nullopt;
  };
  std::string region = scope.region;
  Domain* d = &domain;
  scope.import_value = [d, region](const std::string& name) -> std::optional<std::string> {
    auto lock = d->read();
    auto all = exports(*d, region);
    auto it = all.find(name);
    if (it == all.end()) return std::nullopt;
    return it->second.first;
  };
  scope.dynamic_references = [d, region](const std::string& text) {
    static const std::regex reference(R"(\{\{resolve:([^}]*)\}\})");
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), reference);
    size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      out += text.substr(last, static_cast<size_t>(it->position()) - last);
      out += resolve_one(*d, region, (*it)[1].str());
      last = static_cast<size_t>(it->position() + it->length());
    }
    return out + text.substr(last);
  };
  evaluate_conditions(tpl, scope);
  return scope;
}

std::map<std::string, std::pair<std::string, std::string>> exports(const Domain& domain, const std::string& region) {
  std::map<std::string, std::pair<std::string, std::string>> out;
  for (const Record* r : domain.list(kStack, region)) {
    std::string status = r->doc.value("StackStatus", "");
    if (status == "DELETE_COMPLETE" || status == "REVIEW_IN_PROGRESS") continue;
    for (const auto& o : r->doc.value("Outputs", json::array()))
      if (o.contains("ExportName")) out[o["ExportName"]] = {o.value("OutputValue", ""), r->doc.value("StackId", "")};
  }
  return out;
}

std::vector<std::string> required_capabilities(const json& tpl) {
  bool iam = false, named = false;
  for (const auto& [name, r] : section(tpl, "Resources").items()) {
    std::string type = r.value("Type", "");
    if (type.rfind("AWS::IAM::", 0) != 0) continue;
    iam = true;
    const json props = r.value("Properties", json::object());
    for (const char* n : {"RoleName", "ManagedPolicyName", "InstanceProfileName", "UserName", "GroupName"})
      named = named || props.contains(n);
  }
  if (named) return {"CAPABILITY_NAMED_IAM"};
  if (iam) return {"CAPABILITY_IAM"};
  return {};
}

}  // namespace mediaemu::cloudformation
