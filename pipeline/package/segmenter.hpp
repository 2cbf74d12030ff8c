// Cuts a channel's interleaved packets into segments that every rendition of an endpoint shares.
//
// Cut points come from one track, the "cutter": the first video track (every video rendition
// has an IDR at the same pts, media.hpp), or the first audio track for audio-only layouts. A
// segment ends at the first cutter keyframe at which it has reached the target duration.
//
// Target: SegmentDurationSeconds rounded UP to a whole number of input GOPs, the GOP being the
// keyframe spacing observed on the cutter (GOP 2 s + 6 s -> 6 s; GOP 3 s + 4 s -> 6 s; GOP
// 2.002 s + 6 s -> 6.006 s), as the MediaLive user guide states (mediapackage-encode-packaging).
// The MediaPackage user guide (endpoints-hls-packager) says "rounds to the nearest multiple of
// the input segment duration" instead; that is a documented conflict and we round up.
// Audio-only layouts cut on time: the first audio packet at or after the target.
//
// Video packets of the other renditions start a segment at their own keyframe at the cut pts;
// audio packets go to the segment covering their pts. Because audio (and the other renditions)
// may arrive a little after the cutter's keyframe, a segment is handed out only once every track
// has passed its end, or the cutter is kMaxWait beyond it (a silent track must not stall output).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "pipeline/ads/ad_cue.hpp"
#include "pipeline/media.hpp"
#include "pipeline/crypto/segment_key.hpp"

namespace mediaemu::pipeline {

struct SegmentTrack {
  std::vector<SharedPacket> packets;  // decode order, timestamps in the track's time_base
  // dts of this track's first packet after the segment, when it has already arrived: lets a
  // muxer give the last sample its exact duration, so the next segment starts where this ends.
  std::optional<int64_t> next_dts;
};

struct Segment {
  int64_t sequence = 0;       // from 1, continuing across discontinuities
  int64_t start = 0;          // pts of the cut, in `time_base` (the cutter track's)
  int64_t duration = 0;       // same unit
  AVRational time_base{1, 90000};
  bool discontinuity = false; // the first segment after on_discontinuity()
  double position = 0;        // seconds on a gapless timeline (set by the packager; see PackagerBase)
  std::map<int, SegmentTrack> tracks;  // by track id; tracks with no packet are absent
  // The key-change marker of an encrypted endpoint (set by the packager's encryption stage,
  // pipeline/crypto/segment_encryption.hpp): null when the endpoint is clear.
  crypto::SharedSegmentKey key;
  // SCTE-35 cues whose splice point is this segment's start (or, for a cue that came too late
  // to cut at, within it).
  std::vector<ads::AdCue> cues;

  double start_seconds() const { return start * av_q2d(time_base); }
  double duration_seconds() const { return duration * av_q2d(time_base); }
};

class Segmenter {
 public:
  // `first_sequence`: a packager that restarts (a new run of the channel) keeps numbering on, so
  // new files never take the names of old ones still on disk.
  Segmenter(const OutputLayout& layout, int segment_duration_seconds, int64_t first_sequence = 1);

  // Packets of tracks not in the layout are ignored. Returns the segments this packet completed.
  std::vector<Segment> push(const MediaPacket& packet);
  // A segment starts at the cue's splice point, whatever the target duration (the transcoder puts
  // an IDR there), and at its planned return (`back_us`, when the break has a duration); the
  // segment that starts there carries the cue.
  void splice(const ads::AdCue& cue);
  // Closes the open segment (end of stream, or before a discontinuity).
  std::vector<Segment> flush();
  // flush(), then the next segment starts at the next cutter keyframe and is marked
  // `discontinuity`; the GOP is learnt again.
  std::vector<Segment> discontinuity();

  int cutter_track() const { return cutter_; }
  AVRational time_base() const { return time_base_; }
  // The rounded target in seconds (SegmentDurationSeconds until a GOP has been seen).
  double target_seconds() const { return target_units() * av_q2d(time_base_); }

 private:
  struct TrackState {
    const TrackInfo* info = nullptr;
    std::deque<SharedPacket> pending;  // not yet assigned to a segment
    bool started = false;              // has contributed to a segment since the last reset
    std::optional<int64_t> passed;     // how far this track has progressed, in cutter units
  };

  int64_t to_cutter(int64_t ts, const TrackState& track) const;
  int64_t target_units() const;
  void on_cutter_key(int64_t pts);
  bool all_passed(int64_t boundary) const;
  std::vector<Segment> finalize_ready(bool force);
  Segment take_segment(int64_t start, std::optional<int64_t> end);
  void attach_cues(Segment& segment);
  void reset();

  int cutter_ = 0;
  bool cutter_is_video_ = false;
  AVRational time_base_{1, 90000};
  int64_t segment_units_ = 0;  // SegmentDurationSeconds in cutter units
  int64_t tolerance_ = 0;      // 1 ms in cutter units: timestamps of different time bases
  int64_t max_wait_ = 0;
  std::map<int, TrackState> tracks_;
  std::deque<int64_t> boundaries_;  // starts of segments not yet handed out; front = open segment
  std::optional<int64_t> last_key_;
  std::optional<int64_t> gop_;
  std::optional<int64_t> cutter_dts_;
  int64_t next_sequence_ = 1;
  bool pending_discontinuity_ = false;
  std::set<int64_t> splice_points_;  // cutter units: cuts still to make
  std::deque<ads::AdCue> cues_;      // by pts, not yet handed out with a segment
};

}  // namespace mediaemu::pipeline
