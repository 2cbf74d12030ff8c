// Segmenter and FanOut on synthetic packets: cut points, GOP rounding, audio assignment,
// discontinuities, and sinks joining mid-stream.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "pipeline/package/fan_out.hpp"
#include "pipeline/package/segmenter.hpp"

using namespace mediaemu::pipeline;

namespace {

constexpr AVRational kVideoTb{1, 90000};
constexpr AVRational kAudioTb{1, 48000};

// Two video renditions (ids 1, 2) and one audio track (3); or audio only.
OutputLayout layout(bool with_video = true) {
  OutputLayout l;
  if (with_video) {
    for (int id : {1, 2}) {
      TrackInfo t;
      t.id = id;
      t.kind = MediaKind::Video;
      t.time_base = kVideoTb;
      t.frame_rate = {30, 1};
      l.tracks.push_back(t);
    }
  }
  TrackInfo a;
  a.id = 3;
  a.kind = MediaKind::Audio;
  a.time_base = kAudioTb;
  a.sample_rate = 48000;
  l.tracks.push_back(a);
  if (with_video) {
    l.variants.push_back({"hi", 1, {3}});
    l.variants.push_back({"lo", 2, {3}});
  } else {
    l.variants.push_back({"audio", 0, {3}});
  }
  return l;
}

MediaPacket packet(int track, int64_t pts, int64_t duration, bool key) {
  PacketPtr p = make_packet();
  p->pts = p->dts = pts;
  p->duration = duration;
  if (key) p->flags |= AV_PKT_FLAG_KEY;
  return {track, share(std::move(p))};
}

// `seconds` of 30 fps video (both renditions, IDR every `gop_frames`; rendition 2's packets come
// after rendition 1's of the same frame) and 48 kHz AAC frames, interleaved by time. Frame
// numbers are absolute so a stream can be resumed. Returns the segments completed.
std::vector<Segment> feed(Segmenter& s, int first_frame, int frames, int gop_frames, bool audio = true,
                          int64_t pts_offset = 0) {
  std::vector<Segment> done;
  auto take = [&](std::vector<Segment> v) { done.insert(done.end(), v.begin(), v.end()); };
  const int64_t frame = 3000;  // 90 kHz / 30
  int64_t next_audio = av_rescale(first_frame, 48000, 30);
  next_audio = next_audio / 1024 * 1024;
  for (int f = first_frame; f < first_frame + frames; ++f) {
    const int64_t pts = f * frame + pts_offset;
    // audio up to this video frame's time (audio slightly ahead, as encoders deliver it)
    while (audio && av_rescale(next_audio, 90000, 48000) <= f * frame + frame) {
      take(s.push(packet(3, next_audio + av_rescale(pts_offset, 48000, 90000), 1024, true)));
      next_audio += 1024;
    }
    const bool key = f % gop_frames == 0;
    take(s.push(packet(1, pts, frame, key)));
    take(s.push(packet(2, pts, frame, key)));
  }
  return done;
}

}  // namespace

TEST_CASE("segments round SegmentDurationSeconds up to whole GOPs", "[package][segmenter]") {
  struct Case {
    int gop_frames, segment_seconds;
    double expected;
  };
  // GOP 2 s + 6 s -> 6 s; GOP 2 s + 3 s -> 4 s; GOP 3 s + 4 s -> 6 s (ML-UG example); GOP 1 s + 2 s -> 2 s
  for (Case c : {Case{60, 6, 6.0}, Case{60, 3, 4.0}, Case{90, 4, 6.0}, Case{30, 2, 2.0}, Case{120, 3, 4.0}}) {
    CAPTURE(c.gop_frames, c.segment_seconds);
    const OutputLayout l = layout();
    Segmenter s(l, c.segment_seconds);
    auto segments = feed(s, 0, 30 * 30, c.gop_frames);
    REQUIRE(segments.size() >= 3);
    for (size_t i = 0; i < segments.size(); ++i) {
      CAPTURE(i);
      CHECK(segments[i].sequence == static_cast<int64_t>(i) + 1);
      CHECK(segments[i].duration_seconds() == Approx(c.expected));
      if (i > 0) CHECK(segments[i].start == segments[i - 1].start + segments[i - 1].duration);
    }
    CHECK(s.target_seconds() == Approx(c.expected));
  }
}

TEST_CASE("GOP 2.002 s (60 frames at 29.97) with 6 s segments gives 6.006 s", "[package][segmenter]") {
  OutputLayout l = layout();
  Segmenter s(l, 6);
  std::vector<Segment> done;
  for (int f = 0; f < 30 * 30; ++f) {
    auto v = s.push(packet(1, f * 3003, 3003, f % 60 == 0));  // 90 kHz at 30000/1001
    done.insert(done.end(), v.begin(), v.end());
  }
  REQUIRE(done.size() >= 3);
  for (const auto& seg : done) CHECK(seg.duration == 3 * 60 * 3003);  // 3 GOPs
  CHECK(done[0].duration_seconds() == Approx(6.006));
}

