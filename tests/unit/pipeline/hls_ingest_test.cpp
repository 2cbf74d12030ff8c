// HLS ingest (pipeline/ingest/hls_put/): the playlists encoders upload, and the receiver that turns
// their uploads into a channel's output without transcoding. The uploads are a real two-variant
// stream made by ffmpeg's hls muxer, replayed in the orders encoders use.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "ingest_test_support.hpp"
#include "pipeline/ingest/hls_put/hls_ingest_receiver.hpp"
#include "pipeline/package/endpoint_packager.hpp"
#include "pipeline/package/media_file_source.hpp"
#include "tests/unit/pipeline/package_test_support.hpp"

using namespace mediaemu::pipeline;
using namespace mediaemu::pipeline::hls_put;
using mediaemu::pipeline::test::TempDir;

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Recording : MediaSink {
  std::optional<OutputLayout> layout;
  std::vector<std::pair<int, int64_t>> packets;  // track, dts (in the track's time base)
  std::vector<bool> keyframes;
  std::vector<int64_t> keyframe_pts;  // video keyframes' pts (90 kHz)
  bool is_video(int track) const { return layout && layout->track(track)->kind == MediaKind::Video; }
  std::vector<std::pair<ads::AdCue, size_t>> cues;  // and how many packets came before each
  int discontinuities = 0, discontinuity_at = -1;
  bool ended = false;
  void on_layout(const OutputLayout& l) override { layout = l; }
  void on_packet(const MediaPacket& p) override {
    packets.emplace_back(p.track_id, p.packet->dts);
    keyframes.push_back(p.packet->flags & AV_PKT_FLAG_KEY);
    if (is_video(p.track_id) && (p.packet->flags & AV_PKT_FLAG_KEY)) keyframe_pts.push_back(p.packet->pts);
  }
  void on_cue(const ads::AdCue& cue) override { cues.emplace_back(cue, packets.size()); }
  void on_discontinuity() override {
    ++discontinuities;
    discontinuity_at = static_cast<int>(packets.size());
  }
  void on_end() override { ended = true; }
  std::vector<int64_t> dts_of(int track) const {
    std::vector<int64_t> out;
    for (auto [t, d] : packets)
      if (t == track) out.push_back(d);
    return out;
  }
};

// A media playlist naming segments first..last of a variant, as an encoder writes it live.
std::string media_playlist(const std::string& prefix, int first, int last, bool ended, int sequence_base = 0) {
  std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:" +
                    std::to_string(first + sequence_base) + "\n";
  for (int i = first; i <= last; ++i) out += "#EXTINF:2.000000,\n" + prefix + std::to_string(i) + ".ts\n";
  if (ended) out += "#EXT-X-ENDLIST\n";
  return out;
}

// Two variants (320x180 and 160x90, 30 fps, AAC), 2 s segments, made once for the tests below.
const std::filesystem::path& stream_dir() {
  static TempDir dir;
  static bool made = false;
  if (!made) {
    std::string cmd = "cd " + dir.path.string() +
                      " && ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x180:rate=30 -f lavfi -i "
                      "sine=frequency=440:sample_rate=48000 -t 6 -filter_complex \"[0:v]split=2[a][b];[b]scale=160:90[b2]\" "
                      "-map \"[a]\" -map \"[b2]\" -map 1:a -map 1:a -c:v libx264 -preset ultrafast -g 60 -keyint_min 60 "
                      "-sc_threshold 0 -c:a aac -f hls -hls_time 2 -hls_list_size 0 -var_stream_map \"v:0,a:0 v:1,a:1\" "
                      "-master_pl_name channel.m3u8 channel_%v.m3u8";
    REQUIRE(std::system(cmd.c_str()) == 0);
    made = true;
  }
  return dir.path;
}

}  // namespace

