// Benchmark, not a test: FileSource (as fast as possible) -> LiveTranscoder (the tools/bench/ladder
// ladder) -> a sink that only counts, then CPU seconds (all threads, getrusage) per media second.
// Usage: ladder_bench <input> [--threads N] [--preset P]
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <spdlog/spdlog.h>

#include "pipeline/file_source.hpp"
#include "pipeline/transcode/live_transcoder.hpp"

using namespace mediaemu::pipeline;

namespace {

class CountingSink : public MediaSink {
 public:
  void on_layout(const OutputLayout& layout) override { layout_ = layout; }
  void on_packet(const MediaPacket& p) override {
    bytes_ += p.packet->size;
    const TrackInfo* t = layout_.track(p.track_id);
    if (t && t->kind == MediaKind::Video && t->id == 1) {
      int64_t end = p.packet->pts + p.packet->duration;
      if (end > video_end_) video_end_ = end;
      ++frames_;
    }
  }
  void on_discontinuity() override {}
  void on_end() override {}
  double media_seconds() const { return video_end_ / 90000.0; }
  int64_t frames_ = 0, bytes_ = 0;

 private:
  OutputLayout layout_;
  int64_t video_end_ = 0;
};

VideoRenditionSpec rung(const char* name, int w, int h, int64_t bitrate) {
  VideoRenditionSpec v;
  v.name = name;
  v.width = w;
  v.height = h;
  v.bitrate = bitrate;
  v.buf_size = 2 * bitrate;  // ffmpeg side: -maxrate = bitrate, -bufsize = 2 x bitrate
  v.gop_size = 60;
  v.gop_in_frames = true;
  v.b_frames = 3;  // libx264 veryfast's default, which the ffmpeg side keeps
  v.profile = "high";
  return v;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <input> [--threads N] [--preset P]\n", argv[0]);
    return 2;
  }
  LadderSpec spec;
  spec.label = "ladder bench";
  spec.video = {rung("720p", 1280, 720, 3'000'000), rung("480p", 854, 480, 1'500'000),
                rung("240p", 426, 240, 500'000)};
  spec.audio = {AudioRenditionSpec{"aac", 128'000, 48'000, 2}};
  spec.outputs = {{"720p", "720p", {"aac"}}, {"480p", "480p", {"aac"}}, {"240p", "240p", {"aac"}}};
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads")) spec.encoder_threads = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--preset")) spec.x264_preset = argv[i + 1];
  }
  spdlog::set_level(spdlog::level::warn);
  av_log_set_level(AV_LOG_ERROR);

  auto sink = std::make_shared<CountingSink>();
  auto transcoder = std::make_shared<LiveTranscoder>(spec, sink);
  transcoder->start();
  FileSource source({argv[1], false, false, "bench input"}, transcoder);
  source.start();
  source.wait();
  transcoder->stop();
  if (!source.error().empty()) {
    std::fprintf(stderr, "input failed: %s\n", source.error().c_str());
    return 1;
  }
  double cpu = cpu_seconds(), media = sink->media_seconds();
  std::printf("cpu_seconds=%.2f media_seconds=%.2f cpu_per_media_second=%.3f frames=%lld bytes=%lld\n", cpu, media,
              media > 0 ? cpu / media : 0.0, static_cast<long long>(sink->frames_),
              static_cast<long long>(sink->bytes_));
  return 0;
}
