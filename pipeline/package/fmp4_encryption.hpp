// The Common Encryption boxes of a fragmented MP4 track (ISO/IEC 23001-7, 3rd ed.), for both
// schemes mediaemu writes: 'cenc' (AES-CTR, DASH and CMAF AES_CTR) and 'cbcs' (AES-CBC with a
// constant IV and pattern encryption, CMAF SAMPLE_AES). One implementation for every packager:
// fmp4.cpp calls these when an init segment is protected and when a fragment has a key marker.
//
//   init segment  encv/enca sample entry ending in sinf (§8.12 / ISO/IEC 14496-12 §8.12):
//                 frma (the original format), schm (scheme 'cenc' or 'cbcs', version 1.0),
//                 schi > tenc (§8.2): version 0 for 'cenc' (Per_Sample_IV_Size 8); version 1 for
//                 'cbcs' with default_crypt_byte_block:default_skip_byte_block (1:9 video, 0:0
//                 audio), Per_Sample_IV_Size 0 and the 16-byte default_constant_IV; pssh boxes in
//                 moov (§8.1).
//   fragment      senc (§7.2: per-sample IVs for 'cenc', none for 'cbcs'; subsample maps for
//                 video), located by saiz/saio (ISO/IEC 14496-12 §8.7.8-9); absent when there is
//                 no auxiliary information at all ('cbcs' audio: constant IV, no subsamples —
//                 players then take the constant IV from tenc/seig).
//   key rotation  a fragment whose key is not the init segment's default_KID names its key with a
//                 sample group (§6, CencSampleEncryptionInformationGroupEntry 'seig' in an sgpd
//                 in the traf, all samples mapped to it by sbgp, group_description_index 0x10001
//                 = the first fragment-local entry, ISO/IEC 14496-12 §8.9.4) and carries that key's
//                 pssh boxes in its moof (§8.1.1: pssh may be in moov or moof), as packagers do
//                 for rotating keys in one init segment (MediaPackage writes seig/sgpd in its CMAF
//                 segments by default: MediaPackage v2 API, Encryption.CmafExcludeSegmentDrmMetadata).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "pipeline/crypto/cbcs.hpp"
#include "pipeline/crypto/cenc.hpp"
#include "pipeline/crypto/segment_key.hpp"
#include "pipeline/media.hpp"
#include "pipeline/package/box_writer.hpp"

namespace mediaemu::pipeline {

enum class Fmp4Scheme { Cenc, Cbcs };

// What an encrypted track's init segment declares.
struct Fmp4Protection {
  Fmp4Scheme scheme = Fmp4Scheme::Cenc;
  crypto::Block default_kid{};
  crypto::Block constant_iv{};  // 'cbcs': tenc default_constant_IV
  std::vector<std::string> system_ids;           // SpekeKeyProvider SystemIds, for later keys' pssh
  std::vector<std::vector<uint8_t>> pssh_boxes;  // whole boxes, written into moov as they are
  std::map<std::string, std::string> content_protection_data;  // the key's (crypto::ContentKey)
};

// The protection an init segment declares for a segment's key marker: the scheme its method
// names, its key id, the constant IV 'cbcs' uses (crypto::cbcs_constant_iv) and the pssh boxes
// of `system_ids` (crypto::pssh_boxes_for).
Fmp4Protection fmp4_protection(const crypto::SegmentKey& key, const std::vector<std::string>& system_ids);

// What a fragment's boxes say about its encrypted samples (filled by encrypt_fragment_samples).
struct Fmp4FragmentEncryption {
  Fmp4Scheme scheme = Fmp4Scheme::Cenc;
  bool video = false;
  size_t sample_count = 0;
  crypto::Block kid{};
  crypto::Block constant_iv{};  // 'cbcs'
  crypto::CbcsPattern pattern;  // 'cbcs'
  bool rotated = false;         // kid is not the init segment's default_KID: seig + moof pssh
  std::vector<std::vector<uint8_t>> moof_pssh;
  std::vector<uint64_t> ivs;                                   // 'cenc': one 8-byte IV per sample
  std::vector<std::vector<crypto::CencSubsample>> subsamples;  // one map per sample (video)
};

// Encrypts the samples in place with the segment's key, in the scheme of the track's init
// segment. Throws std::logic_error when the key's scheme is not the init segment's.
Fmp4FragmentEncryption encrypt_fragment_samples(const Fmp4Protection& init, const crypto::SegmentKey& key,
                                                const TrackInfo& track, uint32_t sequence_number,
                                                std::span<std::vector<uint8_t>* const> samples);

// The sinf box closing an encv/enca sample entry.
void write_sinf(BoxWriter& w, const char* original_format, const Fmp4Protection& protection, bool video);
// The pssh boxes of a rotated key, inside moof (before traf).
void write_moof_pssh(BoxWriter& w, const Fmp4FragmentEncryption& e);
// sbgp/sgpd (rotated keys) and saiz/saio/senc, inside traf after trun; `moof_at` is the moof's
// first byte (saio offsets count from there: tfhd default-base-is-moof, ISO/IEC 14496-12 §8.7.9.3).
void write_traf_encryption(BoxWriter& w, size_t moof_at, const Fmp4FragmentEncryption& e);
// A Smooth Streaming fragment's encryption, inside traf: PIFF 1.1's SampleEncryptionBox (a 'uuid'
// box, A2394F52-5A9B-4F14-A244-6C427C648DF4, with senc's fields) and nothing else: Smooth clients
// build the init segment, with its tenc, from the manifest's ProtectionHeader, and take the IVs and
// subsample maps from this box (dash.js turns it into senc + saiz + saio). 'cenc' with the track's
// one key only: a Smooth manifest names one key. Throws std::logic_error otherwise.
void write_piff_sample_encryption(BoxWriter& w, const Fmp4FragmentEncryption& e);

}  // namespace mediaemu::pipeline