TEST_CASE("ingest playlists: multivariant and media playlists as encoders write them", "[hls_ingest]") {
  auto master = parse_ingest_playlist(
      "\xEF\xBB\xBF#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=985600,RESOLUTION=640x360,"
      "CODECS=\"avc1.42c01e,mp4a.40.2\"\nchannel_0.m3u8\n\n#EXT-X-STREAM-INF:BANDWIDTH=545600,RESOLUTION=416x234\r\n"
      "sub/channel_1.m3u8?x=1\r\n");
  REQUIRE(master);
  CHECK(master->multivariant);
  REQUIRE(master->variants.size() == 2);
  CHECK(master->variants[0].bandwidth == 985600);
  CHECK(master->variants[0].codecs == "avc1.42c01e,mp4a.40.2");
  CHECK(master->variants[1].width == 416);
  CHECK(master->variants[1].height == 234);
  CHECK(file_name_of(master->variants[1].uri) == "channel_1.m3u8");

  auto media = parse_ingest_playlist(
      "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:41\n#EXT-X-PROGRAM-DATE-TIME:2026-12-05T10:00:00.500Z\n"
      "#EXTINF:6.006,\nchannel_41.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:5.5,\nhttp://host/in/v2/a/b/channel_42.ts\n"
      "#EXT-X-ENDLIST\n");
  REQUIRE(media);
  CHECK_FALSE(media->multivariant);
  CHECK(media->target_duration == 6);
  REQUIRE(media->segments.size() == 2);
  CHECK(media->segments[0].sequence == 41);
  CHECK_FALSE(media->segments[0].discontinuity);
  CHECK(media->segments[0].date_ms == int64_t{1796464800500});
  CHECK(media->segments[1].sequence == 42);
  CHECK(media->segments[1].discontinuity);
  CHECK(media->segments[1].date_ms == int64_t{1796464806506});  // the first date plus its duration
  CHECK(file_name_of(media->segments[1].uri) == "channel_42.ts");
  CHECK(media->ended);

  CHECK_FALSE(parse_ingest_playlist("not a playlist"));
  CHECK_FALSE(parse_ingest_playlist(""));
}

TEST_CASE("ingest receiver: two variants uploaded live become one layout, in time, without transcoding",
          "[hls_ingest]") {
  const auto& dir = stream_dir();
  auto sink = std::make_shared<Recording>();
  int64_t now = 1'000'000;
  HlsIngestReceiver receiver("test", sink, [&] { return now; });

  receiver.put("channel.m3u8", read_file(dir / "channel.m3u8"));
  for (int i = 0; i < 3; ++i) {
    bool last = i == 2;
    // Variant 0 names a segment before uploading it, variant 1 after: ffmpeg does both.
    receiver.put("channel_0.m3u8", media_playlist("channel_0", 0, i, last));
    receiver.put("channel_0" + std::to_string(i) + ".ts", read_file(dir / ("channel_0" + std::to_string(i) + ".ts")));
    receiver.put("channel_1" + std::to_string(i) + ".ts", read_file(dir / ("channel_1" + std::to_string(i) + ".ts")));
    receiver.put("channel_1.m3u8", media_playlist("channel_1", 0, i, last));
    now += 2000;
  }

  REQUIRE(sink->layout);
  const OutputLayout& layout = *sink->layout;
  REQUIRE(layout.variants.size() == 2);
  const TrackInfo* v0 = layout.track(layout.variants[0].video_track);
  const TrackInfo* v1 = layout.track(layout.variants[1].video_track);
  REQUIRE(v0);
  REQUIRE(v1);
  CHECK(v0->width == 320);
  CHECK(v0->height == 180);
  CHECK(v1->width == 160);
  CHECK(v1->name == "channel_1");
  CHECK(v0->bitrate > 0);
  CHECK(v0->codecs.rfind("avc1.", 0) == 0);
  REQUIRE(layout.variants[0].audio_tracks.size() == 1);
  CHECK(layout.variants[0].audio_tracks == layout.variants[1].audio_tracks);
  const TrackInfo* audio = layout.track(layout.variants[0].audio_tracks[0]);
  REQUIRE(audio);
  CHECK(audio->sample_rate == 48000);
  CHECK(audio->codecs == "mp4a.40.2");

  // Every frame of both renditions, in order, starting on a keyframe; the audio alongside.
  for (int track : {v0->id, v1->id}) {
    auto dts = sink->dts_of(track);
    CHECK(dts.size() == 180);
    CHECK(std::is_sorted(dts.begin(), dts.end()));
    CHECK(std::adjacent_find(dts.begin(), dts.end()) == dts.end());
  }
  auto audio_dts = sink->dts_of(audio->id);
  CHECK(audio_dts.size() >= 270);
  CHECK(std::is_sorted(audio_dts.begin(), audio_dts.end()));
  for (size_t i = 0; i < sink->packets.size(); ++i)
    if (sink->packets[i].first == v0->id) {
      CHECK(sink->keyframes[i]);  // the first video packet
      break;
    }
  CHECK(sink->discontinuities == 0);
  CHECK(sink->ended);  // EXT-X-ENDLIST on both variants
  CHECK(receiver.stats().segments == 3);
}

