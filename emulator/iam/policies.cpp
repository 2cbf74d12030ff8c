// Customer managed policies and their versions (at most five, one the default).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html
#include <algorithm>

#include "emulator/iam/iam.hpp"

namespace mediaemu::iam {
namespace {

constexpr size_t kMaxVersions = 5;

const Record& policy_in(const Domain& d, const json& in) {
  const std::string& arn = in.at("PolicyArn").get_ref<const std::string&>();
  const Record* r = d.find(policy_key(arn));
  if (!r) no_such_entity("policy " + arn);
  return *r;
}

Record& policy_for_write(Tx& tx, const json& in) {
  Key key = policy_key(in.at("PolicyArn").get<std::string>());
  if (!tx.find(key)) no_such_entity("policy " + key.id);
  return tx.modify(key);
}

json render_version(const json& v, bool with_document) {
  json out = {{"VersionId", v["VersionId"]}, {"IsDefaultVersion", v["IsDefaultVersion"]}, {"CreateDate", v["CreateDate"]}};
  if (with_document) out["Document"] = encoded_document(v["Document"].get<std::string>());
  return out;
}

json& version_of(Record& policy, const std::string& id) {
  for (auto& v : policy.internal["versions"])
    if (v["VersionId"] == id) return v;
  no_such_entity("policy version " + id + " of " + policy.key.id);
}

void set_default(Record& policy, const std::string& id) {
  version_of(policy, id);  // must exist
  for (auto& v : policy.internal["versions"]) v["IsDefaultVersion"] = v["VersionId"] == id;
  policy.doc["DefaultVersionId"] = id;
}

}  // namespace

void add_policy_operations(api::OperationTable& t, Domain& d) {
  t["CreatePolicy"] = [&d](const CallContext& c, const json& in) {
    const std::string& name = in.at("PolicyName").get_ref<const std::string&>();
    std::string path = checked_path(in), document = checked_document(in, "PolicyDocument");
    std::string arn = iam_arn(c, "policy", path, name);
    auto tx = d.write();
    if (tx->find(policy_key(arn))) {
      throw api::ApiError(api::ErrorKind::Conflict, "EntityAlreadyExistsException",
                          "A policy called " + name + " already exists. Duplicate names are not allowed.");
    }
    double now = static_cast<double>(tx->now_ms()) / 1000.0;
    json policy = {{"PolicyName", name}, {"PolicyId", aws_id("ANPA")}, {"Arn", arn}, {"Path", path},
                   {"DefaultVersionId", "v1"}, {"AttachmentCount", 0}, {"PermissionsBoundaryUsageCount", 0},
                   {"IsAttachable", true}, {"CreateDate", now}, {"UpdateDate", now},
                   {"Tags", in.value("Tags", json::array())}};
    copy_member(policy, in, "Description");
    json versions = json::array({{{"VersionId", "v1"}, {"Document", document}, {"IsDefaultVersion", true}, {"CreateDate", now}}});
    Record& r = tx->create(policy_key(arn), policy, {{"versions", versions}, {"next_version", 2}});
    json out = {{"Policy", r.doc}};
    tx->commit();
    return out;
  };
  t["GetPolicy"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    return json{{"Policy", policy_in(d, in).doc}};
  };
  t["DeletePolicy"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    Record& policy = policy_for_write(*tx, in);
    if (policy.doc.value("AttachmentCount", 0) > 0) {
      throw api::ApiError(api::ErrorKind::Conflict, "DeleteConflictException",
                          "Cannot delete a policy attached to entities.");
    }
    tx->remove(policy.key);
    tx->commit();
    return json::object();
  };
  t["ListPolicies"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    std::string scope = in.value("Scope", "All"), prefix = in.value("PathPrefix", "/");
    bool only_attached = in.value("OnlyAttached", false);
    std::vector<const Record*> policies;
    if (scope != "AWS") {  // the customer managed ones; AWS's catalogue is not emulated
      for (const Record* r : d.list(kPolicy, kGlobal)) {
        if (r->doc.value("Path", "/").rfind(prefix, 0) != 0) continue;
        if (only_attached && r->doc.value("AttachmentCount", 0) == 0) continue;
        policies.push_back(r);
      }
    }
    return iam_page(policies, in, "Policies", [](const Record& r) {
      json p = r.doc;
      p.erase("Tags");
      return p;
    });
  };
  t["GetPolicyVersion"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    Record policy = policy_in(d, in);
    return json{{"PolicyVersion", render_version(version_of(policy, in.at("VersionId").get<std::string>()), true)}};
  };
  t["ListPolicyVersions"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    json versions = json::array();
    for (const auto& v : policy_in(d, in).internal.at("versions")) versions.push_back(render_version(v, false));
    return json{{"Versions", versions}, {"IsTruncated", false}};
  };
  t["CreatePolicyVersion"] = [&d](const CallContext&, const json& in) {
    std::string document = checked_document(in, "PolicyDocument");
    auto tx = d.write();
    Record& policy = policy_for_write(*tx, in);
    json& versions = policy.internal["versions"];
    if (versions.size() >= kMaxVersions) {
      throw api::ApiError(api::ErrorKind::Conflict, "LimitExceededException",
                          "A managed policy can have up to 5 versions. Before you create a new version, you must "
                          "delete an existing version.");
    }
    int n = policy.internal.value("next_version", static_cast<int>(versions.size()) + 1);
    policy.internal["next_version"] = n + 1;
    std::string id = "v" + std::to_string(n);
    double now = static_cast<double>(tx->now_ms()) / 1000.0;
    versions.push_back({{"VersionId", id}, {"Document", document}, {"IsDefaultVersion", false}, {"CreateDate", now}});
    if (in.value("SetAsDefault", false)) set_default(policy, id);
    policy.doc["UpdateDate"] = now;
    json out = {{"PolicyVersion", render_version(version_of(policy, id), false)}};
    tx->commit();
    return out;
  };
  t["DeletePolicyVersion"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    Record& policy = policy_for_write(*tx, in);
    const std::string& id = in.at("VersionId").get_ref<const std::string&>();
    if (version_of(policy, id)["IsDefaultVersion"].get<bool>()) {
      throw api::ApiError(api::ErrorKind::Conflict, "DeleteConflictException", "Cannot delete the default version of a policy.");
    }
    json& versions = policy.internal["versions"];
    versions.erase(std::remove_if(versions.begin(), versions.end(), [&](const json& v) { return v["VersionId"] == id; }),
                   versions.end());
    tx->commit();
    return json::object();
  };
  t["SetDefaultPolicyVersion"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    set_default(policy_for_write(*tx, in), in.at("VersionId").get<std::string>());
    tx->commit();
    return json::object();
  };
  t["ListPolicyTags"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    return json{{"Tags", policy_in(d, in).doc.value("Tags", json::array())}, {"IsTruncated", false}};
  };
}

}  // namespace mediaemu::iam
