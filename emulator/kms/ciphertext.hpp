// KMS ciphertext blobs: AES-256-GCM under a key's own 32-byte secret. As AWS's blobs do, a blob
// names the KMS key that made it, so Decrypt needs no KeyId ("the KMS key that was used to
// encrypt the ciphertext is included in the ciphertext metadata",
// https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html), and the encryption
// context is bound to it as additional authenticated data: decrypting needs "an exactly matching
// (case-sensitive) encryption context"
// (https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html).
//
// The layout is mediaemu's own (AWS's is undocumented and opaque to clients):
//   1 byte version (1) | 1 byte key id length n | n bytes key id | 12 bytes IV | 16 bytes GCM tag | ciphertext
// The AAD is the key id, a NUL, then the context as sorted-key JSON, so the same pairs in any
// order authenticate alike.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace mediaemu::kms {

// 32 random bytes: a new key's secret.
std::string new_key_secret();

// The blob of `plaintext` under key `key_id` (whose secret is `secret`), bound to `context`
// (a JSON object of strings, or null/empty for none).
std::string seal(const std::string& key_id, const std::string& secret, const std::string& plaintext,
                 const nlohmann::json& context);

// The key id a blob names, or nullopt when the bytes are not a blob of this layout.
std::optional<std::string> blob_key_id(const std::string& blob);

// The plaintext, or nullopt when the blob does not authenticate under this secret and context
// (tampered, another key's, or a different context): AWS's InvalidCiphertextException.
std::optional<std::string> open(const std::string& blob, const std::string& secret, const nlohmann::json& context);

}  // namespace mediaemu::kms
