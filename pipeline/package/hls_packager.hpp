// HLS with MPEG-TS segments (MediaPackage HlsPackage). Files, named like MediaPackage's:
//   <name>.m3u8                 multivariant playlist
//   <name>_<n>.m3u8             media playlist of rendition n (from 1, in master order; audio
//                               renditions follow the variants when UseAudioRenditionGroup)
//   <name>_<n>_<seq>.ts         segments
//   <name>_<n>_iframe.m3u8      I-frame playlist of the first rendition (IncludeIframeOnlyStream)
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "pipeline/package/hls_playlist.hpp"
#include "pipeline/package/packager_base.hpp"
#include "pipeline/package/ts_muxer.hpp"

namespace mediaemu::pipeline {

class HlsTsPackager final : public PackagerBase {
 public:
  explicit HlsTsPackager(const EndpointSpec& spec);

 private:
  struct Rendition {
    int number = 0;
    std::string stem;  // of its media playlist and segments: "index_1" (MediaPackage), "index_720p" (MediaLive)
    const TrackInfo* video = nullptr;
    std::vector<const TrackInfo*> audio;  // muxed into this rendition's TS
    std::unique_ptr<TsMuxer> muxer;
    std::unique_ptr<HlsMediaPlaylist> playlist;
    BitrateMeter meter;
    int64_t target_bitrate = 0;
  };

  void start() override;
  void add_segment(const Segment& segment) override;
  std::optional<Published> publish(double edge, bool ended) override;
  double window_seconds() const override;
  void forget_before(double position) override;

  std::unique_ptr<Rendition> make_rendition(int number, const TrackInfo* video, std::vector<const TrackInfo*> audio,
                                            const std::string& variant_name = "");
  void add_iframes(const Segment& segment, const std::string& uri, const TsMuxer::Output& out);
  std::string master_playlist() const;
  std::string streams_description() const;  // stream_description.hpp
  static std::string media_playlist_name(const Rendition& r) { return r.stem + ".m3u8"; }
  std::string iframe_playlist_name() const { return iframe_source_->stem + "_iframe.m3u8"; }
  std::string segment_name(const Rendition& r, int64_t sequence) const;  // without ".ts"

  HlsPlaylistSpec playlist_spec_;
  std::vector<std::unique_ptr<Rendition>> variants_;  // one per STREAM-INF
  std::vector<std::unique_ptr<Rendition>> audio_;     // EXT-X-MEDIA renditions
  const Rendition* iframe_source_ = nullptr;
  std::unique_ptr<HlsMediaPlaylist> iframes_;
  BitrateMeter iframe_meter_;
  int64_t iframe_sequence_ = 1;
};

}  // namespace mediaemu::pipeline
