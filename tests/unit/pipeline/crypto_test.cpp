// pipeline/crypto: the AES-128-CBC cipher (a NIST vector, the openssl CLI, PKCS#7 edges), the
// key period schedule, the prefetcher and the encryption stage, and an HLS endpoint packaged
// with it end to end (segments decrypt to TS that ffprobe reads; EXT-X-KEY per key change).
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <mutex>
#include <regex>
#include <thread>

#include "pipeline/crypto/aes_cbc.hpp"
#include "pipeline/crypto/key_period_schedule.hpp"
#include "pipeline/crypto/key_prefetcher.hpp"
#include "pipeline/crypto/segment_encryption.hpp"
#include "pipeline/package/endpoint_packager.hpp"
#include "pipeline/package/hls_playlist.hpp"
#include "tests/unit/pipeline/package_test_support.hpp"

using namespace mediaemu::pipeline;
using namespace mediaemu::pipeline::crypto;
namespace fs = std::filesystem;

namespace {

Block block(const char* hex32) { return *block_from_hex(hex32); }

std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

// Hands out key n (all bytes n+1) for period n, with a URI naming it; counts calls; can fail.
struct FakeProvider : KeyProvider {
  std::atomic<int> calls{0};
  std::atomic<bool> fail{false};
  KeyFetch fetch(int64_t period) override {
    ++calls;
    KeyFetch out;
    if (fail) {
      out.error = "refused";
      return out;
    }
    ContentKey k;
    k.key.fill(static_cast<uint8_t>(period + 1));
    k.kid.fill(static_cast<uint8_t>(period + 101));
    k.uri = "http://127.0.0.1:1/key/" + std::to_string(period);
    out.key = k;
    return out;
  }
  std::string describe() const override { return "fake"; }
};

// Polls until `ready` (the prefetcher works on its own thread); gives up after a generous bound.
template <class F>
bool eventually(F ready) {
  for (int i = 0; i < 5000; ++i) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

}  // namespace

TEST_CASE("AES-128-CBC: NIST SP 800-38A F.2.1 and PKCS#7 padding", "[crypto]") {
  const Block key = block("2b7e151628aed2a6abf7158809cf4f3c");
  const Block iv = block("000102030405060708090a0b0c0d0e0f");
  const Block plain = block("6bc1bee22e409f96e93d7e117393172a");
  auto cipher = aes128_cbc_encrypt(key, iv, plain);
  REQUIRE(cipher.size() == 32);  // a full block of padding follows a whole block
  CHECK(hex(*reinterpret_cast<const Block*>(cipher.data())) == "7649abac8119b246cee98e9b12e9197d");
  auto back = aes128_cbc_decrypt(key, iv, cipher);
  REQUIRE(back);
  CHECK(std::equal(back->begin(), back->end(), plain.begin(), plain.end()));

  for (size_t n : {0, 1, 15, 16, 17, 31, 32, 1000}) {
    CAPTURE(n);
    std::vector<uint8_t> data(n);
    for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint8_t>(i * 7);
    auto c = aes128_cbc_encrypt(key, iv, data);
    CHECK(c.size() == (n / 16 + 1) * 16);
    const uint8_t pad = static_cast<uint8_t>(c.size() - n);
    auto d = aes128_cbc_decrypt(key, iv, c);
    REQUIRE(d);
    CHECK(*d == data);
    // Decrypted without padding removal, the tail is `pad` bytes of value `pad` (RFC 5652 §6.3).
    (void)pad;
  }
  CHECK_FALSE(aes128_cbc_decrypt(key, iv, std::vector<uint8_t>(15)));  // not whole blocks
  CHECK_FALSE(aes128_cbc_decrypt(key, iv, std::vector<uint8_t>{}));
  auto c = aes128_cbc_encrypt(key, iv, bytes_of("segment bytes"));
  auto wrong = aes128_cbc_decrypt(block("00000000000000000000000000000001"), iv, c);
  CHECK((!wrong || *wrong != bytes_of("segment bytes")));
}

TEST_CASE("AES-128-CBC: the openssl CLI decrypts what we encrypt", "[crypto]") {
  const fs::path dir = package_test::scratch_dir("crypto_cli");
  const Block key = block("000102030405060708090a0b0c0d0e0f");
  const Block iv = block("00000000000000000000000000000007");
  std::vector<uint8_t> data(4099);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i ^ 0x5a);
  auto cipher = aes128_cbc_encrypt(key, iv, data);
  {
    std::ofstream out(dir / "c.bin", std::ios::binary);
    out.write(reinterpret_cast<const char*>(cipher.data()), cipher.size());
  }
  const std::string cmd = "openssl enc -d -aes-128-cbc -K " + hex(key) + " -iv " + hex(iv) + " -in " +
                          (dir / "c.bin").string() + " -out " + (dir / "p.bin").string();
  REQUIRE(package_test::run_command(cmd, nullptr) == 0);
  CHECK(package_test::read_bytes(dir / "p.bin") == data);
}

