#include "pipeline/flow/flow_taps.hpp"

namespace mediaemu::flow {

FlowTaps::Subscription& FlowTaps::Subscription::operator=(Subscription&& o) noexcept {
  if (this != &o) {
    reset();
    taps_ = o.taps_;
    arn_ = std::move(o.arn_);
    id_ = o.id_;
    o.taps_ = nullptr;
  }
  return *this;
}

void FlowTaps::Subscription::reset() {
  if (taps_) taps_->unsubscribe(arn_, id_);
  taps_ = nullptr;
}

FlowTaps::Subscription FlowTaps::subscribe(const std::string& flow_arn, Callback callback) {
  std::lock_guard lock(mutex_);
  auto list = std::make_shared<List>();
  if (auto it = lists_.find(flow_arn); it != lists_.end()) *list = *it->second;
  const uint64_t id = next_id_++;
  list->emplace_back(id, std::make_shared<const Callback>(std::move(callback)));
  lists_[flow_arn] = std::move(list);
  return Subscription(this, flow_arn, id);
}

void FlowTaps::unsubscribe(const std::string& flow_arn, uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = lists_.find(flow_arn);
  if (it == lists_.end()) return;
  auto list = std::make_shared<List>();
  for (const auto& entry : *it->second)
    if (entry.first != id) list->push_back(entry);
  if (list->empty()) {
    lists_.erase(it);
  } else {
    it->second = std::move(list);
  }
}

void FlowTaps::publish(const std::string& flow_arn, const FlowPacket& packet) const {
  std::shared_ptr<const List> list;
  {
    std::lock_guard lock(mutex_);
    auto it = lists_.find(flow_arn);
    if (it == lists_.end()) return;
    list = it->second;
  }
  for (const auto& [id, callback] : *list) (*callback)(packet);
}

bool FlowTaps::has_subscribers(const std::string& flow_arn) const {
  std::lock_guard lock(mutex_);
  return lists_.count(flow_arn) != 0;
}

}  // namespace mediaemu::flow
