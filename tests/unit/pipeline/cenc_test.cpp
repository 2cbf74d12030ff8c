// 'cenc' Common Encryption (ISO/IEC 23001-7) for DASH: AES-128-CTR against an independent vector,
// the subsample map of an H.264 access unit, and a DASH endpoint packaged with it whose boxes are
// read back with a small ISO BMFF reader (tenc, pssh, senc/saiz/saio and their offsets), whose
// samples decrypt to valid NAL structure, and which ffmpeg decodes only with the key.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "pipeline/crypto/cenc.hpp"
#include "pipeline/crypto/block_text.hpp"
#include "pipeline/crypto/pssh.hpp"
#include "pipeline/package/cenc_signalling.hpp"
#include "pipeline/package/endpoint_packager.hpp"
#include "pipeline/package/media_file_source.hpp"
#include "tests/unit/pipeline/package_test_support.hpp"

using namespace mediaemu::pipeline;
using namespace mediaemu::pipeline::crypto;
namespace fs = std::filesystem;

namespace {

std::vector<uint8_t> cenc_test_bytes_hex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

uint32_t be32(const std::vector<uint8_t>& b, size_t at) {
  return uint32_t{b.at(at)} << 24 | uint32_t{b.at(at + 1)} << 16 | uint32_t{b.at(at + 2)} << 8 | b.at(at + 3);
}
uint16_t be16(const std::vector<uint8_t>& b, size_t at) { return static_cast<uint16_t>(b.at(at) << 8 | b.at(at + 1)); }
uint64_t be64(const std::vector<uint8_t>& b, size_t at) { return uint64_t{be32(b, at)} << 32 | be32(b, at + 4); }

// A minimal ISO BMFF reader: the boxes directly inside [begin, end).
struct BoxAt {
  std::string type;
  size_t start = 0, size = 0;  // start: the box's first byte
  size_t body() const { return start + 8; }
};

std::vector<BoxAt> boxes_in(const std::vector<uint8_t>& b, size_t begin, size_t end) {
  std::vector<BoxAt> out;
  while (begin + 8 <= end) {
    const size_t size = be32(b, begin);
    REQUIRE(size >= 8);
    REQUIRE(begin + size <= end);
    out.push_back({std::string(b.begin() + begin + 4, b.begin() + begin + 8), begin, size});
    begin += size;
  }
  return out;
}

// The first box of `type` inside the box, or inside the file when `parent` is null.
BoxAt child(const std::vector<uint8_t>& b, const BoxAt* parent, const std::string& type, size_t skip = 0) {
  const size_t begin = parent ? parent->body() + skip : 0, end = parent ? parent->start + parent->size : b.size();
  for (const auto& box : boxes_in(b, begin, end))
    if (box.type == type) return box;
  FAIL("no " << type << " box");
  return {};
}

struct CencKeyProvider : KeyProvider {
  std::atomic<int> calls{0};
  KeyFetch fetch(int64_t period) override {
    ++calls;
    ContentKey k;
    k.period = period;
    k.key = *block_from_hex("00112233445566778899aabbccddeeff");
    k.kid = *block_from_hex("0123456789abcdef0123456789abcdef");
    return {k, ""};
  }
  std::string describe() const override { return "fixed"; }
};

}  // namespace

