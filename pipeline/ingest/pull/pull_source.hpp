// An input that mediaemu fetches instead of being sent to: an HLS playlist or MP4 over HTTP(S)
// (URL_PULL), a file (MP4_FILE, TS_FILE), an RTMP server's stream (RTMP_PULL), MPEG-TS over SRT
// where the channel calls the sender (SRT_CALLER) or waits for it to call (SRT_LISTENER). libavformat opens the URL; FileSource
// demuxes it on a thread of its own and delivers what every IngestSource delivers
// (pipeline/media.hpp): H.264 as AVCC with an avcC VideoConfig, raw AAC with an
// AudioSpecificConfig, dts/cts in milliseconds (kIngestTimeBaseDen), starting at 0 each time the
// URL is (re)opened, after an End event for the previous attempt.
//
// The source's own thread keeps the input up: when the URL cannot be opened or the stream breaks
// it logs why and tries again (the next URL, for a STANDARD input with two) after a back-off
// that doubles up to a ceiling. A finite input (a file, a VOD playlist) that plays to its end is
// not reopened unless `loop`: MediaLive plays file inputs once unless the attachment's
// InputSettings.SourceEndBehavior is LOOP; the input is then lost, as on AWS.
//
// Threads: start()/stop() on the channel's supervisor thread; status() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/file_source.hpp"
#include "pipeline/ingest/ingest_source.hpp"

namespace mediaemu::pipeline::pull {

struct PullSpec {
  std::string label;                  // "input 123 of channel 456"
  std::string transport;              // the MediaLive input type: "URL_PULL", "MP4_FILE", "SRT_CALLER", ...
  std::vector<std::string> urls;      // what libavformat opens, one per pipeline (tried in turn)
  std::map<std::string, std::string> open_options;  // protocol/demuxer AVOptions (srt latency, hls live options)
  bool realtime = true;  // pace by timestamps: a channel consumes files and HLS at real-time speed
  bool loop = false;     // a finite input starts over at its end (SourceEndBehavior LOOP)
  std::optional<TimecodeClip> clip;  // InputClippingSettings of the switch that opened it
  int scte35_pid = 0;                // InputSettings.Scte35Pid (FileSourceOptions::scte35_pid)
  std::chrono::milliseconds first_retry{1000}, max_retry{16000};
};

class PullSource : public IngestSource {
 public:
  explicit PullSource(PullSpec spec);
  ~PullSource() override;  // stop()

  std::string transport() const override { return spec_.transport; }
  void start(std::shared_ptr<IngestSink> sink) override;
  void stop() override;
  // Pulled inputs have no sender to admit (SRT_LISTENER checks callers in its relay).
  void update_allowed(AddressFilter) override {}
  IngestSourceStatus status() const override;

  // For tests: how many times a URL was opened, and whether the source gave up for good (a
  // finite input that played to its end).
  int attempts() const;
  bool ended() const;

 private:
  void run();
  bool pause(std::chrono::milliseconds how_long);  // false when stopping

  PullSpec spec_;
  std::shared_ptr<IngestSink> sink_;
  std::thread thread_;
  std::atomic<bool> stop_{false};

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::shared_ptr<FileSource> current_;  // the attempt under way
  std::string current_url_;              // redacted
  int attempts_ = 0;
  bool ended_ = false;
  // A live stream played and broke off cleanly: if the URL now opens as a finished playlist, the
  // live event ended (EXT-X-ENDLIST); replaying it from its first segment would repeat the event.
  std::atomic<bool> live_played_{false};
};

}  // namespace mediaemu::pipeline::pull
