// FileSource on media generated at test time: container framing is converted to what RTMP
// ingest delivers (avcC + AVCC frames, AudioSpecificConfig + raw AAC), pacing and looping.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "pipeline/file_source.hpp"
#include "tests/unit/pipeline/ingest_test_support.hpp"
#include "pipeline/transcode/codec_config.hpp"

using namespace mediaemu::pipeline;
using namespace mediaemu::pipeline::test;
namespace fs = std::filesystem;

namespace {

std::vector<IngestEvent> read_all(const fs::path& file, int refuse_every = 0) {
  auto recorder = std::make_shared<Recorder>(refuse_every);
  FileSource source({file.string(), false, false, "test"}, recorder);
  source.start();
  source.wait();
  REQUIRE(source.error().empty());
  return recorder->events();
}

// What every container must turn into: configs before frames, decodable framing, ordered time.
void check_ingest_events(const std::vector<IngestEvent>& events, size_t video_frames) {
  REQUIRE(events.size() > 3);
  CHECK(events.front().type == IngestEvent::Type::Metadata);
  CHECK(events.front().metadata.at("width") == "320");
  CHECK(events.back().type == IngestEvent::Type::End);
  CHECK(events.back().reason == "end of input");
  CHECK(count(events, IngestEvent::Type::VideoConfig, MediaKind::Video) == 1);
  CHECK(count(events, IngestEvent::Type::AudioConfig, MediaKind::Audio) == 1);
  CHECK(count(events, IngestEvent::Type::Frame, MediaKind::Video) == video_frames);
  CHECK(count(events, IngestEvent::Type::Frame, MediaKind::Audio) > 0);

  std::optional<AvcConfig> avc;
  bool have_asc = false, first_video = true;
  int64_t last_video_dts = INT64_MIN, last_audio_dts = INT64_MIN;
  for (const auto& e : events) {
    if (e.type == IngestEvent::Type::VideoConfig) {
      avc = parse_avcc(e.data);
      REQUIRE(avc);
    } else if (e.type == IngestEvent::Type::AudioConfig) {
      REQUIRE(e.data.size() >= 2);
      CHECK((e.data[0] >> 3) == 2);  // AAC-LC
      have_asc = true;
    } else if (e.type == IngestEvent::Type::Frame && e.kind == MediaKind::Video) {
      REQUIRE(avc);  // config first
      auto nals = split_length_prefixed(e.data, avc->nal_length_size);
      REQUIRE(nals);
      for (auto nal : *nals) {
        int type = h264_nal_type(nal[0]);
        CHECK((type != kNalSps && type != kNalPps && type != kNalAud));
      }
      if (first_video) CHECK(e.keyframe);
      first_video = false;
      CHECK(e.dts_ms > last_video_dts);
      CHECK(e.cts_ms >= 0);
      last_video_dts = e.dts_ms;
    } else if (e.type == IngestEvent::Type::Frame) {
      REQUIRE(have_asc);
      REQUIRE(e.data.size() >= 2);
      CHECK_FALSE(parse_adts(e.data));  // raw AAC, no ADTS header left
      CHECK(e.dts_ms >= last_audio_dts);
      last_audio_dts = e.dts_ms;
    }
  }
}

}  // namespace

TEST_CASE("FileSource turns FLV, MP4 and MPEG-TS into RTMP-style ingest events", "[filesource][media]") {
  TempDir tmp;
  SECTION("FLV (avcC, raw AAC)") { check_ingest_events(read_all(make_input(tmp.path, "in.flv", 2, "flv")), 60); }
  SECTION("MP4") { check_ingest_events(read_all(make_input(tmp.path, "in.mp4", 2, "mp4")), 60); }
  SECTION("MPEG-TS (Annex B video, ADTS audio)") {
    check_ingest_events(read_all(make_input(tmp.path, "in.ts", 2, "mpegts")), 60);
  }
  SECTION("a sink that is sometimes full loses nothing") {
    check_ingest_events(read_all(make_input(tmp.path, "in.flv", 2, "flv"), 3), 60);
  }
}