TEST_CASE("ingest receiver: a new encoder session is a discontinuity; a lost upload is given up", "[hls_ingest]") {
  const auto& dir = stream_dir();
  auto sink = std::make_shared<Recording>();
  int64_t now = 5'000'000;
  HlsIngestReceiver receiver("test", sink, [&] { return now; });
  auto upload = [&](const std::string& name) { receiver.put(name, read_file(dir / name)); };

  // One variant only, no multivariant playlist: the layout waits for a second segment.
  upload("channel_00.ts");
  receiver.put("channel_0.m3u8", media_playlist("channel_0", 0, 0, false));
  CHECK_FALSE(sink->layout);
  upload("channel_01.ts");
  receiver.put("channel_0.m3u8", media_playlist("channel_0", 0, 1, false));
  REQUIRE(sink->layout);
  CHECK(sink->layout->variants.size() == 1);
  auto video = sink->layout->variants[0].video_track;
  size_t before = sink->dts_of(video).size();
  CHECK(before == 120);
  int64_t last_before = sink->dts_of(video).back();

  // Segment 2 is named but never uploaded; segment 3 (the stream's first again) follows.
  receiver.put("channel_0.m3u8", media_playlist("channel_0", 0, 2, false));
  now += 7000;
  receiver.poll();  // gives segment 2 up
  CHECK(receiver.stats().skipped == 1);

  // The encoder starts over: its media sequence and clock restart.
  upload("channel_00.ts");
  receiver.put("channel_0.m3u8", media_playlist("channel_0", 0, 0, false));
  upload("channel_01.ts");
  receiver.put("channel_0.m3u8", media_playlist("channel_0", 0, 1, true));
  CHECK(sink->discontinuities == 1);
  auto dts = sink->dts_of(video);
  CHECK(dts.size() == 240);
  CHECK(dts[before] > last_before);  // the timeline never goes back
  CHECK(std::is_sorted(dts.begin(), dts.end()));
  CHECK(sink->ended);

  // Bytes that are not MPEG-TS are refused with a count, and nothing is sent.
  auto other = std::make_shared<Recording>();
  HlsIngestReceiver garbage("garbage", other, [&] { return now; });
  garbage.put("x0.ts", std::string(4000, 'x'));
  garbage.put("x.m3u8", media_playlist("x", 0, 0, true));
  CHECK(garbage.stats().rejected == 1);
  CHECK_FALSE(other->layout);
}

TEST_CASE("ingest receiver: SCTE-35 in the uploaded segments becomes cues at their splice times", "[hls_ingest][ads]") {
  // An upload whose TS segments carry a splice_insert at 4 s on PID 500, with an IDR there: what
  // mediaemu's own HLS packager writes with SCTE-35 passthrough (as MediaLive does to MediaPackage).
  const auto rec = read_media_file(package_test::test_media(2), 1700000000000);
  const std::filesystem::path dir = package_test::scratch_dir("ingest_scte35");
  EndpointSpec spec = package_test::hls_spec(dir, 2);
  spec.hls.scte35_pid = 500;
  auto encoder = make_endpoint_packager(spec);
  ads::SpliceInfo info;
  info.event_id = 42;
  info.break_duration_90k = 4 * 90000;
  bool sent = false;
  package_test::feed(*encoder, rec, [&] {
    if (!std::exchange(sent, true)) encoder->on_cue(ads::make_cue(info, 4'000'000, "break"));
  });
  encoder->on_end();

  auto sink = std::make_shared<Recording>();
  HlsIngestReceiver receiver("test", sink, [] { return int64_t{1'000'000}; });
  receiver.put("index.m3u8", read_file(dir / "index.m3u8"));
  for (const std::string variant : {"index_1", "index_2"}) {
    for (int n = 1; std::filesystem::exists(dir / (variant + "_" + std::to_string(n) + ".ts")); ++n) {
      const std::string name = variant + "_" + std::to_string(n) + ".ts";
      receiver.put(name, read_file(dir / name));
    }
    receiver.put(variant + ".m3u8", read_file(dir / (variant + ".m3u8")));
  }
  REQUIRE(sink->ended);
  // One cue (the first variant's section; the second's is the same message), before the packets
  // of its time, at the keyframe 4 s after the first one.
  REQUIRE(sink->cues.size() == 1);
  const auto& [cue, packets_before] = sink->cues[0];
  CHECK(cue.event_id() == 42);
  CHECK(cue.duration_seconds() == Approx(4.0));
  REQUIRE(sink->keyframe_pts.size() >= 3);
  const int64_t splice_90k = cue.pts_us * 9 / 100;
  CHECK(std::find(sink->keyframe_pts.begin(), sink->keyframe_pts.end(), splice_90k) != sink->keyframe_pts.end());
  CHECK(splice_90k - sink->keyframe_pts.front() == 4 * 90000);
  int64_t newest_before = -1;
  for (size_t i = 0; i < packets_before; ++i)
    if (sink->is_video(sink->packets[i].first)) newest_before = std::max(newest_before, sink->packets[i].second);
  CHECK(newest_before < splice_90k);
}
