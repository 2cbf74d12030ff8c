// SPEKE v2.0 presets: which keys a contract asks for, which key a track takes, and a DASH endpoint
// that encrypts its video and audio with keys of their own (or leaves one kind clear).
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <regex>
#include <string>

#include "pipeline/crypto/block_text.hpp"
#include "pipeline/crypto/speke_presets.hpp"
#include "pipeline/package/endpoint_packager.hpp"
#include "pipeline/package/media_file_source.hpp"
#include "tests/unit/pipeline/package_test_support.hpp"

using namespace mediaemu::pipeline;
using namespace mediaemu::pipeline::crypto;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> contract_types(const std::string& video, const std::string& audio) {
  std::vector<std::string> out;
  for (const auto& k : preset_keys(video, audio)) out.push_back(k.track_type);
  return out;
}

// Answers the contract's keys: the VIDEO key 00.., kid 01..; the AUDIO key ff.., kid 02..
struct ContractKeyProvider : KeyProvider {
  std::atomic<int> calls{0};
  std::vector<std::string> types;
  KeyFetch fetch(int64_t period) override {
    ++calls;
    std::vector<ContentKey> keys;
    for (const auto& type : types) {
      ContentKey k;
      k.period = period;
      k.track_type = type;
      const bool video = type == "VIDEO";
      k.key = *block_from_hex(video ? "00112233445566778899aabbccddeeff" : "ffeeddccbbaa99887766554433221100");
      k.kid = *block_from_hex(video ? "01010101010101010101010101010101" : "02020202020202020202020202020202");
      keys.push_back(k);
    }
    ContentKey first = keys.front();
    first.track_keys = keys;
    return {first, ""};
  }
  std::string describe() const override { return "contract"; }
};

// Packages the test media as a DASH cenc endpoint with the presets; returns its directory.
fs::path package_with_presets(const std::string& name, const std::string& video, const std::string& audio) {
  const auto rec = read_media_file(package_test::test_media(2), 1700000000000);
  const fs::path dir = package_test::scratch_dir(name);
  auto provider = std::make_shared<ContractKeyProvider>();
  for (const auto& k : preset_keys(video, audio)) provider->types.push_back(k.track_type);
  EndpointSpec spec = package_test::dash_cenc_spec(dir, provider);
  spec.encryption->preset_video = video;
  spec.encryption->preset_audio = audio;
  auto packager = package_test::start_packager(spec, &provider->calls);
  package_test::feed(*packager, rec);
  packager->on_end();
  return dir;
}

// ffmpeg's answer (its error output) decoding init + segment 2 of a representation with `key`
// (one fragment at a time, as the other cenc tests: ffmpeg 5.1's mov demuxer misreads the sample
// auxiliary data of a second encrypted fragment in one file; browsers play the stream).
std::string decode_log(const fs::path& dir, const std::string& stem, const std::string& key) {
  const fs::path joined = dir / ("joined_" + stem + "_" + key.substr(0, 4) + ".mp4");
  REQUIRE(fs::exists(dir / (stem + "_2.mp4")));
  {
    std::ofstream out(joined, std::ios::binary);
    out << package_test::read_text(dir / (stem + "_init.mp4")) << package_test::read_text(dir / (stem + "_2.mp4"));
  }
  std::string log;
  const int rc = package_test::run_command(
      "ffmpeg -nostdin -v error " + (key.empty() ? "" : "-decryption_key " + key) + " -i " + joined.string() + " -f null -", &log);
  return rc == 0 ? log : "exit " + std::to_string(rc) + ": " + log;
}

}  // namespace

TEST_CASE("SPEKE v2.0 presets: the keys a contract asks for, and the pairs AWS refuses", "[crypto][speke]") {
  CHECK(contract_types("PRESET-VIDEO-1", "PRESET-AUDIO-1") == std::vector<std::string>{"VIDEO", "AUDIO"});
  CHECK(contract_types("PRESET-VIDEO-5", "PRESET-AUDIO-3") ==
        std::vector<std::string>{"SD", "HD1", "HD2", "UHD1", "UHD2", "STEREO_AUDIO", "MULTICHANNEL_AUDIO_3_6",
                                 "MULTICHANNEL_AUDIO_7"});
  CHECK(contract_types("PRESET-VIDEO-8", "UNENCRYPTED") == std::vector<std::string>{"SD+HD1", "HD2", "UHD1", "UHD2"});
  CHECK(contract_types("UNENCRYPTED", "PRESET-AUDIO-2") == std::vector<std::string>{"STEREO_AUDIO", "MULTICHANNEL_AUDIO"});
  CHECK(contract_types("SHARED", "SHARED") == std::vector<std::string>{"ALL"});

  CHECK(preset_pair_problem("PRESET-VIDEO-2", "PRESET-AUDIO-1").empty());
  CHECK_FALSE(preset_pair_problem("UNENCRYPTED", "UNENCRYPTED").empty());
  CHECK_FALSE(preset_pair_problem("SHARED", "UNENCRYPTED").empty());
  CHECK_FALSE(preset_pair_problem("SHARED", "PRESET-AUDIO-1").empty());
  CHECK_FALSE(preset_pair_problem("PRESET-VIDEO-9", "PRESET-AUDIO-1").empty());
  CHECK(contract_types("SHARED", "PRESET-AUDIO-1").empty());  // refused pairs ask for nothing
}

