#include "pipeline/package/segmenter.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace mediaemu::pipeline {

namespace {

int64_t pts_of(const AVPacket& p) { return p.pts != AV_NOPTS_VALUE ? p.pts : p.dts; }
int64_t dts_of(const AVPacket& p) { return p.dts != AV_NOPTS_VALUE ? p.dts : p.pts; }
bool is_key(const AVPacket& p) { return (p.flags & AV_PKT_FLAG_KEY) != 0; }

}  // namespace

Segmenter::Segmenter(const OutputLayout& layout, int segment_duration_seconds, int64_t first_sequence)
    : next_sequence_(first_sequence) {
  const TrackInfo* cutter = nullptr;
  for (const auto& t : layout.tracks)
    if (t.kind == MediaKind::Video) { cutter = &t; break; }
  if (!cutter)
    for (const auto& t : layout.tracks)
      if (t.kind == MediaKind::Audio) { cutter = &t; break; }
  if (!cutter) throw std::invalid_argument("segmenter: the output layout has no track");
  for (const auto& t : layout.tracks) tracks_[t.id].info = &t;
  cutter_ = cutter->id;
  cutter_is_video_ = cutter->kind == MediaKind::Video;
  time_base_ = cutter->time_base;
  segment_units_ = av_rescale_q(std::max(1, segment_duration_seconds), AVRational{1, 1}, time_base_);
  tolerance_ = std::max<int64_t>(1, av_rescale_q(1, AVRational{1, 1000}, time_base_));
  max_wait_ = av_rescale_q(2, AVRational{1, 1}, time_base_);
}

int64_t Segmenter::to_cutter(int64_t ts, const TrackState& track) const {
  return av_rescale_q(ts, track.info->time_base, time_base_);
}

int64_t Segmenter::target_units() const {
  if (!cutter_is_video_ || !gop_ || *gop_ <= 0) return segment_units_;
  const double gops = std::ceil(static_cast<double>(segment_units_) / static_cast<double>(*gop_) - 1e-6);
  return std::max<int64_t>(1, static_cast<int64_t>(gops)) * *gop_;
}

void Segmenter::on_cutter_key(int64_t pts) {
  if (boundaries_.empty()) {
    boundaries_.push_back(pts);
    last_key_ = pts;
    return;
  }
  // The GOP is the spacing of the first two keyframes seen (since start or the last
  // discontinuity); encoders the channel runs use a fixed GOP.
  // A splice point's extra IDR is not the GOP cadence: neither it nor the spacing after it teaches it.
  bool spliced = false;
  while (!splice_points_.empty() && *splice_points_.begin() <= pts + tolerance_) {
    spliced = true;
    splice_points_.erase(splice_points_.begin());
  }
  if (cutter_is_video_ && last_key_ && pts > *last_key_ && !gop_ && !spliced) gop_ = pts - *last_key_;
  if (spliced) last_key_.reset();
  else last_key_ = pts;
  const int64_t open_start = boundaries_.back();
  if (pts <= open_start) return;
  if (spliced) {
    boundaries_.push_back(pts);
    return;
  }
  // Half a GOP of slack so that timestamp rounding never pushes a cut one GOP later.
  const int64_t slack = (cutter_is_video_ && gop_) ? *gop_ / 2 : tolerance_;
  // A splice point less than that ahead: the segment runs on to it rather than leaving a sliver
  // of a segment before it.
  if (!splice_points_.empty() && *splice_points_.begin() - pts < slack) return;
  if (pts - open_start >= target_units() - slack) boundaries_.push_back(pts);
}

void Segmenter::splice(const ads::AdCue& cue) {
  auto to_units = [&](int64_t us) { return av_rescale_q(us, AVRational{1, 1'000'000}, time_base_); };
  splice_points_.insert(to_units(cue.pts_us));
  auto duration = cue.duration_seconds();
  if (duration && cue.edge() == ads::AdCue::Edge::Out)
    splice_points_.insert(to_units(cue.pts_us + static_cast<int64_t>(*duration * 1e6)));
  auto at = std::upper_bound(cues_.begin(), cues_.end(), cue.pts_us,
                             [](int64_t pts, const ads::AdCue& c) { return pts < c.pts_us; });
  cues_.insert(at, cue);
}

std::vector<Segment> Segmenter::push(const MediaPacket& packet) {
  auto it = tracks_.find(packet.track_id);
  if (it == tracks_.end() || !packet.packet) return {};
  const AVPacket& p = *packet.packet;
  if (p.pts == AV_NOPTS_VALUE && p.dts == AV_NOPTS_VALUE) return {};
  TrackState& track = it->second;
  const bool video = track.info->kind == MediaKind::Video;
  const int64_t pts_c = to_cutter(pts_of(p), track);

  if (packet.track_id == cutter_) {
    const int64_t dts_c = to_cutter(dts_of(p), track);
    cutter_dts_ = cutter_dts_ ? std::max(*cutter_dts_, dts_c) : dts_c;
    if (!cutter_is_video_ || is_key(p)) on_cutter_key(pts_c);
    if (boundaries_.empty()) return {};  // nothing before the first keyframe is playable
  } else if (boundaries_.empty()) {
    // Held until the first cut is known; bounded in case the cutter never sends a keyframe.
    while (!track.pending.empty() &&
           to_cutter(pts_of(*track.pending.front()), track) < pts_c - 2 * max_wait_)
      track.pending.pop_front();
  }
  track.pending.push_back(packet.packet);
  if (!video || is_key(p)) track.passed = track.passed ? std::max(*track.passed, pts_c) : pts_c;
  return finalize_ready(false);
}