TEST_CASE("cenc AES-128-CTR: a vector computed independently, and a key stream continued across subsamples", "[crypto][cenc]") {
  // Expected output from Python's `cryptography` (AES CTR, key of NIST SP 800-38A F.5.1, counter
  // block f0f1f2f3f4f5f6f7 || 0^64 as ISO/IEC 23001-7 §9.1 builds it from an 8-byte IV).
  const Block key = *block_from_hex("2b7e151628aed2a6abf7158809cf4f3c");
  auto data = cenc_test_bytes_hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411");
  const auto plain = data;
  cenc_apply_ctr(key, 0xf0f1f2f3f4f5f6f7ull, data, {});
  CHECK(data == cenc_test_bytes_hex("67ee05547499f8bcf0c38324e8605c28018216a5f4dac1af7e12ae7a0c2e3e9f13e8bc4a3757a548"));

  // With subsamples: clear bytes untouched; the protected bytes are the whole-sample key stream
  // applied to them concatenated (one key stream per sample, §9.5.2.1).
  auto split = plain;
  const std::vector<CencSubsample> map{{3, 10}, {5, 17}, {5, 0}};  // 40 bytes
  cenc_apply_ctr(key, 0xf0f1f2f3f4f5f6f7ull, split, map);
  std::vector<uint8_t> joined_plain, joined_cipher;
  size_t at = 0;
  for (const auto& s : map) {
    for (size_t i = 0; i < s.clear_bytes; ++i, ++at) CHECK(split[at] == plain[at]);
    joined_plain.insert(joined_plain.end(), plain.begin() + at, plain.begin() + at + s.protected_bytes);
    joined_cipher.insert(joined_cipher.end(), split.begin() + at, split.begin() + at + s.protected_bytes);
    at += s.protected_bytes;
  }
  cenc_apply_ctr(key, 0xf0f1f2f3f4f5f6f7ull, joined_plain, {});
  CHECK(joined_plain == joined_cipher);
  cenc_apply_ctr(key, 0xf0f1f2f3f4f5f6f7ull, split, map);  // CTR is its own inverse
  CHECK(split == plain);
}

TEST_CASE("cenc subsamples of an H.264 access unit: NAL lengths and headers clear, slice data protected", "[crypto][cenc]") {
  auto nal = [](std::vector<uint8_t>& out, uint8_t header, size_t payload) {
    const size_t n = payload + 1;
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(n >> (8 * i)));
    out.push_back(header);
    out.insert(out.end(), payload, 0xab);
  };
  std::vector<uint8_t> au;
  nal(au, 0x09, 1);    // AUD: 6 bytes, clear
  nal(au, 0x67, 20);   // SPS: 25 bytes, clear
  nal(au, 0x68, 4);    // PPS: 9 bytes, clear
  nal(au, 0x65, 300);  // IDR slice: 4 + 1 clear, 300 protected
  nal(au, 0x41, 50);   // non-IDR slice (as a second slice): 4 + 1 clear, 50 protected
  nal(au, 0x06, 7);    // SEI after the slices: 12 bytes, clear
  const auto map = avc_cenc_subsamples(au);
  const std::vector<CencSubsample> expected{{6 + 25 + 9 + 5, 300}, {5, 50}, {12, 0}};
  CHECK(map == expected);
  size_t total = 0;
  for (const auto& s : map) total += s.clear_bytes + s.protected_bytes;
  CHECK(total == au.size());

  // A clear run longer than 16 bits splits into subsamples that protect nothing.
  std::vector<uint8_t> big;
  nal(big, 0x06, 70000);
  nal(big, 0x65, 10);
  const auto big_map = avc_cenc_subsamples(big);
  REQUIRE(big_map.size() == 2);
  CHECK(big_map[0] == CencSubsample{0xffff, 0});
  CHECK(big_map[1].clear_bytes == 70005 - 0xffff + 5);
  CHECK(big_map[1].protected_bytes == 10);
}

TEST_CASE("W3C common pssh box", "[crypto][cenc]") {
  const Block kid = *block_from_hex("0123456789abcdef0123456789abcdef");
  const auto box = w3c_common_pssh({kid});
  CHECK(box.size() == 12 + 16 + 4 + 16 + 4);
  CHECK(be32(box, 0) == box.size());
  CHECK(std::string(box.begin() + 4, box.begin() + 8) == "pssh");
  CHECK(be32(box, 8) == 0x01000000);
  CHECK(std::vector<uint8_t>(box.begin() + 12, box.begin() + 28) == cenc_test_bytes_hex("1077efecc0b24d02ace33c1e52e2fb4b"));
  CHECK(be32(box, 28) == 1);
  CHECK(std::equal(kid.begin(), kid.end(), box.begin() + 32));
  CHECK(be32(box, 48) == 0);
  // What a key provider's PSSH must be: one whole box whose sizes add up.
  CHECK(pssh_box_system_id(box) == "1077efec-c0b2-4d02-ace3-3c1e52e2fb4b");
  auto broken = box;
  broken.push_back(0);  // a byte past the box
  CHECK_FALSE(pssh_box_system_id(broken));
  broken = box;
  broken[31] = 9;  // KID_count past the end
  CHECK_FALSE(pssh_box_system_id(broken));
  broken = box;
  broken[8] = 2;  // no such version
  CHECK_FALSE(pssh_box_system_id(broken));
  CHECK_FALSE(pssh_box_system_id(std::vector<uint8_t>(box.begin(), box.begin() + 20)));
}

