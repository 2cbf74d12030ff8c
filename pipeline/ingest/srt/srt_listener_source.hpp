// SRT_LISTENER: the input listens on its destination ports and an SRT caller (the sender) calls
// in with MPEG-TS. libavformat's srt protocol does the SRT side (handshake, ARQ, latency), but it
// cannot tell who called, so the input security group is applied in front of it: a UDP relay
// owns the public ports, drops every datagram from an address outside the whitelist (and logs the
// first from each), and forwards the rest, one loopback socket per caller, to a libavformat
// listener on an ephemeral 127.0.0.1 port. The demuxing, reconnecting after a caller leaves, and
// the units delivered (H.264 AVCC, raw AAC, milliseconds) are PullSource's.
//
// Threads: start()/stop()/update_allowed() on the supervisor thread; the relay runs on its own
// thread, the SRT reader on PullSource's; status() from any thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/ingest/ingest_source.hpp"
#include "pipeline/ingest/pull/pull_source.hpp"

namespace mediaemu::pipeline::srt {

struct SrtListenerSpec {
  std::string label;       // "input 123 of channel 456"
  std::string host;        // address to bind, e.g. "127.0.0.1"
  std::vector<int> ports;  // the input's destination ports
  AddressFilter allowed = AddressFilter::allow_all();
  std::map<std::string, std::string> srt_options;  // libavformat srt options: latency, streamid
  int scte35_pid = 0;  // InputSettings.Scte35Pid (FileSourceOptions::scte35_pid)
};

class SrtListenerSource : public IngestSource {
 public:
  explicit SrtListenerSource(SrtListenerSpec spec);
  ~SrtListenerSource() override;  // stop()

  std::string transport() const override { return "SRT_LISTENER"; }
  // Binds the ports (throws std::runtime_error naming the port when one cannot be bound).
  void start(std::shared_ptr<IngestSink> sink) override;
  void stop() override;
  void update_allowed(AddressFilter allowed) override;
  IngestSourceStatus status() const override;

 private:
  struct Peer;  // one caller: its address and its loopback socket towards the listener
  void relay_loop();

  SrtListenerSpec spec_;
  std::vector<int> public_sockets_;
  int listener_port_ = 0;  // where libavformat listens, on 127.0.0.1
  std::unique_ptr<pull::PullSource> reader_;
  std::thread relay_;
  std::atomic<bool> stop_{false};

  mutable std::mutex mutex_;  // guards everything below
  std::string sender_;        // the caller whose datagrams were forwarded last
  int64_t refused_ = 0;
};

}  // namespace mediaemu::pipeline::srt
