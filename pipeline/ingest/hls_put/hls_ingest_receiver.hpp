// What an encoder PUTs to one MediaPackage ingest URL (HLS over WebDAV, MP-UG what-is-flow-gen:
// playlists and MPEG-TS segments) turned into a MediaSink's calls, without transcoding: MediaPackage
// repackages its input, so each variant stream of the upload becomes one video rendition of the
// layout, and the first variant's audio plays with all of them.
//
// Encoders upload a segment, then the media playlist that lists it (ffmpeg's hls muxer, MediaLive),
// so a segment is demuxed when a playlist names it. Variants are lined up by media sequence
// number; a segment slot goes out once every variant has delivered it (or another variant is two
// segments ahead: a variant that lags is left out of that slot). Timestamps keep the encoder's
// spacing on an output timeline that starts at 0; an EXT-X-DISCONTINUITY, a jump of the
// encoder's clock or a restart of its media sequence becomes on_discontinuity() and the timeline
// continues from the wall clock. EXT-X-ENDLIST on every variant ends the outputs. The SCTE-35
// sections in a slot's first variant become cues (on_cue) at their splice times, as MediaPackage
// reads the first SCTE-35 data track of its input (MP-UG scte-works), for the endpoints' AdMarkers.
//
// Not thread-safe: the owner calls it from one thread (the MediaPackage channel's worker).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/ingest/hls_put/hls_ingest_playlist.hpp"
#include "pipeline/ingest/hls_put/ts_segment.hpp"
#include "pipeline/media.hpp"

namespace mediaemu::pipeline::hls_put {

struct ReceiverStats {
  int64_t files = 0, bytes = 0;     // PUTs taken
  int64_t segments = 0;             // segments demuxed and delivered
  int64_t rejected = 0;             // segments that were not usable MPEG-TS (logged)
  int64_t skipped = 0;              // listed but never uploaded, or arrived too late for their slot
  int64_t last_delivery_ms = 0;     // wall clock of the last slot sent on (0: none yet)
};

class HlsIngestReceiver {
 public:
  using WallClock = std::function<int64_t()>;  // Unix milliseconds

  HlsIngestReceiver(std::string label, std::shared_ptr<MediaSink> sink, WallClock now_ms = {});

  // One uploaded file, by its name (the last path element): a playlist (text starting #EXTM3U)
  // or a segment. Runs the demuxing and packaging it makes possible on the caller's thread.
  void put(const std::string& name, std::string bytes);
  // A DELETE of an uploaded file: it is forgotten if it has not been used yet.
  void remove(const std::string& name);
  // Ends the outputs (EXT-X-ENDLIST, a static MPD) unless they already ended.
  void end();
  bool ended() const { return ended_; }
  // Gives up on segments listed more than kUploadWait ago that never came (the origin calls it
  // every second), so a lost upload cannot hold the outputs back.
  void poll();
  static constexpr int64_t kUploadWaitMs = 6000;
  const ReceiverStats& stats() const { return stats_; }

 private:
  struct Listed {  // a segment a playlist named, until its upload arrives
    std::string file;
    bool discontinuity = false;
    std::optional<int64_t> date_ms;
    double duration = 0;
    int64_t listed_at_ms = 0;
  };
  struct Ready {  // demuxed, waiting for its slot
    TsSegment segment;
    bool discontinuity = false;
    std::optional<int64_t> date_ms;
  };
  struct VariantState {
    std::string playlist;       // its media playlist's file name
    int64_t bandwidth = 0;      // from the multivariant playlist (0: measured)
    int64_t next_sequence = -1; // the next media sequence number to list (-1: from the first seen)
    std::map<int64_t, Listed> listed;
    std::map<int64_t, Ready> ready;
    bool ended = false;         // its playlist has EXT-X-ENDLIST
    int track = 0;              // its video track in the layout (0: not in the layout)
    int64_t last_dts = -1;      // unwrapped, for the 33-bit wrap
    int64_t bytes = 0;
    double seconds = 0;         // to measure a bandwidth the playlist did not give
  };

  void take_master(const IngestPlaylist& master);
  void take_media(const std::string& name, const IngestPlaylist& playlist);
  void collect(VariantState& v);  // demuxes the listed segments whose uploads are here
  VariantState& variant(const std::string& playlist);
  void deliver_ready();
  bool slot_ready(int64_t slot) const;
  bool in_layout(size_t index) const;  // true for every variant until the layout is sent
  void send_layout(int64_t slot);
  void send_slot(int64_t slot);
  // The segment's SCTE-35 sections as cues on the output timeline (an immediate splice at
  // `earliest`, the slot's first timestamp), handed on before the packets they may cut.
  void send_cues(VariantState& v, const TsSegment& segment, int64_t earliest);
  int64_t unwrap(VariantState& v, int64_t ts) const;
  void restart();
  void finish_if_ended();

  std::string label_;
  std::shared_ptr<MediaSink> sink_;
  WallClock now_ms_;
  ReceiverStats stats_;
  std::map<std::string, std::string> uploads_;      // segment name -> bytes, until a playlist names it
  std::vector<std::string> upload_order_;           // oldest first, to bound what is kept
  std::vector<IngestVariant> master_;               // the multivariant playlist's variants, if one came
  std::vector<std::unique_ptr<VariantState>> variants_;  // master order, then order of arrival
  bool layout_sent_ = false, ended_ = false, discontinuity_pending_ = false;
  int audio_source_ = -1;       // index of the variant whose audio plays (-1: none)
  int64_t next_slot_ = -1;      // the next slot to send
  int64_t offset_ = 0;          // output time = unwrapped 90 kHz time + offset_
  int64_t last_out_end_ = 0;    // end of what was sent, 90 kHz output time
  int64_t epoch_ms_at_zero_ = 0;
  OutputLayout layout_;
};

}  // namespace mediaemu::pipeline::hls_put
