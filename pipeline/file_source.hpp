// Reads a file or URL with libavformat (MP4, FLV, MPEG-TS, an HLS playlist, anything it opens)
// and feeds its H.264 video and AAC audio to an IngestSink as the RTMP ingest would: avcC
// VideoConfig + AVCC frames, AudioSpecificConfig AudioConfig + raw AAC frames, millisecond
// timestamps. Used by tests and benchmarks, and for MediaLive MP4_FILE / URL_PULL inputs.
#pragma once

#include <atomic>
#include <functional>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "pipeline/media.hpp"

namespace mediaemu::pipeline {

struct FileSourceOptions {
  std::string url;        // a path, or any URL libavformat opens (file:, http(s): HLS, ...)
  bool realtime = false;  // pace by timestamps (like ffmpeg -re); else as fast as the sink takes
  bool loop = false;      // start over at the end, timestamps continuing without a jump
  std::string label;      // for log lines
  // Instead of opening `url`: bytes come from this reader (a pushed stream, e.g. MPEG-TS received
  // over UDP/RTP), demuxed as `format` ("mpegts"). It fills `buffer` with up to `size` bytes and
  // returns how many, or a negative AVERROR (AVERROR_EOF at the end, AVERROR_EXIT when stopping).
  std::function<int(uint8_t* buffer, int size)> read = nullptr;
  std::string format = "";
};

class FileSource {
 public:
  FileSource(FileSourceOptions options, std::shared_ptr<IngestSink> sink);
  ~FileSource();  // stop()
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  // Starts the reading thread.
  void start();
  // Ends the thread (the sink gets an End event). Idempotent.
  void stop();
  // Blocks until the source ended by itself (end of input without loop, or an error) or stop().
  void wait();
  bool finished() const { return finished_; }
  // Why the source ended early (cannot open, no usable stream); empty after a normal end.
  std::string error() const;

  struct Stats {
    int64_t video_frames = 0, audio_frames = 0, loops = 0;
  };
  Stats stats() const;

 private:
  class Translator;
  void run();
  bool read_once(Translator& translator, int64_t& offset_ms, bool first_pass);
  bool deliver(IngestEvent& event);
  bool wait_until_due(int64_t dts_ms);

  FileSourceOptions options_;
  std::shared_ptr<IngestSink> sink_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  mutable std::mutex mutex_;  // guards error_, stats_, the wake-up below
  std::condition_variable wake_;
  std::string error_;
  Stats stats_;
  bool pacing_started_ = false;
  std::chrono::steady_clock::time_point pacing_wall_{};
  int64_t pacing_first_ms_ = 0;
};

}  // namespace mediaemu::pipeline
