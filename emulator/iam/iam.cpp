#include "emulator/iam/iam.hpp"

#include "api/uri_template.hpp"

namespace mediaemu::iam {

std::string iam_arn(const CallContext& ctx, const std::string& type, const std::string& path, const std::string& name) {
  return "arn:aws:iam::" + ctx.account + ":" + type + path + name;
}

std::string checked_path(const json& input) {
  std::string path = input.value("Path", "/");
  if (path.empty() || path.front() != '/' || path.back() != '/') {
    throw api::ApiError(api::ErrorKind::Validation, "ValidationError",
                        "The specified value for path is invalid. It must begin and end with / and contain only "
                        "alphanumeric characters and/or / characters.");
  }
  return path;
}

std::string checked_document(const json& input, const char* member) {
  std::string document = input.value(member, "");
  if (!json::accept(document)) {
    throw api::ApiError(api::ErrorKind::Validation, "MalformedPolicyDocumentException",
                        std::string("This policy contains invalid Json (") + member + ")");
  }
  return document;
}

std::string encoded_document(const std::string& document) { return api::percent_encode(document); }

void no_such_entity(const std::string& what) {
  throw api::ApiError(api::ErrorKind::NotFound, "NoSuchEntityException", "The " + what + " cannot be found.");
}

json iam_page(const std::vector<const Record*>& records, const json& input, const char* member,
              const std::function<json(const Record&)>& render) {
  Page page = paginate(records, input, 100, "Marker", "MaxItems");
  json out = {{member, json::array()}, {"IsTruncated", !page.next_token.empty()}};
  for (const Record* r : page.items) out[member].push_back(render(*r));
  if (!page.next_token.empty()) out["Marker"] = page.next_token;
  return out;
}

const Record* find_role_by_arn(const Domain& domain, const std::string& arn) {
  const Record* r = domain.find_by_arn(arn);
  return r && r->key.kind == kRole ? r : nullptr;
}

api::OperationTable operations(Domain& domain) {
  api::OperationTable t;
  add_role_operations(t, domain);
  add_policy_operations(t, domain);
  add_instance_profile_operations(t, domain);
  return t;
}

}  // namespace mediaemu::iam
