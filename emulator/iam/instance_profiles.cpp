// Instance profiles: a container for one role that EC2 instances (and CDK's templates) name.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateInstanceProfile.html
#include <algorithm>

#include "emulator/iam/iam.hpp"

namespace mediaemu::iam {
namespace {

// The profile with its roles as they are now (the profile keeps their names).
json render_profile(const Domain& d, const Record& r) {
  json profile = r.doc;
  profile["Roles"] = json::array();
  for (const auto& name : r.internal.value("roles", json::array())) {
    if (const Record* role = d.find(role_key(name.get<std::string>()))) {
      json rendered = role->doc;
      rendered["AssumeRolePolicyDocument"] = encoded_document(role->doc.value("AssumeRolePolicyDocument", ""));
      rendered.erase("Tags");
      rendered.erase("RoleLastUsed");
      profile["Roles"].push_back(rendered);
    }
  }
  return profile;
}

Record& profile_for_write(Tx& tx, const json& in) {
  Key key = profile_key(in.at("InstanceProfileName").get<std::string>());
  if (!tx.find(key)) no_such_entity("instance profile " + key.id);
  return tx.modify(key);
}

}  // namespace

void add_instance_profile_operations(api::OperationTable& t, Domain& d) {
  t["CreateInstanceProfile"] = [&d](const CallContext& c, const json& in) {
    const std::string& name = in.at("InstanceProfileName").get_ref<const std::string&>();
    std::string path = checked_path(in);
    auto tx = d.write();
    if (tx->find(profile_key(name))) {
      throw api::ApiError(api::ErrorKind::Conflict, "EntityAlreadyExistsException",
                          "Instance Profile " + name + " already exists.");
    }
    json profile = {{"Path", path}, {"InstanceProfileName", name}, {"InstanceProfileId", aws_id("AIPA")},
                    {"Arn", iam_arn(c, "instance-profile", path, name)},
                    {"CreateDate", static_cast<double>(tx->now_ms()) / 1000.0}};
    if (in.contains("Tags")) profile["Tags"] = in["Tags"];
    Record& r = tx->create(profile_key(name), profile, {{"roles", json::array()}});
    json out = {{"InstanceProfile", render_profile(tx->domain(), r)}};
    tx->commit();
    return out;
  };
  t["GetInstanceProfile"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    const std::string& name = in.at("InstanceProfileName").get_ref<const std::string&>();
    const Record* r = d.find(profile_key(name));
    if (!r) no_such_entity("instance profile " + name);
    return json{{"InstanceProfile", render_profile(d, *r)}};
  };
  t["DeleteInstanceProfile"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    Record& profile = profile_for_write(*tx, in);
    if (!profile.internal["roles"].empty()) {
      throw api::ApiError(api::ErrorKind::Conflict, "DeleteConflictException",
                          "Cannot delete entity, must remove roles from instance profile first.");
    }
    tx->remove(profile.key);
    tx->commit();
    return json::object();
  };
  t["AddRoleToInstanceProfile"] = [&d](const CallContext&, const json& in) {
    const std::string& role = in.at("RoleName").get_ref<const std::string&>();
    auto tx = d.write();
    if (!tx->find(role_key(role))) no_such_entity("role with name " + role);
    Record& profile = profile_for_write(*tx, in);
    if (!profile.internal["roles"].empty()) {  // IAM's quota: one role per instance profile
      throw api::ApiError(api::ErrorKind::Conflict, "LimitExceededException",
                          "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
    }
    profile.internal["roles"].push_back(role);
    tx->commit();
    return json::object();
  };
  t["RemoveRoleFromInstanceProfile"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    json& roles = profile_for_write(*tx, in).internal["roles"];
    auto it = std::find(roles.begin(), roles.end(), in.at("RoleName"));
    if (it == roles.end()) no_such_entity("role " + in["RoleName"].get<std::string>() + " in the instance profile");
    roles.erase(it);
    tx->commit();
    return json::object();
  };
  t["ListInstanceProfiles"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    std::string prefix = in.value("PathPrefix", "/");
    std::vector<const Record*> profiles;
    for (const Record* r : d.list(kInstanceProfile, kGlobal))
      if (r->doc.value("Path", "/").rfind(prefix, 0) == 0) profiles.push_back(r);
    return iam_page(profiles, in, "InstanceProfiles", [&d](const Record& r) { return render_profile(d, r); });
  };
  t["ListInstanceProfilesForRole"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    const json& role = in.at("RoleName");
    if (!d.find(role_key(role.get<std::string>()))) no_such_entity("role with name " + role.get<std::string>());
    std::vector<const Record*> profiles;
    for (const Record* r : d.list(kInstanceProfile, kGlobal)) {
      const json& roles = r->internal.at("roles");
      if (std::find(roles.begin(), roles.end(), role) != roles.end()) profiles.push_back(r);
    }
    return iam_page(profiles, in, "InstanceProfiles", [&d](const Record& r) { return render_profile(d, r); });
  };
}

}  // namespace mediaemu::iam
