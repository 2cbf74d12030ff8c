// RtmpServer on a real socket, pushed to by the real ffmpeg and GStreamer CLIs.
#include <poll.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "pipeline/rtmp/rtmp_server.hpp"
#include "pipeline/rtmp/testing/rtmp_publisher_script.hpp"

using namespace mediaemu::pipeline;
using namespace mediaemu::pipeline::rtmp;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

class ThreadSafeSink : public IngestSink {
 public:
  bool offer(IngestEvent& e) override {
    std::lock_guard lock(mutex_);
    // Push back now and then, as a busy transcoder would.
    if (push_back_ && ++offers_ % 3 == 0) return false;
    bool end = e.type == IngestEvent::Type::End;
    events_.push_back(std::move(e));
    if (end) cv_.notify_all();
    return true;
  }
  void push_back_sometimes() { push_back_ = true; }
  bool wait_for_end(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] {
      return !events_.empty() && events_.back().type == IngestEvent::Type::End;
    });
  }
  std::vector<IngestEvent> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<IngestEvent> events_;
  bool push_back_ = false;
  int offers_ = 0;
};

// Keeps the server's log lines (to see which handshake a client used) while still printing them.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()), ring_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(2000)) {
    std::vector<spdlog::sink_ptr> sinks(previous_->sinks().begin(), previous_->sinks().end());
    sinks.push_back(ring_);
    auto logger = std::make_shared<spdlog::logger>("rtmp-test", sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const {
    std::string all;
    for (const auto& line : ring_->last_formatted()) all += line;
    return all;
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> ring_;
};

struct Fixture {
  LogCapture logs;  // first in, last out: outlives the io threads
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::shared_ptr<ThreadSafeSink> sink = std::make_shared<ThreadSafeSink>();
  bool refuse = false;
  std::unique_ptr<RtmpServer> server;
  std::vector<std::thread> threads;
  std::filesystem::path dir;

  explicit Fixture(RtmpLimits limits = {}) {
    server = std::make_unique<RtmpServer>(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
                                          [this](const PublishRequest& r) -> PublishDecision {
                                            if (refuse) return {nullptr, "stream key " + r.stream_name + " is not attached to a RUNNING channel"};
                                            return {sink, {}};
                                          },
                                          limits);
    server->start();
    for (int i = 0; i < 2; ++i) threads.emplace_back([this] { io.run(); });
    char tmpl[] = "/tmp/mediaemu-rtmp-test-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  ~Fixture() {
    server->stop();
    wait_until([&] { return server->active_sessions() == 0; }, 5s);
    work.reset();
    io.stop();
    for (auto& t : threads) t.join();
    std::filesystem::remove_all(dir);
  }

  std::string url() const { return "rtmp://127.0.0.1:" + std::to_string(server->port()) + "/live/key"; }

  // Runs a shell command with a time limit; returns its exit status, keeps its output.
  int run(const std::string& command, std::string* output = nullptr) {
    auto log = dir / "command.log";
    int status = std::system(("timeout -k 5 60 " + command + " > " + log.string() + " 2>&1").c_str());
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    if (output) *output = text.str();
    UNSCOPED_INFO("command: " << command << "\noutput:\n" << text.str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  static bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }
};

bool have(const char* program) { return std::system((std::string("command -v ") + program + " >/dev/null 2>&1").c_str()) == 0; }

std::string ffmpeg_push(const std::string& url) {
  return "ffmpeg -nostdin -hide_banner -loglevel error -f lavfi -i testsrc2=size=320x180:rate=30 -f lavfi -i sine "
         "-t 3 -c:v libx264 -g 30 -sc_threshold 0 -c:a aac -f flv " + url;
}

// True once the server has closed `socket` (EOF or reset) within `timeout`.
bool closed_by_server(tcp::socket& socket, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{socket.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    boost::system::error_code ec;
    socket.read_some(asio::buffer(buf), ec);  // S0/S1/S2 and replies come first; then EOF
    if (ec) return true;
  }
}

tcp::socket connect_raw(asio::io_context& io, uint16_t port) {
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  return s;
}

void check_ffmpeg_publish(const std::vector<IngestEvent>& events) {
  REQUIRE(!events.empty());
  CHECK(events.back().type == IngestEvent::Type::End);
  CHECK_FALSE(events.back().reason.empty());
  int video_config_at = -1, audio_config_at = -1, first_video = -1, first_audio = -1;
  std::vector<const IngestEvent*> video, audio;
  const IngestEvent* metadata = nullptr;
  for (int i = 0; i < static_cast<int>(events.size()); ++i) {
    const auto& e = events[i];
    switch (e.type) {
      case IngestEvent::Type::Metadata: metadata = &e; break;
      case IngestEvent::Type::VideoConfig: video_config_at = i; break;
      case IngestEvent::Type::AudioConfig: audio_config_at = i; break;
      case IngestEvent::Type::Frame:
        if (e.kind == MediaKind::Video) {
          if (first_video < 0) first_video = i;
          video.push_back(&e);
        } else {
          if (first_audio < 0) first_audio = i;
          audio.push_back(&e);
        }
        break;
      case IngestEvent::Type::End: CHECK(i == static_cast<int>(events.size()) - 1); break;
      case IngestEvent::Type::Cue: FAIL("RTMP carries no SCTE-35 sections"); break;
    }
  }
  REQUIRE(metadata);
  CHECK(metadata->metadata.at("width") == "320");
  CHECK(metadata->metadata.at("height") == "180");
  // Both configs come before any frame.
  REQUIRE(video_config_at >= 0);
  REQUIRE(audio_config_at >= 0);
  CHECK(video_config_at < first_video);
  CHECK(video_config_at < first_audio);
  CHECK(audio_config_at < first_video);
  CHECK(audio_config_at < first_audio);
  CHECK(events[video_config_at].data.at(0) == 1);  // avcC configurationVersion

  CHECK(video.size() == 90);  // 3 s at 30 fps
  int with_cts = 0;
  for (std::size_t i = 0; i < video.size(); ++i) {
    INFO("video frame " << i);
    CHECK(video[i]->keyframe == (i % 30 == 0));  // -g 30 without scene cuts
    if (i > 0) CHECK(video[i]->dts_ms >= video[i - 1]->dts_ms);
    if (video[i]->cts_ms != 0) ++with_cts;
    CHECK(video[i]->data.size() > 4);
  }
  CHECK(with_cts > 0);  // libx264's B-frames: pts != dts
  CHECK(audio.size() > 100);  // ~129 AAC frames of 1024 samples at 44.1 kHz
  for (std::size_t i = 1; i < audio.size(); ++i) CHECK(audio[i]->dts_ms >= audio[i - 1]->dts_ms);
}

}  // namespace

TEST_CASE("rtmp server: ffmpeg publishes H.264 and AAC", "[rtmp][server][ffmpeg]") {
  if (!have("ffmpeg")) {
    WARN("ffmpeg is not installed; skipping");
    return;
  }
  Fixture f;
  f.sink->push_back_sometimes();  // every third offer refused: backpressure must lose nothing
  REQUIRE(f.run(ffmpeg_push(f.url())) == 0);
  REQUIRE(f.sink->wait_for_end(10s));
  check_ffmpeg_publish(f.sink->events());
  CHECK_THAT(f.logs.text(), Catch::Contains("publishing live/key (handshake digest (schema 0"));
  CHECK(Fixture::wait_until([&] { return f.server->active_sessions() == 0; }, 5s));
}

TEST_CASE("rtmp server: ffmpeg, playing, validates our digest handshake", "[rtmp][server][ffmpeg]") {
  if (!have("ffmpeg")) {
    WARN("ffmpeg is not installed; skipping");
    return;
  }
  // ffmpeg checks S1's digest and S2's signature only when it plays (libavformat/rtmpproto.c);
  // we refuse to play, but only after the handshake has passed.
  Fixture f;
  std::string output;
  CHECK(f.run("ffmpeg -nostdin -hide_banner -loglevel error -rtmp_live live -i " + f.url() + " -f null -", &output) != 0);
  CHECK_THAT(output, Catch::Contains("does not support the 'play' command"));
  CHECK_THAT(output, !Catch::Contains("Signature mismatch") && !Catch::Contains("validating failed"));
}

TEST_CASE("rtmp server: GStreamer rtmpsink (librtmp) publishes", "[rtmp][server][gstreamer]") {
  if (!have("gst-launch-1.0")) {
    WARN("gst-launch-1.0 is not installed; skipping");
    return;
  }
  Fixture f;
  REQUIRE(f.run("gst-launch-1.0 -q videotestsrc num-buffers=60 ! x264enc ! flvmux name=m ! rtmpsink location=" +
                f.url()) == 0);
  REQUIRE(f.sink->wait_for_end(10s));
  auto events = f.sink->events();
  int frames = 0, keyframes = 0;
  bool config_first = false;
  for (const auto& e : events) {
    if (e.type == IngestEvent::Type::VideoConfig && frames == 0) config_first = true;
    if (e.type == IngestEvent::Type::Frame && e.kind == MediaKind::Video) {
      ++frames;
      keyframes += e.keyframe;
    }
  }
  CHECK(config_first);
  CHECK(frames == 60);
  CHECK(keyframes >= 1);
  CHECK(events.back().type == IngestEvent::Type::End);
  // librtmp sends the digest handshake only for RTMPE or SWF verification; a plain rtmp:// push
  // from rtmpsink arrives with a version-0 C1 (seen: "handshake plain").
  CHECK_THAT(f.logs.text(), Catch::Contains("publishing live/key (handshake plain"));
}

TEST_CASE("rtmp server: a refused publish makes ffmpeg fail", "[rtmp][server][ffmpeg]") {
  if (!have("ffmpeg")) {
    WARN("ffmpeg is not installed; skipping");
    return;
  }
  Fixture f;
  f.refuse = true;
  std::string output;
  CHECK(f.run(ffmpeg_push(f.url()), &output) != 0);
  CHECK_THAT(output, Catch::Contains("is not attached to a RUNNING channel"));
  CHECK(f.sink->events().empty());
  CHECK_THAT(f.logs.text(), Catch::Contains("refused publish of live/key: stream key key is not attached"));
}

TEST_CASE("rtmp server: garbage and stalls close one connection only", "[rtmp][server]") {
  RtmpLimits limits;
  limits.handshake_timeout = 300ms;
  limits.read_timeout = 500ms;
  Fixture f(limits);
  asio::io_context client_io;

  // Random bytes: the first is not version 3, so the server hangs up at once.
  auto garbage = connect_raw(client_io, f.server->port());
  std::vector<uint8_t> noise(4096);
  std::mt19937 rng(42);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  noise[0] = 0xEE;
  asio::write(garbage, asio::buffer(noise));
  CHECK(closed_by_server(garbage, 2s));

  // Valid handshake, then noise as chunks: a protocol error, or a wait that times out.
  auto noisy = connect_raw(client_io, f.server->port());
  testing::PublisherScript hello;
  hello.handshake();
  asio::write(noisy, asio::buffer(hello.bytes));
  asio::write(noisy, asio::buffer(noise));
  CHECK(closed_by_server(noisy, 2s));

  // Stalls: half a handshake (handshake timeout), and half a message (read timeout).
  auto stalled_handshake = connect_raw(client_io, f.server->port());
  asio::write(stalled_handshake, asio::buffer(hello.bytes.data(), 700));
  testing::PublisherScript half;
  half.handshake().connect("live");
  auto stalled_message = connect_raw(client_io, f.server->port());
  asio::write(stalled_message, asio::buffer(half.bytes.data(), half.bytes.size() - 20));
  CHECK(closed_by_server(stalled_handshake, 3s));
  CHECK(closed_by_server(stalled_message, 3s));
  CHECK(Fixture::wait_until([&] { return f.server->active_sessions() == 0; }, 2s));

  std::string logs = f.logs.text();
  CHECK_THAT(logs, Catch::Contains("bad handshake version 238"));
  CHECK_THAT(logs, Catch::Contains("handshake not completed within 300 ms"));
  CHECK_THAT(logs, Catch::Contains("no data for 500 ms (read timeout)"));

  // The server still serves.
  if (!have("ffmpeg")) {
    WARN("ffmpeg is not installed; skipping the publish after the abuse");
    return;
  }
  REQUIRE(f.run(ffmpeg_push(f.url())) == 0);
  REQUIRE(f.sink->wait_for_end(10s));
  check_ffmpeg_publish(f.sink->events());
}

TEST_CASE("rtmp server: a peer that never reads our replies is closed", "[rtmp][server]") {
  RtmpLimits limits;
  limits.read_timeout = 500ms;
  Fixture f(limits);
  asio::io_context client_io;
  auto client = connect_raw(client_io, f.server->port());
  testing::PublisherScript s;
  s.handshake().connect("live");
  s.message(2, 4, 0, 0, {0, 6, 0, 0, 0, 1});  // a Ping Request...
  for (int i = 0; i < 400'000; ++i) {
    s.bytes.insert(s.bytes.end(), {0xC2, 0, 6, 0, 0, 0, 1});  // ...and 400k more as type 3 chunks
  }
  boost::system::error_code ec;
  asio::write(client, asio::buffer(s.bytes), ec);  // done when the kernel took it, or the server hung up
  CHECK(Fixture::wait_until([&] { return f.server->active_sessions() == 0; }, 5s));
  CHECK_THAT(f.logs.text(), Catch::Contains("peer stopped reading our replies"));
}

TEST_CASE("rtmp server: connections over the limit are turned away", "[rtmp][server]") {
  RtmpLimits limits;
  limits.max_connections = 2;
  Fixture f(limits);
  asio::io_context client_io;
  auto first = connect_raw(client_io, f.server->port());
  auto second = connect_raw(client_io, f.server->port());
  REQUIRE(Fixture::wait_until([&] { return f.server->active_sessions() == 2; }, 2s));
  auto third = connect_raw(client_io, f.server->port());
  CHECK(closed_by_server(third, 2s));
  CHECK_THAT(f.logs.text(), Catch::Contains("2 connections already open (the limit)"));
  first.close();
  CHECK(Fixture::wait_until([&] { return f.server->active_sessions() == 1; }, 2s));
  auto fourth = connect_raw(client_io, f.server->port());  // room again
  CHECK(Fixture::wait_until([&] { return f.server->active_sessions() == 2; }, 2s));
}

TEST_CASE("rtmp server: stop() ends a publish in progress", "[rtmp][server]") {
  Fixture f;
  asio::io_context client_io;
  auto client = connect_raw(client_io, f.server->port());
  testing::PublisherScript s;
  s.handshake().connect("live").publish("key");
  s.video(0, testing::PublisherScript::avc_sequence_header());
  asio::write(client, asio::buffer(s.bytes));
  REQUIRE(Fixture::wait_until([&] { return !f.sink->events().empty(); }, 2s));
  f.server->stop();
  REQUIRE(f.sink->wait_for_end(2s));
  CHECK(f.sink->events().back().reason == "server stopping");
  CHECK(closed_by_server(client, 2s));
  CHECK(Fixture::wait_until([&] { return f.server->active_sessions() == 0; }, 2s));
}

TEST_CASE("rtmp server: a second publisher of the same name is refused", "[rtmp][server]") {
  Fixture f;
  asio::io_context client_io;
  testing::PublisherScript s;
  s.handshake().connect("live").publish("key");
  auto first = connect_raw(client_io, f.server->port());
  asio::write(first, asio::buffer(s.bytes));
  REQUIRE(Fixture::wait_until([&] { return f.logs.text().find("publishing live/key") != std::string::npos; }, 2s));
  auto second = connect_raw(client_io, f.server->port());
  asio::write(second, asio::buffer(s.bytes));
  CHECK(closed_by_server(second, 2s));
  CHECK_THAT(f.logs.text(), Catch::Contains("refused publish of live/key: stream live/key is already being published"));
  second.close();  // the server half-closed after its reply and waits for us to hang up
  CHECK(Fixture::wait_until([&] { return f.server->active_sessions() == 1; }, 2s));  // the first publishes on
}
