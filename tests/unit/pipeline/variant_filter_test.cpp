// VariantFilter (pipeline/variant_filter.hpp): a group gets only the variants it names, and a group
// that pauses on input loss drops the filler the transcoder makes for the groups that emit, then
// resumes after a discontinuity at the first keyframe of real media.
#include <catch2/catch.hpp>

#include "pipeline/variant_filter.hpp"

using namespace mediaemu::pipeline;

namespace {

struct FilterRecording : MediaSink {
  std::vector<int64_t> times;  // dts (ms) of what passed
  std::vector<size_t> discontinuity_at;
  void on_layout(const OutputLayout&) override {}
  void on_packet(const MediaPacket& p) override { times.push_back(p.packet->dts); }
  void on_discontinuity() override { discontinuity_at.push_back(times.size()); }
  void on_end() override {}
};

OutputLayout filter_layout() {
  OutputLayout layout;
  TrackInfo video, audio;
  video.id = 1;
  video.time_base = {1, 1000};
  audio.id = 2;
  audio.kind = MediaKind::Audio;
  audio.time_base = {1, 1000};
  layout.tracks = {video, audio};
  layout.variants = {{"v360", 1, {2}}};
  return layout;
}

MediaPacket filter_packet(int track, int64_t ms, bool key = false) {
  PacketPtr p(av_packet_alloc());
  p->pts = p->dts = ms;
  if (key) p->flags |= AV_PKT_FLAG_KEY;
  return {track, share(std::move(p))};
}

// 0..900 ms real, filler from 1000 ms until 3000 ms, real again after (keyframes every 1000 ms).
void feed_loss(VariantFilter& filter) {
  filter.on_layout(filter_layout());
  for (int64_t t = 0; t < 1000; t += 100) filter.on_packet(filter_packet(1, t, t % 1000 == 0));
  filter.on_filler_start(1000);
  for (int64_t t = 1000; t < 3000; t += 100) filter.on_packet(filter_packet(1, t, t % 1000 == 0));
  filter.on_filler_end(3000);
  filter.on_packet(filter_packet(2, 3000));               // audio before the first keyframe
  for (int64_t t = 3000; t < 5000; t += 100) filter.on_packet(filter_packet(1, t, t == 3500 || t == 4000));
  filter.on_packet(filter_packet(2, 3400));               // a straggler from before the resume point
  filter.on_packet(filter_packet(2, 3600));
}

}  // namespace

TEST_CASE("VariantFilter: a pausing group drops the filler and resumes at a keyframe after a discontinuity",
          "[package]") {
  auto out = std::make_shared<FilterRecording>();
  VariantFilter pausing({"v360"}, out, true);
  feed_loss(pausing);
  std::vector<int64_t> expected;
  for (int64_t t = 0; t < 1000; t += 100) expected.push_back(t);
  for (int64_t t = 3500; t < 5000; t += 100) expected.push_back(t);
  expected.push_back(3600);  // the audio after the resume point
  CHECK(out->times == expected);
  CHECK(out->discontinuity_at == std::vector<size_t>{10});
}

TEST_CASE("VariantFilter: an emitting group passes the filler through", "[package]") {
  auto out = std::make_shared<FilterRecording>();
  VariantFilter emitting({"v360"}, out, false);
  feed_loss(emitting);
  CHECK(out->times.size() == 10 + 20 + 1 + 20 + 2);
  CHECK(out->discontinuity_at.empty());
}
