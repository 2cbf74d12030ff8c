// Common Encryption, the 'cenc' scheme (ISO/IEC 23001-7, 3rd ed.): AES-128-CTR over the samples
// of an ISO BMFF track, with per-sample IVs and, for video, subsample maps that leave the NAL
// structure in the clear. This is the sample-level half of the encryption stage: the key of a
// segment still comes from its key-change marker (segment_key.hpp, SegmentEncryption); the fMP4
// muxer (pipeline/package/fmp4.cpp) calls these for every sample of a segment that has one.
//
//   §9.1 / §10.1 'cenc': AES-CTR, 16-byte counter block = the 8-byte per-sample IV followed by
//       a 64-bit block counter starting at 0 for each sample; the protected ranges of one sample
//       form one continuous key stream (the counter runs on across subsamples).
//   §9.5 / §10.6 (NAL-structured video): each NAL unit's length field and nal_unit_type byte
//       stay in the clear; for 'cenc' the protected part need not be a multiple of 16 bytes.
//       Non-VCL NAL units (SPS, PPS, SEI, AUD) are left wholly clear, as DASH-IF IOP §7.5 and
//       the common packagers do, so that decoders may parse them before decryption.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/crypto/aes_cbc.hpp"
#include "pipeline/crypto/content_key.hpp"
#include "pipeline/crypto/system_ids.hpp"

namespace mediaemu::pipeline::crypto {

// ISO/IEC 23001-7 §7.2.2 (senc): BytesOfClearData (16 bits), BytesOfProtectedData (32 bits).
struct CencSubsample {
  uint16_t clear_bytes = 0;
  uint32_t protected_bytes = 0;
  bool operator==(const CencSubsample&) const = default;
};

// The subsample map of an H.264 access unit in MP4 form (NAL units each preceded by a 4-byte
// big-endian length, ISO/IEC 14496-15 §5.3.2). Covers every byte of `sample`. Bytes that do not
// parse as NAL units (a truncated length) are left clear.
std::vector<CencSubsample> avc_cenc_subsamples(std::span<const uint8_t> sample);

// Encrypts `sample` in place with AES-128-CTR (key, 8-byte IV): the protected ranges of
// `subsamples`, or the whole sample when `subsamples` is empty (audio, §9.5.1).
// Decryption is the same operation.
void cenc_apply_ctr(const Block& key, uint64_t iv, std::span<uint8_t> sample, const std::vector<CencSubsample>& subsamples);


// The 'pssh' box (ISO/IEC 23001-7 §8.1) of the W3C Common PSSH format, which ClearKey uses
// (W3C "ISO Common Encryption 'pssh' Box Stream Format", w3c.github.io/encrypted-media/format-registry/initdata/cenc.html):
// version 1, SystemID 1077efec-…, the key ids, DataSize 0.
std::vector<uint8_t> w3c_common_pssh(const std::vector<Block>& kids);

// The pssh boxes of a key for the SpekeKeyProvider SystemIds (any case), in SystemIds order: the
// box the key provider gave for a system (its cpix:PSSH, ContentKey::pssh), else, for W3C
// ClearKey, the W3C common pssh of the key id. None for DASH-IF ClearKey (signalled by the MPD
// alone: a W3C pssh in the init segment makes dash.js 5 hand it to EME as "keyids" init data,
// which browsers refuse) nor for a system the provider gave no PSSH for.
std::vector<std::vector<uint8_t>> pssh_boxes_for(const ContentKey& key, const std::vector<std::string>& system_ids);

}  // namespace mediaemu::pipeline::crypto
