#include "pipeline/transcode/packet_interleaver.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace mediaemu::pipeline {

namespace {

// A track that stops producing (no audio in the input, a stalled encoder) must not hold the
// others forever: packets this much older than the newest one go out regardless.
constexpr int64_t kMaxWaitUs = 2'000'000;
// Before the layout exists nothing can go out; cap what is held meanwhile.
constexpr size_t kMaxHeldBeforeStart = 4096;

int64_t to_us(int64_t ts, AVRational tb) { return av_rescale_q(ts, tb, AVRational{1, 1000000}); }

int64_t dts_of(const AVPacket& p) { return p.dts != AV_NOPTS_VALUE ? p.dts : p.pts; }

}  // namespace

PacketInterleaver::PacketInterleaver(MediaSink& sink, const std::map<int, AVRational>& time_bases)
    : sink_(sink) {
  for (const auto& [id, tb] : time_bases) tracks_.push_back(Track{id, tb, {}});
}

void PacketInterleaver::start(const OutputLayout& layout) {
  if (started_) return;
  started_ = true;
  sink_.on_layout(layout);
  release(false);
}

void PacketInterleaver::push(int track_id, PacketPtr packet) {
  auto it = std::find_if(tracks_.begin(), tracks_.end(), [&](const Track& t) { return t.id == track_id; });
  if (it == tracks_.end()) return;
  Track& t = *it;
  newest_us_ = std::max(newest_us_, to_us(dts_of(*packet), t.time_base));
  if (!started_ && t.held.size() >= kMaxHeldBeforeStart) {
    spdlog::warn("transcode: track {} has no layout yet; dropping its oldest packet", track_id);
    t.held.pop_front();
  }
  t.held.push_back(share(std::move(packet)));
  release(false);
}

void PacketInterleaver::flush() { release(true); }

PacketInterleaver::Track* PacketInterleaver::earliest() {
  Track* best = nullptr;
  for (auto& t : tracks_) {
    if (t.held.empty()) continue;
    if (!best || av_compare_ts(dts_of(*t.held.front()), t.time_base, dts_of(*best->held.front()),
                               best->time_base) < 0)
      best = &t;
  }
  return best;
}

void PacketInterleaver::release(bool everything) {
  if (!started_) return;
  for (;;) {
    Track* next = earliest();
    if (!next) return;
    if (!everything) {
      bool all_have_packets = true;
      for (const auto& t : tracks_) all_have_packets = all_have_packets && !t.held.empty();
      bool too_old = newest_us_ - to_us(dts_of(*next->held.front()), next->time_base) > kMaxWaitUs;
      if (!all_have_packets && !too_old) return;
    }
    MediaPacket out{next->id, std::move(next->held.front())};
    next->held.pop_front();
    sink_.on_packet(out);
  }
}

}  // namespace mediaemu::pipeline
