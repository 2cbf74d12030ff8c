// Time-shifted viewing of MediaPackage v1 origin endpoints (MP-UG time-shifted.html), HLS, DASH
// and Smooth Streaming:
//   - `start` and `end`, as query parameters (`index.m3u8?start=X&end=Y`) or as path elements
//     before the manifest (`/start/X/end/Y/index.m3u8`), in ISO 8601 (`2017-08-18T21:18:54+00:00`)
//     or epoch seconds;
//   - start only: a fixed start and a growing end; end only: as if neither were given; both in
//     the past: a VOD manifest (HLS EXT-X-ENDLIST); a start in the future: the live manifest;
//   - anything outside the endpoint's StartoverWindowSeconds: 404; at most 24 hours per request.
// Times are program date times (the segments' EXT-X-PROGRAM-DATE-TIME). The packagers keep an
// archive of every media playlist over the start-over window, each segment dated
// (PackagerBase::write_media_playlist); this cuts the requested window out of it. Plain text
// work, no I/O, so it is unit-tested directly.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mediaemu::api {

struct TimeShift {
  std::optional<double> start, end;  // epoch seconds, as requested
  std::string query;                 // "start=X&end=Y" as requested (query style), for child URIs
  int path_depth = 0;                // directory levels the path style added ("start/X/end/Y": 4)
};

// Reads `start` / `end` from the query string and removes `start/<t>` and `end/<t>` path elements
// from `relative` (the path under the endpoint). Returns an error message for a malformed time
// or a parameter given twice; `shift` stays empty when the request names no time.
std::optional<std::string> parse_time_shift(std::string& relative, std::string_view query, TimeShift& shift);

// The window a request asks for, decided against now and the start-over window.
struct ShiftWindow {
  enum class Kind { Live, Window, OutOfWindow, TooLong } kind = Kind::Live;
  double start = 0;
  std::optional<double> end;  // none: growing
  bool complete = false;      // end in the past: a VOD manifest
};
ShiftWindow decide_window(const TimeShift& shift, double now, int startover_window_seconds);

// The media playlist of the archived segments whose program date time lies in [start, end) (or
// from start on when end is empty), with EXT-X-ENDLIST when `complete` or the archive ended.
// Keeps the archive's tags (EXT-X-KEY and EXT-X-MAP in force at the first segment are repeated
// before it), renumbers EXT-X-MEDIA-SEQUENCE and EXT-X-DISCONTINUITY-SEQUENCE, keeps
// EXT-X-PROGRAM-DATE-TIME only when `dates` (the endpoint writes them), and prefixes relative
// URIs with "../" per path level. nullopt when no segment falls in the window.
std::optional<std::string> cut_hls_window(const std::string& archive, const ShiftWindow& window, bool dates,
                                          int path_depth);

// An archive parsed once (its segments indexed by date), so that any number of windows cut from
// it cost a binary search and the copy of their own lines: the origin keeps the parsed archive
// of each playlist until the packager rewrites it (ArchiveCache, api/origin.cpp).
class HlsArchive {
 public:
  // nullopt when a date is malformed or the first segment has none.
  static std::optional<HlsArchive> parse(const std::string& text);
  // As cut_hls_window().
  std::optional<std::string> cut(const ShiftWindow& window, bool dates, int path_depth) const;

 private:
  struct Block {
    std::vector<size_t> tags;  // indices into tags_
    std::string uri;
    double date = 0, duration = 0;
    bool discontinuity = false;
    bool dated = false;        // carries its own EXT-X-PROGRAM-DATE-TIME
    int key = -1, map = -1;    // the EXT-X-KEY / EXT-X-MAP in force (its own or earlier), in tags_
    size_t offset = 0;         // where its lines start in text_
  };
  std::vector<std::string> header_, tags_;
  std::string text_;  // every block's lines as archived, in order: a window served as is is one copy
  std::vector<Block> blocks_;
  int64_t media_sequence_ = 0, discontinuity_sequence_ = 0;
  bool ended_ = false;
};

// Whether an MPD's SegmentTemplates carry a SegmentTimeline: time-shifted viewing and harvesting
// of DASH need one (MP-UG ltov-reqmts: Number or Time with timeline).
inline bool has_segment_timeline(const std::string& mpd) { return mpd.find("<SegmentTimeline") != std::string::npos; }

// The MPD of the start-over archive's segments whose start (availabilityStartTime + Period@start
// + (S@t - presentationTimeOffset) / timescale) lies in [start, end), or from start on when end
// is empty, for SegmentTimeline templates: `complete` gives a static MPD (no
// minimumUpdatePeriod, mediaPresentationDuration, Periods starting at 0), otherwise a dynamic
// one whose timeShiftBufferDepth reaches back to `start` from `now`. Relative template URLs go
// `path_depth` levels up. nullopt when no segment falls in the window or the archive cannot be
// read; `problem` says which.
std::optional<std::string> cut_mpd_window(const std::string& archive, const ShiftWindow& window, double now,
                                          int path_depth, std::string& problem);

// The Smooth Streaming manifest of the start-over archive's fragments whose program date time
// (each archived <c> carries it as `e`, epoch ms) lies in [start, end), or from start on when end
// is empty: `complete`, or an archive that ended, gives a finished presentation (no IsLive, a
// Duration), otherwise a live one whose DVRWindowLength reaches back to the window's first
// fragment from `now`. Its fragment URLs are relative to the manifest and the origin drops the
// path style's elements from every request, so they need no rewriting. nullopt when no video
// fragment falls in the window or the archive cannot be read; `problem` says which.
std::optional<std::string> cut_mss_window(const std::string& archive, const ShiftWindow& window, double now,
                                          std::string& problem);

// The MPD with its relative SegmentTemplate URLs `path_depth` levels up (a live MPD requested in
// the path style with a start still to come).
std::string prefix_mpd_urls(const std::string& mpd, int path_depth);

// A playlist with every URI (a line of its own, or a tag's URI="..." attribute) through `map`.
using UriMap = std::function<std::string(const std::string&)>;
std::string rewrite_uris(const std::string& playlist, const UriMap& map);

// A media playlist whose relative URIs (segments, EXT-X-MAP, EXT-X-KEY) go `path_depth` levels up.
std::string prefix_relative_uris(const std::string& playlist, int path_depth);

// A multivariant playlist whose child URIs carry `query` (query-style time shift and manifest
// filters, which MediaPackage propagates to the child playlists).
std::string propagate_query(const std::string& master, const std::string& query);

}  // namespace mediaemu::api
