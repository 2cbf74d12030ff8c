// CMAF encryption: the 'cbcs' sample encryption (ISO/IEC 23001-7 §10.4) against AES-CBC computed
// separately (pattern 1:9, whole blocks, the chain restarting per subsample, partial blocks
// clear), and CMAF endpoints packaged with 'cbcs' (SAMPLE_AES) and 'cenc' (AES_CTR): EXT-X-KEY
// methods, the init segments' schm/tenc, senc only where there is per-sample information, and
// ffmpeg decoding the encrypted segment with the key to the same frames as a clear endpoint's.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "pipeline/crypto/block_text.hpp"
#include "pipeline/crypto/cbcs.hpp"
#include "pipeline/package/endpoint_packager.hpp"
#include "pipeline/package/media_file_source.hpp"
#include "tests/unit/pipeline/package_test_support.hpp"

using namespace mediaemu::pipeline;
using namespace mediaemu::pipeline::crypto;
namespace fs = std::filesystem;

namespace {

const Block kCmafTestKey = *block_from_hex("00112233445566778899aabbccddeeff");
const Block kCmafTestKid = *block_from_hex("0123456789abcdef0123456789abcdef");

// Where the 4 characters of a box type first occur (the box header's type field), or npos.
size_t cmaf_enc_find(const std::vector<uint8_t>& b, const std::string& type) {
  const auto it = std::search(b.begin(), b.end(), type.begin(), type.end());
  return it == b.end() ? std::string::npos : static_cast<size_t>(it - b.begin());
}

// AES-128-CBC of whole blocks from `iv`: the first blocks of the padded encryption (aes_cbc.hpp).
std::vector<uint8_t> cmaf_enc_cbc(const std::vector<uint8_t>& plain, const Block& iv) {
  auto out = aes128_cbc_encrypt(kCmafTestKey, iv, plain);
  out.resize(plain.size());
  return out;
}

// Packages the 2 s test media into a CMAF endpoint (one manifest "live"), encrypted with
// `method` unless it is Aes128 (then clear).
fs::path cmaf_enc_package(const std::string& name, EncryptionSpec::Method method, bool encrypted) {
  const auto rec = read_media_file(package_test::test_media(2), 1700000000000);
  const fs::path dir = package_test::scratch_dir(name);
  EndpointSpec spec;
  spec.label = name;
  spec.directory = dir;
  spec.kind = EndpointSpec::Kind::Cmaf;
  spec.cmaf.segment_duration_seconds = 2;
  spec.cmaf.segment_prefix = "seg";
  CmafManifestSpec live{"live", {}};
  live.playlist.playlist_window_seconds = 600;
  live.playlist.include_iframe_only_stream = true;
  spec.cmaf.manifests = {live};
  std::shared_ptr<package_test::FixedKeyProvider> provider;
  if (encrypted) {
    EncryptionSpec e;
    e.method = method;
    e.key_rotation_interval_seconds = 0;
    e.system_ids = {"1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"};
    provider = std::make_shared<package_test::FixedKeyProvider>();
    provider->key = kCmafTestKey;
    provider->kid = kCmafTestKid;
    provider->uri = "http://keys.test/k1";
    e.keys = provider;
    spec.encryption = e;
  }
  auto packager = package_test::start_packager(spec, provider.get());
  package_test::feed(*packager, rec);
  packager->on_end();
  return dir;
}

// framemd5 hashes of init + segment `n` of a track, decoded by ffmpeg with `key_args`.
std::string cmaf_enc_frames(const fs::path& dir, const std::string& track, int n, const std::string& key_args,
                            int* status = nullptr) {
  const fs::path joined = dir / (track + "_joined_" + std::to_string(n) + ".mp4");
  {
    std::ofstream out(joined, std::ios::binary);
    for (const auto& part : {dir / ("seg_" + track + "_init.mp4"), dir / ("seg_" + track + "_" + std::to_string(n) + ".mp4")}) {
      const auto bytes = package_test::read_bytes(part);
      out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
  }
  std::string out;
  const int rc = package_test::run_command("ffmpeg -nostdin -v error " + key_args + " -i " + joined.string() +
                                               " -map 0:v -f framemd5 - 2>&1 | grep -v '^#' | awk -F, '{print $NF}'",
                                           &out);
  if (status) *status = rc;
  return out;
}

}  // namespace

TEST_CASE("cbcs: pattern 1:9 per subsample with a fresh chain, whole blocks only, partial blocks clear", "[crypto][cbcs]") {
  const Block iv = *block_from_hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  std::vector<uint8_t> plain(400);
  for (size_t i = 0; i < plain.size(); ++i) plain[i] = static_cast<uint8_t>(i * 7 + 3);
  // Two protected ranges of 180 bytes (11 whole blocks + 4) behind 5 and 15 clear bytes.
  const std::vector<CencSubsample> map{{5, 180}, {15, 180}, {20, 0}};
  auto data = plain;
  cbcs_encrypt(kCmafTestKey, iv, data, map, kCbcsVideoPattern);
  size_t at = 0;
  for (const auto& s : map) {
    CHECK(std::equal(plain.begin() + at, plain.begin() + at + s.clear_bytes, data.begin() + at));
    at += s.clear_bytes;
    if (s.protected_bytes == 0) continue;
    // Blocks 0 and 10 are encrypted, as one CBC chain from the constant IV; 1-9 and the 4-byte
    // tail stay clear.
    std::vector<uint8_t> crypt_blocks(plain.begin() + at, plain.begin() + at + 16);
    crypt_blocks.insert(crypt_blocks.end(), plain.begin() + at + 160, plain.begin() + at + 176);
    const auto expected = cmaf_enc_cbc(crypt_blocks, iv);
    CHECK(std::equal(expected.begin(), expected.begin() + 16, data.begin() + at));
    CHECK(std::equal(expected.begin() + 16, expected.end(), data.begin() + at + 160));
    CHECK(std::equal(plain.begin() + at + 16, plain.begin() + at + 160, data.begin() + at + 16));
    CHECK(std::equal(plain.begin() + at + 176, plain.begin() + at + 180, data.begin() + at + 176));
    at += s.protected_bytes;
  }

  // Audio: no pattern, no subsamples: every whole block of the sample, one chain; the tail clear.
  std::vector<uint8_t> audio(plain.begin(), plain.begin() + 45);
  auto audio_cipher = audio;
  cbcs_encrypt(kCmafTestKey, iv, audio_cipher, {}, kCbcsWholeBlocks);
  const auto expected = cmaf_enc_cbc(std::vector<uint8_t>(audio.begin(), audio.begin() + 32), iv);
  CHECK(std::equal(expected.begin(), expected.end(), audio_cipher.begin()));
  CHECK(std::equal(audio.begin() + 32, audio.end(), audio_cipher.begin() + 32));

  // A sample shorter than a block is left wholly clear.
  std::vector<uint8_t> tiny(plain.begin(), plain.begin() + 15), tiny_cipher = tiny;
  cbcs_encrypt(kCmafTestKey, iv, tiny_cipher, {}, kCbcsWholeBlocks);
  CHECK(tiny_cipher == tiny);
  CHECK_THROWS(cbcs_encrypt(kCmafTestKey, iv, tiny_cipher, {{10, 10}}, kCbcsVideoPattern));
}

TEST_CASE("cbcs constant IV: the configured one, else one derived from the key id", "[crypto][cbcs]") {
  SegmentKey key;
  key.key.kid = kCmafTestKid;
  CHECK(cbcs_constant_iv(key) == derived_constant_iv(kCmafTestKid));
  CHECK(derived_constant_iv(kCmafTestKid) != derived_constant_iv(kCmafTestKey));
  CHECK(derived_constant_iv(kCmafTestKid) != Block{});
  key.constant_iv = *block_from_hex("ffeeddccbbaa99887766554433221100");
  CHECK(cbcs_constant_iv(key) == *key.constant_iv);
}

TEST_CASE("CMAF cbcs and cenc: EXT-X-KEY, schm/tenc, senc, and ffmpeg decodes to the clear frames", "[crypto][cbcs][package]") {
  const fs::path clear = cmaf_enc_package("cmaf_enc_clear", EncryptionSpec::Method::Aes128, false);
  for (const auto& [method, scheme, hls_method] :
       {std::tuple{EncryptionSpec::Method::Cbcs, std::string("cbcs"), std::string("SAMPLE-AES")},
        std::tuple{EncryptionSpec::Method::Cenc, std::string("cenc"), std::string("SAMPLE-AES-CTR")}}) {
    INFO(scheme);
    const fs::path dir = cmaf_enc_package("cmaf_enc_" + scheme, method, true);
    for (const std::string playlist : {"live/index_1.m3u8", "live/index_3.m3u8", "live/index_1_iframe.m3u8"}) {
      const std::string text = package_test::read_text(dir / playlist);
      INFO(text);
      const size_t key_at = text.find("#EXT-X-KEY:METHOD=" + hls_method + ",URI=\"http://keys.test/k1\"\n");
      CHECK(key_at != std::string::npos);
      CHECK(key_at < text.find("#EXTINF"));
      CHECK(text.find("#EXT-X-KEY", key_at + 1) == std::string::npos);  // one key, said once
    }
    CHECK(package_test::read_text(clear / "live/index_1.m3u8").find("EXT-X-KEY") == std::string::npos);

    for (const std::string track : {"video_1", "audio_3"}) {
      const bool video = track == "video_1";
      INFO(track);
      const auto init = package_test::read_bytes(dir / ("seg_" + track + "_init.mp4"));
      REQUIRE(cmaf_enc_find(init, video ? "encv" : "enca") != std::string::npos);
      const size_t schm = cmaf_enc_find(init, "schm");
      REQUIRE(schm != std::string::npos);
      CHECK(std::string(init.begin() + schm + 8, init.begin() + schm + 12) == scheme);
      const size_t tenc = cmaf_enc_find(init, "tenc");
      REQUIRE(tenc != std::string::npos);
      CHECK(std::equal(kCmafTestKid.begin(), kCmafTestKid.end(), init.begin() + tenc + 12));
      CHECK(init.at(tenc + 10) == 1);  // isProtected
      if (scheme == "cbcs") {
        CHECK(init.at(tenc + 4) == 1);                       // version 1
        CHECK(init.at(tenc + 9) == (video ? 0x19 : 0x00));   // crypt:skip 1:9 video, 0:0 audio
        CHECK(init.at(tenc + 11) == 0);                      // Per_Sample_IV_Size: constant IV
        CHECK(init.at(tenc + 28) == 16);
        const Block iv = derived_constant_iv(kCmafTestKid);
        CHECK(std::equal(iv.begin(), iv.end(), init.begin() + tenc + 29));
      } else {
        CHECK(init.at(tenc + 4) == 0);
        CHECK(init.at(tenc + 11) == 8);
      }
      CHECK(cmaf_enc_find(init, "pssh") != std::string::npos);
      const auto seg = package_test::read_bytes(dir / ("seg_" + track + "_2.mp4"));
      // 'cbcs' audio has no per-sample information (constant IV, whole samples): no senc.
      CHECK((cmaf_enc_find(seg, "senc") != std::string::npos) == (video || scheme == "cenc"));
      CHECK(cmaf_enc_find(seg, "seig") == std::string::npos);  // one key: no sample group
    }
    int status = 0;
    const std::string clear_frames = cmaf_enc_frames(clear, "video_1", 2, "");
    const std::string frames = cmaf_enc_frames(dir, "video_1", 2, "-decryption_key " + hex(kCmafTestKey), &status);
    CHECK(status == 0);
    CHECK(clear_frames.size() > 100);
    CHECK(frames == clear_frames);
    const std::string keyless = cmaf_enc_frames(dir, "video_1", 2, "");
    CHECK(keyless != clear_frames);
  }
}
