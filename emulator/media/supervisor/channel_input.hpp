// The one IngestSink a channel's sources deliver into, whatever pipeline currently runs behind
// it. The supervisor re-targets it when it restarts the pipeline: the publisher stays connected,
// and the new transcoder first gets the stream's configuration (metadata, avcC, AudioSpecific-
// Config) the old one received at the start of the publish, so it can decode at once.
//
// offer() runs on the sources' network threads and never blocks; hold(), attach() and detach()
// on the supervisor thread.
#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "emulator/media/supervisor/channel_log.hpp"
#include "emulator/media/supervisor/input_selector.hpp"
#include "pipeline/media.hpp"

namespace mediaemu::media {

// What the channel's senders delivered since it started, whatever pipeline consumed it (the
// CloudWatch AWS/MediaLive NetworkIn and InputVideoFrameRate metrics are rates of these).
struct InputCounters {
  int64_t media_bytes = 0;   // payload bytes of audio and video frames
  int64_t video_frames = 0;  // video access units
  bool ever_received = false;
};

class ChannelInput : public pipeline::IngestSink {
 public:
  // `log`: the channel's encoder log, told when a sender's stream starts and ends (may be null).
  explicit ChannelInput(std::shared_ptr<ChannelLog> log = nullptr) : log_(std::move(log)) {}

  bool offer(pipeline::IngestEvent& event) override {
    using Type = pipeline::IngestEvent::Type;
    std::lock_guard lock(mutex_);
    if (!target_) {
      if (holding_) return false;  // a restart is under way: the sender keeps the event and retries
      ++dropped_;
      count(event);
      return true;  // stopped: nothing consumes the input
    }
    std::optional<pipeline::IngestEvent> config;
    if (event.type == Type::Metadata || event.type == Type::VideoConfig || event.type == Type::AudioConfig)
      config = event;  // copied before offer() moves it
    count(event);  // before offer() moves the data out; undone below when the target pushes back
    ChannelLogEvent note = log_ ? describe(event) : ChannelLogEvent{};  // likewise
    if (!target_->offer(event)) {
      uncount(event);
      return false;
    }
    ++delivered_;
    if (!note.message.empty()) log_->add(note.severity, std::move(note.message));
    if (event.type == Type::Metadata) metadata_ = config;
    else if (event.type == Type::VideoConfig) video_config_ = config;
    else if (event.type == Type::AudioConfig) audio_config_ = config;
    else if (event.type == Type::End) metadata_.reset(), video_config_.reset(), audio_config_.reset();
    return true;
  }

  // The pipeline is being rebuilt: offers are refused (back-pressure) until attach().
  void hold() {
    std::lock_guard lock(mutex_);
    target_.reset();
    holding_ = true;
  }
  // Feeds `target` from now on, after replaying the current publish's configuration into it.
  void attach(std::shared_ptr<pipeline::IngestSink> target) {
    std::lock_guard lock(mutex_);
    holding_ = false;
    target_ = std::move(target);
    delivered_ = 0;
    if (!target_) return;
    for (auto* config : {&metadata_, &video_config_, &audio_config_}) {
      if (!*config) continue;
      pipeline::IngestEvent copy = **config;
      target_->offer(copy);  // a fresh transcoder's queue has room
    }
  }
  // Nothing consumes the input any more: offers are dropped (and counted).
  void detach() {
    std::lock_guard lock(mutex_);
    target_.reset();
    holding_ = false;
  }
  int64_t dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
  }
  // Events the current target took from senders since attach() (replayed configuration aside).
  int64_t delivered() const {
    std::lock_guard lock(mutex_);
    return delivered_;
  }
  InputCounters counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
  }

 private:
  void count(const pipeline::IngestEvent& event) { adjust(event, 1); }
  void uncount(const pipeline::IngestEvent& event) { adjust(event, -1); }
  void adjust(const pipeline::IngestEvent& event, int sign) {
    if (event.type != pipeline::IngestEvent::Type::Frame) return;
    counters_.media_bytes += sign * static_cast<int64_t>(event.data.size());
    if (event.kind == pipeline::MediaKind::Video) counters_.video_frames += sign;
    counters_.ever_received = true;
  }

  // What the encoder log says of this event, if anything: a stream's first configuration (none
  // kept from an earlier publish yet) and its end. An empty message: nothing.
  ChannelLogEvent describe(const pipeline::IngestEvent& event) const {
    using Type = pipeline::IngestEvent::Type;
    auto size = [&] { return std::to_string(event.data.size()) + " bytes of decoder configuration"; };
    if (event.type == Type::VideoConfig && !video_config_) return {0, 'I', "Input video detected: H.264, " + size()};
    if (event.type == Type::AudioConfig && !audio_config_) return {0, 'I', "Input audio detected: AAC, " + size()};
    if (event.type == Type::Metadata && !metadata_)
      return {0, 'D', "Input metadata received (" + std::to_string(event.metadata.size()) + " values)"};
    if (event.type == Type::End && event.reason == kInputSwitchReason) return {};  // the supervisor logs switches
    if (event.type == Type::End)
      return {0, 'W', "Input lost: " + (event.reason.empty() ? std::string("the sender went away") : event.reason)};
    return {};
  }

  const std::shared_ptr<ChannelLog> log_;
  mutable std::mutex mutex_;
  std::shared_ptr<pipeline::IngestSink> target_;
  bool holding_ = false;
  std::optional<pipeline::IngestEvent> metadata_, video_config_, audio_config_;
  int64_t dropped_ = 0, delivered_ = 0;
  InputCounters counters_;
};

}  // namespace mediaemu::media
