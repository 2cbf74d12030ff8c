// Reads a file or URL with libavformat (MP4, FLV, MPEG-TS, an HLS playlist, anything it opens)
// and feeds its H.264 video and AAC audio to an IngestSink as the RTMP ingest would: avcC
// VideoConfig + AVCC frames, AudioSpecificConfig AudioConfig + raw AAC frames, millisecond
// timestamps. Used by tests and benchmarks, and for MediaLive MP4_FILE / URL_PULL inputs.
#pragma once

#include <atomic>
#include <functional>
#include <condition_variable>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "pipeline/ingest/timecode_clip.hpp"
#include "pipeline/ads/splice_decode.hpp"
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
  // libavformat open options for `url` (AVOptions of its protocol and demuxer: e.g. srt's
  // "passphrase", hls's "live_start_index"); they override the defaults (rw_timeout 15 s).
  std::map<std::string, std::string> open_options = {};
  // Asked once the input is open, before anything is delivered: false ends the source as if the
  // input were over. `finite`: the input declared a duration (see Stats::finite).
  std::function<bool(bool finite)> admit = nullptr;
  // Only this part of the input plays (each pass, when looping): from the keyframe at or before
  // the clip's start (the ladder decodes from there) to its stop frame. A timecode that does not
  // fit the input (a frame number beyond its rate) ends the source with the reason.
  std::optional<TimecodeClip> clip = std::nullopt;
  // InputSettings.Scte35Pid: the PID whose SCTE-35 sections become cues (IngestEvent::Type::Cue);
  // 0: the first SCTE-35 stream found.
  int scte35_pid = 0;
};

// "https://user:secret@host/x" -> "https://user:***@host/x": URLs go to logs and alerts.
std::string redact_url(const std::string& url);

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
    // The input declared a duration when opened: a file or a VOD playlist (an HLS playlist with
    // EXT-X-ENDLIST), not a live stream. Its end is the end, not a break to reconnect after.
    bool finite = false;
    std::chrono::steady_clock::time_point last_frame{};  // when the sink last took a frame
  };
  Stats stats() const;

 private:
  class Translator;
  void run();
  bool read_once(Translator& translator, int64_t& offset_ms, bool first_pass);
  bool deliver(IngestEvent& event);
  // An SCTE-35 section: a Cue event at its splice time, or a log line saying why it makes none.
  bool deliver_cue(const AVPacket& packet, const ads::SpliceClock& clock);
  bool wait_until_due(int64_t dts_ms);

  FileSourceOptions options_;
  std::string shown_url_;  // options_.url without its password, for messages
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

// The demuxer of a push source that receives MPEG-TS itself (UDP/RTP ports, MediaConnect flow
// taps): reads what `read` hands it; named "<transport> <label>" in logs and alerts.
std::unique_ptr<FileSource> pushed_mpegts_demuxer(const std::string& transport, const std::string& label,
                                                  std::function<int(uint8_t* buffer, int size)> read,
                                                  std::shared_ptr<IngestSink> sink, int scte35_pid = 0);

}  // namespace mediaemu::pipeline
