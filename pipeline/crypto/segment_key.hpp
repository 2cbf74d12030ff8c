// The key-change marker that travels with each segment through the packager: which key encrypts
// it, and with which IV. Segments of one key period share one SegmentKey object, so a packager
// sees a key change as a different pointer (and a manifest writes a new EXT-X-KEY there).
//
// IVs: the ConstantInitializationVector when the endpoint sets one (then EXT-X-KEY carries it as
// IV=0x...); otherwise each segment's media sequence number as a 128-bit big-endian number, the
// IV RFC 8216 §5.2 makes players use when EXT-X-KEY has no IV attribute. That is what MediaPackage
// does: "HLS initialization vector (IV) always follows the segment number unless explicitly
// specified by the operator" (SPEKE API v1 constraints,
// docs.aws.amazon.com/speke/latest/documentation/speke-constraints.html), and MediaPackage v1's
// playlists write EXT-X-KEY without IV then (/work/shared/reference/player-facts.md, observed).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <optional>

#include "pipeline/crypto/content_key.hpp"
#include "pipeline/crypto/encryption_spec.hpp"

namespace mediaemu::pipeline::crypto {

inline Block sequence_iv(int64_t sequence) {
  Block iv{};
  for (int i = 0; i < 8; ++i) iv[15 - i] = static_cast<uint8_t>(static_cast<uint64_t>(sequence) >> (8 * i));
  return iv;
}

// EXT-X-KEY's METHOD for each way of encrypting (RFC 8216 §4.3.2.4; SAMPLE-AES-CTR, the 'cenc'
// scheme in fMP4: draft-pantos-hls-rfc8216bis §4.4.4.4 and Apple's HLS Authoring Specification;
// SAMPLE-AES is Apple's sample encryption in TS and the 'cbcs' scheme in fMP4, RFC 8216 §4.3.2.4).
inline const char* hls_key_method(EncryptionSpec::Method method) {
  switch (method) {
    case EncryptionSpec::Method::SampleAes:
    case EncryptionSpec::Method::Cbcs: return "SAMPLE-AES";
    case EncryptionSpec::Method::Cenc: return "SAMPLE-AES-CTR";
    default: return "AES-128";
  }
}

struct SegmentKey;
using SharedSegmentKey = std::shared_ptr<const SegmentKey>;

struct SegmentKey {
  ContentKey key;
  EncryptionSpec::Method method = EncryptionSpec::Method::Aes128;
  std::optional<Block> constant_iv;  // written into EXT-X-KEY; none: the sequence number is the IV
  // SPEKE v2.0 presets (speke_presets.hpp): the marker of each intended track type's key, and the
  // presets that say which type a track is. Empty: this marker's key encrypts every track.
  std::map<std::string, SharedSegmentKey> by_track_type;
  std::string preset_video, preset_audio;

  Block iv_for(int64_t sequence) const { return constant_iv ? *constant_iv : sequence_iv(sequence); }
};

// The marker whose key encrypts a track's samples: `key` itself (SPEKE v1, SHARED), the marker of
// the track's type (SPEKE v2 presets), or null: the track stays clear (an UNENCRYPTED preset).
SharedSegmentKey track_key(const SharedSegmentKey& key, bool video, int width, int height, int channels);

}  // namespace mediaemu::pipeline::crypto
