// AWS Key Management Service: symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT) with
// aliases, key policies, tags, rotation flags, enable/disable and scheduled deletion, and real
// AES-256-GCM Encrypt / Decrypt / GenerateDataKey / ReEncrypt under a per-key secret kept in the
// state database (ciphertext.hpp). Every other KMS operation is routed and answers 501.
// https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
#pragma once

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"

namespace mediaemu::kms {

inline const std::string kKey = "kms:key";      // id = key id (a UUID); internal: secret, policy, tags
inline const std::string kAlias = "kms:alias";  // id = alias name ("alias/...")

api::OperationTable operations(Domain& domain);

}  // namespace mediaemu::kms
