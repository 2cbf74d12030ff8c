#include "emulator/media/supervisor/input_selector.hpp"

namespace mediaemu::media {

using pipeline::IngestEvent;

struct InputSelector::Port : pipeline::IngestSink {
  Port(std::shared_ptr<InputSelector> selector, std::string id) : selector(std::move(selector)), id(std::move(id)) {}
  bool offer(IngestEvent& event) override { return selector->offer(id, event); }
  bool accepting() const override { return selector->downstream_->accepting(); }
  const std::shared_ptr<InputSelector> selector;
  const std::string id;
};

std::shared_ptr<pipeline::IngestSink> InputSelector::port(const std::string& input_id) {
  {
    std::lock_guard lock(mutex_);
    states_[input_id];
  }
  return std::make_shared<Port>(shared_from_this(), input_id);
}

void InputSelector::select(const std::string& input_id) {
  std::lock_guard lock(mutex_);
  if (input_id == active_) return;
  active_ = input_id;
  joining_ = true;
  pending_.clear();
}

std::string InputSelector::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

std::optional<InputSelector::Clock::time_point> InputSelector::last_frame(const std::string& input_id) const {
  std::lock_guard lock(mutex_);
  auto it = states_.find(input_id);
  return it == states_.end() ? std::nullopt : it->second.last_frame;
}

void InputSelector::remember(PortState& state, const IngestEvent& event) {
  switch (event.type) {
    case IngestEvent::Type::Metadata: state.metadata = event; break;
    case IngestEvent::Type::VideoConfig: state.video_config = event; break;
    case IngestEvent::Type::AudioConfig: state.audio_config = event; break;
    case IngestEvent::Type::End: state.metadata.reset(), state.video_config.reset(), state.audio_config.reset(); break;
    case IngestEvent::Type::Frame: state.last_frame = Clock::now(); break;
    case IngestEvent::Type::Cue: break;
  }
}

bool InputSelector::flush_pending() {
  size_t taken = 0;
  while (taken < pending_.size() && downstream_->offer(pending_[taken])) ++taken;
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(taken));
  return pending_.empty();
}

bool InputSelector::offer(const std::string& input_id, IngestEvent& event) {
  std::lock_guard lock(mutex_);
  PortState& state = states_[input_id];
  // Whether or not the pipeline takes it now: a sender delivering counts as healthy (a restart's
  // back-pressure is no input loss), and an event offered again is remembered the same way.
  remember(state, event);
  if (input_id != active_) return true;  // standing by: taken and dropped
  const IngestEvent::Type type = event.type;
  if (joining_) {
    // Configuration is replayed at the join; frames before the first keyframe cannot be decoded.
    // An input without video joins on its first audio frame.
    const bool entry = type == IngestEvent::Type::Frame &&
                       (event.kind == pipeline::MediaKind::Video ? event.keyframe : !state.video_config);
    if (!entry) return true;
    if (pending_.empty()) {
      if (forwarded_) {
        IngestEvent end;
        end.type = IngestEvent::Type::End;
        end.reason = kInputSwitchReason;
        pending_.push_back(std::move(end));
      }
      for (auto* config : {&state.metadata, &state.video_config, &state.audio_config})
        if (*config) pending_.push_back(**config);
    }
    if (!flush_pending()) return false;  // the source offers this keyframe again
    joining_ = false;
  } else if (!pending_.empty() && !flush_pending()) {
    return false;
  }
  if (!downstream_->offer(event)) return false;
  if (type == IngestEvent::Type::Frame) forwarded_ = true;
  if (type == IngestEvent::Type::End) forwarded_ = false;
  return true;
}

}  // namespace mediaemu::media
