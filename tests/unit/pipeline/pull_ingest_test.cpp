// PullSource (URL_PULL, MP4_FILE, SRT_CALLER) on files made by ffmpeg in a temporary directory:
// the units it delivers, real-time pacing, playing a file once or looping it, and reconnecting
// with back-off when the URL fails (missing, HTML instead of media, a truncated MP4).
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pipeline/file_source.hpp"
#include "pipeline/ingest/pull/pull_source.hpp"
#include "tests/unit/pipeline/ingest_test_support.hpp"

using namespace mediaemu::pipeline;
using namespace mediaemu::pipeline::test;
using pull::PullSource;
using pull::PullSpec;
using Clock = std::chrono::steady_clock;

namespace {

PullSpec spec_for(const std::string& url, bool realtime = true) {
  PullSpec spec;
  spec.label = "test input";
  spec.transport = "MP4_FILE";
  spec.urls = {url};
  spec.realtime = realtime;
  spec.first_retry = std::chrono::milliseconds(50);
  spec.max_retry = std::chrono::milliseconds(200);
  return spec;
}

template <typename Predicate>
bool eventually(Predicate done, std::chrono::milliseconds within) {
  auto deadline = Clock::now() + within;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace

TEST_CASE("redact_url hides a password embedded in a URL", "[pull]") {
  CHECK(redact_url("https://user:secret@host:8443/live/index.m3u8") == "https://user:***@host:8443/live/index.m3u8");
  CHECK(redact_url("http://user@host/a") == "http://user@host/a");
  CHECK(redact_url("http://host/a@b:c") == "http://host/a@b:c");
  CHECK(redact_url("/tmp/clip.mp4") == "/tmp/clip.mp4");
}

TEST_CASE("an MP4 file input plays once in real time, then the input is lost", "[pull][media]") {
  TempDir tmp;
  auto clip = make_input(tmp.path, "clip.mp4", 2, "mp4");
  auto recorder = std::make_shared<Recorder>();
  PullSource source(spec_for(clip.string()));
  CHECK(source.transport() == "MP4_FILE");
  auto started = Clock::now();
  source.start(recorder);
  CHECK(eventually([&] { return source.status().receiving; }, std::chrono::seconds(2)));
  CHECK(source.status().sender == clip.string());
  REQUIRE(eventually([&] { return source.ended(); }, std::chrono::seconds(6)));
  auto took = Clock::now() - started;
  // 60 frames over ~1967 ms of timestamps, delivered at their pace.
  CHECK(took >= std::chrono::milliseconds(1900));
  CHECK(took < std::chrono::milliseconds(4000));
  CHECK(source.attempts() == 1);
  CHECK(eventually([&] { return !source.status().receiving; }, std::chrono::seconds(3)));
  source.stop();

  auto events = recorder->events();
  REQUIRE(events.size() > 3);
  CHECK(events.front().type == IngestEvent::Type::Metadata);
  CHECK(events.front().metadata.at("height") == "180");
  CHECK(count(events, IngestEvent::Type::Frame, MediaKind::Video) == 60);
  CHECK(events.back().type == IngestEvent::Type::End);
  // Milliseconds from 0, 30 fps: frame n at ~33.3 n ms; AVCC framing with an avcC config.
  int64_t first = -1, last = -1;
  for (const auto& e : events) {
    if (e.type != IngestEvent::Type::Frame || e.kind != MediaKind::Video) continue;
    CHECK(e.h264_framing == H264Framing::Avcc);
    if (first < 0) first = e.dts_ms;
    last = e.dts_ms;
  }
  CHECK(first <= 100);  // B-frame reordering may shift the first dts below the pts
  CHECK(last - first >= 1900);
  CHECK(last - first <= 2000);
}

TEST_CASE("a file input with SourceEndBehavior LOOP plays on with continuous timestamps", "[pull][media]") {
  TempDir tmp;
  auto clip = make_input(tmp.path, "clip.mp4", 1, "mp4");
  auto recorder = std::make_shared<Recorder>();
  auto spec = spec_for(clip.string(), false);
  spec.loop = true;
  PullSource source(spec);
  source.start(recorder);
  REQUIRE(eventually([&] { return recorder->newest_video_dts() > 3000; }, std::chrono::seconds(10)));
  CHECK_FALSE(source.ended());
  CHECK(source.attempts() == 1);
  source.stop();
}

TEST_CASE("a URL that fails is retried with back-off, and recovers when it appears", "[pull][media]") {
  TempDir tmp;
  const auto path = tmp.path / "later.mp4";
  auto recorder = std::make_shared<Recorder>();
  PullSource source(spec_for(path.string(), false));
  source.start(recorder);
  // Missing: attempts at 0, +50, +100, +200, +200 ms ...
  REQUIRE(eventually([&] { return source.attempts() >= 4; }, std::chrono::seconds(3)));
  CHECK_FALSE(source.status().receiving);
  CHECK_FALSE(source.ended());
  // Each failed attempt ends with an End event and nothing else.
  CHECK(count(recorder->events(), IngestEvent::Type::Frame, MediaKind::Video) == 0);

  // HTML where media was expected, then a truncated MP4: still retried, nothing delivered.
  std::ofstream(path) << "<html><body>404 Not Found</body></html>\n";
  int before = source.attempts();
  REQUIRE(eventually([&] { return source.attempts() >= before + 2; }, std::chrono::seconds(3)));
  auto whole = make_input(tmp.path, "whole.mp4", 1, "mp4");
  fs::copy_file(whole, tmp.path / "cut.mp4");
  fs::resize_file(tmp.path / "cut.mp4", fs::file_size(whole) / 3);
  fs::rename(tmp.path / "cut.mp4", path);
  before = source.attempts();
  REQUIRE(eventually([&] { return source.attempts() >= before + 2; }, std::chrono::seconds(3)));
  CHECK(count(recorder->events(), IngestEvent::Type::Frame, MediaKind::Video) == 0);

  // The real file appears: the next attempt plays it (once).
  fs::copy_file(whole, tmp.path / "ok.mp4");
  fs::rename(tmp.path / "ok.mp4", path);
  REQUIRE(eventually([&] { return source.ended(); }, std::chrono::seconds(5)));
  CHECK(count(recorder->events(), IngestEvent::Type::Frame, MediaKind::Video) == 30);
  source.stop();
}

TEST_CASE("stop() interrupts a pull blocked on a URL that never answers", "[pull]") {
  // A listening TCP socket that never replies: the HTTP request blocks until interrupted.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 4) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  auto spec = spec_for("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/live/index.m3u8");
  spec.transport = "URL_PULL";
  auto recorder = std::make_shared<Recorder>();
  PullSource source(spec);
  source.start(recorder);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto stopping = Clock::now();
  source.stop();
  CHECK(Clock::now() - stopping < std::chrono::seconds(2));
  CHECK(source.attempts() == 1);
  ::close(fd);
}

TEST_CASE("a VOD HLS playlist (EXT-X-ENDLIST) plays once, then the input is lost", "[pull][media]") {
  TempDir tmp;
  auto playlist = make_input(tmp.path, "vod.m3u8", 2, "hls -hls_time 1 -hls_list_size 0 -hls_playlist_type vod");
  auto recorder = std::make_shared<Recorder>();
  auto spec = spec_for(playlist.string(), false);
  spec.transport = "URL_PULL";
  PullSource source(spec);
  source.start(recorder);
  REQUIRE(eventually([&] { return source.ended(); }, std::chrono::seconds(10)));
  CHECK(source.attempts() == 1);
  CHECK(count(recorder->events(), IngestEvent::Type::Frame, MediaKind::Video) == 60);
  source.stop();
}

TEST_CASE("a live HLS playlist that becomes complete is not replayed from its start", "[pull][media]") {
  TempDir tmp;
  // Without EXT-X-ENDLIST the playlist is live: the source plays its last segments, and after a
  // reload without new ones (m3u8_hold_counters 2) the attempt ends cleanly and is retried.
  auto playlist = make_input(tmp.path, "live.m3u8", 3, "hls -hls_time 1 -hls_list_size 0 -hls_flags omit_endlist");
  auto recorder = std::make_shared<Recorder>();
  auto spec = spec_for(playlist.string(), false);
  spec.transport = "URL_PULL";
  spec.open_options = {{"m3u8_hold_counters", "2"}};  // 1 fails the first segment load
  PullSource source(spec);
  source.start(recorder);
  REQUIRE(eventually([&] { return source.attempts() >= 2; }, std::chrono::seconds(15)));
  CHECK_FALSE(source.ended());
  CHECK(count(recorder->events(), IngestEvent::Type::Frame, MediaKind::Video) > 0);
  std::ofstream(playlist, std::ios::app) << "#EXT-X-ENDLIST\n";  // the event ends: the playlist is complete
  REQUIRE(eventually([&] { return source.ended(); }, std::chrono::seconds(15)));
  source.stop();
  // The attempt that found the complete playlist delivered nothing (no Metadata, no frames).
  auto events = recorder->events();
  size_t opened = 0;
  for (const auto& e : events) opened += e.type == IngestEvent::Type::Metadata;
  CHECK(opened == static_cast<size_t>(source.attempts()) - 1);
}
