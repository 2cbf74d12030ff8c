// Packagers attached to a running output: joining mid-stream through the FanOut, being added and
// removed from another thread, and audio-only layouts.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <thread>

#include "pipeline/package/endpoint_packager.hpp"
#include "pipeline/package/fan_out.hpp"
#include "pipeline/package/media_file_source.hpp"
#include "tests/unit/pipeline/package_test_support.hpp"


using namespace mediaemu::pipeline;
using namespace package_test;
namespace fs = std::filesystem;

namespace {

EndpointSpec spec_for(const fs::path& dir, EndpointSpec::Kind kind) {
  EndpointSpec spec;
  spec.label = dir.filename().string();
  spec.directory = dir;
  spec.kind = kind;
  spec.hls.segment_duration_seconds = 2;
  spec.dash.segment_duration_seconds = 2;
  return spec;
}

double seconds_of(const RecordedOutput& rec, const MediaPacket& p) {
  return p.packet->pts * av_q2d(rec.layout.track(p.track_id)->time_base);
}

}  // namespace

TEST_CASE("an endpoint added to a running channel starts at the next keyframe", "[package][live]") {
  const auto rec = read_media_file(test_media(1), 1700000000000);
  const fs::path dir = scratch_dir("live_join");
  FanOut fan;
  fan.on_layout(rec.layout);
  bool added = false;
  for (const auto& p : rec.packets) {
    if (!added && seconds_of(rec, p) >= 3.5) {  // mid-GOP (GOP 1 s)
      fan.add("endpoint", make_endpoint_packager(spec_for(dir, EndpointSpec::Kind::Hls)));
      added = true;
    }
    fan.on_packet(p);
  }
  fan.on_end();
  const std::string playlist = read_text(dir / "index_1.m3u8");
  INFO(playlist);
  CHECK(playlist.find("#EXT-X-MEDIA-SEQUENCE:1\n") != std::string::npos);
  CHECK(playlist.find("#EXT-X-ENDLIST") != std::string::npos);
  std::string first_pts;
  CHECK(run_command("ffprobe -v error -select_streams v -show_entries packet=pts_time -of csv=p=0 -read_intervals %+#1 " +
                        (dir / "index_1_1.ts").string(), &first_pts) == 0);
  CHECK(std::stod(first_pts) == Approx(4.0 + 1.4));  // the IDR at 4 s, plus the TS muxer's 1.4 s offset
  check_decodes(dir / "index.m3u8");
}

TEST_CASE("endpoints come and go from another thread while the worker runs", "[package][live]") {
  const auto rec = read_media_file(test_media(1), 1700000000000);
  const fs::path root = scratch_dir("live_churn");
  FanOut fan;
  fan.on_layout(rec.layout);
  std::atomic<bool> done{false};
  std::atomic<int> cycles{0};
  std::thread control([&] {
    // Bounded: at most 200 add/remove cycles, stopping when the worker is done.
    for (int i = 0; i < 200 && !done; ++i) {
      std::string name = "e";
      name += std::to_string(i % 3);
      const fs::path dir = root / name;
      fan.add("churn", make_endpoint_packager(spec_for(dir, EndpointSpec::Kind::Dash)));
      std::this_thread::yield();
      auto sink = fan.remove("churn");
      CHECK(sink != nullptr);
      ++cycles;
    }
  });
  fan.add("steady", make_endpoint_packager(spec_for(root / "steady", EndpointSpec::Kind::Hls)));
  for (const auto& p : rec.packets) fan.on_packet(p);
  fan.on_end();
  done = true;
  control.join();
  CHECK(cycles > 0);
  CHECK(fan.size() == 1);
  CHECK(read_text(root / "steady/index_1.m3u8").find("#EXT-X-ENDLIST") != std::string::npos);
  check_decodes(root / "steady/index.m3u8");
}

TEST_CASE("audio-only layouts are cut on time and playable", "[package][live]") {
  auto rec = read_media_file(test_media(2), 1700000000000);
  // keep only the audio track (id 3) and an audio-only variant
  OutputLayout audio_only;
  audio_only.epoch_ms_at_zero = rec.layout.epoch_ms_at_zero;
  audio_only.tracks.push_back(*rec.layout.track(3));
  audio_only.variants.push_back({"audio", 0, {3}});
  for (auto kind : {EndpointSpec::Kind::Hls, EndpointSpec::Kind::Dash}) {
    const fs::path dir = scratch_dir(kind == EndpointSpec::Kind::Hls ? "audio_hls" : "audio_dash");
    auto packager = make_endpoint_packager(spec_for(dir, kind));
    packager->on_layout(audio_only);
    for (const auto& p : rec.packets)
      if (p.track_id == 3) packager->on_packet(p);
    packager->on_end();
    if (kind == EndpointSpec::Kind::Hls) {
      const std::string playlist = read_text(dir / "index_1.m3u8");
      INFO(playlist);
      CHECK(playlist.find("#EXTINF:2.005,") != std::string::npos);  // the first AAC frame at or after 2 s
      CHECK(read_text(dir / "index.m3u8").find("CODECS=\"mp4a.40.2\"") != std::string::npos);
      check_decodes(dir / "index.m3u8");
    } else {
      CHECK(read_text(dir / "index.mpd").find("contentType=\"audio\"") != std::string::npos);
      check_decodes(dir / "index.mpd");
    }
  }
}

TEST_CASE("a packager that sees a second run of the channel numbers on", "[package][live]") {
  const auto rec = read_media_file(test_media(2), 1700000000000);
  const fs::path dir = scratch_dir("live_rerun");
  auto packager = make_endpoint_packager(spec_for(dir, EndpointSpec::Kind::Hls));
  for (int run = 0; run < 2; ++run) {
    packager->on_layout(rec.layout);
    for (const auto& p : rec.packets) packager->on_packet(p);
    packager->on_end();
  }
  const std::string playlist = read_text(dir / "index_1.m3u8");
  INFO(playlist);
  CHECK(playlist.find("#EXT-X-MEDIA-SEQUENCE:") != std::string::npos);
  CHECK(playlist.find("index_1_14.ts") != std::string::npos);  // 7 segments per run
  CHECK(playlist.find("index_1_7.ts") == std::string::npos);   // the first run is not listed
  CHECK(fs::exists(dir / "index_1_14.ts"));
  check_decodes(dir / "index.m3u8");
}
