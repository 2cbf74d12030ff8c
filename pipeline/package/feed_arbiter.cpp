#include "pipeline/package/feed_arbiter.hpp"

#include <spdlog/spdlog.h>

extern "C" {
#include <libavutil/mathematics.h>
}

namespace mediaemu::pipeline {
namespace {

constexpr AVRational kMicroseconds{1, 1'000'000};

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// One feed's door into the arbiter; it keeps the arbiter alive while a producer holds it.
class FeedArbiter::Sink : public MediaSink {
 public:
  Sink(std::shared_ptr<FeedArbiter> arbiter, int index) : arbiter_(std::move(arbiter)), index_(index) {}
  void on_layout(const OutputLayout& layout) override { arbiter_->on_layout(index_, layout); }
  void on_packet(const MediaPacket& packet) override { arbiter_->on_packet(index_, packet); }
  void on_discontinuity() override { arbiter_->on_discontinuity(index_); }
  void on_cue(const ads::AdCue& cue) override { arbiter_->on_cue(index_, cue); }
  void on_end() override { arbiter_->on_end(index_); }
  void on_still(const std::string& output, const std::vector<uint8_t>& jpeg, int64_t t_us) override {
    arbiter_->on_still(index_, output, jpeg, t_us);
  }

 private:
  const std::shared_ptr<FeedArbiter> arbiter_;
  const int index_;
};

std::shared_ptr<FeedArbiter> FeedArbiter::make(std::string label, std::chrono::milliseconds failover_after,
                                               OpenOutputs open, OutputsEnded ended) {
  return std::shared_ptr<FeedArbiter>(new FeedArbiter(std::move(label), failover_after, std::move(open), std::move(ended)));
}

FeedArbiter::FeedArbiter(std::string label, std::chrono::milliseconds failover_after, OpenOutputs open,
                         OutputsEnded ended)
    : label_(std::move(label)), failover_after_(failover_after), open_(std::move(open)), ended_(std::move(ended)) {}

std::shared_ptr<MediaSink> FeedArbiter::feed(int index) {
  if (index < 0 || index > 1) throw std::invalid_argument("FeedArbiter: feed index must be 0 or 1");
  return std::make_shared<Sink>(shared_from_this(), index);
}

bool FeedArbiter::same_tracks(const OutputLayout& a, const OutputLayout& b) {
  if (a.tracks.size() != b.tracks.size()) return false;
  for (size_t i = 0; i < a.tracks.size(); ++i)
    if (a.tracks[i].id != b.tracks[i].id || a.tracks[i].kind != b.tracks[i].kind ||
        a.tracks[i].codec != b.tracks[i].codec)
      return false;
  return true;
}

int FeedArbiter::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

bool FeedArbiter::ended(int index) const {
  std::lock_guard lock(mutex_);
  return feeds_.at(static_cast<size_t>(index)).ended;
}

void FeedArbiter::check() {
  std::lock_guard lock(mutex_);
  fail_over_if_silent(Clock::now());
}

void FeedArbiter::on_layout(int index, const OutputLayout& layout) {
  std::lock_guard lock(mutex_);
  Feed& feed = feeds_[static_cast<size_t>(index)];
  feed.layout = layout;
  feed.ended = false;
  feed.last_media = {};
  closing_ = false;
  if (active_ < 0) return activate(index);
  if (!same_tracks(out_layout_, layout)) {
    spdlog::warn("{}: input {} carries other renditions than the outputs; it cannot take over", label_, index + 1);
    return;
  }
  if (active_ == index) {
    // The active feed starts over without having ended (a producer rebuilt behind it): its new
    // timeline is carried on from where the outputs are.
    feed.rebase = true;
    feed.awaiting_key = first_video_track() != 0;
    feed.key_us = 0;
    outputs_->on_discontinuity();
  }
}

void FeedArbiter::activate(int index) {
  Feed& feed = feeds_[static_cast<size_t>(index)];
  active_ = index;
  out_layout_ = *feed.layout;
  out_epoch_ms_ = out_layout_.epoch_ms_at_zero;
  out_end_us_ = 0;
  feed.rebase = false;
  feed.shift_us = 0;
  feed.awaiting_key = false;
  spdlog::info("{}: input {} is active", label_, index + 1);
  outputs_ = open_();
  outputs_->on_layout(out_layout_);
}

int FeedArbiter::first_video_track() const {
  for (const auto& t : out_layout_.tracks)
    if (t.kind == MediaKind::Video) return t.id;
  return 0;
}

void FeedArbiter::on_packet(int index, const MediaPacket& packet) {
  std::lock_guard lock(mutex_);
  auto now = Clock::now();
  Feed& feed = feeds_[static_cast<size_t>(index)];
  feed.last_media = now;
  if (active_ != index) {
    fail_over_if_silent(now);
    if (active_ != index) return;  // the standby feed: received, not passed on
  }
  const TrackInfo* track = out_layout_.track(packet.track_id);
  if (!track) return;
  int64_t t_us = av_rescale_q(packet.packet->dts, track->time_base, kMicroseconds);
  if (feed.awaiting_key) {
    // A feed taken over mid-GOP starts at a keyframe, so the first segment after the
    // discontinuity decodes; packets of other tracks from before that keyframe are dropped.
    if (packet.track_id != first_video_track() || !(packet.packet->flags & AV_PKT_FLAG_KEY)) return;
    feed.awaiting_key = false;
    feed.key_us = t_us;
  } else if (feed.key_us != 0 && t_us < feed.key_us) {
    return;
  }
  if (feed.rebase) {
    // Where the outputs are, or the wall clock if that is later: never back in time.
    int64_t wall_us = (wall_ms() - out_epoch_ms_) * 1000;
    feed.shift_us = std::max(out_end_us_, wall_us) - t_us;
    feed.rebase = false;
  }
  MediaPacket out = packet;
  if (feed.shift_us != 0) {
    PacketPtr copy(av_packet_clone(packet.packet.get()));
    if (!copy) throw std::bad_alloc();
    int64_t shift = av_rescale_q(feed.shift_us, kMicroseconds, track->time_base);
    copy->pts += shift;
    copy->dts += shift;
    out.packet = share(std::move(copy));
  }
  out_end_us_ = std::max(out_end_us_, t_us + feed.shift_us +
                                          av_rescale_q(packet.packet->duration, track->time_base, kMicroseconds));
  outputs_->on_packet(out);
}

void FeedArbiter::on_discontinuity(int index) {
  std::lock_guard lock(mutex_);
  if (active_ == index) outputs_->on_discontinuity();
}

void FeedArbiter::on_cue(int index, const ads::AdCue& cue) {
  std::lock_guard lock(mutex_);
  if (active_ != index) return;
  ads::AdCue shifted = cue;
  shifted.pts_us += feeds_[static_cast<size_t>(index)].shift_us;
  outputs_->on_cue(shifted);
}

void FeedArbiter::on_still(int index, const std::string& output, const std::vector<uint8_t>& jpeg, int64_t t_us) {
  std::lock_guard lock(mutex_);
  if (active_ == index) outputs_->on_still(output, jpeg, t_us + feeds_[static_cast<size_t>(index)].shift_us);
}

void FeedArbiter::on_end(int index) {
  std::lock_guard lock(mutex_);
  feeds_[static_cast<size_t>(index)].ended = true;
  if (active_ != index) return;
  if (!closing_ && delivering(1 - index, Clock::now())) return switch_to(1 - index, "ended its stream");
  spdlog::info("{}: input {} ended its stream: the outputs end", label_, index + 1);
  active_ = -1;
  auto outputs = std::move(outputs_);
  outputs->on_end();
  if (ended_) ended_();
}

bool FeedArbiter::delivering(int index, Clock::time_point now) const {
  const Feed& feed = feeds_[static_cast<size_t>(index)];
  return feed.layout && !feed.ended && now - feed.last_media < failover_after_ &&
         (active_ < 0 || same_tracks(out_layout_, *feed.layout));
}

void FeedArbiter::closing() {
  std::lock_guard lock(mutex_);
  closing_ = true;
}

void FeedArbiter::fail_over_if_silent(Clock::time_point now) {
  if (active_ < 0 || closing_) return;
  if (now - feeds_[static_cast<size_t>(active_)].last_media < failover_after_) return;
  if (delivering(1 - active_, now)) switch_to(1 - active_, "stopped delivering");
}

void FeedArbiter::switch_to(int index, const char* why) {
  spdlog::warn("{}: input {} {}; input {} takes over", label_, active_ + 1, why, index + 1);
  active_ = index;
  Feed& feed = feeds_[static_cast<size_t>(index)];
  feed.rebase = true;
  feed.awaiting_key = first_video_track() != 0;
  feed.key_us = 0;
  outputs_->on_discontinuity();
}

}  // namespace mediaemu::pipeline