TEST_CASE("DASH ContentProtection: one element per system with a pssh or key-provider data, in SystemIds order", "[crypto][cenc]") {
  const Block kid = *block_from_hex("0123456789abcdef0123456789abcdef");
  Fmp4Protection p;
  p.default_kid = kid;
  p.system_ids = {"E2719D58-A985-B3C9-781A-B030AF78D30E", "1077efec-c0b2-4d02-ace3-3c1e52e2fb4b",
                  "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"};
  ContentKey key;
  key.kid = kid;
  p.pssh_boxes = pssh_boxes_for(key, p.system_ids);
  REQUIRE(p.pssh_boxes.size() == 1);  // W3C ClearKey's
  p.content_protection_data["e2719d58-a985-b3c9-781a-b030af78d30e"] =
      "<dashif:Laurl xmlns:dashif=\"https://dashif.org/CPS\">http://k/lic</dashif:Laurl>";
  const std::string xml = dash_content_protection(p, "  ");
  INFO(xml);
  const auto mp4 = xml.find("urn:mpeg:dash:mp4protection:2011");
  const auto dashif = xml.find("<ContentProtection schemeIdUri=\"urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e\">\n"
                               "    <dashif:Laurl xmlns:dashif=\"https://dashif.org/CPS\">http://k/lic</dashif:Laurl>\n"
                               "  </ContentProtection>");
  const auto w3c = xml.find("<ContentProtection schemeIdUri=\"urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b\">\n"
                            "    <cenc:pssh>");
  CHECK(mp4 < dashif);
  CHECK(dashif != std::string::npos);
  CHECK(dashif < w3c);
  CHECK(w3c != std::string::npos);
  CHECK(xml.find("edef8ba9") == std::string::npos);  // Widevine: nothing to say, so no element
  // The key provider gave Widevine's box (its cpix:PSSH): written as it is, after W3C's (SystemIds
  // order), in the init segment and base64 in the MPD.
  const std::vector<uint8_t> widevine =
      pssh_box(*block_from_uuid("edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"), 0, {}, {0x12, 0x01, 0x07});
  key.pssh["edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"] = widevine;
  p.pssh_boxes = pssh_boxes_for(key, p.system_ids);
  REQUIRE(p.pssh_boxes.size() == 2);
  CHECK(pssh_box_system_id(p.pssh_boxes[0]) == "1077efec-c0b2-4d02-ace3-3c1e52e2fb4b");
  CHECK(p.pssh_boxes[1] == widevine);
  const std::string with_widevine = dash_content_protection(p, "");
  CHECK(with_widevine.find("<ContentProtection schemeIdUri=\"urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed\">\n"
                           "  <cenc:pssh>AAAAI3Bzc2gAAAAA7e+LqXnWSs6jyCfc1R0h7QAAAAMSAQc=</cenc:pssh>") !=
        std::string::npos);
  // A box the provider gave for W3C ClearKey replaces the one made from the key id.
  key.pssh["1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"] = w3c_common_pssh({kid, kid});
  CHECK(pssh_boxes_for(key, p.system_ids).front() == w3c_common_pssh({kid, kid}));
  // DASH-IF ClearKey alone: its element has the licence URL, and there is no pssh at all.
  key.pssh.clear();
  p.system_ids = {"e2719d58-a985-b3c9-781a-b030af78d30e"};
  p.pssh_boxes = pssh_boxes_for(key, p.system_ids);
  CHECK(p.pssh_boxes.empty());
  const std::string alone = dash_content_protection(p, "");
  CHECK(alone.find("cenc:pssh") == std::string::npos);
  CHECK(alone.find("dashif:Laurl") != std::string::npos);
}

