// A content key as a key provider hands it out, and the interface the packagers' key fetcher
// calls. The pipeline knows no HTTP or SPEKE: the emulator supplies a KeyProvider that speaks
// SPEKE (emulator/speke/speke_client.hpp) and the pipeline only asks it for the key of a period.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/crypto/aes_cbc.hpp"
#include "pipeline/crypto/block_text.hpp"

namespace mediaemu::pipeline::crypto {

struct ContentKey {
  int64_t period = 0;  // the key period (CPIX ContentKeyPeriod@index) it was asked for
  Block kid{};
  Block key{};
  std::string uri;  // what EXT-X-KEY's URI carries (the provider's URIExtXKey)
  // EXT-X-KEY's KEYFORMAT / KEYFORMATVERSIONS (the provider's KeyFormat, e.g. FairPlay's
  // "com.apple.streamingkeydelivery"); empty: not written (RFC 8216 §4.3.2.4: "identity").
  std::string key_format, key_format_versions;
  // DASH: by DRM system id (lower case), the XML its ContentProtection element carries (the
  // provider's cpix:ContentProtectionData).
  std::map<std::string, std::string> content_protection_data;
  // Init segments and the MPD: by DRM system id (lower case), the whole pssh box the provider gave
  // (its cpix:PSSH; ISO/IEC 23001-7 §8.1.2), written as it is.
  std::map<std::string, std::vector<uint8_t>> pssh;
  // Smooth Streaming: by DRM system id (lower case), the provider's speke:ProtectionHeader, which
  // the manifest's ProtectionHeader carries (for PlayReady, the PlayReady Object).
  std::map<std::string, std::vector<uint8_t>> protection_header;
  // SPEKE v2.0: the EXT-X-KEY tags of the key provider's HLSSignalingData (playlist "media"), one
  // per DRM system that gave one; media playlists write them as they are, instead of a tag made
  // from `uri` and the key formats.
  std::vector<std::string> hls_key_tags;
  // SPEKE v2.0: the ContentKeyUsageRule@intendedTrackType this key encrypts ("" in SPEKE v1).
  std::string track_type;
  // SPEKE v2.0 presets: every key of the period's encryption contract, one per intended track
  // type (speke_presets.hpp). This key's own fields are then those of the first.
  std::vector<ContentKey> track_keys;
};

struct KeyFetch {
  std::optional<ContentKey> key;
  std::string error;  // why there is no key
};

class KeyProvider {
 public:
  virtual ~KeyProvider() = default;
  // Blocks (network): called only on the KeyPrefetcher's own thread. Never throws.
  virtual KeyFetch fetch(int64_t period) = 0;
  virtual std::string describe() const = 0;  // for log lines ("SPEKE http://127.0.0.1:4566/_mediaemu/speke/v1")
};

}  // namespace mediaemu::pipeline::crypto
