// MPEG-TS pushed over UDP (UDP_PUSH) or RTP (RTP_PUSH) as an IngestSource. It listens on the
// input's allocated ports (one per pipeline destination), admits datagrams only from senders its
// AddressFilter allows, depacketises RTP (rtp_reorder.hpp: reordering and loss tolerated, loss
// counted), and demuxes the transport stream with libavformat (FileSource with a custom reader),
// which delivers H.264 as AVCC and AAC raw, in milliseconds, like every source.
//
// Two ports feed one transcoder: the source locks onto the port that delivers first and moves to
// the other only after the first has been quiet for a while, so two senders never interleave.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/file_source.hpp"
#include "pipeline/ingest/ingest_source.hpp"

namespace mediaemu::pipeline::ts {

struct TsPushSpec {
  std::string label;         // "input 123 of channel 456"
  std::string host;          // address to bind, e.g. "127.0.0.1"
  std::vector<int> ports;    // the input's destination ports
  bool rtp = false;          // RTP_PUSH: datagrams carry RTP headers
  AddressFilter allowed = AddressFilter::allow_all();
  int scte35_pid = 0;  // InputSettings.Scte35Pid (FileSourceOptions::scte35_pid)
};

class TsPushSource : public IngestSource {
 public:
  explicit TsPushSource(TsPushSpec spec);
  ~TsPushSource() override;  // stop()

  std::string transport() const override { return spec_.rtp ? "RTP_PUSH" : "UDP_PUSH"; }
  // Binds the ports (throws std::runtime_error naming the port when one cannot be bound).
  void start(std::shared_ptr<IngestSink> sink) override;
  void stop() override;
  void update_allowed(AddressFilter allowed) override;
  IngestSourceStatus status() const override;

 private:
  void receive_loop();
  int read(uint8_t* buffer, int size);  // FileSource's reader, on its thread
  void enqueue(const uint8_t* data, size_t size);

  TsPushSpec spec_;
  std::vector<int> sockets_;
  std::thread receiver_;
  std::unique_ptr<FileSource> demuxer_;
  std::atomic<bool> stop_{false};

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable readable_;
  std::deque<std::vector<uint8_t>> chunks_;  // transport stream bytes waiting for the demuxer
  size_t chunk_offset_ = 0;
  std::string sender_;
  std::chrono::steady_clock::time_point last_datagram_{};
  int64_t refused_ = 0, overflowed_ = 0;
  int64_t rtp_received_ = 0, rtp_lost_ = 0;  // the receive loop's RtpReorder counts, copied out
};

}  // namespace mediaemu::pipeline::ts
