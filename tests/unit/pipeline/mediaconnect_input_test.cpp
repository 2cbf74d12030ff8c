// The MEDIACONNECT input source: which of its flows is on air (FlowPreference, on timestamps the
// test supplies), and the source itself fed through real FlowTaps without sockets: MPEG-TS
// published on a flow's tap comes out as H.264/AAC events, garbage on the flow does not stop it,
// and packets published after stop() go nowhere.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "ingest_test_support.hpp"
#include "pipeline/flow/flow_taps.hpp"
#include "pipeline/ingest/mediaconnect/flow_preference.hpp"
#include "pipeline/ingest/mediaconnect/flow_tap_source.hpp"

using namespace std::chrono_literals;
using mediaemu::flow::FlowPacket;
using mediaemu::flow::FlowTaps;
using mediaemu::pipeline::IngestEvent;
using mediaemu::pipeline::MediaKind;
using mediaemu::pipeline::mediaconnect::FlowPreference;
using mediaemu::pipeline::mediaconnect::FlowTapSource;
using mediaemu::pipeline::mediaconnect::FlowTapSpec;
namespace test = mediaemu::pipeline::test;

namespace {

using Clock = FlowPreference::Clock;
const Clock::time_point t0 = Clock::time_point(10s);

}  // namespace

TEST_CASE("the first flow plays while it delivers; the second's packets are held back", "[mediaconnect]") {
  FlowPreference p(2, 1000ms, t0);
  for (int i = 0; i < 50; ++i) {
    auto now = t0 + i * 20ms;
    CHECK(p.offer(0, now).deliver);
    CHECK_FALSE(p.offer(1, now + 1ms).deliver);
  }
  CHECK(p.on_air() == 0);
  CHECK(p.switches() == 0);
}

TEST_CASE("the second flow takes over after the first has been silent for the loss time", "[mediaconnect]") {
  FlowPreference p(2, 1000ms, t0);
  CHECK(p.offer(0, t0 + 100ms).deliver);
  CHECK_FALSE(p.offer(1, t0 + 600ms).deliver);   // the first is quiet for 500 ms only
  CHECK_FALSE(p.offer(1, t0 + 1099ms).deliver);  // 999 ms
  auto d = p.offer(1, t0 + 1100ms);              // 1000 ms: input loss on the first flow
  CHECK(d.deliver);
  CHECK(d.switched);
  CHECK(p.on_air() == 1);
  CHECK(p.offer(1, t0 + 1120ms).deliver);
}

TEST_CASE("a backup alone takes over once the primary never showed up for the loss time", "[mediaconnect]") {
  FlowPreference p(2, 1000ms, t0);
  CHECK_FALSE(p.offer(1, t0 + 500ms).deliver);
  CHECK(p.offer(1, t0 + 1000ms).switched);
}

TEST_CASE("the first flow comes back after a steady run, or at once when the backup is silent", "[mediaconnect]") {
  FlowPreference p(2, 1000ms, t0);
  p.offer(0, t0);
  REQUIRE(p.offer(1, t0 + 2s).switched);
  CHECK(p.offer(1, t0 + 2900ms).deliver);
  // The primary returns while the backup still delivers: held back for the loss time...
  auto at = t0 + 3s;
  CHECK_FALSE(p.offer(0, at).deliver);
  CHECK(p.offer(1, at + 1ms).deliver);
  CHECK_FALSE(p.offer(0, at + 500ms).deliver);
  CHECK(p.offer(1, at + 501ms).deliver);
  // ...then takes over; the backup is held back again.
  auto d = p.offer(0, at + 1000ms);
  CHECK(d.deliver);
  CHECK(d.switched);
  CHECK_FALSE(p.offer(1, at + 1001ms).deliver);
  CHECK(p.switches() == 2);

  // A flapping primary: a gap of the loss time starts its run again.
  FlowPreference q(2, 1000ms, t0);
  q.offer(0, t0);
  REQUIRE(q.offer(1, t0 + 2s).switched);
  q.offer(1, t0 + 2900ms);
  CHECK_FALSE(q.offer(0, t0 + 3s).deliver);
  q.offer(1, t0 + 3500ms);
  CHECK_FALSE(q.offer(0, t0 + 4100ms).deliver);  // quiet 1.1 s: its run starts over here
  q.offer(1, t0 + 4500ms);
  CHECK_FALSE(q.offer(0, t0 + 4600ms).deliver);
  q.offer(1, t0 + 4900ms);
  CHECK(q.offer(0, t0 + 5100ms).switched);

  // The backup stops too: the primary is taken at once.
  FlowPreference r(2, 1000ms, t0);
  r.offer(0, t0);
  REQUIRE(r.offer(1, t0 + 2s).switched);
  CHECK(r.offer(0, t0 + 3500ms).switched);
}

