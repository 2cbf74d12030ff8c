// Smooth Streaming endpoints ([MS-SSTR]): the manifest (StreamIndex per stream with its
// TimeScale, QualityLevels with CodecPrivateData, a gapless chunk list), fragment files named by
// bitrate and start time, each with a TfxdBox of its own time and a TfrfBox naming the next
// fragment (the last one, once the channel ended, without), and fragments that decode after the
// track's init segment.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "pipeline/crypto/cenc.hpp"
#include "pipeline/package/endpoint_packager.hpp"
#include "pipeline/package/fmp4.hpp"
#include "pipeline/package/media_file_source.hpp"
#include "tests/unit/pipeline/package_test_support.hpp"

using namespace mediaemu::pipeline;
namespace fs = std::filesystem;

namespace {

uint64_t mss_u64(const std::vector<uint8_t>& b, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | b[at + i];
  return v;
}

// The 64-bit values after a uuid box's extended type and version/flags, or none.
std::vector<uint64_t> mss_uuid_values(const std::vector<uint8_t>& b, const std::vector<uint8_t>& uuid, size_t skip) {
  auto it = std::search(b.begin(), b.end(), uuid.begin(), uuid.end());
  if (it == b.end()) return {};
  const size_t at = static_cast<size_t>(it - b.begin()) + 16 + 4 + skip;
  return {mss_u64(b, at), mss_u64(b, at + 8)};
}

const std::vector<uint8_t> kMssTfxd = {0x6d, 0x1d, 0x9b, 0x05, 0x42, 0xd5, 0x44, 0xe6,
                                       0x80, 0xe2, 0x14, 0x1d, 0xaf, 0xf7, 0x57, 0xb2};
const std::vector<uint8_t> kMssTfrf = {0xd4, 0x80, 0x7e, 0xf2, 0xca, 0x39, 0x46, 0x95,
                                       0x8e, 0x54, 0x26, 0xcb, 0x9e, 0x46, 0xa7, 0x9f};

// An MSS endpoint writing 2 s fragments into `dir`.
EndpointSpec mss_endpoint(const fs::path& dir, int manifest_window_seconds) {
  EndpointSpec spec;
  spec.label = "mss";
  spec.directory = dir;
  spec.kind = EndpointSpec::Kind::Mss;
  spec.mss.segment_duration_seconds = 2;
  spec.mss.manifest_window_seconds = manifest_window_seconds;
  return spec;
}

}  // namespace

