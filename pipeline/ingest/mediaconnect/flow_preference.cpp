#include "pipeline/ingest/mediaconnect/flow_preference.hpp"

namespace mediaemu::pipeline::mediaconnect {

FlowPreference::FlowPreference(size_t flows, Clock::duration loss_time, Clock::time_point start)
    : loss_time_(loss_time), last_(flows == 0 ? 1 : flows), since_(flows == 0 ? 1 : flows) {
  last_[0] = start;  // the primary is given loss_time to show up before a backup takes over
}

bool FlowPreference::silent(size_t index, Clock::time_point now) const {
  return !last_[index] || now - *last_[index] >= loss_time_;
}

FlowPreference::Decision FlowPreference::offer(size_t index, Clock::time_point now) {
  if (index >= last_.size()) return {};
  // A packet after a gap of loss_time (or the first one) starts a new gap-free run.
  if (silent(index, now) || !since_[index]) since_[index] = now;
  Decision d;
  if (index == on_air_) {
    d.deliver = true;
  } else if (index > on_air_) {
    // A backup: only when the flow on air has gone quiet.
    d.deliver = d.switched = silent(on_air_, now);
  } else {
    // A preferred flow back: at once if the flow on air is quiet, else after a steady run.
    d.deliver = d.switched = silent(on_air_, now) || now - *since_[index] >= loss_time_;
  }
  last_[index] = now;
  if (d.switched) {
    on_air_ = index;
    ++switches_;
  }
  return d;
}

}  // namespace mediaemu::pipeline::mediaconnect
