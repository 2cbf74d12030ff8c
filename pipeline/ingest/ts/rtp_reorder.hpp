// The receiving side of RTP (RFC 3550) for MPEG-TS payloads (RFC 2250, payload type 33): checks
// each packet's fixed header, strips CSRCs, header extension and padding, and puts payloads back
// in sequence-number order. A receiver must tolerate reordering and loss: packets wait in a small
// window for the ones before them; when the window is full the gap is given up and counted as
// lost. Socket-free, so it is unit-tested and fuzzed directly.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <vector>

namespace mediaemu::pipeline::ts {

struct RtpStats {
  int64_t received = 0;   // well-formed packets
  int64_t malformed = 0;  // not RTP version 2, or lengths that do not add up
  int64_t lost = 0;       // sequence numbers never seen
  int64_t reordered = 0;  // arrived after a later one
  int64_t duplicates = 0;
  int64_t late = 0;       // arrived after their gap was given up
};

class RtpReorder {
 public:
  using Deliver = std::function<void(std::span<const uint8_t> payload)>;
  explicit RtpReorder(Deliver deliver, size_t window = 32) : deliver_(std::move(deliver)), window_(window) {}

  // One datagram as received.
  void push(std::span<const uint8_t> datagram);
  // Delivers what is held, gaps counted as lost (the sender went quiet).
  void flush();
  // A new sender: its sequence numbers start afresh (what is held is dropped; counts are kept).
  void reset() {
    held_.clear();
    started_ = false;
  }
  const RtpStats& stats() const { return stats_; }

 private:
  void release();

  Deliver deliver_;
  const size_t window_;
  bool started_ = false;
  int64_t next_ = 0;     // extended sequence number expected next
  int64_t highest_ = 0;  // highest extended sequence number seen
  std::map<int64_t, std::vector<uint8_t>> held_;
  RtpStats stats_;
};

}  // namespace mediaemu::pipeline::ts
