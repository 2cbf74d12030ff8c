// HLS SAMPLE-AES in MPEG-TS (Apple's "MPEG-2 Stream Encryption Format for HTTP Live Streaming"):
// the protected blocks of H.264 slices and AAC frames against AES-CBC computed separately, the
// emulation prevention applied over the result, the PMT signalling (0xdb 'zavc', 0xcf 'aacd' +
// 'apad' setup, CRC_32), and an endpoint whose playlists ffmpeg's HLS demuxer (which implements
// the format) decodes to the same frames as a clear endpoint's.
#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "pipeline/bytes.hpp"
#include "pipeline/crypto/block_text.hpp"
#include "pipeline/crypto/sample_aes.hpp"
#include "pipeline/crypto/segment_key.hpp"
#include "pipeline/transcode/codec_config.hpp"
#include "pipeline/package/endpoint_packager.hpp"
#include "pipeline/package/media_file_source.hpp"
#include "tests/unit/pipeline/package_test_support.hpp"

using namespace mediaemu::pipeline;
using namespace mediaemu::pipeline::crypto;
namespace fs = std::filesystem;

namespace {

const Block kSaesKey = *block_from_hex("2b7e151628aed2a6abf7158809cf4f3c");
const Block kSaesIv = *block_from_hex("000102030405060708090a0b0c0d0e0f");

// AES-128-CBC of whole blocks (one chain), from the padded encryption of aes_cbc.hpp.
std::vector<uint8_t> saes_cbc(const std::vector<uint8_t>& plain) {
  auto out = aes128_cbc_encrypt(kSaesKey, kSaesIv, plain);
  out.resize(plain.size());
  return out;
}

// What a player does first (hls.js discardEPB): drop each 0x03 that follows two zero bytes.
std::vector<uint8_t> saes_remove_epb(const std::vector<uint8_t>& in) {
  std::vector<uint8_t> out;
  int zeros = 0;
  for (uint8_t b : in) {
    if (zeros >= 2 && b == 3) {
      zeros = 0;
      continue;
    }
    out.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  return out;
}

std::vector<uint8_t> saes_slice(size_t size, uint8_t type) {
  std::vector<uint8_t> nal(size);
  nal[0] = type;
  for (size_t i = 1; i < size; ++i) nal[i] = static_cast<uint8_t>(i * 7 + 1);
  return nal;
}

fs::path saes_package(const std::string& name, bool encrypted) {
  const auto rec = read_media_file(package_test::test_media(2), 1700000000000);
  const fs::path dir = package_test::scratch_dir(name);
  EndpointSpec spec;
  spec.label = name;
  spec.directory = dir;
  spec.kind = EndpointSpec::Kind::Hls;
  spec.hls.segment_duration_seconds = 2;
  spec.hls.playlist.playlist_window_seconds = 600;
  spec.hls.playlist.include_iframe_only_stream = true;
  std::shared_ptr<package_test::FixedKeyProvider> provider;
  if (encrypted) {
    std::ofstream(dir / "key.bin", std::ios::binary).write(reinterpret_cast<const char*>(kSaesKey.data()), 16);
    EncryptionSpec e;
    e.method = EncryptionSpec::Method::SampleAes;
    e.key_rotation_interval_seconds = 0;
    provider = std::make_shared<package_test::FixedKeyProvider>();
    provider->key = kSaesKey;
    provider->kid = kSaesIv;
    provider->uri = (dir / "key.bin").string();
    e.keys = provider;
    spec.encryption = e;
  }
  auto packager = package_test::start_packager(spec, provider.get());
  package_test::feed(*packager, rec);
  packager->on_end();
  return dir;
}

// framemd5 of a stream of a file or playlist.
std::string saes_frames(const fs::path& playlist, const std::string& stream) {
  std::string out;
  const std::string hls = playlist.extension() == ".m3u8" ? "-allowed_extensions ALL " : "";
  const int rc = package_test::run_command("ffmpeg -nostdin -v error " + hls + "-i " + playlist.string() +
                                               " -map 0:" + stream + " -f framemd5 - 2>&1 | grep -v '^#'",
                                           &out);
  return rc == 0 ? out : "ffmpeg failed: " + out;
}

// The H.264 elementary stream of a TS segment, as its PES packets carry it (ffmpeg -c copy).
std::vector<uint8_t> saes_video_es(const fs::path& segment) {
  const fs::path out = segment.string() + ".h264";
  package_test::run_command("ffmpeg -nostdin -v quiet -y -i " + segment.string() + " -map 0:v -c copy -f h264 " +
                                out.string(),
                            nullptr);
  return package_test::read_bytes(out);
}

// A player's SAMPLE-AES decryption of an Annex B stream: per slice NAL unit of more than 48
// bytes, drop the emulation prevention, then AES-128-CBC-decrypt the blocks at 32, 192, ... (one
// chain from `iv`) while more than 16 bytes remain.
std::vector<uint8_t> saes_decrypt_video(const std::vector<uint8_t>& es, const Block& iv) {
  std::vector<uint8_t> out;
  for (ByteView view : split_annexb(es)) {
    std::vector<uint8_t> nal(view.begin(), view.end());
    if (!nal.empty() && ((nal[0] & 0x1f) == 1 || (nal[0] & 0x1f) == 5) && nal.size() > 48) {
      nal = saes_remove_epb(nal);
      EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
      EVP_DecryptInit_ex(ctx, EVP_aes_128_cbc(), nullptr, kSaesKey.data(), iv.data());
      EVP_CIPHER_CTX_set_padding(ctx, 0);
      for (size_t at = 32; at + 16 < nal.size(); at += 160) {
        int n = 0;
        EVP_DecryptUpdate(ctx, nal.data() + at, &n, nal.data() + at, 16);
      }
      EVP_CIPHER_CTX_free(ctx);
    }
    out.insert(out.end(), {0, 0, 0, 1});
    out.insert(out.end(), nal.begin(), nal.end());
  }
  return out;
}

// The I-frame playlist's entries: the IV of the EXT-X-KEY in force ("" when none), the segment
// and the byte range.
struct SaesIframe {
  std::string iv, uri;
  int64_t length = 0, offset = 0;
};

std::vector<SaesIframe> saes_iframes(const fs::path& playlist) {
  std::vector<SaesIframe> out;
  std::string iv;
  SaesIframe next;
  std::istringstream in(package_test::read_text(playlist));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#EXT-X-KEY:", 0) == 0) {
      const size_t at = line.find(",IV=0x");
      iv = at == std::string::npos ? "" : line.substr(at + 6, 32);
    } else if (line.rfind("#EXT-X-BYTERANGE:", 0) == 0) {
      next.length = std::stoll(line.substr(17));
      next.offset = std::stoll(line.substr(line.find('@') + 1));
    } else if (!line.empty() && line[0] != '#') {
      next.iv = iv;
      next.uri = line;
      out.push_back(next);
    }
  }
  return out;
}

