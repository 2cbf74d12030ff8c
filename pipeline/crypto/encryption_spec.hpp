// How an endpoint encrypts: plain values the emulator translates from MediaPackage's
// HlsPackage.Encryption, DashPackage.Encryption and CmafPackage.Encryption.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pipeline/crypto/content_key.hpp"

namespace mediaemu::pipeline::crypto {

struct EncryptionSpec {
  // Aes128: HLS whole-segment AES-128-CBC; SampleAes: HLS SAMPLE-AES in MPEG-TS (sample_aes.hpp);
  // Cbcs: ISO/IEC 23001-7 'cbcs' in fMP4 (CMAF SAMPLE_AES); Cenc: ISO/IEC 23001-7 'cenc' AES-CTR
  // in fMP4 (DASH, CMAF AES_CTR).
  enum class Method { Aes128, SampleAes, Cbcs, Cenc } method = Method::Aes128;
  int key_rotation_interval_seconds = 60;  // MediaPackage's default; 0: one key for the whole stream
  std::string constant_iv_hex;             // ConstantInitializationVector (32 hex digits) or ""
  bool repeat_ext_x_key = false;           // RepeatExtXKey: EXT-X-KEY before every segment
  // SpekeKeyProvider, as configured (for the emulator's KeyProvider and log lines).
  std::string speke_url, resource_id, role_arn;
  std::vector<std::string> system_ids;
  // SpekeKeyProvider.EncryptionContractConfiguration (SPEKE v2.0, speke_presets.hpp): the keys
  // asked for and which encrypts which track. Both empty: SPEKE v1, one key for every track.
  std::string preset_video, preset_audio;
  // The endpoint has HLS manifests (CMAF): SPEKE v2.0 asks the key provider for HLS signalling.
  bool hls_manifests = false;
  bool speke_v2() const { return !preset_video.empty(); }
  // Who supplies the keys; set by the emulator (plans are pure values and leave it null). Called
  // only on the endpoint's KeyPrefetcher thread.
  std::shared_ptr<KeyProvider> keys;
};

}  // namespace mediaemu::pipeline::crypto
