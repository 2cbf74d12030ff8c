#include "pipeline/package/fan_out.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

namespace mediaemu::pipeline {

template <class Call>
void FanOut::call(Entry& entry, const char* what, Call&& fn) {
  try {
    fn(*entry.sink);
    entry.failing = false;
  } catch (const std::exception& e) {
    if (!entry.failing) spdlog::error("output {}: {} failed: {}", entry.key, what, e.what());
    entry.failing = true;
  }
}

void FanOut::add(const std::string& key, std::unique_ptr<MediaSink> sink) {
  std::lock_guard lock(mutex_);
  Entry entry{key, std::move(sink)};
  entry.waiting_for_keyframe = key_track_ != 0;
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
  if (it != entries_.end()) *it = std::move(entry);
  else entries_.push_back(std::move(entry));
}

std::unique_ptr<MediaSink> FanOut::remove(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
  if (it == entries_.end()) return nullptr;
  auto sink = std::move(it->sink);
  entries_.erase(it);
  return sink;
}

size_t FanOut::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

bool FanOut::deliver_layout(Entry& entry) {
  if (entry.has_layout) return true;
  if (!layout_ || ended_) return false;
  call(entry, "on_layout", [&](MediaSink& s) { s.on_layout(*layout_); });
  entry.has_layout = !entry.failing;
  return entry.has_layout;
}

void FanOut::on_layout(const OutputLayout& layout) {
  std::lock_guard lock(mutex_);
  layout_ = layout;
  ended_ = false;
  key_track_ = 0;
  for (const auto& t : layout.tracks)
    if (t.kind == MediaKind::Video) {
      key_track_ = t.id;
      break;
    }
  for (auto& e : entries_) {
    e.has_layout = false;
    e.waiting_for_keyframe = false;  // the channel starts with a keyframe
    deliver_layout(e);
  }
}

void FanOut::on_packet(const MediaPacket& packet) {
  std::lock_guard lock(mutex_);
  const bool opens_gate =
      packet.track_id == key_track_ && packet.packet && (packet.packet->flags & AV_PKT_FLAG_KEY);
  for (auto& e : entries_) {
    if (!deliver_layout(e)) continue;
    if (e.waiting_for_keyframe && !opens_gate) continue;
    e.waiting_for_keyframe = false;
    call(e, "on_packet", [&](MediaSink& s) { s.on_packet(packet); });
  }
}

void FanOut::on_discontinuity() {
  std::lock_guard lock(mutex_);
  for (auto& e : entries_)
    if (e.has_layout) call(e, "on_discontinuity", [](MediaSink& s) { s.on_discontinuity(); });
}

void FanOut::on_cue(const ads::AdCue& cue) {
  std::lock_guard lock(mutex_);
  for (auto& e : entries_)
    if (e.has_layout) call(e, "on_cue", [&](MediaSink& s) { s.on_cue(cue); });
}

void FanOut::on_still(const std::string& output, const std::vector<uint8_t>& jpeg, int64_t t_us) {
  std::lock_guard lock(mutex_);
  for (auto& e : entries_)
    if (e.has_layout) call(e, "on_still", [&](MediaSink& s) { s.on_still(output, jpeg, t_us); });
}

void FanOut::on_filler_start(int64_t from_us) {
  std::lock_guard lock(mutex_);
  for (auto& e : entries_)
    if (e.has_layout) call(e, "on_filler_start", [&](MediaSink& s) { s.on_filler_start(from_us); });
}

void FanOut::on_filler_end(int64_t at_us) {
  std::lock_guard lock(mutex_);
  for (auto& e : entries_)
    if (e.has_layout) call(e, "on_filler_end", [&](MediaSink& s) { s.on_filler_end(at_us); });
}

void FanOut::on_end() {
  std::lock_guard lock(mutex_);
  ended_ = true;
  for (auto& e : entries_)
    if (e.has_layout) call(e, "on_end", [](MediaSink& s) { s.on_end(); });
}

}  // namespace mediaemu::pipeline
