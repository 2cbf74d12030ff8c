// In-process subscribers to a running flow's output: whatever a flow sends to its outputs (the
// active source's packets) is also handed to every callback subscribed to its ARN. This is how a
// MediaLive MEDIACONNECT input takes a flow's stream without a socket: its ingest source
// (pipeline/ingest/mediaconnect/flow_tap_source.hpp, in the media module) subscribes to the
// App's FlowRuntime taps by flow ARN while its channel runs. Subscriptions outlive relays: a flow
// that starts later, stops or restarts is picked up by the same subscription. Thread-safe;
// callbacks run on the flow's I/O thread and must return quickly (copy the bytes, post work
// elsewhere).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace mediaemu::flow {

struct FlowPacket {
  std::span<const uint8_t> datagram;  // as the source sent it
  std::span<const uint8_t> payload;   // the MPEG-TS bytes (the datagram without its RTP header)
  bool rtp = false;                   // whether `datagram` is an RTP packet
  std::string source;                 // the source it came from
};

class FlowTaps {
 public:
  using Callback = std::function<void(const FlowPacket&)>;
  // Unsubscribes when destroyed. Destroying it waits for nothing: a packet being delivered on
  // the flow's thread may still reach the callback once (it is called from a snapshot).
  class Subscription {
   public:
    Subscription() = default;
    Subscription(Subscription&& o) noexcept : taps_(o.taps_), arn_(std::move(o.arn_)), id_(o.id_) { o.taps_ = nullptr; }
    Subscription& operator=(Subscription&& o) noexcept;
    ~Subscription() { reset(); }
    void reset();

   private:
    friend class FlowTaps;
    Subscription(FlowTaps* taps, std::string arn, uint64_t id) : taps_(taps), arn_(std::move(arn)), id_(id) {}
    FlowTaps* taps_ = nullptr;
    std::string arn_;
    uint64_t id_ = 0;
  };

  [[nodiscard]] Subscription subscribe(const std::string& flow_arn, Callback callback);
  // Called by the flow's relay for every packet it sends to its outputs.
  void publish(const std::string& flow_arn, const FlowPacket& packet) const;
  bool has_subscribers(const std::string& flow_arn) const;

 private:
  using List = std::vector<std::pair<uint64_t, std::shared_ptr<const Callback>>>;
  void unsubscribe(const std::string& flow_arn, uint64_t id);

  mutable std::mutex mutex_;
  // Copy-on-write per flow: publish() takes the current list and calls it without the lock.
  std::map<std::string, std::shared_ptr<const List>> lists_;
  uint64_t next_id_ = 1;
};

}  // namespace mediaemu::flow