TEST_CASE("DASH cenc: init and segments carry tenc/pssh/senc/saiz/saio, decrypt, and ffmpeg needs the key", "[crypto][cenc][package]") {
  const auto rec = read_media_file(package_test::test_media(2), 1700000000000);
  const fs::path dir = package_test::scratch_dir("dash_cenc");
  auto provider = std::make_shared<CencKeyProvider>();
  EndpointSpec spec = package_test::dash_cenc_spec(dir, provider);
  spec.encryption->system_ids = {"1077EFEC-C0B2-4D02-ACE3-3C1E52E2FB4B", "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"};
  auto packager = package_test::start_packager(spec, &provider->calls);
  package_test::feed(*packager, rec);
  packager->on_end();

  const std::string mpd = package_test::read_text(dir / "index.mpd");
  INFO(mpd);
  CHECK(mpd.find("xmlns:cenc=\"urn:mpeg:cenc:2013\"") != std::string::npos);
  CHECK(mpd.find("<ContentProtection schemeIdUri=\"urn:mpeg:dash:mp4protection:2011\" value=\"cenc\" "
                 "cenc:default_KID=\"01234567-89ab-cdef-0123-456789abcdef\"/>") != std::string::npos);
  CHECK(mpd.find("<ContentProtection schemeIdUri=\"urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b\"") != std::string::npos);
  CHECK(mpd.find("<cenc:pssh>AAAANHBzc2gBAAAAEHfv7MCyTQKs4zweUuL7SwAAAAEBI0VniavN7wEjRWeJq83vAAAAAA==</cenc:pssh>") !=
        std::string::npos);
  CHECK(mpd.find("edef8ba9") == std::string::npos);  // Widevine asked for, but no PSSH data for it

  const Block key = *block_from_hex("00112233445566778899aabbccddeeff");
  for (const std::string kind : {"video_1", "audio_3"}) {
    const bool video = kind == "video_1";
    INFO(kind);
    const auto init = package_test::read_bytes(dir / ("index_" + kind + "_0_init.mp4"));
    const BoxAt moov = child(init, nullptr, "moov");
    const BoxAt pssh = child(init, &moov, "pssh");
    CHECK(pssh.size == 52);
    const BoxAt trak = child(init, &moov, "trak");
    const BoxAt mdia = child(init, &trak, "mdia");
    const BoxAt minf = child(init, &mdia, "minf");
    const BoxAt stbl = child(init, &minf, "stbl");
    const BoxAt stsd = child(init, &stbl, "stsd");
    // stsd: version/flags + entry_count, then the sample entry; its children start after the
    // VisualSampleEntry (78 bytes) or AudioSampleEntry (28 bytes) fields.
    const BoxAt entry = child(init, &stsd, video ? "encv" : "enca", 8);
    const BoxAt sinf = child(init, &entry, "sinf", video ? 78 : 28);
    const BoxAt frma = child(init, &sinf, "frma");
    CHECK(std::string(init.begin() + frma.body(), init.begin() + frma.body() + 4) == (video ? "avc1" : "mp4a"));
    const BoxAt schm = child(init, &sinf, "schm");
    CHECK(std::string(init.begin() + schm.body() + 4, init.begin() + schm.body() + 8) == "cenc");
    CHECK(be32(init, schm.body() + 8) == 0x00010000);
    const BoxAt schi = child(init, &sinf, "schi");
    const BoxAt tenc = child(init, &schi, "tenc");
    CHECK(init.at(tenc.body() + 6) == 1);  // isProtected
    CHECK(init.at(tenc.body() + 7) == 8);  // Per_Sample_IV_Size
    Block default_kid{};
    std::copy(init.begin() + tenc.body() + 8, init.begin() + tenc.body() + 24, default_kid.begin());
    CHECK(hex(default_kid) == "0123456789abcdef0123456789abcdef");

    const fs::path segment_path = dir / ("index_" + kind + "_0_2.mp4");
    const auto seg = package_test::read_bytes(segment_path);
    const BoxAt moof = child(seg, nullptr, "moof");
    const BoxAt mdat = child(seg, nullptr, "mdat");
    const BoxAt traf = child(seg, &moof, "traf");
    const BoxAt trun = child(seg, &traf, "trun");
    const BoxAt saiz = child(seg, &traf, "saiz");
    const BoxAt saio = child(seg, &traf, "saio");
    const BoxAt senc = child(seg, &traf, "senc");
    const uint32_t count = be32(seg, trun.body() + 4);
    REQUIRE(count > 0);
    CHECK(be32(seg, senc.body() + 4) == count);
    CHECK(be32(seg, senc.body()) == (video ? 0x2u : 0u));  // flags: subsamples for video only
    CHECK(be32(seg, saiz.body() + 5) == count);
    CHECK(be32(seg, saio.body() + 4) == 1);
    // saio's offset, from the moof's first byte, lands on senc's first sample entry.
    CHECK(moof.start + be32(seg, saio.body() + 8) == senc.body() + 8);
    // Walk senc with saiz's sizes and the trun's sample sizes; decrypt every sample in mdat.
    const uint32_t trun_flags = be32(seg, trun.body()) & 0xffffff;
    const size_t per_sample = 4 * (((trun_flags & 0x100) != 0) + ((trun_flags & 0x200) != 0) + ((trun_flags & 0x400) != 0) +
                                   ((trun_flags & 0x800) != 0));
    size_t entry_at = senc.body() + 8, sample_at = moof.start + be32(seg, trun.body() + 8);
    CHECK(sample_at == mdat.body());
    std::vector<uint8_t> clear_segment = seg;
    std::set<uint64_t> ivs;
    for (uint32_t i = 0; i < count; ++i) {
      const size_t info_size = seg.at(saiz.body() + 4) ? seg.at(saiz.body() + 4) : seg.at(saiz.body() + 9 + i);
      const uint32_t sample_size = be32(seg, trun.body() + 12 + i * per_sample + 4);
      const uint64_t iv = be64(seg, entry_at);
      CHECK(ivs.insert(iv).second);  // never twice under one key
      std::vector<CencSubsample> map;
      size_t expected_info = 8;
      if (video) {
        const uint16_t n = be16(seg, entry_at + 8);
        for (uint16_t k = 0; k < n; ++k)
          map.push_back({be16(seg, entry_at + 10 + 6 * k), be32(seg, entry_at + 12 + 6 * k)});
        expected_info += 2 + 6 * n;
        size_t covered = 0;
        for (const auto& s : map) covered += s.clear_bytes + s.protected_bytes;
        CHECK(covered == sample_size);
      }
      CHECK(info_size == expected_info);
      std::span<uint8_t> sample(clear_segment.data() + sample_at, sample_size);
      cenc_apply_ctr(key, iv, sample, map);
      if (video) {
        // Decrypted: NAL lengths chain exactly to the sample's end, with valid NAL types.
        size_t at = 0;
        while (at + 4 < sample.size()) {
          const size_t n = be32(clear_segment, sample_at + at);
          CHECK((sample[at + 4] & 0x80) == 0);  // forbidden_zero_bit
          at += 4 + n;
        }
        CHECK(at == sample.size());
      }
      entry_at += info_size;
      sample_at += sample_size;
    }
    CHECK(entry_at == senc.start + senc.size);
    CHECK(sample_at == mdat.start + mdat.size);

    // ffmpeg: without the key the video does not decode; with -decryption_key (the mov demuxer's
    // option) init + segment decode cleanly.
    const fs::path joined = dir / (kind + "_joined.mp4");
    {
      std::ofstream out(joined, std::ios::binary);
      out.write(reinterpret_cast<const char*>(init.data()), init.size());
      out.write(reinterpret_cast<const char*>(seg.data()), seg.size());
    }
    std::string log;
    CHECK(package_test::run_command("ffmpeg -nostdin -v error -decryption_key 00112233445566778899aabbccddeeff -i " +
                                        joined.string() + " -f null -",
                                    &log) == 0);
    INFO(log);
    CHECK(log.empty());
    if (video) {
      std::string bad;
      package_test::run_command("ffmpeg -nostdin -v error -i " + joined.string() + " -f null -", &bad);
      CHECK_FALSE(bad.empty());  // decoding errors: the slices are encrypted
      std::string wrong;
      package_test::run_command("ffmpeg -nostdin -v error -decryption_key ffeeddccbbaa99887766554433221100 -i " +
                                    joined.string() + " -f null -",
                                &wrong);
      CHECK_FALSE(wrong.empty());
    }
  }
}

