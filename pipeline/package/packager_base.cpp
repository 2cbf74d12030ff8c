#include "pipeline/package/packager_base.hpp"

#include "pipeline/crypto/speke_presets.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace mediaemu::pipeline {

PackagerBase::PackagerBase(EndpointSpec spec, int segment_duration_seconds, StreamSelectionSpec selection)
    : spec_(std::move(spec)),
      segment_duration_seconds_(std::max(1, segment_duration_seconds)),
      selection_(selection),
      store_(spec_.directory, spec_.temp_prefix) {
  if (!spec_.status) spec_.status = std::make_shared<EndpointStatus>();
  if (spec_.encryption) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();
    encryption_ = std::make_unique<crypto::SegmentEncryption>(*spec_.encryption, spec_.label, now_ms);
  }
}

bool PackagerBase::track_encrypted(const TrackInfo& track) const {
  if (!encrypted()) return false;
  const crypto::EncryptionSpec& e = *spec_.encryption;
  return !e.speke_v2() || crypto::preset_track_type(e.preset_video, e.preset_audio, track.kind == MediaKind::Video,
                                                    int64_t{track.width} * track.height, track.channels);
}

crypto::SharedSegmentKey PackagerBase::track_key(const Segment& segment, const TrackInfo& track) const {
  return crypto::track_key(segment.key, track.kind == MediaKind::Video, track.width, track.height, track.channels);
}

int64_t PackagerBase::epoch_ms_at(double media_seconds) const {
  return layout_->epoch_ms_at_zero + std::llround(media_seconds * 1000.0);
}

void PackagerBase::select_variants() {
  // StreamSelection (MP-UG endpoints-hls-packager): keep variants whose video bitrate is within
  // [min, max] (audio-only variants have no video bitrate and stay), then order them.
  selected_.clear();
  auto video_bitrate = [&](const Variant* v) -> int64_t {
    const TrackInfo* t = v->video_track ? layout_->track(v->video_track) : nullptr;
    return t ? t->bitrate : 0;
  };
  for (const auto& v : layout_->variants) {
    const TrackInfo* video = v.video_track ? layout_->track(v.video_track) : nullptr;
    if (video && (video->bitrate < selection_.min_video_bitrate || video->bitrate > selection_.max_video_bitrate))
      continue;
    selected_.push_back(&v);
  }
  if (selection_.order == StreamSelectionSpec::Order::VideoBitrateAscending)
    std::stable_sort(selected_.begin(), selected_.end(),
                     [&](auto a, auto b) { return video_bitrate(a) < video_bitrate(b); });
  if (selection_.order == StreamSelectionSpec::Order::VideoBitrateDescending)
    std::stable_sort(selected_.begin(), selected_.end(),
                     [&](auto a, auto b) { return video_bitrate(a) > video_bitrate(b); });
}

void PackagerBase::on_layout(const OutputLayout& layout) {
  if (segmenter_) {
    // A new run of the channel (after on_end) or a changed ladder: manifests start over.
    if (!ended_) spdlog::warn("package {}: output layout replaced mid-run; packaging restarts", spec_.label);
    handle(segmenter_->flush(), false);
  }
  layouts_.push_back(layout);
  layout_ = &layouts_.back();
  select_variants();
  segmenter_.emplace(*layout_, segment_duration_seconds_, next_sequence_);
  ended_ = false;
  if (spec_.segment_uri_query) uri_query_ = "?m=" + std::to_string(layout_->epoch_ms_at_zero / 1000);
  try {
    start();
  } catch (...) {
    segmenter_.reset();  // half-built muxers must not see packets
    throw;
  }
  spdlog::info("package {}: started in {}, {} of {} variants, segment target {} s", spec_.label,
               spec_.directory.string(), selected_.size(), layout_->variants.size(), segment_duration_seconds_);
}

void PackagerBase::on_packet(const MediaPacket& packet) {
  if (!segmenter_ || ended_) return;
  auto done = segmenter_->push(packet);
  if (!done.empty()) handle(std::move(done), false);
}

void PackagerBase::on_cue(const ads::AdCue& cue) {
  if (!segmenter_ || ended_) return;
  segmenter_->splice(cue);
}

void PackagerBase::on_discontinuity() {
  if (!segmenter_ || ended_) return;
  handle(segmenter_->discontinuity(), false);
}

void PackagerBase::on_end() {
  if (!segmenter_ || ended_) return;
  ended_ = true;
  handle(segmenter_->flush(), true);
  spdlog::info("package {}: ended after {} segments", spec_.label, status_.segments_written);
}

void PackagerBase::write_segment_file(const std::string& name, std::span<const uint8_t> bytes, double end_position) {
  store_.write(name, bytes);
  store_.remember_segment(name, end_position);
}

bool PackagerBase::write_media_playlist(const std::string& name, const HlsMediaPlaylist& playlist, double edge,
                                        bool ended) {
  const std::string text = playlist.render(edge, ended);
  if (text.empty()) return false;
  store_.write(name, std::string_view(text));
  if (spec_.origin_files && spec_.startover_window_seconds > 0)
    store_.write(std::string(kArchiveDirectory) + "/" + name,
                 std::string_view(playlist.render_archive(edge, spec_.startover_window_seconds, ended)));
  return true;
}

void PackagerBase::handle(std::vector<Segment> segments, bool always_publish) {
  for (auto& segment : segments) {
    segment.position = position_;
    position_ += segment.duration_seconds();
    next_sequence_ = segment.sequence + 1;
    // Encrypted and no key ever obtained: the segment is not published, so the endpoint's
    // playlists stay absent (404), as MediaPackage answers (segment_encryption.hpp).
    if (encryption_ && !(segment.key = encryption_->key_for(segment.sequence, epoch_ms_at(segment.start_seconds()))))
      continue;
    add_segment(segment);
    ++status_.segments_written;
  }
  if (segments.empty() && !always_publish) return;
  // TimeDelaySeconds: manifests show the timeline as it was that long ago; the files are
  // already there. On end everything is published.
  const double edge = ended_ ? std::numeric_limits<double>::infinity() : position_ - spec_.time_delay_seconds;
  if (auto published = publish(edge, ended_)) {
    status_.last_sequence = published->sequence;
    status_.last_updated_epoch_ms = published->epoch_ms;
  }
  status_.ended = ended_;
  spec_.status->update(status_);
  // The same for the origin, which runs outside the media module: its manifest responses carry
  // these as X-MediaPackage-Manifest-Last-Sequence / -Last-Updated.
  if (spec_.origin_files && status_.last_sequence >= 0)
    store_.write_if_changed(std::string(kStatusFile), std::to_string(status_.last_sequence) + " " +
                                                          std::to_string(status_.last_updated_epoch_ms) + "\n");
  // A segment leaves the window `window` seconds after the (delayed) edge passes it, and stays
  // on disk for a grace period after that — as long as the window again, or the start-over
  // window when longer — for players still fetching it and for time-shifted viewing.
  const double window = window_seconds();
  if (std::isfinite(window)) {
    const double keep = window + std::max<double>(window, spec_.startover_window_seconds);
    const double horizon = position_ - spec_.time_delay_seconds - keep;
    store_.expire_before(horizon);
    forget_before(horizon);
  }
}

}  // namespace mediaemu::pipeline
