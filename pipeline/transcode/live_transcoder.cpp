#include "pipeline/transcode/live_transcoder.hpp"

#include <spdlog/spdlog.h>

#include "pipeline/transcode/ladder_engine.hpp"

namespace mediaemu::pipeline {

LiveTranscoder::LiveTranscoder(LadderSpec spec, std::shared_ptr<MediaSink> out, size_t queue_capacity)
    : spec_(std::move(spec)), out_(std::move(out)), queue_(queue_capacity) {
  if (!out_) throw std::invalid_argument("LiveTranscoder needs a MediaSink");
  engine_ = std::make_unique<LadderEngine>(spec_, *out_);
}

LiveTranscoder::~LiveTranscoder() { stop(); }

void LiveTranscoder::start() {
  std::lock_guard lock(lifecycle_);
  if (started_ || stopped_) return;
  started_ = true;
  std::string rungs;
  for (const auto& v : spec_.video)
    rungs += fmt::format(" {}({}x{} {}b/s)", v.name, v.width, v.height, v.bitrate);
  for (const auto& a : spec_.audio) rungs += fmt::format(" {}(aac {}b/s)", a.name, a.bitrate);
  spdlog::info("transcode {}: started, preset {}, renditions:{}", spec_.label, spec_.x264_preset, rungs);
  worker_ = std::thread([this] { run(); });
}

void LiveTranscoder::stop() {
  std::lock_guard lock(lifecycle_);
  if (stopped_) return;
  stopped_ = true;
  queue_.close();
  if (started_) {
    worker_.join();
  } else {
    run();  // never started: still process what was offered and end the output
  }
  auto s = engine_->stats();
  spdlog::info(
      "transcode {}: stopped; in {} video / {} audio frames, out {} video / {} audio frames, "
      "dropped {}, duplicated {}, corrupt {}, without config {}, input losses {}, queue-full offers {}",
      spec_.label, s.video_frames_in, s.audio_frames_in, s.video_frames_out, s.audio_frames_out, s.dropped,
      s.duplicated, s.decode_errors, s.frames_without_config, s.losses, rejected_.load());
}

bool LiveTranscoder::offer(IngestEvent& event) {
  if (queue_.try_push(event)) return true;
  rejected_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void LiveTranscoder::insert_cue(ads::CueRequest cue) {
  std::lock_guard lock(cues_mutex_);
  cues_.push_back(std::move(cue));
}

void LiveTranscoder::run() {
  engine_->load_stills();
  auto wait = engine_->tick(LadderEngine::Clock::now());
  for (;;) {
    auto event = queue_.pop_for(wait);
    auto now = LadderEngine::Clock::now();
    std::vector<ads::CueRequest> cues;
    {
      std::lock_guard lock(cues_mutex_);
      cues.swap(cues_);
    }
    for (auto& c : cues) engine_->insert_cue(std::move(c));
    if (event) {
      engine_->handle(*event, now);
    } else if (queue_.closed()) {
      break;  // closed and drained
    }
    wait = engine_->tick(now);
    health_->dropped_frames.store(engine_->dropped_input_frames(), std::memory_order_relaxed);
    health_->fill_ms.store(engine_->fill_ms(now), std::memory_order_relaxed);
    health_->producing.store(engine_->producing(), std::memory_order_relaxed);
    auto [luma, audio] = engine_->take_peaks();
    TranscodeHealth::raise(health_->peak_luma_permille, luma);
    TranscodeHealth::raise(health_->peak_audio_ppm, audio);
  }
  engine_->finish();
  health_->producing.store(false, std::memory_order_relaxed);
}

}  // namespace mediaemu::pipeline