TEST_CASE("a packet from a flow the input does not have is dropped", "[mediaconnect]") {
  FlowPreference p(1, 1000ms, t0);
  CHECK(p.offer(0, t0).deliver);
  CHECK_FALSE(p.offer(3, t0 + 5s).deliver);
}

TEST_CASE("the MEDIACONNECT source demuxes what a flow's tap carries, through garbage, until stopped",
          "[mediaconnect]") {
  test::TempDir dir;
  auto ts = test::make_input(dir.path, "in.ts", 2.0, "mpegts");
  std::ifstream in(ts, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() > 188 * 100);

  const std::string arn = "arn:aws:mediaconnect:us-east-1:123456789012:flow:1-abc:primary";
  FlowTaps taps;
  auto sink = std::make_shared<test::Recorder>();
  FlowTapSpec spec{"input 1 of channel 2", {arn, "arn:aws:mediaconnect:us-east-1:123456789012:flow:1-def:backup"}, 1000ms};
  auto source = std::make_shared<FlowTapSource>(taps, spec);
  CHECK(FlowTapSource::flow_name(arn) == "primary");
  CHECK_FALSE(source->status().receiving);
  source->start(sink);
  REQUIRE(taps.has_subscribers(arn));

  auto publish = [&](size_t from, size_t to) {
    for (size_t at = from; at < to; at += 1316) {
      std::span<const uint8_t> payload(bytes.data() + at, std::min<size_t>(1316, to - at));
      taps.publish(arn, FlowPacket{payload, payload, false, "primary-source"});
    }
  };
  const size_t half = bytes.size() / 2 / 188 * 188;
  publish(0, half);
  // Garbage between two halves of the stream: a sync byte then noise, and odd sizes.
  std::vector<uint8_t> garbage(1316);
  for (int i = 0; i < 50; ++i) {
    for (size_t j = 0; j < garbage.size(); ++j) garbage[j] = static_cast<uint8_t>((i * 131 + j * 7) & 0xff);
    garbage[0] = 0x47;
    std::span<const uint8_t> g(garbage.data(), i % 2 ? garbage.size() : 37);
    taps.publish(arn, FlowPacket{g, g, false, "primary-source"});
  }
  publish(half, bytes.size());
  CHECK(source->status().receiving);

  // The demuxer reads at its own pace: wait for most of the 60 frames.
  for (int i = 0; i < 100 && test::count(sink->events(), IngestEvent::Type::Frame, MediaKind::Video) < 45; ++i)
    std::this_thread::sleep_for(50ms);
  CHECK(test::count(sink->events(), IngestEvent::Type::VideoConfig, MediaKind::Video) >= 1);
  CHECK(test::count(sink->events(), IngestEvent::Type::Frame, MediaKind::Video) >= 45);
  CHECK(test::count(sink->events(), IngestEvent::Type::Frame, MediaKind::Audio) >= 1);
  CHECK(source->status().sender == "flow primary (source primary-source)");

  source->stop();
  CHECK_FALSE(taps.has_subscribers(arn));
  publish(0, 188 * 10);  // nobody listens any more: nothing happens
  source.reset();
}

TEST_CASE("a flow that begins with garbage does not end the MEDIACONNECT source", "[mediaconnect]") {
  test::TempDir dir;
  auto ts = test::make_input(dir.path, "in.ts", 2.0, "mpegts");
  std::ifstream in(ts, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  const std::string arn = "arn:aws:mediaconnect:us-east-1:123456789012:flow:1-abc:noisy";
  FlowTaps taps;
  auto sink = std::make_shared<test::Recorder>();
  FlowTapSource source(taps, FlowTapSpec{"input 3 of channel 4", {arn}, 1000ms});
  source.start(sink);
  // More noise than libavformat probes (5 MB) before it gives up on finding streams.
  std::vector<uint8_t> garbage(1316);
  uint32_t x = 12345;
  for (int i = 0; i < 6000; ++i) {
    for (auto& b : garbage) b = static_cast<uint8_t>((x = x * 1664525 + 1013904223) >> 24);
    taps.publish(arn, FlowPacket{garbage, garbage, false, "s"});
    if (i % 500 == 0) std::this_thread::sleep_for(10ms);  // let the reader keep up (the queue is bounded)
  }
  std::this_thread::sleep_for(500ms);
  for (size_t at = 0; at < bytes.size(); at += 1316) {
    std::span<const uint8_t> payload(bytes.data() + at, std::min<size_t>(1316, bytes.size() - at));
    taps.publish(arn, FlowPacket{payload, payload, false, "s"});
  }
  for (int i = 0; i < 100 && test::count(sink->events(), IngestEvent::Type::Frame, MediaKind::Video) < 30; ++i)
    std::this_thread::sleep_for(50ms);
  CHECK(test::count(sink->events(), IngestEvent::Type::Frame, MediaKind::Video) >= 30);
  source.stop();
}