TEST_CASE("hex and UUID text of 16-byte blocks", "[crypto]") {
  const Block b = block("98ee5596cd3ea20d163ae382420c6eff");
  CHECK(uuid_text(b) == "98ee5596-cd3e-a20d-163a-e382420c6eff");
  CHECK(block_from_uuid("98ee5596-cd3e-a20d-163a-e382420c6eff") == b);
  CHECK(block_from_hex("0x98EE5596CD3EA20D163AE382420C6EFF") == b);
  CHECK_FALSE(block_from_hex("98ee"));
  CHECK_FALSE(block_from_hex("zz" + std::string(30, '0')));
  CHECK_FALSE(block_from_uuid("98ee5596cd3ea20d163ae382420c6eff"));
}

TEST_CASE("key period schedule", "[crypto]") {
  KeyPeriodSchedule every10(10);
  CHECK(every10.rotates());
  CHECK(every10.period_at(0) == 0);
  CHECK(every10.period_at(9999) == 0);
  CHECK(every10.period_at(10000) == 1);
  CHECK(every10.period_at(1700000005000) == 170000000);
  CHECK(every10.period_at(-1) == -1);
  CHECK(every10.next(7) == 8);
  KeyPeriodSchedule never(0);
  CHECK_FALSE(never.rotates());
  CHECK(never.period_at(1700000005000) == 0);
  CHECK(never.next(0) == 0);
}

TEST_CASE("key prefetcher: fetches once per period off the caller's thread, retries failures later", "[crypto]") {
  auto provider = std::make_shared<FakeProvider>();
  KeyPrefetcher prefetcher(provider, "test", std::chrono::milliseconds(0));
  CHECK_FALSE(prefetcher.get(3));
  prefetcher.want(3);
  REQUIRE(eventually([&] { return prefetcher.get(3).has_value(); }));
  CHECK(prefetcher.get(3)->key[0] == 4);
  prefetcher.want(3);  // held: no second fetch
  CHECK(provider->calls == 1);

  provider->fail = true;
  prefetcher.want(4);
  REQUIRE(eventually([&] { return prefetcher.attempts() == 2; }));
  CHECK_FALSE(prefetcher.get(4));
  provider->fail = false;
  REQUIRE(eventually([&] {
    prefetcher.want(4);  // retry_after 0: asked again at once
    return prefetcher.get(4).has_value();
  }));
  prefetcher.forget_before(4);
  CHECK_FALSE(prefetcher.get(3));
}

TEST_CASE("encryption stage: markers per key period, IVs, last key reused, nothing before a first key", "[crypto]") {
  auto provider = std::make_shared<FakeProvider>();
  EncryptionSpec spec;
  spec.key_rotation_interval_seconds = 10;
  spec.keys = provider;
  const int64_t t0 = 1700000000000;  // a period boundary (10 s periods)
  SegmentEncryption stage(spec, "test", t0);
  REQUIRE(eventually([&] { return stage.key_for(1, t0) != nullptr; }));
  auto first = stage.key_for(1, t0);
  CHECK(first->key.period == 170000000);
  CHECK_FALSE(first->constant_iv);
  CHECK(hex(first->iv_for(1)) == "00000000000000000000000000000001");  // the sequence number (RFC 8216 §5.2)
  CHECK(hex(first->iv_for(258)) == "00000000000000000000000000000102");
  CHECK(stage.key_for(2, t0 + 6000) == first);  // same period: same marker
  // The next period was asked for ahead, so it is there when the period starts.
  REQUIRE(eventually([&] { return provider->calls >= 2; }));
  SharedSegmentKey second;
  REQUIRE(eventually([&] { return (second = stage.key_for(3, t0 + 12000)) != first; }));
  CHECK(second->key.period == 170000001);

  // The provider fails: the last key stays in use.
  provider->fail = true;
  CHECK(stage.key_for(5, t0 + 31000) == second);

  // A constant IV is used for every key; no key ever: no marker.
  auto failing = std::make_shared<FakeProvider>();
  failing->fail = true;
  spec.keys = failing;
  spec.constant_iv_hex = "0123456789abcdef0123456789abcdef";
  SegmentEncryption never(spec, "never", t0);
  REQUIRE(eventually([&] { return failing->calls >= 1; }));
  CHECK(never.key_for(1, t0) == nullptr);
  failing->fail = false;
  SharedSegmentKey late;
  REQUIRE(eventually([&] { return (late = never.key_for(2, t0 + 1000)) != nullptr; }));
  CHECK(hex(late->iv_for(2)) == "0123456789abcdef0123456789abcdef");
  CHECK(late->iv_for(3) == late->iv_for(2));
}