TEST_CASE("MSS endpoint: manifest, fragments with tfxd and tfrf, decodable", "[package][mss]") {
  const auto rec = read_media_file(package_test::test_media(2), 1700000000000);
  const fs::path dir = package_test::scratch_dir("mss");
  EndpointSpec spec = mss_endpoint(dir, 600);
  auto packager = make_endpoint_packager(spec);
  package_test::feed(*packager, rec);

  // Live: one fragment behind, IsLive with the DVR window.
  const std::string live = package_test::read_text(dir / "index.ism/Manifest");
  INFO(live);
  CHECK(live.find("IsLive=\"TRUE\" LookAheadFragmentCount=\"1\" DVRWindowLength=\"6000000000\"") != std::string::npos);
  packager->on_end();
  const std::string manifest = package_test::read_text(dir / "index.ism/Manifest");
  INFO(manifest);
  CHECK(manifest.find("IsLive") == std::string::npos);
  CHECK(manifest.find("<StreamIndex Type=\"video\" Name=\"video\"") != std::string::npos);
  CHECK(manifest.find("Url=\"QualityLevels({bitrate})/Fragments(video={start time})\"") != std::string::npos);
  CHECK(manifest.find("<StreamIndex Type=\"audio\" Name=\"audio\"") != std::string::npos);
  CHECK(manifest.find("FourCC=\"AACL\"") != std::string::npos);
  // Every StreamIndex counts in 100 ns, as the manifest does: players compare their chunks' times.
  const std::regex scale("TimeScale=\"10000000\"");
  CHECK(std::distance(std::sregex_iterator(manifest.begin(), manifest.end(), scale), std::sregex_iterator()) == 3);
  CHECK(std::regex_search(manifest, std::regex("FourCC=\"H264\" MaxWidth=\"640\" MaxHeight=\"360\" CodecPrivateData=\"000000016[0-9A-F]+000000016[0-9A-F]+\"")));
  CHECK(live.find("<c t=") != std::string::npos);
  CHECK(std::count(manifest.begin(), manifest.end(), '\n') > std::count(live.begin(), live.end(), '\n'));

  // The video chunks: gapless; each fragment of each QualityLevel exists, names its time in
  // tfxd and the next chunk in tfrf.
  const std::string video = manifest.substr(0, manifest.find("<StreamIndex Type=\"audio\""));
  std::vector<std::pair<int64_t, int64_t>> chunks;
  std::regex c_re("<c t=\"(\\d+)\" d=\"(\\d+)\"/>");
  for (auto it = std::sregex_iterator(video.begin(), video.end(), c_re); it != std::sregex_iterator(); ++it)
    chunks.emplace_back(std::stoll((*it)[1]), std::stoll((*it)[2]));
  REQUIRE(chunks.size() >= 5);
  std::vector<std::string> bitrates;
  std::regex q_re("<QualityLevel Index=\"\\d+\" Bitrate=\"(\\d+)\" FourCC=\"H264\"");
  for (auto it = std::sregex_iterator(video.begin(), video.end(), q_re); it != std::sregex_iterator(); ++it)
    bitrates.push_back((*it)[1]);
  REQUIRE(bitrates.size() == 2);
  for (size_t i = 0; i < chunks.size(); ++i) {
    CAPTURE(i);
    if (i + 1 < chunks.size()) CHECK(chunks[i].first + chunks[i].second == chunks[i + 1].first);
    for (const auto& bitrate : bitrates) {
      const auto fragment = package_test::read_bytes(dir / ("index.ism/QualityLevels(" + bitrate + ")/Fragments(video=" +
                                            std::to_string(chunks[i].first) + ")"));
      REQUIRE(fragment.size() > 100);
      CHECK(std::string(fragment.begin() + 4, fragment.begin() + 8) == "moof");
      // No tfdt: a Smooth fragment is placed by its manifest time (dash.js adds a tfdt from it).
      CHECK(std::search(fragment.begin(), fragment.end(), std::begin("tfdt"), std::end("tfdt") - 1) == fragment.end());
      CHECK(mss_uuid_values(fragment, kMssTfxd, 0) ==
            std::vector<uint64_t>{static_cast<uint64_t>(chunks[i].first), static_cast<uint64_t>(chunks[i].second)});
      if (i + 1 < chunks.size())
        CHECK(mss_uuid_values(fragment, kMssTfrf, 1) == std::vector<uint64_t>{static_cast<uint64_t>(chunks[i + 1].first),
                                                                              static_cast<uint64_t>(chunks[i + 1].second)});
      else
        CHECK(mss_uuid_values(fragment, kMssTfrf, 1).empty());
    }
  }

  // A fragment after the track's init segment decodes (the box sizes and the data offset are right
  // after the tfrf went in).
  const TrackInfo* track = nullptr;
  for (const auto& t : rec.layout.tracks)
    if (t.kind == MediaKind::Video && (!track || t.bitrate > track->bitrate)) track = &t;
  REQUIRE(track);
  Fmp4TrackMuxer init(*track);
  init.smooth_streaming();  // the init segment a client builds from the manifest: 100 ns timescale
  const auto fragment = package_test::read_bytes(dir / ("index.ism/QualityLevels(" + std::to_string(track->bitrate) +
                                        ")/Fragments(video=" + std::to_string(chunks[1].first) + ")"));
  REQUIRE_FALSE(fragment.empty());
  {
    std::ofstream out(dir / "joined.mp4", std::ios::binary);
    out.write(reinterpret_cast<const char*>(init.init_segment().data()), init.init_segment().size());
    out.write(reinterpret_cast<const char*>(fragment.data()), fragment.size());
  }
  std::string frames;
  CHECK(package_test::run_command("ffmpeg -nostdin -v error -i " + (dir / "joined.mp4").string() +
                                      " -f framemd5 - 2>&1 | grep -vc '^#'",
                                  &frames) == 0);
  CHECK(std::stoi(frames) == 60);  // 2 s at 30 fps, no decoding error lines
}

