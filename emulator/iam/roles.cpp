// Roles, their inline policies, attached managed policies, tags and service-linked roles.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
#include <algorithm>

#include "emulator/iam/iam.hpp"

namespace mediaemu::iam {
namespace {

double now_seconds(Tx& tx) { return static_cast<double>(tx.now_ms()) / 1000.0; }

json render_role(const Record& r) {
  json role = r.doc;
  role["AssumeRolePolicyDocument"] = encoded_document(r.doc.value("AssumeRolePolicyDocument", ""));
  if (role.contains("Tags") && role["Tags"].empty()) role.erase("Tags");
  return role;
}

const Record& role_in(const Domain& d, const json& in) {
  const Record* r = d.find(role_key(in.at("RoleName").get<std::string>()));
  if (!r) no_such_entity("role with name " + in["RoleName"].get<std::string>());
  return *r;
}

Record& role_for_write(Tx& tx, const json& in) {
  Key key = role_key(in.at("RoleName").get<std::string>());
  if (!tx.find(key)) no_such_entity("role with name " + key.id);
  return tx.modify(key);
}

json create_role(Domain& d, const CallContext& c, const json& in, const std::string& path) {
  const std::string& name = in.at("RoleName").get_ref<const std::string&>();
  std::string trust = checked_document(in, "AssumeRolePolicyDocument");
  auto tx = d.write();
  if (tx->find(role_key(name))) {
    throw api::ApiError(api::ErrorKind::Conflict, "EntityAlreadyExistsException", "Role with name " + name + " already exists.");
  }
  json role = {{"Path", path},
               {"RoleName", name},
               {"RoleId", aws_id("AROA")},
               {"Arn", iam_arn(c, "role", path, name)},
               {"CreateDate", now_seconds(*tx)},
               {"AssumeRolePolicyDocument", trust},
               {"MaxSessionDuration", in.value("MaxSessionDuration", 3600)},
               {"Tags", in.value("Tags", json::array())},
               {"RoleLastUsed", json::object()}};
  copy_member(role, in, "Description");
  if (in.contains("PermissionsBoundary")) {
    role["PermissionsBoundary"] = {{"PermissionsBoundaryType", "Policy"},
                                   {"PermissionsBoundaryArn", in["PermissionsBoundary"]}};
  }
  Record& r = tx->create(role_key(name), role, {{"inline", json::object()}, {"attached", json::array()}});
  json out = {{"Role", render_role(r)}};
  tx->commit();
  return out;
}

// "elasticmapreduce.amazonaws.com" -> "AWSServiceRoleForElasticMapReduce"-style names: IAM
// documents each service's own name; the generic form capitalises the first label.
std::string service_linked_name(const std::string& service, const std::string& suffix) {
  std::string label = service.substr(0, service.find('.'));
  if (!label.empty()) label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
  std::string name = "AWSServiceRoleFor" + label;
  if (!suffix.empty()) name.append("_").append(suffix);
  return name;
}

}  // namespace

void add_role_operations(api::OperationTable& t, Domain& d) {
  t["CreateRole"] = [&d](const CallContext& c, const json& in) { return create_role(d, c, in, checked_path(in)); };
  t["GetRole"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    return json{{"Role", render_role(role_in(d, in))}};
  };
  t["ListRoles"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    std::string prefix = in.value("PathPrefix", "/");
    std::vector<const Record*> roles;
    for (const Record* r : d.list(kRole, kGlobal))
      if (r->doc.value("Path", "/").rfind(prefix, 0) == 0) roles.push_back(r);
    return iam_page(roles, in, "Roles", [](const Record& r) {
      json role = render_role(r);
      role.erase("Tags");  // ListRoles leaves tags and last use out (ListRoleTags has them)
      role.erase("RoleLastUsed");
      return role;
    });
  };
  t["DeleteRole"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    Record& role = role_for_write(*tx, in);
    // IAM refuses while anything still hangs off the role.
    if (!role.internal["inline"].empty() || !role.internal["attached"].empty()) {
      throw api::ApiError(api::ErrorKind::Conflict, "DeleteConflictException",
                          "Cannot delete entity, must delete policies first.");
    }
    for (const Record* p : tx->domain().list(kInstanceProfile, kGlobal)) {
      for (const auto& r : p->doc.value("Roles", json::array()))
        if (r["RoleName"] == role.doc["RoleName"])
          throw api::ApiError(api::ErrorKind::Conflict, "DeleteConflictException",
                              "Cannot delete entity, must remove roles from instance profile first.");
    }
    tx->remove(role.key);
    tx->commit();
    return json::object();
  };
  t["UpdateRole"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    Record& role = role_for_write(*tx, in);
    copy_member(role.doc, in, "Description");
    copy_member(role.doc, in, "MaxSessionDuration");
    tx->commit();
    return json::object();
  };
  t["UpdateRoleDescription"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    Record& role = role_for_write(*tx, in);
    role.doc["Description"] = in.value("Description", "");
    json out = {{"Role", render_role(role)}};
    tx->commit();
    return out;
  };
  t["UpdateAssumeRolePolicy"] = [&d](const CallContext&, const json& in) {
    std::string trust = checked_document(in, "PolicyDocument");
    auto tx = d.write();
    role_for_write(*tx, in).doc["AssumeRolePolicyDocument"] = trust;
    tx->commit();
    return json::object();
  };
  t["TagRole"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    merge_tag_list(role_for_write(*tx, in).doc["Tags"], in.at("Tags"));
    tx->commit();
    return json::object();
  };
  t["UntagRole"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    remove_tag_list(role_for_write(*tx, in).doc["Tags"], in.at("TagKeys"));
    tx->commit();
    return json::object();
  };
  t["ListRoleTags"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    return json{{"Tags", role_in(d, in).doc.value("Tags", json::array())}, {"IsTruncated", false}};
  };

  // Inline policies.
  t["PutRolePolicy"] = [&d](const CallContext&, const json& in) {
    std::string document = checked_document(in, "PolicyDocument");
    auto tx = d.write();
    role_for_write(*tx, in).internal["inline"][in.at("PolicyName").get<std::string>()] = document;
    tx->commit();
    return json::object();
  };
  t["GetRolePolicy"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    const Record& role = role_in(d, in);
    const std::string& name = in.at("PolicyName").get_ref<const std::string&>();
    auto it = role.internal.at("inline").find(name);
    if (it == role.internal.at("inline").end()) no_such_entity("role policy with name " + name);
    return json{{"RoleName", role.doc["RoleName"]}, {"PolicyName", name}, {"PolicyDocument", encoded_document(*it)}};
  };
  t["DeleteRolePolicy"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    json& policies = role_for_write(*tx, in).internal["inline"];
    const std::string& name = in.at("PolicyName").get_ref<const std::string&>();
    if (!policies.contains(name)) no_such_entity("role policy with name " + name);
    policies.erase(name);
    tx->commit();
    return json::object();
  };
  t["ListRolePolicies"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    json names = json::array();
    for (const auto& [name, _] : role_in(d, in).internal.at("inline").items()) names.push_back(name);
    return json{{"PolicyNames", names}, {"IsTruncated", false}};
  };

  // Managed policies attached to the role (customer managed must exist; AWS managed ones,
  // arn:aws:iam::aws:policy/..., are taken as existing: mediaemu does not list AWS's catalogue).
  t["AttachRolePolicy"] = [&d](const CallContext&, const json& in) {
    const std::string& arn = in.at("PolicyArn").get_ref<const std::string&>();
    auto tx = d.write();
    bool aws_managed = arn.rfind("arn:aws:iam::aws:policy/", 0) == 0;
    if (!aws_managed && !tx->find(policy_key(arn))) no_such_entity("policy " + arn);
    json& attached = role_for_write(*tx, in).internal["attached"];
    if (std::find(attached.begin(), attached.end(), arn) == attached.end()) attached.push_back(arn);
    if (!aws_managed) {
      Record& policy = tx->modify(policy_key(arn));
      policy.doc["AttachmentCount"] = policy.doc.value("AttachmentCount", 0) + 1;
    }
    tx->commit();
    return json::object();
  };
  t["DetachRolePolicy"] = [&d](const CallContext&, const json& in) {
    const std::string& arn = in.at("PolicyArn").get_ref<const std::string&>();
    auto tx = d.write();
    json& attached = role_for_write(*tx, in).internal["attached"];
    auto it = std::find(attached.begin(), attached.end(), arn);
    if (it == attached.end()) no_such_entity("policy " + arn + " attached to role " + in["RoleName"].get<std::string>());
    attached.erase(it);
    if (tx->find(policy_key(arn))) {
      Record& policy = tx->modify(policy_key(arn));
      policy.doc["AttachmentCount"] = std::max(0, policy.doc.value("AttachmentCount", 1) - 1);
    }
    tx->commit();
    return json::object();
  };
  t["ListAttachedRolePolicies"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    json out = json::array();
    for (const auto& arn : role_in(d, in).internal.at("attached")) {
      std::string a = arn.get<std::string>();
      out.push_back({{"PolicyArn", a}, {"PolicyName", a.substr(a.rfind('/') + 1)}});
    }
    return json{{"AttachedPolicies", out}, {"IsTruncated", false}};
  };

  // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html
  t["CreateServiceLinkedRole"] = [&d](const CallContext& c, const json& in) {
    const std::string& service = in.at("AWSServiceName").get_ref<const std::string&>();
    json role_in = {{"RoleName", service_linked_name(service, in.value("CustomSuffix", ""))},
                    {"AssumeRolePolicyDocument",
                     json{{"Version", "2012-10-17"},
                          {"Statement", json::array({{{"Effect", "Allow"},
                                                      {"Principal", {{"Service", service}}},
                                                      {"Action", "sts:AssumeRole"}}})}}
                         .dump()}};
    copy_member(role_in, in, "Description");
    return create_role(d, c, role_in, "/aws-service-role/" + service + "/");
  };
  t["DeleteServiceLinkedRole"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    Record& role = role_for_write(*tx, in);
    std::string task = "task/aws-service-role/" + role.doc["RoleName"].get<std::string>() + "/" + random_hex(16);
    tx->remove(role.key);
    tx->commit();
    return json{{"DeletionTaskId", task}};
  };
  // Deletion is immediate here, so every task DeleteServiceLinkedRole handed out has succeeded.
  t["GetServiceLinkedRoleDeletionStatus"] = [](const CallContext&, const json& in) {
    const std::string& task = in.at("DeletionTaskId").get_ref<const std::string&>();
    if (task.rfind("task/aws-service-role/", 0) != 0) no_such_entity("deletion task " + task);
    return json{{"Status", "SUCCEEDED"}};
  };
}

}  // namespace mediaemu::iam
