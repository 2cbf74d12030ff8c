// KMS keys and aliases: the key lifecycle, key policies, tags and the rotation flag.
// https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
#include <regex>

#include "api/base64.hpp"
#include "emulator/kms/ciphertext.hpp"
#include "emulator/kms/key_lookup.hpp"
#include "emulator/kms/kms.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::kms {

void add_cryptographic_operations(Domain& d, api::OperationTable& t);  // cryptography.cpp

namespace {

using api::ApiError;
using api::ErrorKind;

double kms_now_seconds(const Tx& tx) { return static_cast<double>(tx.now_ms()) / 1000.0; }

std::string new_key_uuid() {
  std::string h = random_hex(16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

// The default key policy CreateKey attaches when none is given: the account's root may use
// and manage the key, so IAM policies govern access
// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
std::string default_key_policy(const std::string& account) {
  json policy = {{"Version", "2012-10-17"},
                 {"Id", "key-default-1"},
                 {"Statement", json::array({{{"Sid", "Enable IAM User Permissions"},
                                             {"Effect", "Allow"},
                                             {"Principal", {{"AWS", "arn:aws:iam::" + account + ":root"}}},
                                             {"Action", "kms:*"},
                                             {"Resource", "*"}}})}};
  return policy.dump(2);
}

void require_policy_document(const std::string& policy) {
  json parsed = json::parse(policy, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("Statement")) {
    throw ApiError(ErrorKind::Validation, "MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.");
  }
}

// KMS tags are [{TagKey, TagValue}]: one per key, a new value replacing the old.
void merge_kms_tags(json& tags, const json& add) {
  for (const auto& tag : add) {
    bool replaced = false;
    for (auto& t : tags)
      if (t["TagKey"] == tag.at("TagKey")) t["TagValue"] = tag.value("TagValue", ""), replaced = true;
    if (!replaced) tags.push_back({{"TagKey", tag.at("TagKey")}, {"TagValue", tag.value("TagValue", "")}});
  }
}

// Alias names: "must begin with alias/ followed by a name ... can contain only alphanumeric
// characters, forward slashes (/), underscores (_), and dashes (-) ... cannot begin with
// alias/aws/. The alias/aws/ prefix is reserved for AWS managed keys."
// (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html)
void require_alias_name(const std::string& name) {
  static const std::regex valid("^alias/[a-zA-Z0-9/_-]+$");
  if (!std::regex_match(name, valid) || name.size() > 256) {
    throw ApiError(ErrorKind::Validation, "ValidationException",
                   "1 validation error detected: Value '" + name +
                       "' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$");
  }
  if (name.rfind("alias/aws/", 0) == 0) {
    throw ApiError(ErrorKind::Validation, "InvalidAliasNameException", "Alias must not begin with 'alias/aws/'");
  }
}

std::string alias_arn(const CallContext& c, const std::string& name) {
  return "arn:aws:kms:" + c.region + ":" + c.account + ":" + name;
}

// A key the request may manage (key id or key ARN only, as the management operations take).
Record& managed_key(Tx& tx, const CallContext& c, const json& in) {
  return tx.modify(find_kms_key(tx.domain(), c, in.at("KeyId").get<std::string>(), false).key);
}

void refuse_pending_deletion(const Record& key) {
  if (key.doc["KeyState"] == "PendingDeletion")
    throw ApiError(ErrorKind::Conflict, "KMSInvalidStateException", key.doc["Arn"].get<std::string>() + " is pending deletion.");
}

json key_list_entry(const Record& r) { return {{"KeyId", r.doc["KeyId"]}, {"KeyArn", r.doc["Arn"]}}; }

// ListKeys / ListAliases / ListResourceTags page with Limit and Marker, and say Truncated.
json marker_page(const std::vector<const Record*>& all, const json& in, const char* member,
                 const std::function<json(const Record&)>& entry) {
  Page page = paginate(all, in, 100, "Marker", "Limit");
  json out = {{member, json::array()}, {"Truncated", !page.next_token.empty()}};
  for (const Record* r : page.items) out[member].push_back(entry(*r));
  if (!page.next_token.empty()) out["NextMarker"] = page.next_token;
  return out;
}

void add_key_lifecycle(Domain& d, api::OperationTable& t) {
  // https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html
  t["CreateKey"] = [&d](const CallContext& c, const json& in) {
    std::string spec = in.value("KeySpec", in.value("CustomerMasterKeySpec", "SYMMETRIC_DEFAULT"));
    std::string usage = in.value("KeyUsage", "ENCRYPT_DECRYPT");
    if (spec != "SYMMETRIC_DEFAULT" || usage != "ENCRYPT_DECRYPT") {
      throw ApiError(ErrorKind::NotImplemented, "CreateKey with KeySpec " + spec + " / KeyUsage " + usage +
                                                    " is not emulated (only SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT)");
    }
    if (in.value("Origin", "AWS_KMS") != "AWS_KMS" || in.value("MultiRegion", false) || in.contains("CustomKeyStoreId")) {
      throw ApiError(ErrorKind::NotImplemented, "CreateKey with an Origin other than AWS_KMS, MultiRegion or a custom key store is not emulated");
    }
    std::string policy = in.value("Policy", default_key_policy(c.account));
    require_policy_document(policy);
    json tags = json::array();
    merge_kms_tags(tags, in.value("Tags", json::array()));
    std::string id = new_key_uuid();
    auto tx = d.write();
    json meta = {{"AWSAccountId", c.account},
                 {"KeyId", id},
                 {"Arn", "arn:aws:kms:" + c.region + ":" + c.account + ":key/" + id},
                 {"CreationDate", kms_now_seconds(*tx)},
                 {"Enabled", true},
                 {"Description", in.value("Description", "")},
                 {"KeyUsage", usage},
                 {"KeyState", "Enabled"},
                 {"Origin", "AWS_KMS"},
                 {"KeyManager", "CUSTOMER"},
                 {"CustomerMasterKeySpec", spec},
                 {"KeySpec", spec},
                 {"EncryptionAlgorithms", json::array({"SYMMETRIC_DEFAULT"})},
                 {"MultiRegion", false}};
    tx->create({kKey, c.region, id}, meta,
               {{"secret", api::base64_encode(new_key_secret())}, {"policy", policy}, {"tags", tags}, {"rotation", false}});
    tx->commit();
    return json{{"KeyMetadata", meta}};
  };
  t["DescribeKey"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    return json{{"KeyMetadata", find_kms_key(d, c, in.at("KeyId").get<std::string>(), true).doc}};
  };
  t["ListKeys"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    return marker_page(d.list(kKey, c.region), in, "Keys", key_list_entry);
  };
  // https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKey.html
  t["EnableKey"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    Record& key = managed_key(*tx, c, in);
    refuse_pending_deletion(key);
    key.doc["Enabled"] = true;
    key.doc["KeyState"] = "Enabled";
    tx->commit();
    return json::object();
  };
  t["DisableKey"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    Record& key = managed_key(*tx, c, in);
    refuse_pending_deletion(key);
    key.doc["Enabled"] = false;
    key.doc["KeyState"] = "Disabled";
    tx->commit();
    return json::object();
  };
  // "PendingWindowInDays ... This value is optional. If you include a value, it must be between
  // 7 and 30, inclusive. If you do not include a value, it defaults to 30."
  // (https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html)
  t["ScheduleKeyDeletion"] = [&d](const CallContext& c, const json& in) {
    int days = in.value("PendingWindowInDays", 30);
    if (days < 7 || days > 30) {
      throw ApiError(ErrorKind::Validation, "ValidationException",
                     "1 validation error detected: Value '" + std::to_string(days) +
                         "' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30 and greater than or equal to 7");
    }
    auto tx = d.write();
    Record& key = managed_key(*tx, c, in);
    refuse_pending_deletion(key);
    double when = kms_now_seconds(*tx) + days * 86400.0;
    key.doc["Enabled"] = false;
    key.doc["KeyState"] = "PendingDeletion";
    key.doc["DeletionDate"] = when;
    key.doc["PendingDeletionWindowInDays"] = days;
    tx->schedule(key.key, "DELETED", static_cast<int64_t>(days) * 86400 * 1000);
    json out = {{"KeyId", key.doc["Arn"]}, {"DeletionDate", when}, {"KeyState", "PendingDeletion"}, {"PendingWindowInDays", days}};
    tx->commit();
    return out;
  };
  // "the KMS key is in the Disabled state" after the deletion is canceled
  // (https://docs.aws.amazon.com/kms/latest/APIReference/API_CancelKeyDeletion.html)
  t["CancelKeyDeletion"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    Record& key = managed_key(*tx, c, in);
    if (key.doc["KeyState"] != "PendingDeletion")
      throw ApiError(ErrorKind::Conflict, "KMSInvalidStateException", key.doc["Arn"].get<std::string>() + " is not pending deletion.");
    key.doc["KeyState"] = "Disabled";
    key.doc.erase("DeletionDate");
    key.doc.erase("PendingDeletionWindowInDays");
    tx->cancel_transition(key.key);
    json out = {{"KeyId", key.doc["Arn"]}};
    tx->commit();
    return out;
  };
  t["UpdateKeyDescription"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    Record& key = managed_key(*tx, c, in);
    refuse_pending_deletion(key);
    key.doc["Description"] = in.at("Description");
    tx->commit();
    return json::object();
  };
}

// Key policies: one per key, named "default"
// (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyPolicies.html).
void add_key_policies(Domain& d, api::OperationTable& t) {
  t["GetKeyPolicy"] = [&d](const CallContext& c, const json& in) {
    if (in.value("PolicyName", "default") != "default")
      throw ApiError(ErrorKind::NotFound, "NotFoundException", "No such policy exists");
    auto lock = d.read();
    const Record& key = find_kms_key(d, c, in.at("KeyId").get<std::string>(), false);
    return json{{"Policy", key.internal["policy"]}, {"PolicyName", "default"}};
  };
  t["PutKeyPolicy"] = [&d](const CallContext& c, const json& in) {
    if (in.value("PolicyName", "default") != "default")
      throw ApiError(ErrorKind::Validation, "ValidationException", "PolicyName must be default");
    std::string policy = in.at("Policy").get<std::string>();
    require_policy_document(policy);
    auto tx = d.write();
    managed_key(*tx, c, in).internal["policy"] = policy;
    tx->commit();
    return json::object();
  };
  t["ListKeyPolicies"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    find_kms_key(d, c, in.at("KeyId").get<std::string>(), false);
    return json{{"PolicyNames", json::array({"default"})}, {"Truncated", false}};
  };
}

void add_aliases(Domain& d, api::OperationTable& t) {
  t["CreateAlias"] = [&d](const CallContext& c, const json& in) {
    std::string name = in.at("AliasName").get<std::string>();
    require_alias_name(name);
    auto tx = d.write();
    if (tx->find({kAlias, c.region, name}))
      throw ApiError(ErrorKind::Conflict, "AlreadyExistsException", "An alias with the name " + alias_arn(c, name) + " already exists");
    const Record& key = find_kms_key(tx->domain(), c, in.at("TargetKeyId").get<std::string>(), false);
    refuse_pending_deletion(key);
    double now = kms_now_seconds(*tx);
    tx->create({kAlias, c.region, name}, {{"AliasName", name},
                                          {"AliasArn", alias_arn(c, name)},
                                          {"TargetKeyId", key.doc["KeyId"]},
                                          {"CreationDate", now},
                                          {"LastUpdatedDate", now}});
    tx->commit();
    return json::object();
  };
  t["UpdateAlias"] = [&d](const CallContext& c, const json& in) {
    std::string name = in.at("AliasName").get<std::string>();
    auto tx = d.write();
    if (!tx->find({kAlias, c.region, name}))
      throw ApiError(ErrorKind::NotFound, "NotFoundException", "Alias " + alias_arn(c, name) + " is not found.");
    const Record& key = find_kms_key(tx->domain(), c, in.at("TargetKeyId").get<std::string>(), false);
    refuse_pending_deletion(key);
    json target = key.doc["KeyId"];
    Record& alias = tx->modify({kAlias, c.region, name});
    alias.doc["TargetKeyId"] = target;
    alias.doc["LastUpdatedDate"] = kms_now_seconds(*tx);
    tx->commit();
    return json::object();
  };
  t["DeleteAlias"] = [&d](const CallContext& c, const json& in) {
    std::string name = in.at("AliasName").get<std::string>();
    auto tx = d.write();
    if (!tx->find({kAlias, c.region, name}))
      throw ApiError(ErrorKind::NotFound, "NotFoundException", "Alias " + alias_arn(c, name) + " is not found.");
    tx->remove({kAlias, c.region, name});
    tx->commit();
    return json::object();
  };
  t["ListAliases"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    std::vector<const Record*> aliases = d.list(kAlias, c.region);
    if (in.contains("KeyId")) {
      std::string target = find_kms_key(d, c, in["KeyId"].get<std::string>(), false).doc["KeyId"];
      std::erase_if(aliases, [&](const Record* r) { return r->doc["TargetKeyId"] != target; });
    }
    return marker_page(aliases, in, "Aliases", [](const Record& r) { return r.doc; });
  };
}

void add_tags_and_rotation(Domain& d, api::OperationTable& t) {
  t["TagResource"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    Record& key = managed_key(*tx, c, in);
    refuse_pending_deletion(key);
    merge_kms_tags(key.internal["tags"], in.at("Tags"));
    tx->commit();
    return json::object();
  };
  t["UntagResource"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    Record& key = managed_key(*tx, c, in);
    refuse_pending_deletion(key);
    json& tags = key.internal["tags"];
    for (const auto& k : in.at("TagKeys"))
      tags.erase(std::remove_if(tags.begin(), tags.end(), [&](const json& tag) { return tag["TagKey"] == k; }), tags.end());
    tx->commit();
    return json::object();
  };
  t["ListResourceTags"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    const Record& key = find_kms_key(d, c, in.at("KeyId").get<std::string>(), false);
    return json{{"Tags", key.internal.value("tags", json::array())}, {"Truncated", false}};
  };
  // The flag only: AWS rotates material yearly by default, a span an emulator run never reaches;
  // old ciphertexts would decrypt after a rotation anyway
  // (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html).
  auto set_rotation = [&d](bool enabled) {
    return [&d, enabled](const CallContext& c, const json& in) {
      auto tx = d.write();
      Record& key = managed_key(*tx, c, in);
      require_usable_key(key);
      int period = in.value("RotationPeriodInDays", 365);
      if (enabled && (period < 90 || period > 2560))
        throw ApiError(ErrorKind::Validation, "ValidationException", "RotationPeriodInDays must be between 90 and 2560");
      key.internal["rotation"] = enabled;
      if (enabled) key.internal["rotation_period"] = period;
      tx->commit();
      return json::object();
    };
  };
  t["EnableKeyRotation"] = set_rotation(true);
  t["DisableKeyRotation"] = set_rotation(false);
  t["GetKeyRotationStatus"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    const Record& key = find_kms_key(d, c, in.at("KeyId").get<std::string>(), false);
    bool enabled = key.internal.value("rotation", false);
    json out = {{"KeyRotationEnabled", enabled}, {"KeyId", key.doc["KeyId"]}};
    if (enabled) out["RotationPeriodInDays"] = key.internal.value("rotation_period", 365);
    return out;
  };
}

}  // namespace

using api::ApiError;
using api::ErrorKind;

api::OperationTable operations(Domain& d) {
  // A key is deleted when its waiting period ends, with the aliases that point at it.
  d.on_transition(kKey, [](Tx& tx, const Key& key, const std::string& to) {
    if (to != "DELETED" || !tx.find(key)) return;
    std::vector<Key> aliases;
    for (const Record* a : tx.domain().list(kAlias, key.region))
      if (a->doc["TargetKeyId"] == key.id) aliases.push_back(a->key);
    for (const Key& a : aliases) tx.remove(a);
    tx.remove(key);
  });
  api::OperationTable t;
  add_key_lifecycle(d, t);
  add_key_policies(d, t);
  add_aliases(d, t);
  add_tags_and_rotation(d, t);
  add_cryptographic_operations(d, t);
  // KMS answers its client errors with HTTP 400 (NotFoundException, DisabledException,
  // KMSInvalidStateException, ...: "HTTP Status Code: 400" on each operation's page of
  // https://docs.aws.amazon.com/kms/latest/APIReference/), and its model gives no status to map.
  for (auto& [name, handler] : t) {
    handler = [inner = std::move(handler)](const CallContext& c, const json& in) {
      try {
        return inner(c, in);
      } catch (const ApiError& e) {
        if (e.code().empty() || e.status() || e.kind() == ErrorKind::NotImplemented || e.kind() == ErrorKind::Internal) throw;
        throw ApiError(e.kind(), e.code(), e.what(), 400);
      }
    };
  }
  return t;
}

}  // namespace mediaemu::kms
