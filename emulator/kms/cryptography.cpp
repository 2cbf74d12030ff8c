// Encrypt, Decrypt, GenerateDataKey(WithoutPlaintext) and ReEncrypt with symmetric keys, under
// AES-256-GCM (ciphertext.hpp). Blobs and plaintexts are base64 text in model form.
#include "api/base64.hpp"
#include "emulator/kms/ciphertext.hpp"
#include "emulator/kms/key_lookup.hpp"
#include "emulator/kms/kms.hpp"
#include "emulator/service_kit.hpp"

#include <openssl/rand.h>

namespace mediaemu::kms {
namespace {

using api::ApiError;
using api::ErrorKind;

[[noreturn]] void invalid_ciphertext() {
  // AWS's InvalidCiphertextException carries no message for a blob that does not authenticate.
  throw ApiError(ErrorKind::Validation, "InvalidCiphertextException", "");
}

std::string decoded_blob(const json& in, const char* member) {
  auto bytes = api::base64_decode(in.at(member).get<std::string>());
  if (!bytes) throw ApiError(ErrorKind::Validation, "ValidationException", std::string(member) + " is not valid base64");
  return *bytes;
}

void require_symmetric_algorithm(const json& in, const char* member) {
  if (in.value(member, "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT") {
    throw ApiError(ErrorKind::Validation, "InvalidKeyUsageException",
                   "Only SYMMETRIC_DEFAULT is supported for symmetric keys");
  }
}

json context_of(const json& in, const char* member) { return in.value(member, json::object()); }

// "Plaintext ... Length Constraints: Minimum length of 1. Maximum length of 4096."
// (https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html)
std::string plaintext_of(const json& in) {
  std::string plain = decoded_blob(in, "Plaintext");
  if (plain.empty() || plain.size() > 4096) {
    throw ApiError(ErrorKind::Validation, "ValidationException",
                   "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
  }
  return plain;
}

struct Opened {
  std::string plaintext;
  json key_arn;
};

// Decrypts a blob: the key named inside it (which must match KeyId when given: "If you specify a
// different key, the Decrypt operation throws an IncorrectKeyException",
// https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html), usable, and the
// context exactly as at encryption.
Opened open_blob(const Domain& d, const CallContext& c, const std::string& blob, const json& context,
                 const std::optional<std::string>& expected_key) {
  auto key_id = blob_key_id(blob);
  if (!key_id) invalid_ciphertext();
  const Record* key = d.find({kKey, c.region, *key_id});
  if (!key) invalid_ciphertext();
  if (expected_key && find_kms_key(d, c, *expected_key, true).key.id != *key_id) {
    throw ApiError(ErrorKind::Validation, "IncorrectKeyException",
                   "The key ID in the request does not identify a CMK that can perform this operation.");
  }
  require_usable_key(*key);
  auto plain = open(blob, kms_key_secret(*key), context);
  if (!plain) invalid_ciphertext();
  return {*plain, key->doc["Arn"]};
}

// "KeySpec ... AES_256 ... AES_128" or "NumberOfBytes ... 1 to 1024"; one of them is required
// (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html).
size_t data_key_bytes(const json& in) {
  if (in.contains("KeySpec") && in.contains("NumberOfBytes"))
    throw ApiError(ErrorKind::Validation, "ValidationException", "Please specify either number of bytes or key spec.");
  if (in.contains("NumberOfBytes")) {
    int n = in["NumberOfBytes"].get<int>();
    if (n < 1 || n > 1024)
      throw ApiError(ErrorKind::Validation, "ValidationException", "NumberOfBytes must be between 1 and 1024");
    return static_cast<size_t>(n);
  }
  if (!in.contains("KeySpec"))
    throw ApiError(ErrorKind::Validation, "ValidationException", "Please specify either number of bytes or key spec.");
  return in["KeySpec"] == "AES_128" ? 16 : 32;
}

json generate_data_key(const Domain& d, const CallContext& c, const json& in) {
  size_t n = data_key_bytes(in);
  const Record& key = find_kms_key(d, c, in.at("KeyId").get<std::string>(), true);
  require_usable_key(key);
  std::string plain(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(plain.data()), static_cast<int>(n));
  std::string blob = seal(key.key.id, kms_key_secret(key), plain, context_of(in, "EncryptionContext"));
  return {{"CiphertextBlob", api::base64_encode(blob)}, {"Plaintext", api::base64_encode(plain)}, {"KeyId", key.doc["Arn"]}};
}

}  // namespace

void add_cryptographic_operations(Domain& d, api::OperationTable& t) {
  t["Encrypt"] = [&d](const CallContext& c, const json& in) {
    require_symmetric_algorithm(in, "EncryptionAlgorithm");
    std::string plain = plaintext_of(in);
    auto lock = d.read();
    const Record& key = find_kms_key(d, c, in.at("KeyId").get<std::string>(), true);
    require_usable_key(key);
    std::string blob = seal(key.key.id, kms_key_secret(key), plain, context_of(in, "EncryptionContext"));
    return json{{"CiphertextBlob", api::base64_encode(blob)}, {"KeyId", key.doc["Arn"]},
                {"EncryptionAlgorithm", "SYMMETRIC_DEFAULT"}};
  };
  t["Decrypt"] = [&d](const CallContext& c, const json& in) {
    require_symmetric_algorithm(in, "EncryptionAlgorithm");
    std::string blob = decoded_blob(in, "CiphertextBlob");
    std::optional<std::string> expected;
    if (in.contains("KeyId")) expected = in["KeyId"].get<std::string>();
    auto lock = d.read();
    Opened opened = open_blob(d, c, blob, context_of(in, "EncryptionContext"), expected);
    return json{{"KeyId", opened.key_arn}, {"Plaintext", api::base64_encode(opened.plaintext)},
                {"EncryptionAlgorithm", "SYMMETRIC_DEFAULT"}};
  };
  t["GenerateDataKey"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    return generate_data_key(d, c, in);
  };
  t["GenerateDataKeyWithoutPlaintext"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    json out = generate_data_key(d, c, in);
    out.erase("Plaintext");
    return out;
  };
  // https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html
  t["ReEncrypt"] = [&d](const CallContext& c, const json& in) {
    require_symmetric_algorithm(in, "SourceEncryptionAlgorithm");
    require_symmetric_algorithm(in, "DestinationEncryptionAlgorithm");
    std::string blob = decoded_blob(in, "CiphertextBlob");
    std::optional<std::string> expected;
    if (in.contains("SourceKeyId")) expected = in["SourceKeyId"].get<std::string>();
    auto lock = d.read();
    Opened opened = open_blob(d, c, blob, context_of(in, "SourceEncryptionContext"), expected);
    const Record& dest = find_kms_key(d, c, in.at("DestinationKeyId").get<std::string>(), true);
    require_usable_key(dest);
    std::string resealed = seal(dest.key.id, kms_key_secret(dest), opened.plaintext,
                                context_of(in, "DestinationEncryptionContext"));
    return json{{"CiphertextBlob", api::base64_encode(resealed)}, {"SourceKeyId", opened.key_arn},
                {"KeyId", dest.doc["Arn"]}, {"SourceEncryptionAlgorithm", "SYMMETRIC_DEFAULT"},
                {"DestinationEncryptionAlgorithm", "SYMMETRIC_DEFAULT"}};
  };
}

}  // namespace mediaemu::kms
