// One input of a running channel, whatever carries it: an RTMP publisher (rtmp/), MPEG-TS pushed
// over RTP/UDP (ts/), HLS or MP4 pulled over HTTP, files and SRT calls out (pull/), SRT callers
// coming in (srt/), MediaConnect flows' output taken in-process (mediaconnect/). A source
// delivers IngestEvents (pipeline/media.hpp: millisecond timestamps, H.264 framing stated per
// event) to the sink it is started with, checks senders that come to it against its
// AddressFilter, and reports what it sees.
//
// Threads: start(), stop() and update_allowed() are called by the channel's supervisor thread;
// the source delivers on threads it owns (network I/O, libavformat's blocking reads), never on the
// caller's; status() may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "pipeline/ingest/address_filter.hpp"
#include "pipeline/media.hpp"

namespace mediaemu::pipeline {

struct IngestSourceStatus {
  bool receiving = false;  // a sender is delivering right now
  std::string sender;      // its address, when receiving
  int64_t refused = 0;     // senders turned away (whitelist, second publisher)
  // RTP transports only: packets received and lost (sequence numbers never seen, RFC 3550) since
  // the source started; MediaLive's RtpPacketsReceived / RtpPacketsLost metrics.
  bool rtp = false;
  int64_t rtp_received = 0, rtp_lost = 0;
  // A file played to its end (or its clip's) and is not opened again: what a follow-mode input
  // switch waits for.
  bool ended = false;
};

class IngestSource {
 public:
  virtual ~IngestSource() = default;
  virtual std::string transport() const = 0;  // "RTMP_PUSH", ...
  // Begins accepting senders; what they send goes to `sink`.
  virtual void start(std::shared_ptr<IngestSink> sink) = 0;
  // Accepts no new sender and delivers nothing more once it returns.
  virtual void stop() = 0;
  // A changed input security group: applies to the next sender.
  virtual void update_allowed(AddressFilter allowed) = 0;
  virtual IngestSourceStatus status() const = 0;
};

}  // namespace mediaemu::pipeline
