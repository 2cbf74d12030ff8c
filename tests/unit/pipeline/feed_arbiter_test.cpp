// FeedArbiter (pipeline/package/feed_arbiter.hpp): two feeds of one program into one set of
// outputs, as MediaPackage plays its two inputs. Packets are synthetic (no media needed): what is
// checked is which feed reaches the outputs, when, and on which timeline.
#include <catch2/catch.hpp>

#include <thread>

#include "pipeline/package/feed_arbiter.hpp"

using namespace mediaemu::pipeline;

namespace {

struct ArbiterRecording : MediaSink {
  int layouts = 0, discontinuities = 0, ends = 0;
  std::vector<std::tuple<int, int64_t, bool>> packets;  // track, dts, keyframe
  void on_layout(const OutputLayout&) override { ++layouts; }
  void on_packet(const MediaPacket& p) override {
    packets.emplace_back(p.track_id, p.packet->dts, (p.packet->flags & AV_PKT_FLAG_KEY) != 0);
  }
  void on_discontinuity() override { ++discontinuities; }
  void on_end() override { ++ends; }
};

OutputLayout arbiter_layout() {
  OutputLayout layout;
  TrackInfo video;
  video.id = 1;
  video.codec = AV_CODEC_ID_H264;
  video.time_base = {1, 1000};
  TrackInfo audio;
  audio.id = 2;
  audio.kind = MediaKind::Audio;
  audio.codec = AV_CODEC_ID_AAC;
  audio.time_base = {1, 1000};
  layout.tracks = {video, audio};
  return layout;
}

MediaPacket arbiter_packet(int track, int64_t ms, bool key = false) {
  PacketPtr p(av_packet_alloc());
  p->pts = p->dts = ms;
  p->duration = 40;
  if (key) p->flags |= AV_PKT_FLAG_KEY;
  return {track, share(std::move(p))};
}

struct ArbiterRig {
  std::shared_ptr<ArbiterRecording> out = std::make_shared<ArbiterRecording>();
  int opened = 0, ended = 0;
  std::shared_ptr<FeedArbiter> arbiter = FeedArbiter::make(
      "test", std::chrono::milliseconds(60), [this] { ++opened; return out; }, [this] { ++ended; });
  std::shared_ptr<MediaSink> a = arbiter->feed(0), b = arbiter->feed(1);
  // Both feeds start and deliver a keyframe at 0: feed a is active.
  void both_delivering() {
    a->on_layout(arbiter_layout());
    b->on_layout(arbiter_layout());
    a->on_packet(arbiter_packet(1, 0, true));
    b->on_packet(arbiter_packet(1, 0, true));
  }
};

}  // namespace

TEST_CASE("FeedArbiter: the first feed with media is active, the other is received and not passed on") {
  ArbiterRig rig;
  rig.b->on_layout(arbiter_layout());
  rig.a->on_layout(arbiter_layout());
  CHECK(rig.arbiter->active() == 1);
  CHECK(rig.opened == 1);
  rig.b->on_packet(arbiter_packet(1, 0, true));
  rig.a->on_packet(arbiter_packet(1, 0, true));
  rig.a->on_packet(arbiter_packet(1, 40));
  REQUIRE(rig.out->packets.size() == 1);
  CHECK(rig.out->layouts == 1);
}

TEST_CASE("FeedArbiter: a silent active feed fails over at the other's next keyframe, never back in time") {
  ArbiterRig rig;
  rig.a->on_layout(arbiter_layout());
  rig.b->on_layout(arbiter_layout());
  for (int i = 0; i < 5; ++i) {
    rig.a->on_packet(arbiter_packet(1, 1000 + i * 40, i == 0));
    rig.b->on_packet(arbiter_packet(1, 50 + i * 40, i == 0));  // another timeline, far behind
  }
  REQUIRE(rig.out->packets.size() == 5);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // feed a says nothing for > 60 ms
  rig.b->on_packet(arbiter_packet(2, 250));        // audio before b's next keyframe: dropped
  CHECK(rig.arbiter->active() == 1);
  CHECK(rig.out->discontinuities == 1);
  rig.b->on_packet(arbiter_packet(1, 250));        // not a keyframe: dropped
  rig.b->on_packet(arbiter_packet(1, 290, true));  // the keyframe: passes, rebased
  rig.b->on_packet(arbiter_packet(2, 280));        // audio from before that keyframe: dropped
  rig.b->on_packet(arbiter_packet(2, 300));
  REQUIRE(rig.out->packets.size() == 7);
  auto [track, dts, key] = rig.out->packets[5];
  CHECK(track == 1);
  CHECK(key);
  CHECK(dts >= 1000 + 5 * 40);  // carried on from where the outputs were
  CHECK(std::get<1>(rig.out->packets[6]) == dts + 10);
  rig.a->on_packet(arbiter_packet(1, 1200, true));  // a comes back: b stays active
  CHECK(rig.arbiter->active() == 1);
  CHECK(rig.out->packets.size() == 7);
}

TEST_CASE("FeedArbiter: the active feed ending hands over to a delivering feed, else ends the outputs") {
  ArbiterRig rig;
  rig.both_delivering();
  rig.a->on_end();
  CHECK(rig.arbiter->active() == 1);
  CHECK(rig.out->ends == 0);
  rig.b->on_end();
  CHECK(rig.arbiter->active() == -1);
  CHECK(rig.out->ends == 1);
  CHECK(rig.ended == 1);
  // A feed that delivers again opens new outputs.
  rig.a->on_layout(arbiter_layout());
  CHECK(rig.opened == 2);
  CHECK(rig.arbiter->active() == 0);
}

TEST_CASE("FeedArbiter: closing (the channel stops) ends the outputs with the first feed to end") {
  ArbiterRig rig;
  rig.both_delivering();
  rig.arbiter->closing();
  rig.a->on_end();
  CHECK(rig.arbiter->active() == -1);
  CHECK(rig.out->ends == 1);
  CHECK(rig.out->discontinuities == 0);       // no hand-over to b for its last moments
  rig.b->on_packet(arbiter_packet(1, 40, true));  // b still delivering until it stops too
  rig.b->on_end();
  CHECK(rig.out->packets.size() == 1);
  CHECK(rig.opened == 1);
  // The next start hands over again as before.
  rig.both_delivering();
  rig.a->on_end();
  CHECK(rig.arbiter->active() == 1);
}

TEST_CASE("FeedArbiter: a feed with other renditions never takes over") {
  ArbiterRig rig;
  rig.a->on_layout(arbiter_layout());
  OutputLayout other = arbiter_layout();
  other.tracks.pop_back();
  rig.b->on_layout(other);
  rig.a->on_packet(arbiter_packet(1, 0, true));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  rig.b->on_packet(arbiter_packet(1, 0, true));
  rig.arbiter->check();
  CHECK(rig.arbiter->active() == 0);
  rig.a->on_end();
  CHECK(rig.out->ends == 1);
}
