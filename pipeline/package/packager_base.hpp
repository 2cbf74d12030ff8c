// What every origin endpoint packager shares: segmenting the channel's packets (Segmenter), the
// endpoint's files (SegmentStore), StreamSelection, TimeDelaySeconds, expiry and the status the
// origin reads. HLS, DASH and CMAF packagers supply the muxing and the manifests.
//
// Time: segments are placed on a gapless timeline ("position", seconds: the sum of the segment
// durations so far), which stays monotonic across discontinuities and encoder restarts. Windows,
// the time delay and expiry are measured on it; program date times and DASH times come from the
// packets' pts (OutputLayout::epoch_ms_at_zero + pts).
//
// Runs on the channel worker thread; on_* calls are sequential (media.hpp).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/crypto/segment_encryption.hpp"
#include "pipeline/media.hpp"
#include "pipeline/package/hls_playlist.hpp"
#include "pipeline/package/package_spec.hpp"
#include "pipeline/package/segment_store.hpp"
#include "pipeline/package/segmenter.hpp"

namespace mediaemu::pipeline {

class PackagerBase : public MediaSink {
 public:
  void on_layout(const OutputLayout& layout) final;
  void on_packet(const MediaPacket& packet) final;
  void on_discontinuity() final;
  void on_cue(const ads::AdCue& cue) final;
  void on_end() final;

 protected:
  PackagerBase(EndpointSpec spec, int segment_duration_seconds, StreamSelectionSpec selection);

  struct Published {
    int64_t sequence = 0;
    int64_t epoch_ms = 0;  // program date time of that segment's start
  };

  // layout() and selected_variants() are ready. Called again (after reset) when a later
  // on_layout replaces the layout, which restarts the packaging from scratch.
  virtual void start() = 0;
  // Mux the segment and write its files (segment.position is set).
  virtual void add_segment(const Segment& segment) = 0;
  // Write the manifests as a player should see them with segments up to `edge` (gapless
  // timeline) published; `ended` after on_end(). Returns the newest published segment.
  virtual std::optional<Published> publish(double edge, bool ended) = 0;
  // How long after leaving the live edge a segment is still in some manifest (the window);
  // infinity when manifests never drop segments.
  virtual double window_seconds() const = 0;
  // Drop bookkeeping of segments that ended before `position` (their files are gone).
  virtual void forget_before(double position) = 0;

  const EndpointSpec& spec() const { return spec_; }
  bool encrypted() const { return encryption_ != nullptr; }
  // Whether a track's samples are encrypted: on an encrypted endpoint, unless a SPEKE v2.0
  // UNENCRYPTED preset leaves its kind clear (crypto/speke_presets.hpp).
  bool track_encrypted(const TrackInfo& track) const;
  // The key marker a track's fragment uses in this segment (crypto::track_key); null: clear.
  crypto::SharedSegmentKey track_key(const Segment& segment, const TrackInfo& track) const;
  const OutputLayout& layout() const { return *layout_; }
  const std::vector<const Variant*>& selected_variants() const { return selected_; }
  SegmentStore& store() { return store_; }
  double target_seconds() const { return segmenter_ ? segmenter_->target_seconds() : segment_duration_seconds_; }
  AVRational cutter_time_base() const { return segmenter_->time_base(); }
  int64_t epoch_ms_at(double media_seconds) const;
  // "?m=<epoch seconds>" when EndpointSpec::segment_uri_query, else "".
  const std::string& uri_query() const { return uri_query_; }
  // Writes the segment file and schedules its expiry: once the window has passed the segment's
  // end (`end_position` on the gapless timeline).
  void write_segment_file(const std::string& name, std::span<const uint8_t> bytes, double end_position);
  void write_segment_file(const std::string& name, std::span<const uint8_t> bytes, const Segment& segment) {
    write_segment_file(name, bytes, segment.position + segment.duration_seconds());
  }
  // Writes a media playlist as published at `edge`, and with a start-over window also its archive
  // (every segment of the window, dated) under kArchiveDirectory, which the origin cuts
  // time-shifted playlists from. False when nothing is published yet.
  bool write_media_playlist(const std::string& name, const HlsMediaPlaylist& playlist, double edge, bool ended);

 private:
  void select_variants();
  void handle(std::vector<Segment> segments, bool always_publish);

  EndpointSpec spec_;
  int segment_duration_seconds_;
  StreamSelectionSpec selection_;
  SegmentStore store_;
  std::list<OutputLayout> layouts_;  // stable addresses: muxers keep TrackInfo pointers
  const OutputLayout* layout_ = nullptr;
  std::vector<const Variant*> selected_;
  std::optional<Segmenter> segmenter_;
  // The encryption stage (spec.encryption): gives each segment its key marker before add_segment.
  std::unique_ptr<crypto::SegmentEncryption> encryption_;
  std::string uri_query_;
  double position_ = 0;
  int64_t next_sequence_ = 1;
  bool ended_ = false;
  EndpointStatusSnapshot status_;
};

}  // namespace mediaemu::pipeline
