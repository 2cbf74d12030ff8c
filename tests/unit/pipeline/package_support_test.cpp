// The helpers of package_test_support.hpp.
#include "tests/unit/pipeline/package_test_support.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <thread>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>

#include "pipeline/package/endpoint_packager.hpp"

namespace package_test {

namespace fs = std::filesystem;

namespace {
struct ScratchRoot {
  fs::path path;
  ScratchRoot() {
    path = fs::temp_directory_path() / ("mediaemu-package-test-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchRoot() {
    if (std::getenv("MEDIAEMU_KEEP_TEST_OUTPUT")) return;  // to look at what the packagers wrote
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
ScratchRoot& root() {
  static ScratchRoot r;
  return r;
}
}  // namespace

int run_command(const std::string& command, std::string* output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  std::array<char, 4096> buf;
  std::string text;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) text.append(buf.data(), n);
  const int status = ::pclose(pipe);
  if (output) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

fs::path scratch_dir(const std::string& name) {
  const fs::path dir = root().path / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// 14 s of testsrc2 at 640x360 and 320x180, 30 fps, H.264 with B-frames and a fixed GOP (IDRs
// at the same pts in both renditions, as the channel's encoder produces), plus a 48 kHz stereo
// AAC sine. ctest runs each test case in a process of its own, so the file is kept in the build
// tree (MEDIAEMU_TEST_CACHE_DIR), named by a hash of the command that makes it: generated once per
// build, not once per test (about 2 s of CPU each, 26 times).
fs::path test_media(int gop_seconds) {
  static std::map<int, fs::path> made;
  if (auto it = made.find(gop_seconds); it != made.end()) return it->second;
  const int gop = 30 * gop_seconds;
  const std::string args =
      "-f lavfi -i testsrc2=size=640x360:rate=30 "
      "-f lavfi -i sine=frequency=440:sample_rate=48000 "
      "-filter_complex \"[0:v]split=2[a][b];[b]scale=320:180[b2]\" -map \"[a]\" -map \"[b2]\" -map 1:a "
      "-c:v libx264 -preset veryfast -bf 2 -g " + std::to_string(gop) + " -keyint_min " + std::to_string(gop) +
      " -sc_threshold 0 -b:v:0 800k -b:v:1 300k -c:a aac -b:a 96k -ac 2 -t 14 -f mp4 ";
  const fs::path cache = MEDIAEMU_TEST_CACHE_DIR;
  fs::create_directories(cache);
  const fs::path file = cache / ("ladder_gop" + std::to_string(gop_seconds) + "_" +
                                 std::to_string(std::hash<std::string>{}(args)) + ".mp4");
  if (!fs::exists(file)) {
    // Written aside and renamed, so a test running at the same time never reads half a file.
    const fs::path partial = file.string() + ".part" + std::to_string(::getpid());
    std::string out;
    REQUIRE(run_command("ffmpeg -nostdin -v error -y " + args + partial.string(), &out) == 0);
    INFO(out);
    fs::rename(partial, file);  // replaces an identical file another test may have made meanwhile
  }
  REQUIRE(fs::exists(file));
  made[gop_seconds] = file;
  return file;
}

using namespace mediaemu::pipeline;

void feed(MediaSink& sink, const RecordedOutput& rec, const std::function<void()>& observe, double split_at,
          double jump) {
  sink.on_layout(rec.layout);
  std::vector<MediaPacket> later;
  for (const auto& p : rec.packets) {
    const AVRational tb = rec.layout.track(p.track_id)->time_base;
    if (p.packet->pts * av_q2d(tb) >= split_at) {
      PacketPtr copy(av_packet_clone(p.packet.get()));
      const int64_t offset = av_rescale_q(std::llround(jump * 1000), AVRational{1, 1000}, tb);
      copy->pts += offset;
      copy->dts += offset;
      later.push_back({p.track_id, share(std::move(copy))});
      continue;
    }
    sink.on_packet(p);
    if (observe) observe();
  }
  if (!later.empty()) sink.on_discontinuity();
  for (const auto& p : later) {
    sink.on_packet(p);
    if (observe) observe();
  }
}

void check_decodes(const fs::path& manifest) {
  std::string out;
  const int rc = run_command("ffmpeg -nostdin -v error -i " + manifest.string() + " -f null -", &out);
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.empty());
}

std::unique_ptr<mediaemu::pipeline::MediaSink> start_packager(const mediaemu::pipeline::EndpointSpec& spec,
                                                              const std::atomic<int>* provider_calls) {
  auto packager = mediaemu::pipeline::make_endpoint_packager(spec);
  for (int i = 0; provider_calls && i < 5000 && *provider_calls == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the fetched key reaches the stage
  return packager;
}

mediaemu::pipeline::EndpointSpec hls_spec(const fs::path& dir, int segment_seconds) {
  EndpointSpec spec;
  spec.label = "test";
  spec.directory = dir;
  spec.kind = EndpointSpec::Kind::Hls;
  spec.hls.segment_duration_seconds = segment_seconds;
  return spec;
}

mediaemu::pipeline::EndpointSpec dash_cenc_spec(const fs::path& dir, std::shared_ptr<crypto::KeyProvider> keys,
                                                int rotation_seconds) {
  EndpointSpec spec;
  spec.label = "test";
  spec.directory = dir;
  spec.kind = EndpointSpec::Kind::Dash;
  spec.dash.segment_duration_seconds = 2;
  spec.dash.manifest_window_seconds = 600;
  crypto::EncryptionSpec encryption;
  encryption.method = crypto::EncryptionSpec::Method::Cenc;
  encryption.key_rotation_interval_seconds = rotation_seconds;
  encryption.system_ids = {"1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"};
  encryption.keys = std::move(keys);
  spec.encryption = encryption;
  return spec;
}

}  // namespace package_test