TEST_CASE("HLS TS with AES-128: encrypted segments, EXT-X-KEY per key period, decryptable", "[crypto][package]") {
  // Dated from the start of the current 4 s key period, so the key the stage fetches on creation
  // (the period of "now") is the first segment's, as it is live.
  const fs::path media_file = package_test::test_media(2);  // generated on first use: before "now"
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const auto rec = read_media_file(media_file, now_ms / 4000 * 4000);
  const fs::path dir = package_test::scratch_dir("hls_aes128");
  auto provider = std::make_shared<FakeProvider>();
  EndpointSpec spec;
  spec.label = "test";
  spec.directory = dir;
  spec.kind = EndpointSpec::Kind::Hls;
  spec.hls.segment_duration_seconds = 2;
  spec.hls.playlist.include_iframe_only_stream = true;  // skipped when encrypted
  EncryptionSpec encryption;
  encryption.key_rotation_interval_seconds = 4;
  encryption.keys = provider;
  spec.encryption = encryption;
  auto packager = make_endpoint_packager(spec);
  REQUIRE(eventually([&] { return provider->calls >= 1; }));
  // Live, the key thread has a segment's duration to fetch the next period's key; the recording
  // is fed paced (a millisecond a packet, ~300 ms per 4 s period) to leave it time likewise.
  package_test::feed(*packager, rec, [] { std::this_thread::sleep_for(std::chrono::milliseconds(1)); });
  packager->on_end();
  const std::string playlist = package_test::read_text(dir / "index_1.m3u8");
  INFO(playlist);
  CHECK_FALSE(fs::exists(dir / "index_1_iframe.m3u8"));
  // No ConstantInitializationVector: no IV attribute, each segment's IV is its sequence number.
  std::regex key_re("#EXT-X-KEY:METHOD=AES-128,URI=\"http://127\\.0\\.0\\.1:1/key/(\\d+)\"\n");
  std::vector<int64_t> keys;
  for (auto it = std::sregex_iterator(playlist.begin(), playlist.end(), key_re); it != std::sregex_iterator(); ++it)
    keys.push_back(std::stoll((*it)[1]));
  REQUIRE(keys.size() >= 2);  // rotated at least once
  for (size_t i = 1; i < keys.size(); ++i) CHECK(keys[i] > keys[i - 1]);

  // Each segment decrypts with the key in force before it and its sequence number as IV, and
  // ffprobe reads the result.
  std::istringstream lines(playlist);
  std::string line;
  Block key{};
  int64_t sequence = 0;
  int checked = 0;
  while (std::getline(lines, line)) {
    std::smatch m;
    std::string with_newline = line + "\n";
    if (std::regex_match(with_newline, m, key_re)) {
      key.fill(static_cast<uint8_t>(std::stoll(m[1]) + 1));
      continue;
    }
    if (line.rfind("#EXT-X-MEDIA-SEQUENCE:", 0) == 0) sequence = std::stoll(line.substr(22));
    if (line.empty() || line[0] == '#') continue;
    const Block iv = sequence_iv(sequence++);
    auto cipher = package_test::read_bytes(dir / line);
    CHECK(cipher.size() % 16 == 0);
    // Not clear TS: two sync bytes 188 apart survive encryption by chance once in 65536.
    CHECK_FALSE((cipher.size() > 188 && cipher[0] == 0x47 && cipher[188] == 0x47));
    auto plain = aes128_cbc_decrypt(key, iv, cipher);
    REQUIRE(plain);
    REQUIRE(plain->size() >= 188);
    CHECK((*plain)[0] == 0x47);
    CHECK((*plain)[188] == 0x47);
    if (checked++ == 0) {
      std::ofstream(dir / "clear.ts", std::ios::binary)
          .write(reinterpret_cast<const char*>(plain->data()), plain->size());
      CHECK(package_test::run_command("ffprobe -v error -show_streams " + (dir / "clear.ts").string(), nullptr) == 0);
    }
  }
  CHECK(checked >= 3);
}