// The video frames of an I-frame entry's byte range, decrypted as a player does when `iv` is set.
std::string saes_iframe_frames(const fs::path& dir, const SaesIframe& entry, const std::string& iv) {
  const auto segment = package_test::read_bytes(dir / entry.uri);
  REQUIRE(entry.offset + entry.length <= static_cast<int64_t>(segment.size()));
  std::ofstream(dir / "range.ts", std::ios::binary)
      .write(reinterpret_cast<const char*>(segment.data() + entry.offset), entry.length);
  auto es = saes_video_es(dir / "range.ts");
  if (!iv.empty()) es = saes_decrypt_video(es, block_from_hex(iv).value());
  std::ofstream(dir / "range.h264", std::ios::binary).write(reinterpret_cast<const char*>(es.data()), es.size());
  return saes_frames(dir / "range.h264", "v");
}

}  // namespace

TEST_CASE("SAMPLE-AES H.264: slices encrypted 1 block in 10 after 32 clear bytes, last 1..16 bytes clear", "[crypto][sample_aes]") {
  for (size_t size : {size_t{49}, size_t{208}, size_t{209}, size_t{400}, size_t{1000}}) {
    CAPTURE(size);
    const auto plain = saes_slice(size, 0x65);  // nal_unit_type 5 (IDR)
    const auto stored = sample_aes_nal_unit(kSaesKey, kSaesIv, plain);
    const auto cipher = saes_remove_epb(stored);
    REQUIRE(cipher.size() == plain.size());
    // The blocks a player decrypts: at 32, 192, 352, ... while more than 16 bytes remain.
    std::vector<size_t> blocks;
    for (size_t at = 32; at + 16 < size; at += 160) blocks.push_back(at);
    std::vector<uint8_t> chain;
    for (size_t at : blocks) chain.insert(chain.end(), plain.begin() + at, plain.begin() + at + 16);
    const auto expected = saes_cbc(chain);
    std::vector<uint8_t> want = plain;
    for (size_t i = 0; i < blocks.size(); ++i)
      std::copy(expected.begin() + i * 16, expected.begin() + i * 16 + 16, want.begin() + blocks[i]);
    CHECK(cipher == want);
    CHECK(!blocks.empty());
  }
  // 208 bytes: the block at 192 would end exactly at the end: it stays clear.
  CHECK(saes_remove_epb(sample_aes_nal_unit(kSaesKey, kSaesIv, saes_slice(208, 0x41))).back() == saes_slice(208, 0x41).back());
  // 48 bytes or fewer, and NAL units that are not slices: unchanged.
  CHECK(sample_aes_nal_unit(kSaesKey, kSaesIv, saes_slice(48, 0x65)) == saes_slice(48, 0x65));
  CHECK(sample_aes_nal_unit(kSaesKey, kSaesIv, saes_slice(300, 0x67)) == saes_slice(300, 0x67));  // SPS
  CHECK(sample_aes_nal_unit(kSaesKey, kSaesIv, saes_slice(300, 0x06)) == saes_slice(300, 0x06));  // SEI
}

