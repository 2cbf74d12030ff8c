// Fragmented MP4 (ISO/IEC 14496-12) for CMAF and DASH, one track per file: an initialization
// segment (ftyp + moov with mvex) and media segments (styp + moof + mdat, tfdt = decode time).
//
// Written box by box rather than through libavformat's mov muxer: the packager must control
// exactly what the manifests promise — tfdt equal to the timeline's S@t, mfhd sequence numbers,
// the first sample starting each file, the byte range of the IDR for I-frame playlists — and
// the mov muxer decides those itself (start_dts/edit-list heuristics, avoid_negative_ts shifts,
// frag_discont), differently across FFmpeg versions, and would need its byte stream re-split into
// init and fragments. The boxes needed are few and fixed.
//
// Video decode times are shifted by the track's reorder delay (pts - dts of its first keyframe)
// and trun version 1 carries signed composition offsets, so each segment's baseMediaDecodeTime
// equals the presentation time of its IDR (CMAF, ISO/IEC 23000-19 §7.5.x; DASH-IF IOP: the
// segment's earliest presentation time is what the MPD timeline announces).
//
// Encrypted tracks ('cenc' or 'cbcs', ISO/IEC 23001-7): protect() turns the init segment's sample
// entry into encv/enca with a sinf and adds the pssh boxes; a fragment given a key marker encrypts
// its samples and describes them in senc/saiz/saio (and seig for a rotated key): fmp4_encryption.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "pipeline/crypto/segment_key.hpp"
#include "pipeline/media.hpp"
#include "pipeline/package/fmp4_encryption.hpp"
#include "pipeline/package/segmenter.hpp"

namespace mediaemu::pipeline {

struct Fmp4Fragment {
  std::vector<uint8_t> bytes;    // styp + moof + mdat
  int64_t start = 0;             // tfdt, in the track's timescale (= earliest presentation time)
  int64_t duration = 0;          // sum of sample durations, same unit
  int64_t first_sample_end = 0;  // byte offset just past the first sample (an I-frame range)
  int64_t first_sample_bytes = 0;
};

class Fmp4TrackMuxer {
 public:
  explicit Fmp4TrackMuxer(const TrackInfo& track);

  uint32_t timescale() const { return timescale_; }
  const std::vector<uint8_t>& init_segment() const { return init_; }
  // Rebuilds init_segment() as the init segment of a protected track.
  void protect(const Fmp4Protection& protection);
  const std::optional<Fmp4Protection>& protection() const { return protection_; }
  // Smooth Streaming fragments (MS-SSTR §2.2.4): no styp, and a TfxdBox (the fragment's absolute
  // time and duration) in the traf. There is no init segment: clients build one from the manifest.
  // Times are in 100 ns units, the manifest's default TimeScale (§2.2.2.1), for every track: Smooth
  // clients compare StreamIndex start times as numbers (dash.js's MSS parser takes the smallest as
  // a finished presentation's offset), so 90 kHz video beside 48 kHz audio would misalign them.
  void smooth_streaming();
  // nullopt when the segment has no packet of this track. With `key` (the segment's key marker)
  // the samples are encrypted; the init segment must then be protect()ed, in the key's scheme (a
  // key other than its default_KID is named in the fragment: key rotation).
  std::optional<Fmp4Fragment> fragment(const SegmentTrack& data, uint32_t sequence_number,
                                       const crypto::SegmentKey* key = nullptr);

 private:
  TrackInfo track_;
  uint32_t timescale_ = 90000;
  bool annexb_ = false;
  std::optional<int64_t> reorder_delay_;  // in timescale units
  int64_t last_duration_ = 0;
  std::vector<uint8_t> init_;
  std::optional<Fmp4Protection> protection_;
  bool smooth_ = false;
};

// MS-SSTR §2.2.4.5 TfrfBox: appends to the traf of a Smooth Streaming fragment (moof + mdat, as
// Fmp4TrackMuxer writes it) the fragment that follows it, at `time` for `duration` (the track's
// timescale), which is how a live client learns of the next fragment. Box sizes and the trun
// data offset are adjusted.
void add_smooth_lookahead(std::vector<uint8_t>& fragment, int64_t time, int64_t duration);

}  // namespace mediaemu::pipeline