TEST_CASE("HLS playlist: EXT-X-KEY carries a DRM system's KEYFORMAT and KEYFORMATVERSIONS (FairPlay)", "[crypto][package]") {
  SegmentKey fairplay;
  fairplay.method = EncryptionSpec::Method::SampleAes;
  fairplay.key.uri = "skd://6f0e52b8-5c1d-4d6b-9a7b-0c2f0e9d1a11";
  fairplay.key.key_format = "com.apple.streamingkeydelivery";
  fairplay.key.key_format_versions = "1";
  CHECK(ext_x_key_tag(fairplay) ==
        "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://6f0e52b8-5c1d-4d6b-9a7b-0c2f0e9d1a11\","
        "KEYFORMAT=\"com.apple.streamingkeydelivery\",KEYFORMATVERSIONS=\"1\"");
  fairplay.key.key_format.clear();
  fairplay.key.key_format_versions.clear();
  CHECK(ext_x_key_tag(fairplay).find("KEYFORMAT") == std::string::npos);  // identity: not written
}

TEST_CASE(
    "HLS playlist: EXT-X-KEY at the window's start, at key changes, every segment with RepeatExtXKey, in the archive",
    "[crypto][package]") {
  auto key = [](int64_t period, const char* constant_iv) {
    auto k = std::make_shared<SegmentKey>();
    k->key.period = period;
    k->key.uri = "http://127.0.0.1:4566/_mediaemu/speke/key?resource=r&kid=" + std::to_string(period);
    if (constant_iv) k->constant_iv = block_from_hex(constant_iv);
    return SharedSegmentKey(k);
  };
  const auto a = key(1, nullptr), b = key(2, "000000000000000000000000000000ff");
  for (bool repeat : {false, true}) {
    CAPTURE(repeat);
    HlsMediaPlaylistConfig config;
    config.window_seconds = 8;
    config.nominal_segment_seconds = 2;
    config.repeat_key_tag = repeat;
    HlsMediaPlaylist playlist(config);
    for (int i = 0; i < 6; ++i) {
      HlsEntry e;
      e.sequence = i + 1;
      e.position = i * 2.0;
      e.duration = 2;
      e.uri = "s" + std::to_string(i + 1) + ".ts";
      e.epoch_ms = 1700000000000 + i * 2000;
      e.key = i < 3 ? a : b;
      playlist.add(e);
    }
    auto count = [](const std::string& text, const std::string& what) {
      size_t n = 0;
      for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
      return n;
    };
    const std::string all = playlist.render(12, false);  // all six segments (window 8 s: s3..s6)
    INFO(all);
    CHECK(all.find("#EXT-X-KEY:METHOD=AES-128,URI=\"http://127.0.0.1:4566/_mediaemu/speke/key?resource=r&kid=1\"\n"
                   "#EXTINF:2.000,\ns3.ts") != std::string::npos);
    CHECK(all.find("kid=2\",IV=0x000000000000000000000000000000ff\n#EXTINF:2.000,\ns4.ts") != std::string::npos);
    CHECK(count(all, "#EXT-X-KEY") == (repeat ? 4u : 2u));
    // The start-over archive (what time-shifted playlists are cut from) keeps them as well.
    const std::string archive = playlist.render_archive(12, 60, false);
    CHECK(count(archive, "#EXT-X-KEY") == (repeat ? 6u : 2u));
    CHECK(archive.find("#EXT-X-KEY") < archive.find("s1.ts"));
  }
}

TEST_CASE("HLS TS with AES-128 and a key server that never answers: nothing is published", "[crypto][package]") {
  const auto rec = read_media_file(package_test::test_media(2), 1700000000000);
  const fs::path dir = package_test::scratch_dir("hls_aes128_no_key");
  auto provider = std::make_shared<FakeProvider>();
  provider->fail = true;
  EndpointSpec spec;
  spec.label = "test";
  spec.directory = dir;
  spec.kind = EndpointSpec::Kind::Hls;
  spec.hls.segment_duration_seconds = 2;
  EncryptionSpec encryption;
  encryption.keys = provider;
  spec.encryption = encryption;
  auto packager = make_endpoint_packager(spec);
  REQUIRE(eventually([&] { return provider->calls >= 1; }));  // the key server was asked, and failed
  package_test::feed(*packager, rec);
  packager->on_end();
  // No key ever: no playlist and no segment, so the origin answers 404 (MP-UG drm-content-key-rotation).
  CHECK_FALSE(fs::exists(dir / "index.m3u8"));
  CHECK_FALSE(fs::exists(dir / "index_1.m3u8"));
  CHECK_FALSE(fs::exists(dir / "index_1_1.ts"));
}
