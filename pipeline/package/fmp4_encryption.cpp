#include "pipeline/package/fmp4_encryption.hpp"

#include <stdexcept>

namespace mediaemu::pipeline {
namespace {

constexpr uint8_t kCencIvSize = 8;  // 'cenc' per-sample IVs (§9.1 allows 8 or 16)

Fmp4Scheme scheme_of(crypto::EncryptionSpec::Method method) {
  if (method == crypto::EncryptionSpec::Method::Cbcs) return Fmp4Scheme::Cbcs;
  if (method == crypto::EncryptionSpec::Method::Cenc) return Fmp4Scheme::Cenc;
  throw std::logic_error("fMP4 sample encryption is 'cenc' or 'cbcs', not whole-segment AES-128");
}

crypto::CbcsPattern cbcs_pattern(bool video) { return video ? crypto::kCbcsVideoPattern : crypto::kCbcsWholeBlocks; }

// The fields tenc and seig share after their first reserved byte (§8.2.2, §6.2): the pattern
// byte, isProtected, Per_Sample_IV_Size, KID and, for a constant IV, its size and value.
void key_fields(BoxWriter& w, Fmp4Scheme scheme, bool video, const crypto::Block& kid, const crypto::Block& constant_iv) {
  if (scheme == Fmp4Scheme::Cbcs) {
    const crypto::CbcsPattern p = cbcs_pattern(video);
    w.u8(static_cast<uint32_t>(p.crypt_blocks << 4 | p.skip_blocks));
  } else {
    w.u8(0);  // reserved (tenc version 0) / no pattern
  }
  w.u8(1);  // isProtected
  w.u8(scheme == Fmp4Scheme::Cbcs ? 0 : kCencIvSize);
  w.bytes(kid.data(), kid.size());
  if (scheme == Fmp4Scheme::Cbcs) {
    w.u8(static_cast<uint32_t>(constant_iv.size()));
    w.bytes(constant_iv.data(), constant_iv.size());
  }
}

// Bytes of one sample's auxiliary information (what senc holds for it and saiz counts).
size_t aux_size(const Fmp4FragmentEncryption& e, size_t sample) {
  size_t n = e.scheme == Fmp4Scheme::Cenc ? kCencIvSize : 0;
  if (e.video) n += 2 + 6 * e.subsamples[sample].size();
  return n;
}

// senc's (and PIFF's sample encryption box's) per-sample entries: the IV ('cenc'), then for video
// the subsample map.
void write_sample_entries(BoxWriter& w, const Fmp4FragmentEncryption& e) {
  for (size_t i = 0; i < e.sample_count; ++i) {
    if (e.scheme == Fmp4Scheme::Cenc) w.u64(e.ivs[i]);
    if (!e.video) continue;
    w.u16(static_cast<uint32_t>(e.subsamples[i].size()));
    for (const auto& s : e.subsamples[i]) {
      w.u16(s.clear_bytes);
      w.u32(s.protected_bytes);
    }
  }
}

}  // namespace

Fmp4Protection fmp4_protection(const crypto::SegmentKey& key, const std::vector<std::string>& system_ids) {
  Fmp4Protection out;
  out.scheme = scheme_of(key.method);
  out.default_kid = key.key.kid;
  if (out.scheme == Fmp4Scheme::Cbcs) out.constant_iv = crypto::cbcs_constant_iv(key);
  out.system_ids = system_ids;
  out.pssh_boxes = crypto::pssh_boxes_for(key.key, system_ids);
  out.content_protection_data = key.key.content_protection_data;
  return out;
}

Fmp4FragmentEncryption encrypt_fragment_samples(const Fmp4Protection& init, const crypto::SegmentKey& key,
                                                const TrackInfo& track, uint32_t sequence_number,
                                                std::span<std::vector<uint8_t>* const> samples) {
  Fmp4FragmentEncryption e;
  e.scheme = scheme_of(key.method);
  if (e.scheme != init.scheme)
    throw std::logic_error("track " + track.name + ": a fragment's encryption scheme differs from its init segment's");
  e.video = track.kind == MediaKind::Video;
  e.sample_count = samples.size();
  e.kid = key.key.kid;
  e.rotated = e.kid != init.default_kid;
  if (e.rotated) e.moof_pssh = crypto::pssh_boxes_for(key.key, init.system_ids);
  if (e.scheme == Fmp4Scheme::Cbcs) {
    e.constant_iv = e.rotated ? crypto::cbcs_constant_iv(key) : init.constant_iv;
    e.pattern = cbcs_pattern(e.video);
  }
  for (size_t i = 0; i < samples.size(); ++i) {
    std::vector<uint8_t>& sample = *samples[i];
    // Video: NAL lengths, NAL headers and non-VCL NAL units stay clear (cenc.hpp), for both
    // schemes (§10.2 'cenc', §10.4.1 'cbcs').
    auto map = e.video ? crypto::avc_cenc_subsamples(sample) : std::vector<crypto::CencSubsample>{};
    // saiz holds each sample's auxiliary information size in 8 bits: 8 + 2 + 6 * subsamples.
    if (map.size() > 41)
      throw std::runtime_error("track " + track.name + ": an access unit with more than 41 subsamples cannot be described in saiz");
    if (e.scheme == Fmp4Scheme::Cenc) {
      // 'cenc' (§9.1): each sample's 8-byte IV must never repeat under one key. IV = track id
      // (8 bits) | segment sequence number (36 bits) | sample index (20 bits), so tracks and
      // segments sharing the key never share a counter block.
      const uint64_t iv = (uint64_t{static_cast<uint8_t>(track.id)} << 56) |
                          ((uint64_t{sequence_number} & 0xfffffffffull) << 20) | (i & 0xfffff);
      crypto::cenc_apply_ctr(key.key.key, iv, sample, map);
      e.ivs.push_back(iv);
    } else {
      crypto::cbcs_encrypt(key.key.key, e.constant_iv, sample, map, e.pattern);
    }
    if (e.video) e.subsamples.push_back(std::move(map));
  }
  return e;
}

void write_sinf(BoxWriter& w, const char* original_format, const Fmp4Protection& p, bool video) {
  const size_t sinf = w.begin("sinf");
  const size_t frma = w.begin("frma");
  w.fourcc(original_format);
  w.end(frma);
  const size_t schm = w.begin_full("schm", 0, 0);
  w.fourcc(p.scheme == Fmp4Scheme::Cbcs ? "cbcs" : "cenc");
  w.u32(0x00010000);  // scheme_version 1.0
  w.end(schm);
  const size_t schi = w.begin("schi");
  // tenc version 1 carries the pattern ('cbcs' needs it); version 0 for 'cenc' (§8.2.2).
  const size_t tenc = w.begin_full("tenc", p.scheme == Fmp4Scheme::Cbcs ? 1 : 0, 0);
  w.u8(0);  // reserved
  key_fields(w, p.scheme, video, p.default_kid, p.constant_iv);
  w.end(tenc);
  w.end(schi);
  w.end(sinf);
}

void write_moof_pssh(BoxWriter& w, const Fmp4FragmentEncryption& e) {
  for (const auto& pssh : e.moof_pssh) w.bytes(pssh);
}

void write_traf_encryption(BoxWriter& w, size_t moof_at, const Fmp4FragmentEncryption& e) {
  const size_t count = e.sample_count;
  if (e.rotated) {
    // Samples of this fragment -> its own 'seig' entry (ISO/IEC 14496-12 §8.9.2, §8.9.3).
    const size_t sbgp = w.begin_full("sbgp", 0, 0);
    w.fourcc("seig");
    w.u32(1);  // entry_count
    w.u32(static_cast<uint32_t>(count));
    w.u32(0x10001);  // the first description of this fragment's sgpd
    w.end(sbgp);
    const size_t sgpd = w.begin_full("sgpd", 1, 0);
    w.fourcc("seig");
    const size_t length_at = w.size();
    w.u32(0);  // default_length, patched below
    w.u32(1);  // entry_count
    const size_t entry = w.size();
    w.u8(0);  // reserved
    key_fields(w, e.scheme, e.video, e.kid, e.constant_iv);
    w.patch_u32(length_at, static_cast<uint32_t>(w.size() - entry));
    w.end(sgpd);
  }
  bool any_aux = false;
  for (size_t i = 0; i < count; ++i) any_aux = any_aux || aux_size(e, i) > 0;
  if (!any_aux) return;  // 'cbcs' audio: nothing per sample (constant IV, whole sample)

  // saiz/saio point at senc's per-sample entries (CENC auxiliary information, §7.1).
  const size_t saiz = w.begin_full("saiz", 0, 0);
  const bool uniform = !e.video;
  w.u8(uniform ? static_cast<uint32_t>(aux_size(e, 0)) : 0);  // default_sample_info_size
  w.u32(static_cast<uint32_t>(count));
  if (!uniform)
    for (size_t i = 0; i < count; ++i) w.u8(static_cast<uint32_t>(aux_size(e, i)));
  w.end(saiz);
  const size_t saio = w.begin_full("saio", 0, 0);
  w.u32(1);  // entry_count: senc's entries are contiguous
  const size_t saio_offset_at = w.size();
  w.u32(0);
  w.end(saio);
  const size_t senc = w.begin_full("senc", 0, e.video ? 0x2 : 0);  // 0x2: subsample maps follow
  w.u32(static_cast<uint32_t>(count));
  w.patch_u32(saio_offset_at, static_cast<uint32_t>(w.size() - moof_at));
  write_sample_entries(w, e);
  w.end(senc);
}

void write_piff_sample_encryption(BoxWriter& w, const Fmp4FragmentEncryption& e) {
  if (e.scheme != Fmp4Scheme::Cenc || e.rotated)
    throw std::logic_error("PIFF sample encryption is 'cenc' with the track's one key");
  // PIFF 1.1 §5.3.2.1: a 'uuid' full box (version 0; flags 0x2: subsample maps follow, no 0x1:
  // the track's AlgorithmID, IV size and KID stand) whose fields are then senc's.
  static constexpr uint8_t kSampleEncryptionUuid[16] = {0xa2, 0x39, 0x4f, 0x52, 0x5a, 0x9b, 0x4f, 0x14,
                                                        0xa2, 0x44, 0x6c, 0x42, 0x7c, 0x64, 0x8d, 0xf4};
  const size_t box = w.begin("uuid");
  w.bytes(kSampleEncryptionUuid, 16);
  w.u8(0);
  w.u24(e.video ? 0x2 : 0);
  w.u32(static_cast<uint32_t>(e.sample_count));
  write_sample_entries(w, e);
  w.end(box);
}

}  // namespace mediaemu::pipeline