TEST_CASE("MSS endpoint: a dated start-over archive and what each QualityLevel is, for the origin", "[package][mss]") {
  const auto rec = read_media_file(package_test::test_media(2), 1700000000000);
  const fs::path dir = package_test::scratch_dir("mss-startover");
  EndpointSpec spec = mss_endpoint(dir, 4);
  spec.origin_files = true;
  spec.startover_window_seconds = 300;
  auto packager = make_endpoint_packager(spec);
  package_test::feed(*packager, rec);

  const std::string live = package_test::read_text(dir / "index.ism/Manifest");
  const std::string archive = package_test::read_text(dir / ".startover/index.ism/Manifest");
  INFO(archive);
  CHECK(live.find(" e=\"") == std::string::npos);  // players never see the dates
  std::regex dated("<c t=\"(\\d+)\" d=\"\\d+\" e=\"(\\d+)\"/>");
  std::vector<std::pair<int64_t, int64_t>> chunks;  // video (t, epoch ms), the first StreamIndex
  const std::string video = archive.substr(0, archive.find("<StreamIndex Type=\"audio\""));
  for (auto it = std::sregex_iterator(video.begin(), video.end(), dated); it != std::sregex_iterator(); ++it)
    chunks.emplace_back(std::stoll((*it)[1]), std::stoll((*it)[2]));
  // The archive reaches back past the 4 s manifest window; each date is the epoch at the chunk's
  // time (in the StreamIndex's TimeScale).
  REQUIRE(chunks.size() >= 4);
  CHECK(std::count(live.begin(), live.end(), '\n') < std::count(archive.begin(), archive.end(), '\n'));
  std::smatch scale;
  REQUIRE(std::regex_search(video, scale, std::regex("TimeScale=\"(\\d+)\" Url")));
  const int64_t timescale = std::stoll(scale[1]);
  for (const auto& [t, epoch_ms] : chunks) {
    CAPTURE(t);
    CHECK(std::llabs(epoch_ms - chunks.front().second - (t - chunks.front().first) * 1000 / timescale) <= 1);
  }
  CHECK(archive.find("DVRWindowLength=\"3000000000\"") != std::string::npos);

  const std::string streams = package_test::read_text(dir / "index.ism/.Manifest.streams");
  INFO(streams);
  CHECK(std::regex_search(streams, std::regex("video/\\d+ type=variant video_bitrate=\\d+ video_height=360 ")));
  CHECK(std::regex_search(streams, std::regex("audio/\\d+ type=audio audio_bitrate=\\d+ audio_sample_rate=48000")));
}

