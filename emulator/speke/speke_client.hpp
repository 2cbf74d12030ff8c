// The encryptor side of SPEKE: what MediaPackage does when an endpoint has a SpekeKeyProvider.
// For each key period it POSTs a SPEKE v1 CPIX request (cpix.hpp) for one key id to the
// provider's Url and reads the key and URIExtXKey from the answer. Any SPEKE server reachable on
// loopback works: mediaemu's own (key_server.hpp) or another; mediaemu never leaves the machine
// (loopback_http.hpp refuses other hosts) and speaks no TLS, so an https Url fails with a
// message saying so. Blocking: runs only on the packager's KeyPrefetcher thread.
//
// The key id is derived from ResourceId and the period index, so it "stays the same for any
// given content ID and key period" as the SPEKE v1 constraints require of the encryptor.
#pragma once

#include <memory>
#include <string>

#include "pipeline/crypto/content_key.hpp"
#include "pipeline/crypto/encryption_spec.hpp"

namespace mediaemu::speke {

class SpekeKeyProvider : public pipeline::crypto::KeyProvider {
 public:
  explicit SpekeKeyProvider(const pipeline::crypto::EncryptionSpec& spec);

  pipeline::crypto::KeyFetch fetch(int64_t period) override;
  std::string describe() const override { return "SPEKE " + url_; }

  static pipeline::crypto::Block key_id(const std::string& resource_id, int64_t period);

 private:
  std::string url_, resource_id_;
  std::vector<std::string> system_ids_;
  bool rotates_;
};

}  // namespace mediaemu::speke