TEST_CASE("FileSource loops with continuous timestamps and one config", "[filesource][media]") {
  TempDir tmp;
  auto input = make_input(tmp.path, "in.mp4", 1, "mp4");
  auto recorder = std::make_shared<Recorder>();
  FileSource source({input.string(), false, true, "loop"}, recorder);
  source.start();
  for (int i = 0; i < 500 && recorder->newest_video_dts() < 2500; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  source.stop();
  CHECK(source.stats().loops >= 2);
  auto events = recorder->events();
  CHECK(count(events, IngestEvent::Type::VideoConfig, MediaKind::Video) == 1);
  CHECK(count(events, IngestEvent::Type::AudioConfig, MediaKind::Audio) == 1);
  CHECK(events.back().type == IngestEvent::Type::End);
  CHECK(events.back().reason == "stopped");
  int64_t last = INT64_MIN;
  for (const auto& e : events) {
    if (e.type != IngestEvent::Type::Frame || e.kind != MediaKind::Video) continue;
    CHECK(e.dts_ms > last);
    if (last != INT64_MIN) CHECK(e.dts_ms - last < 100);  // no jump at the loop point
    last = e.dts_ms;
  }
}

TEST_CASE("FileSource in real time takes at least the media's duration", "[filesource][media]") {
  TempDir tmp;
  auto input = make_input(tmp.path, "in.flv", 1, "flv");
  auto recorder = std::make_shared<Recorder>();
  FileSource source({input.string(), true, false, "paced"}, recorder);
  auto started = std::chrono::steady_clock::now();
  source.start();
  source.wait();
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(took >= std::chrono::milliseconds(900));  // 30 frames over ~967 ms of timestamps
  CHECK(count(recorder->events(), IngestEvent::Type::Frame, MediaKind::Video) == 30);
}

TEST_CASE("FileSource reports an input it cannot open and still ends the publish", "[filesource]") {
  auto recorder = std::make_shared<Recorder>();
  FileSource source({"/nonexistent/input.mp4", false, false, "missing"}, recorder);
  source.start();
  source.wait();
  CHECK_THAT(source.error(), Catch::Contains("cannot open"));
  auto events = recorder->events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == IngestEvent::Type::End);
}

TEST_CASE("FileSource plays only a clip: from the keyframe at its start to its stop frame", "[filesource][media]") {
  TempDir tmp;
  auto input = make_input(tmp.path, "in.mp4", 8, "mp4");  // 30 fps, a keyframe every second
  auto recorder = std::make_shared<Recorder>();
  FileSourceOptions options{input.string(), false, false, "clip"};
  options.clip = TimecodeClip{"00:00:04:00", "00:00:06:15", false, false};
  FileSource source(options, recorder);
  source.start();
  source.wait();
  REQUIRE(source.error().empty());
  auto events = recorder->events();
  // 4.0 s to 6.5 s: 75 frames, the first a keyframe at 0 (each pass starts there).
  CHECK(count(events, IngestEvent::Type::Frame, MediaKind::Video) == 75);
  int64_t first = INT64_MIN, last = 0;
  for (const auto& e : events) {
    if (e.type != IngestEvent::Type::Frame || e.kind != MediaKind::Video) continue;
    if (first == INT64_MIN) {
      first = e.dts_ms;
      CHECK(e.keyframe);
    }
    last = e.dts_ms;
  }
  CHECK(first <= 0);
  CHECK(last - first == Approx(2467).margin(40));

  SECTION("a stop before the start ends the source with the reason") {
    auto other = std::make_shared<Recorder>();
    FileSourceOptions bad{input.string(), false, false, "bad clip"};
    bad.clip = TimecodeClip{"00:00:05:00", "00:00:02:00", false, false};
    FileSource wrong(bad, other);
    wrong.start();
    wrong.wait();
    CHECK_THAT(wrong.error(), Catch::Contains("is not after StartTimecode"));
  }
}
