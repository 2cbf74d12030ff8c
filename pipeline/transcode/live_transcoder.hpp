// A channel pipeline's transcoder: an IngestSink on the ingest side, a MediaSink on the output
// side, and one worker thread between them that does all libav work (decode once, scale and
// encode each rendition, input-loss filler). Network threads only ever call offer().
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>
#include <thread>

#include "pipeline/bounded_queue.hpp"
#include "pipeline/media.hpp"
#include "pipeline/transcode/ladder_spec.hpp"
#include "pipeline/transcode/transcode_health.hpp"

namespace mediaemu::pipeline {

class LadderEngine;

class LiveTranscoder : public IngestSink {
 public:
  // Validates the ladder and opens the audio encoders; throws std::invalid_argument or
  // std::runtime_error with the reason when the spec cannot run.
  LiveTranscoder(LadderSpec spec, std::shared_ptr<MediaSink> out, size_t queue_capacity = 512);
  ~LiveTranscoder() override;  // stop()
  LiveTranscoder(const LiveTranscoder&) = delete;
  LiveTranscoder& operator=(const LiveTranscoder&) = delete;

  void start();
  // Processes what is queued, flushes the encoders, calls out->on_end(), joins the worker.
  // Idempotent; offer() returns false afterwards.
  void stop();

  // Never blocks: false when the queue is full (the caller keeps the event and retries).
  bool offer(IngestEvent& event) override;

  // An SCTE-35 cue (LadderEngine::insert_cue), from any thread; the worker places it within its
  // next wait (at most a second).
  void insert_cue(ads::CueRequest cue);

  const LadderSpec& spec() const { return spec_; }
  // Read by any thread; the worker keeps it current.
  std::shared_ptr<const TranscodeHealth> health() const { return health_; }

 private:
  void run();

  LadderSpec spec_;
  std::shared_ptr<MediaSink> out_;
  BoundedQueue<IngestEvent> queue_;
  std::unique_ptr<LadderEngine> engine_;
  std::thread worker_;
  std::mutex lifecycle_;
  bool started_ = false, stopped_ = false;
  std::atomic<int64_t> rejected_{0};
  std::mutex cues_mutex_;
  std::vector<ads::CueRequest> cues_;  // insert_cue, not yet taken by the worker
  const std::shared_ptr<TranscodeHealth> health_ = std::make_shared<TranscodeHealth>();
};

}  // namespace mediaemu::pipeline