TEST_CASE("SAMPLE-AES: emulation prevention over the encrypted NAL unit, and both framings kept", "[crypto][sample_aes]") {
  CHECK(add_emulation_prevention(std::vector<uint8_t>{0, 0, 1, 0, 0, 0, 0, 0, 3}) ==
        std::vector<uint8_t>{0, 0, 3, 1, 0, 0, 3, 0, 0, 3, 0, 3});
  // A slice whose clear lead already holds an escaped sequence keeps it after the round trip.
  auto plain = saes_slice(300, 0x41);
  plain[10] = 0, plain[11] = 0, plain[12] = 3, plain[13] = 1;
  const auto round_trip = saes_remove_epb(sample_aes_nal_unit(kSaesKey, kSaesIv, plain));
  CHECK(std::vector<uint8_t>(round_trip.begin() + 10, round_trip.begin() + 14) == std::vector<uint8_t>{0, 0, 3, 1});
  // Length-prefixed access unit: lengths rewritten to the escaped sizes; Annex B: start codes.
  const auto sps = saes_slice(20, 0x67), slice = saes_slice(500, 0x65);
  std::vector<uint8_t> avcc;
  for (const auto* nal : {&sps, &slice}) {
    for (int i = 3; i >= 0; --i) avcc.push_back(static_cast<uint8_t>(nal->size() >> (8 * i)));
    avcc.insert(avcc.end(), nal->begin(), nal->end());
  }
  const auto out = sample_aes_h264_access_unit(kSaesKey, kSaesIv, avcc, 4);
  const auto enc_slice = sample_aes_nal_unit(kSaesKey, kSaesIv, slice);
  REQUIRE(out.size() == 4 + 20 + 4 + enc_slice.size());
  CHECK(std::equal(sps.begin(), sps.end(), out.begin() + 4));
  CHECK(((out[24] << 24) | (out[25] << 16) | (out[26] << 8) | out[27]) == static_cast<int>(enc_slice.size()));
  CHECK(std::equal(enc_slice.begin(), enc_slice.end(), out.begin() + 28));
  std::vector<uint8_t> annexb{0, 0, 0, 1};
  annexb.insert(annexb.end(), slice.begin(), slice.end());
  const auto out_b = sample_aes_h264_access_unit(kSaesKey, kSaesIv, annexb, 0);
  CHECK(std::equal(enc_slice.begin(), enc_slice.end(), out_b.begin() + 4));
}

TEST_CASE("SAMPLE-AES AAC: 16 clear bytes, then whole blocks, a partial block clear", "[crypto][sample_aes]") {
  std::vector<uint8_t> frame(75);
  for (size_t i = 0; i < frame.size(); ++i) frame[i] = static_cast<uint8_t>(i);
  auto enc = frame;
  sample_aes_aac_frame(kSaesKey, kSaesIv, enc);
  const auto expected = saes_cbc(std::vector<uint8_t>(frame.begin() + 16, frame.begin() + 64));
  CHECK(std::equal(frame.begin(), frame.begin() + 16, enc.begin()));
  CHECK(std::equal(expected.begin(), expected.end(), enc.begin() + 16));
  CHECK(std::equal(frame.begin() + 64, frame.end(), enc.begin() + 64));
  std::vector<uint8_t> tiny(16, 9), same = tiny;
  sample_aes_aac_frame(kSaesKey, kSaesIv, tiny);
  CHECK(tiny == same);
}