TEST_CASE("SPEKE v2.0 presets: a track's key by its resolution or channel count, bounds included", "[crypto][speke]") {
  auto video = [](const std::string& preset, int w, int h) {
    return preset_track_type(preset, "PRESET-AUDIO-1", true, int64_t{w} * h, 0).value_or("clear");
  };
  CHECK(video("PRESET-VIDEO-2", 1024, 576) == "SD");  // "<= 1024x576"
  CHECK(video("PRESET-VIDEO-2", 1280, 720) == "HD");
  CHECK(video("PRESET-VIDEO-3", 1920, 1080) == "HD");
  CHECK(video("PRESET-VIDEO-3", 2560, 1440) == "UHD");
  CHECK(video("PRESET-VIDEO-4", 4096, 2160) == "UHD1");
  CHECK(video("PRESET-VIDEO-4", 7680, 4320) == "UHD2");
  CHECK(video("PRESET-VIDEO-5", 1280, 720) == "HD1");
  CHECK(video("PRESET-VIDEO-6", 1920, 1080) == "HD2");
  CHECK(video("PRESET-VIDEO-7", 640, 360) == "SD+HD1");
  CHECK(video("PRESET-VIDEO-8", 1280, 720) == "SD+HD1");
  CHECK(video("PRESET-VIDEO-1", 7680, 4320) == "VIDEO");
  auto audio = [](const std::string& preset, int channels) {
    return preset_track_type("PRESET-VIDEO-1", preset, false, 0, channels).value_or("clear");
  };
  CHECK(audio("PRESET-AUDIO-2", 2) == "STEREO_AUDIO");
  CHECK(audio("PRESET-AUDIO-2", 6) == "MULTICHANNEL_AUDIO");
  CHECK(audio("PRESET-AUDIO-3", 6) == "MULTICHANNEL_AUDIO_3_6");
  CHECK(audio("PRESET-AUDIO-3", 8) == "MULTICHANNEL_AUDIO_7");
  CHECK(preset_track_type("PRESET-VIDEO-1", "UNENCRYPTED", false, 0, 2) == std::nullopt);
  CHECK(preset_track_type("SHARED", "SHARED", false, 0, 2) == "ALL");
}

TEST_CASE("DASH with PRESET-VIDEO-1 and PRESET-AUDIO-1: video and audio each under their own key", "[crypto][speke][package]") {
  const fs::path dir = package_with_presets("dash_presets", "PRESET-VIDEO-1", "PRESET-AUDIO-1");
  const std::string mpd = package_test::read_text(dir / "index.mpd");
  INFO(mpd);
  // One Adaptation Set per key, each naming its own default_KID.
  const std::regex video_set(R"(contentType="video"[^]*?cenc:default_KID="01010101-0101-0101-0101-010101010101")");
  const std::regex audio_set(R"(contentType="audio"[^]*?cenc:default_KID="02020202-0202-0202-0202-020202020202")");
  CHECK(std::regex_search(mpd, video_set));
  CHECK(std::regex_search(mpd, audio_set));
  const std::string video_key = "00112233445566778899aabbccddeeff", audio_key = "ffeeddccbbaa99887766554433221100";
  CHECK(decode_log(dir, "index_video_1_0", video_key).empty());
  CHECK(decode_log(dir, "index_audio_3_0", audio_key).empty());
  CHECK_FALSE(decode_log(dir, "index_video_1_0", audio_key).empty());  // the audio key does not open the video
}

TEST_CASE("DASH with an UNENCRYPTED audio preset: the audio stays clear, the video is encrypted", "[crypto][speke][package]") {
  const fs::path dir = package_with_presets("dash_presets_clear_audio", "PRESET-VIDEO-1", "UNENCRYPTED");
  const std::string mpd = package_test::read_text(dir / "index.mpd");
  INFO(mpd);
  const size_t audio_at = mpd.find("contentType=\"audio\"");
  REQUIRE(audio_at != std::string::npos);
  CHECK(mpd.find("ContentProtection", audio_at) == std::string::npos);  // after the audio set's start: none
  CHECK(mpd.find("cenc:default_KID=\"01010101-0101-0101-0101-010101010101\"") < audio_at);
  CHECK(decode_log(dir, "index_audio_3_0", "").empty());  // plays without any key
  CHECK(decode_log(dir, "index_video_1_0", "00112233445566778899aabbccddeeff").empty());
  CHECK_FALSE(decode_log(dir, "index_video_1_0", "").empty());
}
