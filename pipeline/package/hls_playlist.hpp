// HLS playlists (RFC 8216): a media playlist that slides over a growing list of segments, and
// the multivariant ("master") playlist. Plain text rendering, no I/O.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/ads/hls_ad_markers.hpp"
#include "pipeline/crypto/segment_key.hpp"
#include "pipeline/date_time.hpp"
#include "pipeline/package/package_spec.hpp"

namespace mediaemu::pipeline {

struct HlsEntry {
  int64_t sequence = 0;   // media sequence number (RFC 8216 §6.2.1)
  double position = 0;    // start on the packager's gapless timeline, seconds
  double duration = 0;    // EXTINF, seconds
  std::string uri;
  bool discontinuity = false;
  int64_t epoch_ms = 0;   // program date time of the start
  int64_t byte_offset = -1, byte_length = 0;  // EXT-X-BYTERANGE when byte_offset >= 0
  bool program_date_time = false;  // decided by HlsMediaPlaylist::add
  crypto::SharedSegmentKey key;    // encrypted with this (AES-128): EXT-X-KEY where it changes
  std::vector<ads::AdCue> cues;    // SCTE-35 cues at its start (Segment::cues)
  std::vector<std::string> ad_tags;  // decided by HlsMediaPlaylist::add from `cues`
  double end() const { return position + duration; }
};

struct HlsMediaPlaylistConfig {
  int version = 3;
  std::string map_uri;  // EXT-X-MAP (fMP4)
  bool independent_segments = false;
  bool iframes_only = false;
  HlsPlaylistSpec::PlaylistType type = HlsPlaylistSpec::PlaylistType::None;
  double window_seconds = 60;
  int program_date_time_interval_seconds = 0;
  double nominal_segment_seconds = 6;  // TARGETDURATION never goes below ceil of this
  bool repeat_key_tag = false;         // RepeatExtXKey: EXT-X-KEY before every segment
  ads::AdMarkerSpec ad_markers;        // none in I-frame playlists
};

class HlsMediaPlaylist {
 public:
  explicit HlsMediaPlaylist(HlsMediaPlaylistConfig config)
      : config_(std::move(config)), ad_markers_(config_.iframes_only ? ads::AdMarkerSpec{} : config_.ad_markers) {}

  // Entries arrive in order.
  void add(HlsEntry entry);
  // The playlist a player gets when segments up to `edge` (gapless timeline, seconds) are
  // published: a window of PlaylistWindowSeconds back from the edge, or everything for EVENT
  // and VOD, which RFC 8216 §6.2.1 forbids to remove segments from (so an EVENT endpoint grows
  // without bound, unlike MediaPackage's, which slides the window regardless). `ended` adds
  // EXT-X-ENDLIST. Empty when no segment is published yet.
  std::string render(double edge, bool ended) const;
  // Every published segment of the last `window_seconds` (the start-over window), each with its
  // EXT-X-PROGRAM-DATE-TIME: what the origin cuts time-shifted playlists from (api/time_shift).
  std::string render_archive(double edge, double window_seconds, bool ended) const;
  // The newest published entry.
  std::optional<HlsEntry> last_published(double edge) const;
  // Forgets entries ending before `position` (memory bound; never for EVENT/VOD).
  void forget_before(double position);
  // How long a segment stays referenced after it leaves the live edge (infinite for EVENT/VOD).
  double retention_seconds() const;

 private:
  std::pair<size_t, size_t> visible(double edge) const;  // [first, last) in entries_
  std::string render_range(size_t first, size_t last, bool ended, bool date_every_segment) const;

  HlsMediaPlaylistConfig config_;
  ads::HlsAdMarkers ad_markers_;
  std::deque<HlsEntry> entries_;
  int64_t forgotten_discontinuities_ = 0;
  double last_tagged_position_ = -1e18;
  int max_target_ = 1;
};

// ---- multivariant playlist ------------------------------------------------------------------

struct HlsAudioRendition {
  std::string group_id, name, language, uri;
  int channels = 2;
  bool is_default = false;
};

struct HlsVariantStream {
  int64_t bandwidth = 0, average_bandwidth = 0;
  int width = 0, height = 0;  // 0: audio-only
  double frame_rate = 0;
  std::string codecs, audio_group, uri;
};

struct HlsIframeStream {
  int64_t bandwidth = 0;
  int width = 0, height = 0;
  std::string codecs, uri;
};

std::string render_master_playlist(int version, const std::vector<HlsAudioRendition>& audio,
                                   const std::vector<HlsVariantStream>& variants,
                                   const std::vector<HlsIframeStream>& iframes);

// #EXT-X-KEY:METHOD=<AES-128|SAMPLE-AES|SAMPLE-AES-CTR>,URI="<key uri>"[,IV=0x<32 hex digits>]
// (RFC 8216 §4.3.2.4; the method: crypto::hls_key_method); the IV only with a
// ConstantInitializationVector (segment_key.hpp).
std::string ext_x_key_tag(const crypto::SegmentKey& key);

// Peak and average bits per second of a rendition's segments (BANDWIDTH / AVERAGE-BANDWIDTH,
// RFC 8216 §4.3.4.2), with a fallback before the first segment.
class BitrateMeter {
 public:
  void add(size_t bytes, double seconds);
  int64_t peak_or(int64_t fallback) const { return peak_ > 0 ? peak_ : fallback; }
  int64_t average_or(int64_t fallback) const;

 private:
  int64_t peak_ = 0;
  double bits_ = 0, seconds_ = 0;
};

}  // namespace mediaemu::pipeline
