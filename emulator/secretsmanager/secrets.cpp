// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html
#include <algorithm>

#include "emulator/secretsmanager/secretsmanager.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::secretsmanager {
namespace {

using api::ApiError;
using api::ErrorKind;

constexpr const char* kCurrent = "AWSCURRENT";
constexpr const char* kPrevious = "AWSPREVIOUS";

[[noreturn]] void not_found() {
  throw ApiError(ErrorKind::NotFound, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
}

double now_seconds(const Tx& tx) { return static_cast<double>(tx.now_ms()) / 1000.0; }

// SecretId is a name or an ARN.
const Record* find_secret(const Domain& d, const std::string& region, const std::string& id) {
  if (id.rfind("arn:", 0) == 0) {
    const Record* r = d.find_by_arn(id);
    return r && r->key.kind == kSecret ? r : nullptr;
  }
  return d.find({kSecret, region, id});
}

const Record& secret_in(const Domain& d, const CallContext& c, const json& in) {
  const Record* r = find_secret(d, c.region, in.at("SecretId").get<std::string>());
  if (!r) not_found();
  return *r;
}

Record& secret_for_write(Tx& tx, const CallContext& c, const json& in) {
  const Record* r = find_secret(tx.domain(), c.region, in.at("SecretId").get<std::string>());
  if (!r) not_found();
  return tx.modify(r->key);
}

void refuse_if_deleted(const Record& secret) {
  if (secret.doc.contains("DeletedDate")) {
    throw ApiError(ErrorKind::Validation, "InvalidRequestException",
                   "You can't perform this operation on the secret because it was marked for deletion.");
  }
}

// Adds a version holding the value in `in` (SecretString or SecretBinary) as AWSCURRENT; the
// version that was current becomes AWSPREVIOUS. Returns its id.
std::string add_version(Tx& tx, Record& secret, const json& in) {
  if (!in.contains("SecretString") && !in.contains("SecretBinary")) return "";
  if (in.contains("SecretString") && in.contains("SecretBinary")) {
    throw ApiError(ErrorKind::Validation, "InvalidParameterException",
                   "You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  std::string id = in.value("ClientRequestToken", "");
  if (id.empty()) id = random_hex(4) + "-" + random_hex(2) + "-" + random_hex(2) + "-" + random_hex(2) + "-" + random_hex(6);
  json& versions = secret.internal["versions"];
  if (versions.contains(id)) return id;  // the same token again: idempotent, as AWS documents
  for (auto& [vid, v] : versions.items()) {
    json& stages = v["Stages"];
    stages.erase(std::remove(stages.begin(), stages.end(), kPrevious), stages.end());
    if (std::find(stages.begin(), stages.end(), kCurrent) != stages.end()) {
      stages.erase(std::remove(stages.begin(), stages.end(), kCurrent), stages.end());
      stages.push_back(kPrevious);
    }
  }
  json version = {{"Stages", json::array({kCurrent})}, {"CreatedDate", now_seconds(tx)}};
  copy_member(version, in, "SecretString");
  copy_member(version, in, "SecretBinary");
  versions[id] = version;
  // A version with no stage left is gone from the secret's view (AWS deprecates it).
  for (auto it = versions.begin(); it != versions.end();) {
    if (it.value()["Stages"].empty()) it = versions.erase(it);
    else ++it;
  }
  secret.doc["LastChangedDate"] = now_seconds(tx);
  return id;
}

json describe(const Record& r) {
  json out = r.doc;
  json stages = json::object();
  for (const auto& [vid, v] : r.internal.at("versions").items()) stages[vid] = v["Stages"];
  out["VersionIdsToStages"] = stages;
  out["RotationEnabled"] = false;
  if (out.contains("Tags") && out["Tags"].empty()) out.erase("Tags");
  return out;
}

// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html
json random_password(const json& in) {
  int length = in.value("PasswordLength", 32);
  std::string exclude = in.value("ExcludeCharacters", "");
  std::vector<std::string> classes;
  if (!in.value("ExcludeLowercase", false)) classes.push_back("abcdefghijklmnopqrstuvwxyz");
  if (!in.value("ExcludeUppercase", false)) classes.push_back("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
  if (!in.value("ExcludeNumbers", false)) classes.push_back("0123456789");
  if (!in.value("ExcludePunctuation", false)) classes.push_back("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
  if (in.value("IncludeSpace", false)) classes.push_back(" ");
  for (auto& cls : classes)
    cls.erase(std::remove_if(cls.begin(), cls.end(), [&](char ch) { return exclude.find(ch) != std::string::npos; }),
              cls.end());
  classes.erase(std::remove_if(classes.begin(), classes.end(), [](const std::string& c) { return c.empty(); }),
                classes.end());
  bool each = in.value("RequireEachIncludedType", true);
  if (classes.empty() || (each && length < static_cast<int>(classes.size()))) {
    throw ApiError(ErrorKind::Validation, "InvalidParameterException",
                   "The password length is too short to include every required character type, or every character is excluded.");
  }
  std::string all;
  for (const auto& c : classes) all += c;
  auto pick = [](const std::string& from) {
    std::string r = random_hex(4);
    return from[std::stoul(r, nullptr, 16) % from.size()];
  };
  std::string password;
  if (each)
    for (const auto& c : classes) password.push_back(pick(c));
  while (static_cast<int>(password.size()) < length) password.push_back(pick(all));
  // Shuffle so the required characters are not always first (Fisher-Yates).
  for (size_t i = password.size(); i > 1; --i) std::swap(password[i - 1], password[std::stoul(random_hex(4), nullptr, 16) % i]);
  return json{{"RandomPassword", password}};
}

}  // namespace

std::optional<std::string> current_secret_string(const Domain& d, const std::string& region, const std::string& id) {
  const Record* r = find_secret(d, region, id);
  if (!r || r->doc.contains("DeletedDate")) return std::nullopt;
  for (const auto& [vid, v] : r->internal.at("versions").items()) {
    const json& stages = v["Stages"];
    if (std::find(stages.begin(), stages.end(), kCurrent) != stages.end() && v.contains("SecretString"))
      return v["SecretString"].get<std::string>();
  }
  return std::nullopt;
}

api::OperationTable operations(Domain& d) {
  // A secret scheduled for deletion is deleted when its recovery window ends.
  d.on_transition(kSecret, [](Tx& tx, const Key& key, const std::string& to) {
    if (to == "DELETED" && tx.find(key)) tx.remove(key);
  });

  api::OperationTable t;
  t["CreateSecret"] = [&d](const CallContext& c, const json& in) {
    const std::string& name = in.at("Name").get_ref<const std::string&>();
    auto tx = d.write();
    if (const Record* existing = tx->find({kSecret, c.region, name})) {
      throw ApiError(ErrorKind::Conflict, "ResourceExistsException",
                     existing->doc.contains("DeletedDate")
                         ? "You can't create this secret because a secret with this name is already scheduled for deletion."
                         : "The operation failed because the secret " + name + " already exists.");
    }
    // AWS appends a dash and six random characters to the name in the ARN.
    json doc = {{"ARN", make_arn(c, "secretsmanager", "secret:" + name + "-" + random_hex(3))},
                {"Name", name},
                {"CreatedDate", now_seconds(*tx)},
                {"LastChangedDate", now_seconds(*tx)},
                {"Tags", in.value("Tags", json::array())}};
    copy_member(doc, in, "Description");
    copy_member(doc, in, "KmsKeyId");
    doc["Arn"] = doc["ARN"];  // the domain indexes ARNs under "Arn"
    Record& r = tx->create({kSecret, c.region, name}, doc, {{"versions", json::object()}});
    std::string version = add_version(*tx, r, in);
    json out = {{"ARN", doc["ARN"]}, {"Name", name}};
    if (!version.empty()) out["VersionId"] = version;
    tx->commit();
    return out;
  };
  t["DescribeSecret"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    json out = describe(secret_in(d, c, in));
    out.erase("Arn");
    return out;
  };
  t["GetSecretValue"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    const Record& r = secret_in(d, c, in);
    refuse_if_deleted(r);
    std::string stage = in.value("VersionStage", in.contains("VersionId") ? "" : kCurrent);
    for (const auto& [vid, v] : r.internal.at("versions").items()) {
      const json& stages = v["Stages"];
      bool match = in.contains("VersionId") ? vid == in["VersionId"].get<std::string>()
                                            : std::find(stages.begin(), stages.end(), stage) != stages.end();
      if (!match) continue;
      json out = {{"ARN", r.doc["ARN"]}, {"Name", r.doc["Name"]}, {"VersionId", vid}, {"VersionStages", stages},
                  {"CreatedDate", v["CreatedDate"]}};
      copy_member(out, v, "SecretString");
      copy_member(out, v, "SecretBinary");
      return out;
    }
    throw ApiError(ErrorKind::NotFound, "ResourceNotFoundException",
                   "Secrets Manager can't find the specified secret value for " +
                       (in.contains("VersionId") ? "VersionId: " + in["VersionId"].get<std::string>() : "staging label: " + stage));
  };
  t["PutSecretValue"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    Record& r = secret_for_write(*tx, c, in);
    refuse_if_deleted(r);
    std::string version = add_version(*tx, r, in);
    if (version.empty()) {
      throw ApiError(ErrorKind::Validation, "InvalidRequestException", "You must provide either SecretString or SecretBinary.");
    }
    json out = {{"ARN", r.doc["ARN"]}, {"Name", r.doc["Name"]}, {"VersionId", version},
                {"VersionStages", r.internal["versions"][version]["Stages"]}};
    tx->commit();
    return out;
  };
  t["UpdateSecret"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    Record& r = secret_for_write(*tx, c, in);
    refuse_if_deleted(r);
    copy_member(r.doc, in, "Description");
    copy_member(r.doc, in, "KmsKeyId");
    r.doc["LastChangedDate"] = now_seconds(*tx);
    std::string version = add_version(*tx, r, in);
    json out = {{"ARN", r.doc["ARN"]}, {"Name", r.doc["Name"]}};
    if (!version.empty()) out["VersionId"] = version;
    tx->commit();
    return out;
  };
  t["DeleteSecret"] = [&d](const CallContext& c, const json& in) {
    bool force = in.value("ForceDeleteWithoutRecovery", false);
    if (force && in.contains("RecoveryWindowInDays")) {
      throw ApiError(ErrorKind::Validation, "InvalidParameterException",
                     "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    int days = in.value("RecoveryWindowInDays", 30);
    if (days < 7 || days > 30) {
      throw ApiError(ErrorKind::Validation, "InvalidParameterException",
                     "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
    }
    auto tx = d.write();
    Record& r = secret_for_write(*tx, c, in);
    double when = now_seconds(*tx) + (force ? 0 : days * 86400.0);
    json out = {{"ARN", r.doc["ARN"]}, {"Name", r.doc["Name"]}, {"DeletionDate", when}};
    if (force) {
      tx->remove(r.key);
    } else {
      r.doc["DeletedDate"] = when;
      tx->schedule(r.key, "DELETED", static_cast<int64_t>(days) * 86400 * 1000);
    }
    tx->commit();
    return out;
  };
  t["RestoreSecret"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    Record& r = secret_for_write(*tx, c, in);
    r.doc.erase("DeletedDate");
    tx->cancel_transition(r.key);
    json out = {{"ARN", r.doc["ARN"]}, {"Name", r.doc["Name"]}};
    tx->commit();
    return out;
  };
  t["ListSecrets"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    bool planned = in.value("IncludePlannedDeletion", false);
    std::vector<const Record*> matching;
    for (const Record* r : d.list(kSecret, c.region)) {
      if (r->doc.contains("DeletedDate") && !planned) continue;
      bool keep = true;
      for (const auto& f : in.value("Filters", json::array())) {
        std::string key = f.value("Key", "");
        bool any = false;
        for (const auto& v : f.value("Values", json::array())) {
          std::string value = v.get<std::string>();
          if (key == "name") any |= r->doc["Name"].get<std::string>().rfind(value, 0) == 0;
          else if (key == "description") any |= r->doc.value("Description", "").find(value) != std::string::npos;
          else if (key == "tag-key" || key == "tag-value")
            for (const auto& tag : r->doc.value("Tags", json::array()))
              any |= tag.value(key == "tag-key" ? "Key" : "Value", "").rfind(value, 0) == 0;
          else if (key == "all") any |= r->doc["Name"].get<std::string>().find(value) != std::string::npos;
        }
        keep &= any;
      }
      if (keep) matching.push_back(r);
    }
    Page page = paginate(matching, in, 100);
    json out = {{"SecretList", json::array()}};
    for (const Record* r : page.items) {
      json s = describe(*r);
      s.erase("Arn");
      s.erase("VersionIdsToStages");
      s["SecretVersionsToStages"] = describe(*r)["VersionIdsToStages"];
      out["SecretList"].push_back(s);
    }
    put_next_token(out, page);
    return out;
  };
  t["ListSecretVersionIds"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    const Record& r = secret_in(d, c, in);
    json versions = json::array();
    for (const auto& [vid, v] : r.internal.at("versions").items())
      versions.push_back({{"VersionId", vid}, {"VersionStages", v["Stages"]}, {"CreatedDate", v["CreatedDate"]}});
    return json{{"ARN", r.doc["ARN"]}, {"Name", r.doc["Name"]}, {"Versions", versions}};
  };
  t["TagResource"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    merge_tag_list(secret_for_write(*tx, c, in).doc["Tags"], in.at("Tags"));
    tx->commit();
    return json::object();
  };
  t["UntagResource"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    remove_tag_list(secret_for_write(*tx, c, in).doc["Tags"], in.at("TagKeys"));
    tx->commit();
    return json::object();
  };
  t["GetRandomPassword"] = [](const CallContext&, const json& in) { return random_password(in); };
  return t;
}

}  // namespace mediaemu::secretsmanager
