#include "pipeline/ingest/pull/pull_source.hpp"

#include <spdlog/spdlog.h>

namespace mediaemu::pipeline::pull {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kReceivingWindow = std::chrono::seconds(2);  // "receiving" = a frame this recently

std::string seconds_text(std::chrono::milliseconds d) {
  if (d < std::chrono::seconds(1)) return std::to_string(d.count()) + " ms";
  return std::to_string(d.count() / 1000) + "." + std::to_string(d.count() % 1000 / 100) + " s";
}

}  // namespace

PullSource::PullSource(PullSpec spec) : spec_(std::move(spec)) {
  if (spec_.urls.empty()) throw std::invalid_argument(spec_.label + " has no URL to pull");
}

PullSource::~PullSource() { stop(); }

void PullSource::start(std::shared_ptr<IngestSink> sink) {
  if (thread_.joinable()) return;
  sink_ = std::move(sink);
  thread_ = std::thread([this] { run(); });
}

void PullSource::stop() {
  if (stop_.exchange(true)) return;
  std::shared_ptr<FileSource> attempt;
  {
    std::lock_guard lock(mutex_);
    attempt = current_;
  }
  if (attempt) attempt->stop();  // interrupts a blocking open or read at once
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

IngestSourceStatus PullSource::status() const {
  std::lock_guard lock(mutex_);
  IngestSourceStatus status;
  status.ended = ended_;
  if (!current_) return status;
  auto last = current_->stats().last_frame;
  status.receiving = last != Clock::time_point{} && Clock::now() - last < kReceivingWindow;
  if (status.receiving) status.sender = current_url_;
  return status;
}

int PullSource::attempts() const {
  std::lock_guard lock(mutex_);
  return attempts_;
}

bool PullSource::ended() const {
  std::lock_guard lock(mutex_);
  return ended_;
}

bool PullSource::pause(std::chrono::milliseconds how_long) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, how_long, [&] { return stop_.load(); });
  return !stop_;
}

void PullSource::run() {
  auto backoff = spec_.first_retry;
  for (size_t index = 0; !stop_;) {
    const std::string& url = spec_.urls[index];
    FileSourceOptions options;
    options.url = url;
    options.realtime = spec_.realtime;
    options.loop = spec_.loop;
    options.clip = spec_.clip;
    options.scte35_pid = spec_.scte35_pid;
    options.label = spec_.label + " (" + spec_.transport + " " + redact_url(url) + ")";
    options.open_options = spec_.open_options;
    options.admit = [this](bool finite) { return !(finite && live_played_); };
    auto attempt = std::make_shared<FileSource>(std::move(options), sink_);
    {
      std::lock_guard lock(mutex_);
      if (stop_) break;
      current_ = attempt;
      current_url_ = redact_url(url);
      ++attempts_;
    }
    attempt->start();
    attempt->wait();  // the attempt ends by itself, or stop() ends it
    if (stop_) break;
    const auto stats = attempt->stats();
    const std::string error = attempt->error();
    if (error.empty() && stats.finite) {
      // Played to its end once (a looping FileSource never ends by itself), or a live stream
      // became a finished playlist (admit refused it).
      if (live_played_)
        spdlog::info("ingest: {}: the live stream at {} ended (its playlist is complete now); the input is lost "
                     "until the channel restarts", spec_.label, redact_url(url));
      else
        spdlog::info("ingest: {} played {} to its end; the input is lost until the channel restarts "
                     "(InputSettings.SourceEndBehavior LOOP plays a file input again)",
                     spec_.label, redact_url(url));
      std::lock_guard lock(mutex_);
      ended_ = true;
      break;
    }
    if (stats.video_frames + stats.audio_frames > 0) {
      backoff = spec_.first_retry;  // it worked for a while
      if (error.empty()) live_played_ = true;
    }
    if (spec_.urls.size() > 1) index = (index + 1) % spec_.urls.size();
    spdlog::warn("ingest: {}: {}; pulling {} again in {}", spec_.label,
                 error.empty() ? "the stream ended" : error, redact_url(spec_.urls[index]), seconds_text(backoff));
    if (!pause(backoff)) break;
    backoff = std::min(backoff * 2, spec_.max_retry);
  }
  spdlog::info("ingest: {} stopped pulling after {} attempt(s)", spec_.label, attempts());
}

}  // namespace mediaemu::pipeline::pull
