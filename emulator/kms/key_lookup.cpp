#include "emulator/kms/key_lookup.hpp"

#include "api/base64.hpp"

namespace mediaemu::kms {

using api::ApiError;
using api::ErrorKind;

const Record& find_kms_key(const Domain& d, const api::CallContext& c, const std::string& key_id, bool aliases) {
  std::string id = key_id;
  std::string region = c.region;
  // arn:aws:kms:<region>:<account>:key/<id> or :alias/<name>
  if (id.rfind("arn:", 0) == 0) {
    size_t resource = id.find(':', id.find(':', id.find(':', id.find(':', 4) + 1) + 1) + 1);
    if (resource == std::string::npos) throw ApiError(ErrorKind::Validation, "InvalidArnException", "Invalid arn " + key_id);
    size_t region_start = id.find(':', id.find(':', 4) + 1) + 1;
    region = id.substr(region_start, id.find(':', region_start) - region_start);
    id = id.substr(resource + 1);
    if (id.rfind("key/", 0) == 0) id = id.substr(4);
    else if (id.rfind("alias/", 0) != 0) throw ApiError(ErrorKind::Validation, "InvalidArnException", "Invalid arn " + key_id);
  }
  if (id.rfind("alias/", 0) == 0) {
    const Record* alias = aliases ? d.find({kAlias, region, id}) : nullptr;
    if (!alias) {
      throw ApiError(ErrorKind::NotFound, "NotFoundException",
                     "Alias arn:aws:kms:" + region + ":" + c.account + ":" + id + " is not found.");
    }
    id = alias->doc.at("TargetKeyId").get<std::string>();
  }
  const Record* key = d.find({kKey, region, id});
  if (!key) {
    throw ApiError(ErrorKind::NotFound, "NotFoundException",
                   "Key 'arn:aws:kms:" + region + ":" + c.account + ":key/" + id + "' does not exist");
  }
  return *key;
}

void require_usable_key(const Record& key) {
  const std::string state = key.doc.at("KeyState").get<std::string>();
  const std::string arn = key.doc.at("Arn").get<std::string>();
  if (state == "Disabled") throw ApiError(ErrorKind::Validation, "DisabledException", arn + " is disabled.");
  if (state != "Enabled")
    throw ApiError(ErrorKind::Conflict, "KMSInvalidStateException", arn + " is pending deletion.");
}

std::string kms_key_secret(const Record& key) {
  auto secret = api::base64_decode(key.internal.at("secret").get<std::string>());
  if (!secret) throw ApiError(ErrorKind::Internal, "KMSInternalException", "the key's material is unreadable");
  return *secret;
}

}  // namespace mediaemu::kms