TEST_CASE("MSS endpoint encrypted: PlayReady's ProtectionHeader in the manifest, PIFF sample encryption in the fragments, decrypting to the clear ones", "[package][mss][crypto]") {
  namespace crypto = mediaemu::pipeline::crypto;
  const auto rec = read_media_file(package_test::test_media(2), 1700000000000);
  const fs::path clear_dir = package_test::scratch_dir("mss_clear");
  auto clear = make_endpoint_packager(mss_endpoint(clear_dir, 600));
  package_test::feed(*clear, rec);
  clear->on_end();

  // A key whose provider gave PlayReady's speke:ProtectionHeader ("PRO" standing in for a PlayReady
  // Object).
  struct PlayReadyKeys : package_test::FixedKeyProvider {
    crypto::KeyFetch fetch(int64_t period) override {
      auto fetched = FixedKeyProvider::fetch(period);
      fetched.key->protection_header["9a04f079-9840-4286-ab92-e65be0885f95"] = {'P', 'R', 'O'};
      return fetched;
    }
  };
  auto keys = std::make_shared<PlayReadyKeys>();
  keys->key = *crypto::block_from_hex("00112233445566778899aabbccddeeff");
  keys->kid = *crypto::block_from_hex("0123456789abcdef0123456789abcdef");
  const fs::path dir = package_test::scratch_dir("mss_playready");
  EndpointSpec spec = mss_endpoint(dir, 600);
  crypto::EncryptionSpec encryption;
  encryption.method = crypto::EncryptionSpec::Method::Cenc;
  encryption.key_rotation_interval_seconds = 0;
  encryption.system_ids = {"9A04F079-9840-4286-AB92-E65BE0885F95"};
  encryption.keys = keys;
  spec.encryption = encryption;
  auto packager = package_test::start_packager(spec, keys.get());
  package_test::feed(*packager, rec);
  packager->on_end();

  // §2.2.2.2: the Protection element before the StreamIndexes, the PlayReady Object in base64.
  const std::string manifest = package_test::read_text(dir / "index.ism/Manifest");
  INFO(manifest);
  const auto protection = manifest.find("  <Protection>\n    <ProtectionHeader SystemID=\"9A04F079-9840-4286-AB92-E65BE0885F95\">"
                                        "UFJP</ProtectionHeader>\n  </Protection>\n");
  CHECK(protection != std::string::npos);
  CHECK(protection < manifest.find("<StreamIndex"));
  // Otherwise the clear endpoint's manifest.
  std::string without = manifest;
  if (protection != std::string::npos) without.erase(protection, manifest.find("</Protection>\n") + 14 - protection);
  CHECK(without == package_test::read_text(clear_dir / "index.ism/Manifest"));

  // Each fragment: PIFF's SampleEncryptionBox (no senc, saiz or saio), whose IVs and subsample
  // maps decrypt its mdat to the clear endpoint's fragment's.
  const std::vector<uint8_t> piff = {0xa2, 0x39, 0x4f, 0x52, 0x5a, 0x9b, 0x4f, 0x14,
                                     0xa2, 0x44, 0x6c, 0x42, 0x7c, 0x64, 0x8d, 0xf4};
  std::smatch first;
  REQUIRE(std::regex_search(manifest, first, std::regex("Bitrate=\"(\\d+)\" FourCC=\"H264\"[\\s\\S]*?<c t=\"(\\d+)\"")));
  const std::string name = "index.ism/QualityLevels(" + first[1].str() + ")/Fragments(video=" + first[2].str() + ")";
  const auto fragment = package_test::read_bytes(dir / name);
  const auto plain = package_test::read_bytes(clear_dir / name);
  auto has = [&](const char* type) { return std::search(fragment.begin(), fragment.end(), type, type + 4) != fragment.end(); };
  CHECK_FALSE(has("senc"));
  CHECK_FALSE(has("saiz"));
  CHECK_FALSE(has("tfdt"));
  auto box = std::search(fragment.begin(), fragment.end(), piff.begin(), piff.end());
  REQUIRE(box != fragment.end());
  size_t at = static_cast<size_t>(box - fragment.begin()) + 16;
  auto be = [&](const std::vector<uint8_t>& b, size_t from, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = v << 8 | b[from + i];
    return v;
  };
  CHECK(be(fragment, at, 4) == 0x2);  // version 0, flags: subsample maps follow
  const uint64_t samples = be(fragment, at + 4, 4);
  at += 8;
  auto mdat_of = [](const std::vector<uint8_t>& b) {
    const char* type = "mdat";
    auto it = std::search(b.begin(), b.end(), type, type + 4);
    return std::vector<uint8_t>(it == b.end() ? b.end() : it + 4, b.end());
  };
  std::vector<uint8_t> data = mdat_of(fragment);
  const std::vector<uint8_t> expected = mdat_of(plain);
  REQUIRE(data.size() == expected.size());
  CHECK(data != expected);
  size_t offset = 0;
  for (uint64_t i = 0; i < samples; ++i) {
    const uint64_t iv = be(fragment, at, 8);
    const uint64_t entries = be(fragment, at + 8, 2);
    at += 10;
    std::vector<crypto::CencSubsample> map;
    size_t size = 0;
    for (uint64_t e = 0; e < entries; ++e, at += 6) {
      map.push_back({static_cast<uint16_t>(be(fragment, at, 2)), static_cast<uint32_t>(be(fragment, at + 2, 4))});
      size += map.back().clear_bytes + map.back().protected_bytes;
    }
    REQUIRE(offset + size <= data.size());
    crypto::cenc_apply_ctr(keys->key, iv, std::span<uint8_t>(data.data() + offset, size), map);
    offset += size;
  }
  CHECK(offset == data.size());
  CHECK(data == expected);
}
