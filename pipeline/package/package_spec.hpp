// How one origin endpoint packages a channel's renditions: plain values the emulator translates
// from MediaPackage HlsPackage / DashPackage / CmafPackage. Nothing here knows AWS JSON; file
// and URI naming follows MediaPackage's so players and tests see what they would on AWS.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/ads/hls_ad_markers.hpp"
#include "pipeline/crypto/encryption_spec.hpp"
#include "pipeline/package/endpoint_status.hpp"

namespace mediaemu::pipeline {

struct StreamSelectionSpec {
  int64_t min_video_bitrate = 0;
  int64_t max_video_bitrate = 2147483647;
  enum class Order { Original, VideoBitrateAscending, VideoBitrateDescending } order = Order::Original;
};

struct HlsPlaylistSpec {
  std::string manifest_name = "index";  // master "<name>.m3u8", media "<name>_<n>.m3u8"
  // MediaLive's naming (its HLS output groups), by variant (output) name: media playlists
  // "<name><NameModifier>.m3u8", segments "<name><NameModifier>_<00001>.ts". Empty: MediaPackage's,
  // "<name>_<n>.m3u8" and "<name>_<n>_<sequence>.ts".
  std::map<std::string, std::string> name_modifiers;
  int playlist_window_seconds = 60;
  enum class PlaylistType { None, Event, Vod } playlist_type = PlaylistType::None;
  int program_date_time_interval_seconds = 0;  // 0: no EXT-X-PROGRAM-DATE-TIME
  bool include_iframe_only_stream = false;
  bool use_audio_rendition_group = false;
  ads::AdMarkerSpec ad_markers;  // AdMarkers, AdTriggers, AdsOnDeliveryRestrictions
};

struct HlsSpec {
  int segment_duration_seconds = 6;
  HlsPlaylistSpec playlist;
  StreamSelectionSpec selection;
  // MediaLive M3u8Settings Scte35Behavior PASSTHROUGH: the cues go into the TS segments on this PID
  // (ts_scte35.hpp).
  std::optional<uint16_t> scte35_pid;
};

struct DashSpec {
  std::string manifest_name = "index";  // "<name>.mpd"
  int segment_duration_seconds = 2;
  int manifest_window_seconds = 60;
  int min_buffer_time_seconds = 30;
  int min_update_period_seconds = 15;
  int suggested_presentation_delay_seconds = 25;
  enum class TemplateFormat { NumberWithTimeline, TimeWithTimeline, NumberWithDuration } format =
      TemplateFormat::NumberWithTimeline;
  std::string utc_timing_scheme;  // "" (none), "HTTP-HEAD", "HTTP-ISO", "HTTP-XSDATE"
  std::string utc_timing_uri;
  // PeriodTriggers ADS: a new Period at each ad break's start and end, the start's carrying the
  // SCTE-35 cue in an EventStream (MP-UG multi-period); which cues count: AdTriggers and
  // AdsOnDeliveryRestrictions (style unused).
  bool periods_on_ads = false;
  ads::AdMarkerSpec ad_triggers;
  StreamSelectionSpec selection;
};

struct CmafManifestSpec {
  std::string id;  // HlsManifests[].Id: the manifest lives in "<id>/<manifest_name>.m3u8"
  HlsPlaylistSpec playlist;
};

struct CmafSpec {
  int segment_duration_seconds = 6;
  std::string segment_prefix = "index";
  std::vector<CmafManifestSpec> manifests;
  StreamSelectionSpec selection;
};

// MssPackage: Smooth Streaming (MS-SSTR) at <manifest_name>.ism/Manifest.
struct MssSpec {
  int segment_duration_seconds = 2;
  double manifest_window_seconds = 60;
  std::string manifest_name = "index";
  StreamSelectionSpec selection;
};

struct EndpointSpec {
  std::string label;                   // for log lines
  std::filesystem::path directory;     // everything this endpoint serves lives under here
  int time_delay_seconds = 0;          // TimeDelaySeconds: the live edge lags by this much
  int startover_window_seconds = 0;    // segments are kept this long (at least the window)
  enum class Kind { Hls, Dash, Cmaf, Mss } kind = Kind::Hls;
  HlsSpec hls;
  DashSpec dash;
  CmafSpec cmaf;
  MssSpec mss;
  // HlsPackage/DashPackage/CmafPackage.Encryption: segments are encrypted and manifests signal
  // the keys.
  std::optional<crypto::EncryptionSpec> encryption;
  // Where the packager reports the latest published segment (for the origin's
  // X-MediaPackage-Manifest-Last-Sequence / -Last-Updated headers). Optional: the packager makes
  // its own when this is null. The emulator keeps a copy to read from the origin's threads.
  std::shared_ptr<EndpointStatus> status;
  // Append "?m=<epoch seconds>" to segment URIs the way MediaPackage does. Off by default: the
  // query only works when an HTTP origin serves the files (the file protocol keeps it in the name).
  bool segment_uri_query = false;
  // Write the files MediaPackage's origin reads besides what players fetch (endpoint_status.hpp:
  // status, start-over archive, stream descriptions). Off for MediaLive's own output groups,
  // whose destinations hold only what MediaLive writes there.
  bool origin_files = false;
  std::string temp_prefix = ".";  // of files still being written (SegmentStore)
};

// A MediaLive Archive output group's files (pipeline/package/archive_writer.hpp).
struct ArchiveSpec {
  std::string label;                // for log lines
  std::filesystem::path directory;  // the destination's path
  std::string base_name;            // the destination's base file name
  int rollover_seconds = 300;
  struct Output {
    std::string name_modifier;
    std::string extension = "m2ts";
    // M2tsSettings Scte35Control PASSTHROUGH: the cues go into the TS on this PID (ts_scte35.hpp).
    std::optional<uint16_t> scte35_pid;
  };
  std::map<std::string, Output> outputs;  // by output (variant) name
  std::string temp_prefix = ".";          // of files still being written
};

// A MediaLive FrameCapture output group's files (pipeline/package/frame_capture_writer.hpp).
struct FrameCaptureFilesSpec {
  std::string label;                                  // for log lines
  std::filesystem::path directory;                    // the destination's path
  std::string base_name;                              // the destination's base file name
  std::map<std::string, std::string> name_modifiers;  // by output name
  std::string temp_prefix = ".";                      // of files still being written
};

}  // namespace mediaemu::pipeline
