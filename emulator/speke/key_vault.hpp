// The local key server's keys: derived, not stored. Each content key is
// HMAC-SHA256(instance secret, ResourceId + "\n" + key id) cut to 16 bytes, so the same ResourceId
// and key id always give the same key — across restarts, because the 32-byte instance secret is
// kept in the data directory (<data-dir>/speke/secret, created on first use, mode 0600).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

#include "pipeline/crypto/content_key.hpp"

namespace mediaemu::speke {

using pipeline::crypto::Block;

class KeyVault {
 public:
  // Reads the secret, or creates it. Throws when the file cannot be read or written.
  explicit KeyVault(const std::filesystem::path& data_dir);
  // For tests: a given secret.
  explicit KeyVault(std::array<uint8_t, 32> secret) : secret_(secret) {}

  Block key(const std::string& resource_id, const Block& kid) const;

 private:
  std::array<uint8_t, 32> secret_{};
};

}  // namespace mediaemu::speke