bool Segmenter::all_passed(int64_t boundary) const {
  for (const auto& [id, track] : tracks_) {
    const bool seen = track.passed.has_value() || !track.pending.empty();
    if (seen && !(track.passed && *track.passed >= boundary - tolerance_)) return false;
  }
  return true;
}

std::vector<Segment> Segmenter::finalize_ready(bool force) {
  std::vector<Segment> out;
  while (boundaries_.size() >= 2) {
    const int64_t end = boundaries_[1];
    const bool waited_enough = cutter_dts_ && *cutter_dts_ >= end + max_wait_;
    if (!force && !waited_enough && !all_passed(end)) break;
    Segment s = take_segment(boundaries_[0], end);
    boundaries_.pop_front();
    if (s.tracks.empty()) continue;
    attach_cues(s);
    s.sequence = next_sequence_++;
    s.discontinuity = std::exchange(pending_discontinuity_, false);
    out.push_back(std::move(s));
  }
  return out;
}

Segment Segmenter::take_segment(int64_t start, std::optional<int64_t> end) {
  Segment s;
  s.start = start;
  s.time_base = time_base_;
  int64_t cutter_end = start;
  for (auto& [id, track] : tracks_) {
    auto& queue = track.pending;
    const bool video = track.info->kind == MediaKind::Video;
    // A track that starts (or restarts) needs a keyframe at the cut (video) or audio covering
    // the cut; what comes before cannot be played from this segment.
    if (!track.started) {
      while (!queue.empty()) {
        const AVPacket& p = *queue.front();
        const bool usable = to_cutter(pts_of(p), track) >= start - tolerance_ && (!video || is_key(p));
        if (usable) break;
        queue.pop_front();
      }
    }
    SegmentTrack taken;
    while (!queue.empty()) {
      const AVPacket& p = *queue.front();
      if (end && to_cutter(pts_of(p), track) >= *end - tolerance_ && (!video || is_key(p))) break;
      taken.packets.push_back(queue.front());
      queue.pop_front();
    }
    if (taken.packets.empty()) continue;
    track.started = true;
    if (!queue.empty()) taken.next_dts = dts_of(*queue.front());
    if (id == cutter_) {
      for (const auto& p : taken.packets) {
        int64_t duration = p->duration;
        if (duration <= 0 && video && track.info->frame_rate.num > 0)
          duration = av_rescale_q(1, av_inv_q(track.info->frame_rate), track.info->time_base);
        if (duration <= 0 && !video && track.info->sample_rate > 0)
          duration = av_rescale_q(1024, AVRational{1, track.info->sample_rate}, track.info->time_base);
        cutter_end = std::max(cutter_end, to_cutter(pts_of(*p) + duration, track));
      }
    }
    s.tracks.emplace(id, std::move(taken));
  }
  s.duration = end ? *end - start : cutter_end - start;
  if (s.duration <= 0) s.tracks.clear();  // nothing playable (e.g. only audio before the cut)
  return s;
}

void Segmenter::attach_cues(Segment& s) {
  // The cues before this segment's end; a late one, whose splice point was already passed, goes
  // with the first segment after it.
  while (!cues_.empty()) {
    const int64_t at = av_rescale_q(cues_.front().pts_us, AVRational{1, 1'000'000}, time_base_);
    if (at >= s.start + s.duration - tolerance_) break;
    s.cues.push_back(std::move(cues_.front()));
    cues_.pop_front();
  }
}

std::vector<Segment> Segmenter::flush() {
  std::vector<Segment> out = finalize_ready(true);
  if (!boundaries_.empty()) {
    Segment s = take_segment(boundaries_.front(), std::nullopt);
    if (!s.tracks.empty()) {
      attach_cues(s);
      s.sequence = next_sequence_++;
      s.discontinuity = std::exchange(pending_discontinuity_, false);
      out.push_back(std::move(s));
    }
  }
  reset();
  return out;
}

std::vector<Segment> Segmenter::discontinuity() {
  std::vector<Segment> out = flush();
  if (next_sequence_ > 1) pending_discontinuity_ = true;
  return out;
}

void Segmenter::reset() {
  boundaries_.clear();
  for (auto& [id, track] : tracks_) {
    track.pending.clear();
    track.started = false;
    track.passed.reset();
  }
  last_key_.reset();
  gop_.reset();
  cutter_dts_.reset();
}

}  // namespace mediaemu::pipeline
