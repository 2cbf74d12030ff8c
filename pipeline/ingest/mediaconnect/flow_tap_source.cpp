#include "pipeline/ingest/mediaconnect/flow_tap_source.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>

#include "pipeline/libav.hpp"

namespace mediaemu::pipeline::mediaconnect {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxQueuedChunks = 8192;                   // ~10 MB of 1316-byte payloads
constexpr auto kReceivingWindow = std::chrono::seconds(1);  // "receiving" = a packet this recently

}  // namespace

// Filled by the flows' callbacks (push), drained by the demuxer's reader. Packets carry their
// arrival time, so which flow is on air is decided by when they came, however late they are read.
struct FlowTapSource::Queue {
  struct Chunk {
    size_t flow = 0;
    Clock::time_point at;
    std::vector<uint8_t> bytes;
    std::string source;  // the flow's source that sent it (a flow may fail over between two)
  };

  void push(size_t flow, const flow::FlowPacket& packet) {
    if (packet.payload.empty()) return;
    const auto now = Clock::now();
    {
      std::lock_guard lock(mutex);
      if (stopped) return;
      if (chunks.size() >= kMaxQueuedChunks) {  // the demuxer is behind: drop the oldest
        chunks.pop_front();
        ++overflowed;
      }
      chunks.push_back({flow, now, {packet.payload.begin(), packet.payload.end()}, packet.source});
      last_packet = now;
      heard = true;
      ++packets;
    }
    readable.notify_one();
  }

  std::mutex mutex;  // guards everything below
  std::condition_variable readable;
  std::deque<Chunk> chunks;
  bool stopped = false;
  bool heard = false;
  Clock::time_point last_packet{};
  int64_t packets = 0, overflowed = 0, held_back = 0;
  std::atomic<int64_t> failed{0};  // packets the callback could not queue (no memory)
  // The reader's: the flow and source on air, and the rest of a chunk a read could not take.
  std::optional<size_t> on_air_flow;
  std::string on_air_source;
  std::vector<uint8_t> pending;
  size_t pending_offset = 0;
};

std::string FlowTapSource::flow_name(const std::string& flow_arn) {
  auto colon = flow_arn.rfind(':');
  return colon == std::string::npos ? flow_arn : flow_arn.substr(colon + 1);
}

FlowTapSource::FlowTapSource(flow::FlowTaps& taps, FlowTapSpec spec)
    : taps_(taps), spec_(std::move(spec)), preference_(spec_.flow_arns.size(), spec_.loss_time, Clock::now()) {}

FlowTapSource::~FlowTapSource() { stop(); }

void FlowTapSource::start(std::shared_ptr<IngestSink> sink) {
  if (spec_.flow_arns.empty()) throw std::runtime_error("the input names no MediaConnect flow");
  queue_ = std::make_shared<Queue>();
  preference_ = FlowPreference(spec_.flow_arns.size(), spec_.loss_time, Clock::now());
  demuxer_ = pushed_mpegts_demuxer(transport(), spec_.label, [this](uint8_t* buffer, int size) { return read(buffer, size); },
                                   std::move(sink), spec_.scte35_pid);
  demuxer_->start();
  for (size_t i = 0; i < spec_.flow_arns.size(); ++i) {
    // The callback holds the queue, not the source: it may run once more after unsubscribing.
    // Nothing may escape onto the flow's I/O thread (an exception there ends the process): a
    // packet that cannot be queued is counted as dropped.
    subscriptions_.push_back(taps_.subscribe(spec_.flow_arns[i], [queue = queue_, i](const flow::FlowPacket& packet) {
      try {
        queue->push(i, packet);
      } catch (const std::exception&) {
        queue->failed.fetch_add(1, std::memory_order_relaxed);
      }
    }));
  }
  std::string flows = flow_name(spec_.flow_arns[0]);
  if (spec_.flow_arns.size() > 1)
    flows += " (preferred), then " + flow_name(spec_.flow_arns[1]) + " when it has been silent for " +
             std::to_string(spec_.loss_time.count()) + " ms";
  spdlog::info("ingest: {} takes MPEG-TS from MediaConnect flow {}", spec_.label, flows);
}

void FlowTapSource::stop() {
  if (stopped_) return;
  stopped_ = true;
  subscriptions_.clear();  // no new packet reaches the queue (one being delivered may still)
  if (!queue_) return;
  {
    std::lock_guard lock(queue_->mutex);
    queue_->stopped = true;
  }
  queue_->readable.notify_all();
  if (demuxer_) demuxer_->stop();  // its reader sees `stopped` and returns AVERROR_EXIT
  std::lock_guard lock(queue_->mutex);
  spdlog::info("ingest: {} stopped; {} packets from its flows, {} switches between flows, {} held back from the "
               "flow not on air, {} dropped on overflow, {} not queued",
               spec_.label, queue_->packets, preference_.switches(), queue_->held_back, queue_->overflowed,
               queue_->failed.load());
}

IngestSourceStatus FlowTapSource::status() const {
  if (!queue_) return {};
  std::lock_guard lock(queue_->mutex);
  bool receiving = queue_->heard && Clock::now() - queue_->last_packet < kReceivingWindow;
  std::string sender;
  if (receiving && queue_->on_air_flow)
    sender = "flow " + flow_name(spec_.flow_arns[*queue_->on_air_flow]) + " (source " + queue_->on_air_source + ")";
  return {receiving, sender, 0};
}

int FlowTapSource::read(uint8_t* buffer, int size) {
  Queue& q = *queue_;
  std::string moved;  // logged once the lock is released
  int copied = 0;
  {
    std::unique_lock lock(q.mutex);
    while (copied < size) {
      if (q.stopped) return AVERROR_EXIT;
      if (q.pending_offset < q.pending.size()) {
        size_t n = std::min(q.pending.size() - q.pending_offset, static_cast<size_t>(size - copied));
        std::memcpy(buffer + copied, q.pending.data() + q.pending_offset, n);
        copied += static_cast<int>(n);
        q.pending_offset += n;
        continue;
      }
      if (q.chunks.empty()) {
        if (copied > 0) break;  // hand over what there is; wait on the next read
        q.readable.wait(lock, [&] { return q.stopped || !q.chunks.empty(); });
        continue;
      }
      Queue::Chunk chunk = std::move(q.chunks.front());
      q.chunks.pop_front();
      auto decision = preference_.offer(chunk.flow, chunk.at);
      if (!decision.deliver) {
        ++q.held_back;
        continue;
      }
      if (decision.switched && q.on_air_flow && *q.on_air_flow != chunk.flow) {
        const std::string from = flow_name(spec_.flow_arns[*q.on_air_flow]), to = flow_name(spec_.flow_arns[chunk.flow]);
        moved = chunk.flow > *q.on_air_flow
                    ? "moves to flow " + to + ": flow " + from + " has been silent for " +
                          std::to_string(spec_.loss_time.count()) + " ms"
                    : "returns to flow " + to + ", which delivers again (was on flow " + from + ")";
      }
      // Logged per flow, not per source: a MERGE flow's packets alternate between its sources.
      if (!q.on_air_flow)
        moved = "receives from flow " + flow_name(spec_.flow_arns[chunk.flow]) + " (source " + chunk.source + ")";
      q.on_air_flow = chunk.flow;
      q.on_air_source = chunk.source;
      q.pending = std::move(chunk.bytes);
      q.pending_offset = 0;
    }
  }
  if (!moved.empty()) spdlog::info("ingest: {} {}", spec_.label, moved);
  return copied;
}

}  // namespace mediaemu::pipeline::mediaconnect
