// Common Encryption, the 'cbcs' scheme (ISO/IEC 23001-7, 3rd ed., §10.4): AES-128-CBC with a
// constant IV and, for video, pattern encryption. The scheme MediaPackage's CMAF SAMPLE_AES method
// produces (MediaPackage: "CBCS" for CMAF containers, MP-UG endpoints-encryption), and the one
// FairPlay, Widevine and PlayReady all accept in fMP4.
//
//   §9.1 / §10.4  the IV is a 16-byte constant IV for every sample (tenc default_constant_IV, or
//                 seig constant_IV), so senc carries no per-sample IVs (Per_Sample_IV_Size 0).
//   §10.4.2       the CBC chain restarts with the constant IV at every subsample's protected range
//                 (and at every sample); within a range, 16-byte blocks follow the pattern
//                 crypt_byte_block:skip_byte_block, the encrypted blocks chained to each other
//                 across the skipped ones (§9.6). A trailing part shorter than 16 bytes stays clear.
//   §10.4.1       video (NAL structured) tracks use the pattern 1:9 and subsample maps that keep
//                 every NAL length and header clear (the same map as 'cenc': cenc.hpp);
//                 other tracks (audio) use whole-block full-sample encryption: pattern 0:0 in
//                 tenc, every whole 16-byte block of the sample encrypted, no subsamples.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pipeline/crypto/aes_cbc.hpp"
#include "pipeline/crypto/cenc.hpp"
#include "pipeline/crypto/segment_key.hpp"

namespace mediaemu::pipeline::crypto {

// tenc / seig crypt_byte_block and skip_byte_block (4 bits each). 0:0 means no pattern: every
// whole block of the protected range is encrypted.
struct CbcsPattern {
  uint8_t crypt_blocks = 0;
  uint8_t skip_blocks = 0;
  bool operator==(const CbcsPattern&) const = default;
};

inline constexpr CbcsPattern kCbcsVideoPattern{1, 9};  // §10.4.1: 1:9 for video
inline constexpr CbcsPattern kCbcsWholeBlocks{0, 0};   // audio: full-sample, whole blocks

// Encrypts `sample` in place: the protected ranges of `subsamples` (the whole sample when empty),
// each starting a new CBC chain from `iv`, following `pattern`.
void cbcs_encrypt(const Block& key, const Block& iv, std::span<uint8_t> sample,
                  const std::vector<CencSubsample>& subsamples, CbcsPattern pattern);

// The constant IV of a key when the endpoint sets none: MediaPackage "creates the constant
// initialization vector" then (CmafEncryption.ConstantInitializationVector, botocore mediapackage
// model); here the first 16 bytes of SHA-256 over a label and the key id, so that it is the same
// for a key id after a restart, and differs between keys.
Block derived_constant_iv(const Block& kid);

// The constant IV a 'cbcs' segment key encrypts with: the endpoint's ConstantInitializationVector
// when it sets one, else derived_constant_iv of the key id.
inline Block cbcs_constant_iv(const SegmentKey& key) {
  return key.constant_iv ? *key.constant_iv : derived_constant_iv(key.key.kid);
}

}  // namespace mediaemu::pipeline::crypto
