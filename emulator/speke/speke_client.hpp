// The encryptor side of SPEKE: what MediaPackage does when an endpoint has a SpekeKeyProvider.
// For each key period it POSTs a SPEKE v1 CPIX request (cpix.hpp) for one key id to the
// provider's Url and reads the key and URIExtXKey from the answer. Any SPEKE server reachable on
// loopback works: mediaemu's own (key_server.hpp) or another; mediaemu never leaves the machine
// (loopback_http.hpp refuses other hosts) and speaks no TLS, so an https Url fails with a
// message saying so. Blocking: runs only on the packager's KeyPrefetcher thread.
//
// The key id is derived from ResourceId and the period index, so it "stays the same for any
// given content ID and key period" as the SPEKE v1 constraints require of the encryptor.
//
// With an EncryptionContractConfiguration (SPEKE v2.0) it sends one CPIX 2.3 request, header
// X-Speke-Version: 2.0, for every key of the presets' contract (speke_presets.hpp; key ids from
// ResourceId and the intended track type) and hands them on as the period's track_keys. For
// CMAF it asks each DRM system (HLS AES-128's included, as in v1) for HLSSignalingData, whose
// EXT-X-KEY tags the media playlists carry as they are. SPEKE v2.0
// endpoints do not rotate keys (the mediapackage model's SpekeKeyProvider: "You must disable key
// rotation for this endpoint by setting keyRotationIntervalSeconds to 0").
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "pipeline/crypto/content_key.hpp"
#include "emulator/speke/cpix.hpp"
#include "pipeline/crypto/encryption_spec.hpp"
#include "pipeline/crypto/speke_presets.hpp"

namespace mediaemu::speke {

class SpekeKeyProvider : public pipeline::crypto::KeyProvider {
 public:
  explicit SpekeKeyProvider(const pipeline::crypto::EncryptionSpec& spec);

  pipeline::crypto::KeyFetch fetch(int64_t period) override;
  std::string describe() const override { return "SPEKE " + url_; }

  static pipeline::crypto::Block key_id(const std::string& resource_id, int64_t period,
                                        const std::string& track_type = "");

 private:
  // POSTs the request; the answer's body, or nullopt with `error` saying why.
  std::optional<std::string> post(const CpixKeyRequest& cpix, std::string& error) const;

  std::string url_, resource_id_;
  std::vector<std::string> system_ids_;
  bool rotates_;
  std::vector<pipeline::crypto::PresetKey> contract_;  // SPEKE v2.0; empty: v1
  std::string scheme_;                                 // "cenc" | "cbcs" (v2.0 requests)
  bool hls_signalling_ = false;                        // v2.0 for HLS manifests (CMAF)
};

}  // namespace mediaemu::speke
