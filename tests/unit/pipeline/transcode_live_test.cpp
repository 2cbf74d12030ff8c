// End-to-end LiveTranscoder tests on media generated at test time: FileSource -> LiveTranscoder
// -> a capturing MediaSink that also writes each track to an MP4 file for ffprobe/ffmpeg.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

#include "pipeline/ads/splice_info.hpp"
#include "pipeline/file_source.hpp"
#include "pipeline/transcode/codec_config.hpp"
#include "pipeline/transcode/live_transcoder.hpp"

using namespace mediaemu::pipeline;
namespace fs = std::filesystem;

namespace {

// libx264 and the AAC encoder print statistics at AV_LOG_INFO for every encoder closed.
const int kQuietLibav = [] {
  av_log_set_level(AV_LOG_ERROR);
  return 0;
}();

struct TranscodeTempDir {
  fs::path path;
  TranscodeTempDir() {
    char name[] = "/tmp/mediaemu-transcode-XXXXXX";
    path = mkdtemp(name);
    if (std::getenv("MEDIAEMU_KEEP_TEST_FILES")) WARN("test files kept in " << path);
  }
  ~TranscodeTempDir() {
    if (std::getenv("MEDIAEMU_KEEP_TEST_FILES")) return;  // debugging: leave the media for inspection
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  INFO(command);
  REQUIRE(status == 0);
  return out;
}

fs::path make_input(const fs::path& dir, int seconds) {
  fs::path out = dir / "in.flv";
  run("ffmpeg -v error -y -f lavfi -i testsrc2=size=640x360:rate=30 -f lavfi -i sine=frequency=440 -t " +
      std::to_string(seconds) + " -c:v libx264 -preset veryfast -g 60 -c:a aac -f flv " + out.string());
  return out;
}

// Writes one track to an MP4 with libavformat, so the CLI tools can inspect it.
class TrackFile {
 public:
  TrackFile(const fs::path& path, const TrackInfo& t) : time_base_(t.time_base) {
    REQUIRE(avformat_alloc_output_context2(&ctx_, nullptr, "mp4", path.c_str()) >= 0);
    stream_ = avformat_new_stream(ctx_, nullptr);
    stream_->time_base = t.time_base;
    AVCodecParameters* par = stream_->codecpar;
    par->codec_type = t.kind == MediaKind::Video ? AVMEDIA_TYPE_VIDEO : AVMEDIA_TYPE_AUDIO;
    par->codec_id = t.codec;
    par->extradata = static_cast<uint8_t*>(av_mallocz(t.extradata.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    std::copy(t.extradata.begin(), t.extradata.end(), par->extradata);
    par->extradata_size = static_cast<int>(t.extradata.size());
    if (t.kind == MediaKind::Video) {
      par->width = t.width;
      par->height = t.height;
    } else {
      par->sample_rate = t.sample_rate;
      av_channel_layout_default(&par->ch_layout, t.channels);
      par->frame_size = 1024;
    }
    REQUIRE(avio_open(&ctx_->pb, path.c_str(), AVIO_FLAG_WRITE) >= 0);
    REQUIRE(avformat_write_header(ctx_, nullptr) >= 0);
  }
  ~TrackFile() {
    av_write_trailer(ctx_);
    avio_closep(&ctx_->pb);
    avformat_free_context(ctx_);
  }
  void write(const AVPacket& p) {
    AVPacket* c = av_packet_clone(&p);
    c->stream_index = 0;
    av_packet_rescale_ts(c, time_base_, stream_->time_base);
    av_write_frame(ctx_, c);
    av_packet_free(&c);
  }

 private:
  AVFormatContext* ctx_ = nullptr;
  AVStream* stream_ = nullptr;
  AVRational time_base_;
};

struct Captured {
  int64_t pts, dts, duration;
  bool key;
  int size;
  Bytes data;
};

class CapturingSink : public MediaSink {
 public:
  explicit CapturingSink(fs::path dir) : dir_(std::move(dir)) {}

  void on_layout(const OutputLayout& layout) override {
    std::lock_guard lock(mutex_);
    layout_ = layout;
    ++layouts_;
    events_.push_back("layout");
    for (const auto& t : layout.tracks)
      files_[t.id] = std::make_unique<TrackFile>(dir_ / ("track" + std::to_string(t.id) + ".mp4"), t);
  }
  void on_packet(const MediaPacket& p) override {
    std::lock_guard lock(mutex_);
    events_.push_back("packet");
    const AVPacket& pk = *p.packet;
    dts_us_in_order_.push_back(av_rescale_q(pk.dts, layout_.track(p.track_id)->time_base, AVRational{1, 1000000}));
    tracks_[p.track_id].push_back(
        {pk.pts, pk.dts, pk.duration, (pk.flags & AV_PKT_FLAG_KEY) != 0, pk.size, Bytes(pk.data, pk.data + pk.size)});
    if (files_.count(p.track_id)) files_[p.track_id]->write(pk);
  }
  void on_discontinuity() override {
    std::lock_guard lock(mutex_);
    events_.push_back("discontinuity");
  }
  void on_end() override {
    std::lock_guard lock(mutex_);
    events_.push_back("end");
    files_.clear();  // writes the trailers
  }

  int64_t newest_pts(int track) const {
    std::lock_guard lock(mutex_);
    auto it = tracks_.find(track);
    return it == tracks_.end() || it->second.empty() ? -1 : it->second.back().pts;
  }
  size_t event_count() const {
    std::lock_guard lock(mutex_);
    return events_.size();
  }

  // Read after the transcoder stopped.
  OutputLayout layout_;
  int layouts_ = 0;
  std::vector<std::string> events_;
  std::map<int, std::vector<Captured>> tracks_;
  std::vector<int64_t> dts_us_in_order_;
  fs::path dir_;

 private:
  mutable std::mutex mutex_;
  std::map<int, std::unique_ptr<TrackFile>> files_;
};

VideoRenditionSpec rung(const std::string& name, int w, int h, int64_t bitrate) {
  VideoRenditionSpec v;
  v.name = name;
  v.width = w;
  v.height = h;
  v.bitrate = bitrate;
  v.gop_size = 2;
  return v;
}

LadderSpec ladder(std::vector<VideoRenditionSpec> video) {
  LadderSpec s;
  s.label = "test";
  s.audio.push_back(AudioRenditionSpec{"a128", 128000, 48000, 2});
  for (const auto& v : video) s.outputs.push_back(OutputSpec{"out_" + v.name, v.name, {"a128"}});
  s.video = std::move(video);
  return s;
}

bool has_idr(const Bytes& sample) {
  auto nals = split_length_prefixed(sample, 4);
  if (!nals) return false;
  return std::any_of(nals->begin(), nals->end(), [](ByteView n) { return h264_nal_type(n[0]) == kNalIdr; });
}

void check_monotonic(const std::vector<Captured>& packets) {
  for (size_t i = 1; i < packets.size(); ++i) {
    INFO("packet " << i);
    REQUIRE(packets[i].dts > packets[i - 1].dts);
    REQUIRE(packets[i].pts >= packets[i].dts);
  }
}

std::vector<int64_t> sorted_pts(const std::vector<Captured>& packets) {
  std::vector<int64_t> pts;
  for (const auto& p : packets) pts.push_back(p.pts);
  std::sort(pts.begin(), pts.end());
  return pts;
}

std::vector<int64_t> key_pts(const std::vector<Captured>& packets) {
  std::vector<int64_t> keys;
  for (const auto& p : packets)
    if (p.key) keys.push_back(p.pts);
  return keys;
}

// Mean Y, U, V of the video frame shown at `seconds` in an MP4.
std::array<double, 3> mean_yuv_at(const fs::path& file, double seconds, int w, int h) {
  std::string raw = run("ffmpeg -v error -ss " + std::to_string(seconds) + " -i " + file.string() +
                        " -frames:v 1 -f rawvideo -pix_fmt yuv420p -");
  REQUIRE(raw.size() == static_cast<size_t>(w * h * 3 / 2));
  auto mean = [&](size_t from, size_t n) {
    double s = 0;
    for (size_t i = from; i < from + n; ++i) s += static_cast<uint8_t>(raw[i]);
    return s / n;
  };
  size_t luma = w * h, chroma = luma / 4;
  return {mean(0, luma), mean(luma, chroma), mean(luma + chroma, chroma)};
}

// Collects what a FileSource produces, to replay it with chosen timing.
class Recorder : public IngestSink {
 public:
  bool offer(IngestEvent& e) override {
    events.push_back(std::move(e));
    return true;
  }
  std::vector<IngestEvent> events;
};

std::vector<IngestEvent> record(const fs::path& input) {
  auto recorder = std::make_shared<Recorder>();
  FileSource source({input.string(), false, false, "record"}, recorder);
  source.start();
  source.wait();
  return recorder->events;
}

// One publish: everything but End up to `until_ms` of media.
void publish(LiveTranscoder& t, const std::vector<IngestEvent>& events, int64_t until_ms) {
  for (IngestEvent e : events) {
    if (e.type == IngestEvent::Type::End || (e.type == IngestEvent::Type::Frame && e.dts_ms >= until_ms)) continue;
    while (!t.offer(e)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void end_publish(LiveTranscoder& t) {
  IngestEvent end;
  end.type = IngestEvent::Type::End;
  end.reason = "test unpublish";
  while (!t.offer(end)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

}  // namespace

TEST_CASE("LiveTranscoder encodes a three-rung ladder with aligned IDRs", "[transcode][media]") {
  TranscodeTempDir tmp;
  fs::path input = make_input(tmp.path, 6);
  auto sink = std::make_shared<CapturingSink>(tmp.path);
  auto transcoder = std::make_shared<LiveTranscoder>(
      ladder({rung("v360", 640, 360, 1'200'000), rung("v234", 416, 234, 600'000), rung("v144", 256, 144, 250'000)}),
      sink);
  transcoder->start();
  FileSource source({input.string(), false, false, "ladder input"}, transcoder);
  source.start();
  source.wait();
  REQUIRE(source.error().empty());
  transcoder->stop();

  REQUIRE(sink->layouts_ == 1);
  REQUIRE(sink->events_.front() == "layout");
  REQUIRE(sink->events_.back() == "end");
  CHECK(std::count(sink->events_.begin(), sink->events_.end(), "end") == 1);
  CHECK(std::count(sink->events_.begin(), sink->events_.end(), "discontinuity") == 0);

  const OutputLayout& layout = sink->layout_;
  REQUIRE(layout.tracks.size() == 4);
  REQUIRE(layout.variants.size() == 3);
  for (const auto& v : layout.variants) {
    CHECK(v.audio_tracks == std::vector<int>{4});  // one AAC encode shared by every output
  }
  CHECK(layout.epoch_ms_at_zero > 0);

  const int expected[3][3] = {{640, 360, 1'200'000}, {416, 234, 600'000}, {256, 144, 250'000}};
  std::vector<int64_t> first_keys;
  for (int i = 0; i < 3; ++i) {
    const TrackInfo& t = layout.tracks[i];
    INFO("video track " << t.id);
    CHECK(t.kind == MediaKind::Video);
    CHECK(t.width == expected[i][0]);
    CHECK(t.height == expected[i][1]);
    CHECK(t.time_base.num == 1);
    CHECK(t.time_base.den == 90000);
    CHECK(t.codecs == avc_codecs_string(t.extradata));
    CHECK(t.codecs.rfind("avc1.4d", 0) == 0);  // main profile from the SPS
    REQUIRE(parse_avcc(t.extradata));

    const auto& packets = sink->tracks_[t.id];
    REQUIRE(packets.size() == 180);  // 6 s at 30 fps
    check_monotonic(packets);
    auto pts = sorted_pts(packets);
    for (size_t k = 0; k < pts.size(); ++k) REQUIRE(pts[k] == static_cast<int64_t>(k) * 3000);
    // IDR exactly every 2 s, on the same pts in every rendition.
    auto keys = key_pts(packets);
    CHECK(keys == std::vector<int64_t>{0, 180000, 360000});
    for (const auto& p : packets)
      if (p.key) CHECK(has_idr(p.data));

    int64_t bytes = 0;
    for (const auto& p : packets) bytes += p.size;
    double kbps = bytes * 8.0 / 6.0 / 1000.0;
    INFO("average " << kbps << " kb/s");
    CHECK(kbps > expected[i][2] * 0.75 / 1000);
    CHECK(kbps < expected[i][2] * 1.25 / 1000);

    std::string probe = run("ffprobe -v error -select_streams v -show_entries stream=codec_name,width,height "
                            "-of csv=p=0 " + (tmp.path / ("track" + std::to_string(t.id) + ".mp4")).string());
    CHECK(probe == "h264," + std::to_string(t.width) + "," + std::to_string(t.height) + "\n");
    // Decoding the file: every frame decodes, and exactly the three GOP starts are I key frames.
    std::string frames = run("ffprobe -v error -select_streams v -show_entries frame=key_frame,pict_type "
                             "-of compact=p=0 " + (tmp.path / ("track" + std::to_string(t.id) + ".mp4")).string());
    auto occurrences = [&](const std::string& what) {
      size_t n = 0;
      for (size_t at = frames.find(what); at != std::string::npos; at = frames.find(what, at + 1)) ++n;
      return n;
    };
    CHECK(occurrences("key_frame=") == 180);
    CHECK(occurrences("key_frame=1|pict_type=I") == 3);
  }

  const TrackInfo& audio = layout.tracks[3];
  CHECK(audio.kind == MediaKind::Audio);
  CHECK(audio.codecs == "mp4a.40.2");
  CHECK(audio.sample_rate == 48000);
  CHECK(audio.channels == 2);
  const auto& audio_packets = sink->tracks_[audio.id];
  check_monotonic(audio_packets);
  int64_t samples = 0;
  for (const auto& p : audio_packets) samples += p.duration;
  // 6 s of source audio plus the AAC priming of the source and of our encoder (~1024 samples each).
  CHECK(std::abs(samples - 6 * 48000) < 4800);
  std::string probe = run("ffprobe -v error -show_entries stream=codec_name,sample_rate,channels -of csv=p=0 " +
                          (tmp.path / "track4.mp4").string());
  CHECK(probe == "aac,48000,2\n");

  // Interleaved by time across tracks (decode order).
  REQUIRE_FALSE(sink->dts_us_in_order_.empty());
  int64_t newest_us = sink->dts_us_in_order_.front();
  for (int64_t dts_us : sink->dts_us_in_order_) {
    CHECK(dts_us >= newest_us - 100'000);
    newest_us = std::max(newest_us, dts_us);
  }
}

TEST_CASE("input loss with EMIT_OUTPUT fills the gap on a continuous timeline", "[transcode][media]") {
  TranscodeTempDir tmp;
  auto events = record(make_input(tmp.path, 2));
  LadderSpec spec = ladder({rung("v144", 256, 144, 250'000)});
  spec.input_loss.emit_output = true;
  spec.input_loss.input_loss_threshold_ms = 500;
  spec.input_loss.repeat_frame_ms = 500;
  spec.input_loss.black_frame_ms = 500;
  spec.input_loss.color = "FF0000";
  auto sink = std::make_shared<CapturingSink>(tmp.path);
  LiveTranscoder transcoder(spec, sink);
  transcoder.start();

  publish(transcoder, events, 2000);
  end_publish(transcoder);
  // Filler runs in real time; wait until it has covered repeat, black and some colour.
  for (int i = 0; i < 1000 && sink->newest_pts(1) < 4 * 90000 + 30000; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(sink->newest_pts(1) >= 4 * 90000);
  publish(transcoder, events, 2000);
  transcoder.stop();

  CHECK(std::count(sink->events_.begin(), sink->events_.end(), "discontinuity") == 0);
  REQUIRE(sink->events_.back() == "end");
  const auto& video = sink->tracks_[1];
  check_monotonic(video);
  auto pts = sorted_pts(video);
  for (size_t k = 0; k < pts.size(); ++k) REQUIRE(pts[k] == static_cast<int64_t>(k) * 3000);
  CHECK(pts.back() >= 6 * 90000 - 3000);  // 2 s + at least 2 s of filler + 2 s
  // The GOP cadence continues through the filler and after the input returns.
  for (int64_t k : key_pts(video)) CHECK(k % 180000 == 0);
  CHECK(key_pts(video).size() == static_cast<size_t>(pts.back() / 180000 + 1));

  const auto& audio = sink->tracks_[2];
  check_monotonic(audio);
  for (size_t i = 1; i < audio.size(); ++i) REQUIRE(audio[i].pts - audio[i - 1].pts == 1024);

  // Filler pictures: black from 0.5 s into the loss, then the configured colour.
  auto black = mean_yuv_at(tmp.path / "track1.mp4", 2.75, 256, 144);
  CHECK(black[0] == Approx(16).margin(3));
  auto red = mean_yuv_at(tmp.path / "track1.mp4", 3.75, 256, 144);
  CHECK(red[0] == Approx(82).margin(6));
  CHECK(red[2] == Approx(240).margin(8));
}

TEST_CASE("input loss with PAUSE_OUTPUT stops, then resumes after a discontinuity", "[transcode][media]") {
  TranscodeTempDir tmp;
  auto events = record(make_input(tmp.path, 2));
  LadderSpec spec = ladder({rung("v144", 256, 144, 250'000)});
  spec.input_loss.emit_output = false;
  spec.input_loss.input_loss_threshold_ms = 500;
  auto sink = std::make_shared<CapturingSink>(tmp.path);
  LiveTranscoder transcoder(spec, sink);
  transcoder.start();

  publish(transcoder, events, 2000);
  end_publish(transcoder);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  size_t events_during_loss = sink->event_count();
  publish(transcoder, events, 2000);
  transcoder.stop();

  auto& log = sink->events_;
  REQUIRE(std::count(log.begin(), log.end(), "discontinuity") == 1);
  size_t cut = std::find(log.begin(), log.end(), "discontinuity") - log.begin();
  CHECK(cut == events_during_loss);  // everything before the loss went out before the pause
  REQUIRE(log.back() == "end");

  const auto& video = sink->tracks_[1];
  check_monotonic(video);
  REQUIRE(video.size() == 120);
  auto pts = sorted_pts(video);
  for (size_t k = 1; k < 60; ++k) REQUIRE(pts[k] - pts[k - 1] == 3000);
  for (size_t k = 61; k < 120; ++k) REQUIRE(pts[k] - pts[k - 1] == 3000);
  // The timeline jumped by the wall-clock gap, to a GOP boundary, starting with an IDR.
  CHECK(pts[60] - pts[59] > 90000);
  CHECK(pts[60] % 180000 == 0);
  auto keys = key_pts(video);
  CHECK(std::find(keys.begin(), keys.end(), pts[60]) != keys.end());

  const auto& audio = sink->tracks_[2];
  check_monotonic(audio);
  REQUIRE_FALSE(audio.empty());
  CHECK(audio.back().pts > pts[60] * 48000 / 90000);
}

TEST_CASE("renditions convert frame rate, follow the source size and take every rate control", "[transcode][media]") {
  TranscodeTempDir tmp;
  auto events = record(make_input(tmp.path, 2));
  VideoRenditionSpec follow = rung("follow15", 0, 0, 0);  // source size, 15 fps, QVBR
  follow.rate_control = VideoRenditionSpec::RateControl::Qvbr;
  follow.max_bitrate = 800'000;
  follow.fps_num = 15;
  follow.fps_den = 1;
  follow.gop_size = 1;
  VideoRenditionSpec boxed = rung("boxed60", 320, 240, 400'000);  // 16:9 into 4:3, 60 fps, VBR
  boxed.rate_control = VideoRenditionSpec::RateControl::Vbr;
  boxed.fps_num = 60;
  boxed.fps_den = 1;
  boxed.gop_size = 1;
  boxed.profile = "baseline";
  auto sink = std::make_shared<CapturingSink>(tmp.path);
  LiveTranscoder transcoder(ladder({follow, boxed}), sink);
  transcoder.start();
  publish(transcoder, events, 10'000);
  transcoder.stop();

  REQUIRE(sink->layouts_ == 1);
  const auto& tracks = sink->layout_.tracks;
  CHECK((tracks[0].width == 640 && tracks[0].height == 360));
  CHECK((tracks[0].frame_rate.num == 15 && tracks[0].frame_rate.den == 1));
  CHECK((tracks[1].width == 320 && tracks[1].height == 240));
  CHECK(tracks[1].codecs.rfind("avc1.42", 0) == 0);  // baseline

  auto slow = sorted_pts(sink->tracks_[1]);
  REQUIRE(slow.size() == 30);  // 2 s at 15 fps: every other source frame dropped
  for (size_t k = 0; k < slow.size(); ++k) REQUIRE(slow[k] == static_cast<int64_t>(k) * 6000);
  auto fast = sorted_pts(sink->tracks_[2]);
  REQUIRE(fast.size() == 119);  // 60 fps: each source frame twice, the last one once
  for (size_t k = 0; k < fast.size(); ++k) REQUIRE(fast[k] == static_cast<int64_t>(k) * 1500);
  // GOP 1 s on both grids: IDRs at the same instants whatever the frame rate.
  CHECK(key_pts(sink->tracks_[1]) == std::vector<int64_t>{0, 90000});
  CHECK(key_pts(sink->tracks_[2]) == std::vector<int64_t>{0, 90000});

  // 16:9 into 4:3 letterboxes: black rows at the top, picture in the middle.
  auto top = mean_yuv_at(tmp.path / "track2.mp4", 0.5, 320, 240);
  CHECK(top[0] > 16.5);  // not all black (there is a picture)
  // yuv420p, not gray: swscale expands limited-range luma to full range for gray (16 -> 0).
  std::string raw = run("ffmpeg -v error -ss 0.5 -i " + (tmp.path / "track2.mp4").string() +
                        " -frames:v 1 -f rawvideo -pix_fmt yuv420p -");
  REQUIRE(raw.size() == 320u * 240u * 3 / 2);
  double band = 0;
  for (int i = 0; i < 320 * 20; ++i) band += static_cast<uint8_t>(raw[i]);  // top 20 rows of Y
  CHECK(band / (320 * 20) == Approx(16).margin(3));
}

// What one track spent: its bits over the span of its timestamps.
struct Spend {
  double bits = 0, seconds = 0;
  double rate() const { return bits / seconds; }
};
Spend spend_of(const OutputLayout& layout, const std::vector<Captured>& packets, int track_id) {
  REQUIRE(packets.size() > 1);
  Spend spend;
  for (const auto& p : packets) spend.bits += p.size * 8.0;
  auto pts = sorted_pts(packets);
  const AVRational tb = layout.track(track_id)->time_base;
  spend.seconds = static_cast<double>(pts.back() - pts.front() + packets.front().duration) * tb.num / tb.den;
  return spend;
}

// Each H264Settings RateControlMode does what MediaLive documents (ML-UG video-encode-rate-control):
// CBR holds its Bitrate, VBR averages its Bitrate, QVBR keeps a quality and spends no more than
// MaxBitrate: a high quality level hits that cap, a low one stays far under it.
TEST_CASE("rate control: CBR holds its bitrate, VBR averages it, QVBR keeps quality under MaxBitrate",
          "[transcode][media]") {
  TranscodeTempDir tmp;
  auto events = record(make_input(tmp.path, 4));
  VideoRenditionSpec cbr = rung("cbr", 640, 360, 300'000);
  cbr.rate_control = VideoRenditionSpec::RateControl::Cbr;
  VideoRenditionSpec vbr = rung("vbr", 640, 360, 300'000);
  vbr.rate_control = VideoRenditionSpec::RateControl::Vbr;
  VideoRenditionSpec capped = rung("qvbr10", 640, 360, 0);  // quality 10 (CRF 18) wants far more than its cap
  capped.rate_control = VideoRenditionSpec::RateControl::Qvbr;
  capped.qvbr_quality = 10;
  capped.max_bitrate = 300'000;
  VideoRenditionSpec modest = rung("qvbr1", 640, 360, 0);  // quality 1 (CRF 36): a fraction of its cap
  modest.rate_control = VideoRenditionSpec::RateControl::Qvbr;
  modest.qvbr_quality = 1;
  modest.max_bitrate = 3'000'000;
  for (auto* v : {&cbr, &vbr, &capped, &modest}) v->gop_size = 1;
  auto sink = std::make_shared<CapturingSink>(tmp.path);
  LiveTranscoder transcoder(ladder({cbr, vbr, capped, modest}), sink);
  transcoder.start();
  publish(transcoder, events, 10'000);
  transcoder.stop();

  REQUIRE(sink->layouts_ == 1);
  const auto& layout = sink->layout_;
  const Spend cbr_spend = spend_of(layout, sink->tracks_[1], 1), vbr_spend = spend_of(layout, sink->tracks_[2], 2);
  const Spend capped_spend = spend_of(layout, sink->tracks_[3], 3), modest_spend = spend_of(layout, sink->tracks_[4], 4);
  const double cbr_rate = cbr_spend.rate(), vbr_rate = vbr_spend.rate();
  const double capped_rate = capped_spend.rate(), modest_rate = modest_spend.rate();
  INFO("CBR " << cbr_rate << " b/s, VBR " << vbr_rate << ", QVBR 10 " << capped_rate << ", QVBR 1 " << modest_rate);
  CHECK(cbr_rate == Approx(300'000).epsilon(0.2));
  CHECK(vbr_rate == Approx(300'000).epsilon(0.3));
  // The HRD bound of a cap: over any span, MaxBitrate x span + BufSize (here 2 x MaxBitrate).
  CHECK(capped_spend.bits <= 300'000 * capped_spend.seconds + 600'000);
  CHECK(capped_rate >= 300'000 * 0.6);  // the cap binds: the quality asked for would cost more
  CHECK(modest_rate < 3'000'000 * 0.25);
}

TEST_CASE("corrupt input is skipped, not fatal", "[transcode][media]") {
  TranscodeTempDir tmp;
  auto events = record(make_input(tmp.path, 2));
  std::vector<IngestEvent> damaged;
  IngestEvent bad_config;
  bad_config.type = IngestEvent::Type::VideoConfig;
  bad_config.data = {1, 2, 3};
  damaged.push_back(bad_config);
  int n = 0;
  for (auto e : events) {
    if (e.type == IngestEvent::Type::Frame && e.kind == MediaKind::Video && ++n % 7 == 0) {
      for (size_t i = 4; i < e.data.size(); i += 3) e.data[i] ^= 0x5a;  // garble the slice data
    }
    if (e.type == IngestEvent::Type::Frame && e.kind == MediaKind::Audio && n % 5 == 0) e.data.resize(3);
    damaged.push_back(std::move(e));
  }
  auto sink = std::make_shared<CapturingSink>(tmp.path);
  LiveTranscoder transcoder(ladder({rung("v144", 256, 144, 250'000)}), sink);
  transcoder.start();
  publish(transcoder, damaged, 10'000);
  transcoder.stop();
  REQUIRE(sink->layouts_ == 1);
  CHECK(sink->events_.back() == "end");
  CHECK(sink->tracks_[1].size() > 30);
  check_monotonic(sink->tracks_[1]);
  CHECK_FALSE(sink->tracks_[2].empty());
}

namespace {

// Loudest sample, in dB, of an audio file between two times (ffmpeg volumedetect).
double max_volume_db(const fs::path& file, double from_s, double to_s) {
  std::string log = run("ffmpeg -hide_banner -nostats -ss " + std::to_string(from_s) + " -t " +
                        std::to_string(to_s - from_s) + " -i " + file.string() +
                        " -af volumedetect -f null - 2>&1");
  auto at = log.find("max_volume:");
  REQUIRE(at != std::string::npos);
  return std::atof(log.c_str() + at + 11);
}

// The events of a 4 s input with its audio 600 ms ahead of the video and, only after the video
// frame it splices at, the input's cue: a splice_insert at 1 s with a 1 s break (the late cue of a
// relay whose section follows its keyframe).
std::vector<IngestEvent> audio_ahead_with_a_late_cue(const fs::path& dir) {
  auto recorded = record(make_input(dir, 4));
  std::vector<IngestEvent> events;
  std::vector<std::pair<int64_t, IngestEvent>> frames;
  for (auto& e : recorded) {
    if (e.type == IngestEvent::Type::End) continue;
    if (e.type != IngestEvent::Type::Frame) events.push_back(std::move(e));
    else frames.emplace_back(e.kind == MediaKind::Audio ? e.dts_ms - 600 : e.dts_ms, std::move(e));
  }
  std::stable_sort(frames.begin(), frames.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  bool cue_sent = false;
  for (auto& [order, e] : frames) {
    const bool after_splice = e.kind == MediaKind::Video && e.dts_ms >= 1000;
    events.push_back(std::move(e));
    if (after_splice && !cue_sent) {
      ads::SpliceInfo info;
      info.event_id = 7;
      info.break_duration_90k = 90'000;
      IngestEvent cue;
      cue.type = IngestEvent::Type::Cue;
      cue.dts_ms = 1000;
      cue.data = ads::encode_splice_info(info, 90'000);
      events.push_back(std::move(cue));
      cue_sent = true;
    }
  }
  return events;
}

// Transcodes `events` with avail blanking (and `image`, when set) into `dir`; the splice's time in
// seconds: the IDR forced between the GOP's own (every 2 s).
double transcode_a_break(const fs::path& dir, const std::vector<IngestEvent>& events, const std::string& image,
                         const ads::AvailRules& rules = {}) {
  fs::create_directories(dir);
  LadderSpec spec = ladder({rung("v144", 256, 144, 250'000)});
  spec.avail_blanking = true;
  spec.avail_blanking_image = image;
  spec.avail_rules = rules;
  auto sink = std::make_shared<CapturingSink>(dir);
  LiveTranscoder transcoder(spec, sink);
  transcoder.start();
  publish(transcoder, events, 10'000);
  transcoder.stop();
  int64_t splice_pts = -1;
  for (int64_t k : key_pts(sink->tracks_[1]))
    if (k % 180000 != 0) splice_pts = k;
  REQUIRE(splice_pts > 0);
  return splice_pts / 90000.0;
}

}  // namespace

TEST_CASE("ad avail blanking: black and silence through the break, audio decoded ahead of the video included",
          "[transcode][media]") {
  TranscodeTempDir tmp;
  const auto events = audio_ahead_with_a_late_cue(tmp.path);
  const double splice_s = transcode_a_break(tmp.path / "black", events, "");
  INFO("splice at " << splice_s << " s");
  CHECK(splice_s >= 1.0);
  CHECK(splice_s < 1.5);
  const fs::path video = tmp.path / "black/track1.mp4", audio = tmp.path / "black/track2.mp4";
  CHECK(mean_yuv_at(video, splice_s - 0.3, 256, 144)[0] > 40);
  CHECK(mean_yuv_at(video, splice_s + 0.5, 256, 144)[0] == Approx(16).margin(2));
  CHECK(mean_yuv_at(video, splice_s + 1.3, 256, 144)[0] > 40);
  CHECK(max_volume_db(audio, splice_s - 0.5, splice_s - 0.1) > -30);
  CHECK(max_volume_db(audio, splice_s + 0.05, splice_s + 0.95) < -80);  // the AAC frames at the edges aside
  CHECK(max_volume_db(audio, splice_s + 1.1, splice_s + 1.5) > -30);

  // With an AvailBlankingImage (a red PNG of another size), the break shows it instead.
  run("ffmpeg -v error -y -f lavfi -i color=c=red:size=320x180 -frames:v 1 " + (tmp.path / "slate.png").string());
  const double image_splice_s = transcode_a_break(tmp.path / "image", events, (tmp.path / "slate.png").string());
  const auto red = mean_yuv_at(tmp.path / "image/track1.mp4", image_splice_s + 0.5, 256, 144);
  CHECK(red[0] == Approx(82).margin(6));
  CHECK(red[2] == Approx(240).margin(8));
  CHECK(mean_yuv_at(tmp.path / "image/track1.mp4", image_splice_s + 1.3, 256, 144)[2] < 200);  // back to the input
  // One that cannot be read is black (and logged).
  const double missing_splice_s = transcode_a_break(tmp.path / "missing", events, (tmp.path / "none.png").string());
  CHECK(mean_yuv_at(tmp.path / "missing/track1.mp4", missing_splice_s + 0.5, 256, 144)[0] == Approx(16).margin(2));
  // In Scte35TimeSignalApos mode a splice_insert is no avail: the splice point is kept, nothing is blanked.
  ads::AvailRules apos;
  apos.mode = ads::AvailRules::Mode::TimeSignalApos;
  const double apos_splice_s = transcode_a_break(tmp.path / "apos", events, "", apos);
  CHECK(mean_yuv_at(tmp.path / "apos/track1.mp4", apos_splice_s + 0.5, 256, 144)[0] > 40);
  CHECK(max_volume_db(tmp.path / "apos/track2.mp4", apos_splice_s + 0.05, apos_splice_s + 0.95) > -30);
}

TEST_CASE("input loss with InputLossImageType SLATE shows the slate where the colour would be", "[transcode][media]") {
  TranscodeTempDir tmp;
  auto events = record(make_input(tmp.path, 2));
  run("ffmpeg -v error -y -f lavfi -i color=c=blue:size=640x360 -frames:v 1 " + (tmp.path / "slate.bmp").string());
  LadderSpec spec = ladder({rung("v144", 256, 144, 250'000)});
  spec.input_loss.emit_output = true;
  spec.input_loss.input_loss_threshold_ms = 500;
  spec.input_loss.repeat_frame_ms = 500;
  spec.input_loss.black_frame_ms = 500;
  spec.input_loss.slate_image = (tmp.path / "slate.bmp").string();
  auto sink = std::make_shared<CapturingSink>(tmp.path);
  LiveTranscoder transcoder(spec, sink);
  transcoder.start();
  publish(transcoder, events, 2000);
  end_publish(transcoder);
  for (int i = 0; i < 1000 && sink->newest_pts(1) < 4 * 90000; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  transcoder.stop();
  REQUIRE(sink->newest_pts(1) >= 4 * 90000);
  CHECK(mean_yuv_at(tmp.path / "track1.mp4", 2.75, 256, 144)[0] == Approx(16).margin(3));  // black first
  const auto blue = mean_yuv_at(tmp.path / "track1.mp4", 3.75, 256, 144);
  CHECK(blue[0] == Approx(41).margin(6));
  CHECK(blue[1] == Approx(240).margin(8));
}
