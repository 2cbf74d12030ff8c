// MPEG-DASH (ISO/IEC 23009-1, DASH-IF IOP live profile; MediaPackage DashPackage). Files:
//   <name>.mpd
//   <name>_video_<repId>_0_init.mp4, <name>_video_<repId>_0_<Number|Time>.mp4  (audio: <name>_audio_...)
// repIds number the Representations from 1: video of the selected variants first, then audio.
//
// Timeline: MPD time 0 (Period 1, start PT0S) is the first segment's start, so
// availabilityStartTime is that segment's wall-clock time (plus TimeDelaySeconds, which delays
// the whole presentation for clients that compute the live edge from the clock).
// presentationTimeOffset maps each track's media time (S@t = tfdt) onto the period. A
// discontinuity opens a new Period whose start is the wall-clock offset of its first segment
// (never before the previous period's end).
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <map>
#include <memory>
#include <vector>

#include "pipeline/package/fmp4.hpp"
#include "pipeline/package/hls_playlist.hpp"
#include "pipeline/package/packager_base.hpp"

namespace mediaemu::pipeline {

class DashPackager final : public PackagerBase {
 public:
  explicit DashPackager(const EndpointSpec& spec);

 private:
  struct MediaSegment {
    int64_t number = 0;
    int64_t t = 0, d = 0;  // in the representation's timescale
  };
  struct Representation {
    const TrackInfo* info = nullptr;
    int id = 0;
    std::unique_ptr<Fmp4TrackMuxer> muxer;
    BitrateMeter meter;
    std::string stem;  // "<name>_video_<id>_0"
    std::map<int64_t, MediaSegment> segments;  // by number
  };
  struct Period {
    int id = 0;
    double start = 0;        // MPD time, seconds
    int64_t start_pts = 0;   // cutter time base
    int64_t first_number = 0;
    std::string events;  // an EventStream (the SCTE-35 cue of an ad break that starts here)
  };
  struct Record {  // one segment of the timeline (all representations)
    int64_t number = 0;
    double position = 0, duration = 0;
    size_t period = 0;
    double mpd_end = 0;
    int64_t epoch_ms = 0;
  };

  void start() override;
  void add_segment(const Segment& segment) override;
  std::optional<Published> publish(double edge, bool ended) override;
  double window_seconds() const override { return dash_.manifest_window_seconds; }
  void forget_before(double position) override;

  std::string render(size_t first, size_t last, bool ended) const;
  // PeriodTriggers ADS: whether `segment` starts or ends an ad break (a new Period), and the
  // EventStream of a break that starts with it.
  bool ad_boundary(const Segment& segment, std::string& events);
  // The Representations of each Adaptation Set, video first.
  std::vector<std::vector<const Representation*>> adaptation_sets() const;
  std::string segment_template(const Representation& rep, const Period& period, size_t first, size_t last) const;

  DashSpec dash_;
  std::vector<Representation> reps_;
  std::vector<Period> periods_;
  std::deque<Record> records_;
  int64_t zero_pts_ = 0;  // cutter pts at MPD time 0
  double mpd_end_ = 0;
  std::optional<double> break_end_;  // position of the open ad break's planned end
  bool in_break_ = false;
};

}  // namespace mediaemu::pipeline