TEST_CASE("every track's packets land in the segment covering them", "[package][segmenter]") {
  const OutputLayout l = layout();
  Segmenter s(l, 2);
  auto segments = feed(s, 0, 8 * 30, 60);
  auto tail = s.flush();
  segments.insert(segments.end(), tail.begin(), tail.end());
  REQUIRE(segments.size() == 4);
  for (const auto& seg : segments) {
    CAPTURE(seg.sequence);
    const double start = seg.start_seconds(), end = start + seg.duration_seconds();
    for (int id : {1, 2}) {
      const auto& packets = seg.tracks.at(id).packets;
      REQUIRE(packets.size() == 60);
      CHECK((packets.front()->flags & AV_PKT_FLAG_KEY));  // each rendition starts with its IDR
      CHECK(packets.front()->pts * av_q2d(kVideoTb) == Approx(start));
    }
    for (const auto& p : seg.tracks.at(3).packets) {
      CHECK(p->pts * av_q2d(kAudioTb) >= start - 1e-3);
      if (seg.sequence < 4) CHECK(p->pts * av_q2d(kAudioTb) < end);  // on flush, trailing audio stays
    }
    if (seg.sequence < 4) {
      // the last sample's successor is known, so muxers can make segments gapless
      REQUIRE(seg.tracks.at(1).next_dts);
      CHECK(*seg.tracks.at(1).next_dts * av_q2d(kVideoTb) == Approx(end));
    }
  }
  // the last segment ends with its last frame on flush
  CHECK(segments.back().duration_seconds() == Approx(2.0));
}

TEST_CASE("a segmenter joining mid-GOP starts at the next keyframe", "[package][segmenter]") {
  const OutputLayout l = layout();
  Segmenter s(l, 2);
  auto segments = feed(s, 45, 5 * 30, 60);  // frames 45.. : first IDR at frame 60 (2 s)
  REQUIRE_FALSE(segments.empty());
  CHECK(segments.front().start_seconds() == Approx(2.0));
  CHECK(segments.front().sequence == 1);
  for (const auto& p : segments.front().tracks.at(3).packets) CHECK(p->pts * av_q2d(kAudioTb) >= 2.0 - 1e-3);
}

TEST_CASE("audio-only layouts cut on time", "[package][segmenter]") {
  const OutputLayout l = layout(false);
  Segmenter s(l, 2);
  std::vector<Segment> done;
  for (int64_t pts = 0; pts < 48000 * 9; pts += 1024) {
    auto v = s.push(packet(3, pts, 1024, true));
    done.insert(done.end(), v.begin(), v.end());
  }
  REQUIRE(done.size() >= 3);
  for (const auto& seg : done) {
    CHECK(seg.duration_seconds() >= 2.0);
    CHECK(seg.duration_seconds() < 2.0 + 1024.0 / 48000 + 1e-9);
  }
}

TEST_CASE("a discontinuity closes the segment and marks the next one", "[package][segmenter]") {
  const OutputLayout l = layout();
  Segmenter s(l, 2);
  auto before = feed(s, 0, 5 * 30, 60);  // 0..5 s: segments 0-2, 2-4 done; 4-5 open
  REQUIRE(before.size() == 2);
  auto closed = s.discontinuity();
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].duration_seconds() == Approx(1.0));
  CHECK_FALSE(closed[0].discontinuity);
  // resumes 100 s later on the timeline
  auto after = feed(s, 0, 5 * 30, 60, true, 100 * 90000);
  REQUIRE(after.size() == 2);
  CHECK(after[0].discontinuity);
  CHECK_FALSE(after[1].discontinuity);
  CHECK(after[0].sequence == 4);
  CHECK(after[0].start_seconds() == Approx(100.0));
}

namespace {
struct RecordingSink : MediaSink {
  std::vector<MediaPacket> packets;
  int layouts = 0, ends = 0;
  bool throw_on_packet = false;
  void on_layout(const OutputLayout&) override { ++layouts; }
  void on_packet(const MediaPacket& p) override {
    if (throw_on_packet) throw std::runtime_error("disk full");
    packets.push_back(p);
  }
  void on_discontinuity() override {}
  void on_end() override { ++ends; }
};
}  // namespace

TEST_CASE("FanOut: sinks added mid-stream start at a keyframe, removed sinks are not called", "[package][fanout]") {
  FanOut fan;
  auto first = std::make_unique<RecordingSink>();
  RecordingSink* first_raw = first.get();
  fan.add("a", std::move(first));
  const OutputLayout l = layout();
  fan.on_layout(l);
  for (int f = 0; f < 45; ++f) fan.on_packet(packet(1, f * 3000, 3000, f % 30 == 0));

  auto late = std::make_unique<RecordingSink>();
  RecordingSink* late_raw = late.get();
  fan.add("b", std::move(late));
  auto failing = std::make_unique<RecordingSink>();
  failing->throw_on_packet = true;
  fan.add("c", std::move(failing));
  for (int f = 45; f < 90; ++f) {
    fan.on_packet(packet(3, f * 1600, 1024, true));
    fan.on_packet(packet(1, f * 3000, 3000, f % 30 == 0));
  }
  CHECK(first_raw->packets.size() == 45 + 90);
  CHECK(late_raw->layouts == 1);
  REQUIRE_FALSE(late_raw->packets.empty());
  CHECK(late_raw->packets.front().track_id == 1);
  CHECK(late_raw->packets.front().packet->pts == 60 * 3000);  // the first keyframe after joining

  auto removed = fan.remove("a");
  CHECK(removed.get() == first_raw);
  CHECK(fan.remove("a") == nullptr);
  fan.on_packet(packet(1, 90 * 3000, 3000, true));
  fan.on_end();
  CHECK(first_raw->packets.size() == 45 + 90);
  CHECK(first_raw->ends == 0);
  CHECK(late_raw->ends == 1);
  CHECK(fan.size() == 2);
}