TEST_CASE("HLS SAMPLE_AES endpoint: PMT signalling, EXT-X-KEY, I-frame ranges, and ffmpeg decodes to the clear frames", "[crypto][sample_aes][package]") {
  const fs::path clear = saes_package("hls_saes_clear", false);
  const fs::path enc = saes_package("hls_saes", true);
  const std::string playlist = package_test::read_text(enc / "index_1.m3u8");
  INFO(playlist);
  CHECK(playlist.find("#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"" + (enc / "key.bin").string() + "\"\n") != std::string::npos);

  // The samples changed, the transport stream did not: same size class, sync bytes everywhere.
  const auto seg = package_test::read_bytes(enc / "index_1_2.ts"), clear_seg = package_test::read_bytes(clear / "index_1_2.ts");
  REQUIRE(seg.size() >= 188 * 10);
  CHECK(seg.size() % 188 == 0);
  CHECK(seg != clear_seg);
  bool synced = true;
  for (size_t at = 0; at < seg.size(); at += 188) synced &= seg[at] == 0x47;
  CHECK(synced);

  // The PMT: 0xdb with 'zavc', 0xcf with 'aacd' and the 'apad' registration descriptor; CRC_32
  // over the whole section (CRC included) is 0 for a correct one.
  const std::string bytes(seg.begin(), seg.end());
  const size_t zavc = bytes.find("zavc"), aacd = bytes.find("aacd"), apad = bytes.find("apadzaac");
  REQUIRE(zavc != std::string::npos);
  REQUIRE(aacd != std::string::npos);
  CHECK(apad != std::string::npos);
  const size_t packet = zavc / 188 * 188;
  const size_t section = packet + 5;  // header, pointer_field 0
  REQUIRE(static_cast<uint8_t>(bytes[section]) == 0x02);
  const size_t length = ((bytes[section + 1] & 0x0f) << 8) | static_cast<uint8_t>(bytes[section + 2]);
  CHECK(mediaemu::pipeline::crc32_mpeg2(std::span(seg).subspan(section, 3 + length)) == 0);
  CHECK(bytes.find(std::string("\xdb", 1), section + 12) < zavc);
  CHECK(bytes.find(std::string("\xcf", 1), zavc) < aacd);

  // ffmpeg's HLS demuxer decrypts SAMPLE-AES with the key from the URI: the audio frames are the
  // clear ones. (Its video is not checked that way: ffmpeg 5.1 decrypts the last packets of each
  // segment, which its TS demuxer hands over only after the next segment is open, with that
  // segment's IV, or not at all after the last one; so do players' own decrypters not.)
  const std::string clear_audio = saes_frames(clear / "index_1.m3u8", "a");
  CHECK(clear_audio.size() > 100);
  CHECK(saes_frames(enc / "index_1.m3u8", "a") == clear_audio);
  // The video, decrypted here as a player does (each segment's IV is its sequence number),
  // decodes to the clear frames.
  for (int n : {1, 2, 5}) {
    CAPTURE(n);
    const std::string segment = "index_1_" + std::to_string(n) + ".ts";
    const auto plain = saes_decrypt_video(saes_video_es(enc / segment), sequence_iv(n));
    std::ofstream(enc / "decrypted.h264", std::ios::binary).write(reinterpret_cast<const char*>(plain.data()), plain.size());
    const auto clear_es = saes_video_es(clear / segment);
    std::ofstream(clear / "clear.h264", std::ios::binary)
        .write(reinterpret_cast<const char*>(clear_es.data()), clear_es.size());
    const std::string clear_frames = saes_frames(clear / "clear.h264", "v");
    CHECK(clear_frames.size() > 100);
    CHECK(saes_frames(enc / "decrypted.h264", "v") == clear_frames);
  }

  // The I-frame playlist: an EXT-X-KEY naming each segment's IV (its sequence number), and each
  // byte range, decrypted with it, is the clear endpoint's I-frame.
  const auto iframes = saes_iframes(enc / "index_1_iframe.m3u8");
  const auto clear_iframes = saes_iframes(clear / "index_1_iframe.m3u8");
  REQUIRE(iframes.size() >= 5);
  REQUIRE(iframes.size() == clear_iframes.size());
  for (size_t i : {size_t{0}, size_t{2}, iframes.size() - 1}) {
    CAPTURE(i, iframes[i].uri);
    CHECK(clear_iframes[i].iv.empty());
    const int sequence = std::stoi(iframes[i].uri.substr(8));  // index_1_<n>.ts
    CHECK(iframes[i].iv == hex(sequence_iv(sequence)));
    const std::string clear_frame = saes_iframe_frames(clear, clear_iframes[i], "");
    CHECK(clear_frame.size() > 20);
    CHECK(saes_iframe_frames(enc, iframes[i], iframes[i].iv) == clear_frame);
  }
}