namespace {
// A new key each key period: key byte i = period + i, key id = 0xA0 + period repeated.
struct RotatingCencKeyProvider : KeyProvider {
  std::atomic<int> calls{0};
  std::atomic<int64_t> first_period{-1};  // the period asked for when the endpoint started
  KeyFetch fetch(int64_t period) override {
    int64_t none = -1;
    first_period.compare_exchange_strong(none, period);
    ++calls;
    ContentKey k;
    k.period = period;
    for (size_t i = 0; i < k.key.size(); ++i) k.key[i] = static_cast<uint8_t>(period * 7 + i);
    k.kid.fill(static_cast<uint8_t>(0xA0 + period % 16));
    return {k, ""};
  }
  std::string describe() const override { return "rotating"; }
};
}  // namespace

TEST_CASE("DASH cenc with key rotation: the init names the first key, later fragments name theirs in-band", "[crypto][cenc][package]") {
  const fs::path dir = package_test::scratch_dir("dash_cenc_rotation");
  auto provider = std::make_shared<RotatingCencKeyProvider>();
  auto packager = package_test::start_packager(package_test::dash_cenc_spec(dir, provider, 4), &provider->calls);
  // 14 s dated from the start of the key period fetched when the endpoint started (4 s periods on
  // the wall clock): that key is the first segment's.
  const int64_t start_ms = provider->first_period * 4000;
  const auto rec = read_media_file(package_test::test_media(2), start_ms);
  // A millisecond per packet: the next period's key, asked for a period ahead, is fetched in time
  // (as in real time), so each segment gets its own period's key.
  package_test::feed(*packager, rec, [] { std::this_thread::sleep_for(std::chrono::milliseconds(1)); });
  packager->on_end();

  const auto init = package_test::read_bytes(dir / "index_video_1_0_init.mp4");
  const std::string mpd = package_test::read_text(dir / "index.mpd");
  // Segments 1 and 2 (0-4 s) are in the first key period; segment 3 (4-6 s) in the next one.
  auto kid_hex = [](const Block& kid) { return hex(kid); };
  ContentKey first = provider->fetch(start_ms / 4000).key.value();
  ContentKey later = provider->fetch(start_ms / 4000 + 1).key.value();
  REQUIRE(first.kid != later.kid);
  const std::string init_text(init.begin(), init.end()), first_kid(first.kid.begin(), first.kid.end()),
      later_kid(later.kid.begin(), later.kid.end());
  CHECK(init_text.find(first_kid) != std::string::npos);  // tenc default_KID and the pssh
  CHECK(init_text.find(later_kid) == std::string::npos);
  // The MPD names no key (MediaPackage's rotating endpoints): players take each from the pssh boxes.
  INFO(mpd);
  CHECK(mpd.find("cenc:default_KID") == std::string::npos);
  CHECK(mpd.find("cenc:pssh") == std::string::npos);
  CHECK(mpd.find("<ContentProtection schemeIdUri=\"urn:mpeg:dash:mp4protection:2011\" value=\"cenc\"/>") != std::string::npos);
  CHECK(mpd.find("<ContentProtection schemeIdUri=\"urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b\">") != std::string::npos);
  const auto third = package_test::read_bytes(dir / "index_video_1_0_3.mp4");
  const std::string third_text(third.begin(), third.end());
  CHECK(third_text.find("seig") != std::string::npos);
  CHECK(third_text.find(later_kid) != std::string::npos);  // in the seig entry and the moof's pssh
  // ffmpeg decodes each fragment with its own key, and the rotated one not with the first key.
  auto decodes = [&](int n, const Block& key) {
    const fs::path joined = dir / ("rot_" + std::to_string(n) + "_" + kid_hex(key).substr(0, 4) + ".mp4");
    {
      std::ofstream out(joined, std::ios::binary);
      out << package_test::read_text(dir / "index_video_1_0_init.mp4")
          << package_test::read_text(dir / ("index_video_1_0_" + std::to_string(n) + ".mp4"));
    }
    std::string log;
    const int rc = package_test::run_command("ffmpeg -nostdin -v error -decryption_key " + hex(key) + " -i " +
                                                 joined.string() + " -f null -", &log);
    return rc == 0 && log.empty();
  };
  CHECK(decodes(1, first.key));
  CHECK(decodes(3, later.key));
  CHECK_FALSE(decodes(3, first.key));
}
