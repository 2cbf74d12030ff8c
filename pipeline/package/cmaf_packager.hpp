// CMAF (MediaPackage CmafPackage): fMP4 segments shared by every HLS manifest of the endpoint,
// at the endpoint root:
//   <prefix>_video_<n>_init.mp4, <prefix>_video_<n>_<seq>.mp4   (audio: <prefix>_audio_<n>_...)
// n numbers the tracks from 1 (video tracks of the selected variants first, then audio).
// Each CmafManifestSpec gets its own playlists under "<id>/", referring to "../<file>":
//   <id>/<name>.m3u8, <id>/<name>_<n>.m3u8, <id>/<name>_<n>_iframe.m3u8
// MediaPackage's CMAF always puts audio in separate EXT-X-MEDIA renditions (MP-UG
// endpoints-cmaf); media playlists are EXT-X-VERSION 6 with EXT-X-MAP and
// EXT-X-INDEPENDENT-SEGMENTS. With CmafPackage.Encryption the shared segments are 'cbcs' or
// 'cenc' encrypted (fmp4_encryption.hpp) and every media playlist carries the EXT-X-KEY tags.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "pipeline/package/fmp4.hpp"
#include "pipeline/package/hls_playlist.hpp"
#include "pipeline/package/packager_base.hpp"

namespace mediaemu::pipeline {

class CmafPackager final : public PackagerBase {
 public:
  explicit CmafPackager(const EndpointSpec& spec);

 private:
  struct Track {
    const TrackInfo* info = nullptr;
    int number = 0;
    std::unique_ptr<Fmp4TrackMuxer> muxer;
    BitrateMeter meter;
    std::string file_stem;  // "<prefix>_video_<n>"
  };
  struct Manifest {
    CmafManifestSpec spec;
    std::map<int, std::unique_ptr<HlsMediaPlaylist>> playlists;  // by track number
    std::unique_ptr<HlsMediaPlaylist> iframes;                   // of the first video track
  };

  void start() override;
  void add_segment(const Segment& segment) override;
  std::optional<Published> publish(double edge, bool ended) override;
  double window_seconds() const override;
  void forget_before(double position) override;

  std::string master_playlist(const Manifest& manifest) const;
  std::string streams_description(const Manifest& manifest) const;  // stream_description.hpp
  std::string playlist_name(const Manifest& m, int number, bool iframe = false) const;

  std::vector<Track> tracks_;
  std::vector<std::pair<int, std::vector<int>>> variants_;  // video track number, audio numbers
  std::vector<Manifest> manifests_;
  BitrateMeter iframe_meter_;
};

}  // namespace mediaemu::pipeline
