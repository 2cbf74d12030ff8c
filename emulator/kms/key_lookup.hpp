// How the KMS handlers find a key from a request's KeyId and check it may be used. Shared by
// keys.cpp (lifecycle) and cryptography.cpp (Encrypt and friends).
#pragma once

#include <string>

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"
#include "emulator/kms/kms.hpp"

namespace mediaemu::kms {

// KeyId as AWS accepts it: a key id or key ARN, and, when `aliases` is true, an alias name
// ("alias/x") or alias ARN (https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html).
// Throws NotFoundException when nothing matches. Call with a lock held.
const Record& find_kms_key(const Domain& d, const api::CallContext& c, const std::string& key_id, bool aliases);

// Refuses a key that cannot encrypt or decrypt now: DisabledException for a disabled key,
// KMSInvalidStateException for one pending deletion
// (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html).
void require_usable_key(const Record& key);

// The 32-byte secret of a key.
std::string kms_key_secret(const Record& key);

}  // namespace mediaemu::kms
