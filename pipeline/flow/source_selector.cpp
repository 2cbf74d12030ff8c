#include "pipeline/flow/source_selector.hpp"

#include <spdlog/spdlog.h>

#include "pipeline/flow/rtp.hpp"

namespace mediaemu::flow {

SourceSelector::SourceSelector(const FlowPlan& plan)
    : sources_(plan.sources.size()),
      enabled_(plan.failover_enabled && plan.sources.size() > 1),
      mode_(plan.mode),
      window_ms_(plan.recovery_window_ms),
      last_ms_(plan.sources.size(), INT64_MIN / 2) {
  for (size_t i = 0; i < plan.sources.size(); ++i) {
    names_.push_back(plan.sources[i].name);
    if (plan.sources[i].name == plan.primary_source) primary_ = static_cast<int>(i);
  }
}

bool SourceSelector::accept(size_t index, int64_t now_ms, std::span<const uint8_t> datagram, bool rtp) {
  if (index >= sources_) return false;
  last_ms_[index] = now_ms;
  if (!enabled_) return index == 0;
  return mode_ == FailoverMode::Merge ? merge(datagram, rtp) : failover(index, now_ms);
}

bool SourceSelector::failover(size_t index, int64_t now_ms) {
  const int i = static_cast<int>(index);
  if (i == active_) return true;
  const bool first = active_ < 0;
  const bool primary_back = i == primary_;
  const bool active_silent = !first && now_ms - last_ms_[active_] > window_ms_;
  if (!first && !primary_back && !active_silent) return false;
  if (!first) {
    ++switches_;
    spdlog::info("mediaconnect: flow switches from source {} to {} ({})", names_[active_], names_[i],
                 primary_back ? "the primary source is back" : "no packet from the active source within the recovery window");
  }
  active_ = i;
  return true;
}

bool SourceSelector::merge(std::span<const uint8_t> datagram, bool rtp) {
  if (!rtp) return true;
  auto packet = parse_rtp(datagram);
  if (!packet) return true;
  if (seen_.test(packet->sequence)) return false;
  seen_.set(packet->sequence);
  // Forget the sequence numbers half the space away, so the window rolls with the stream.
  seen_.reset(static_cast<uint16_t>(packet->sequence + 32768));
  return true;
}

}  // namespace mediaemu::flow
