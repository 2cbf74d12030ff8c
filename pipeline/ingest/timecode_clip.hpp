// A clip of a file input: only the part between two SMPTE timecodes plays, as MediaLive's
// InputClippingSettings describe it on an input switch ("Settings to let you create a clip of the
// file input, in order to set up the input to ingest only a portion of the file"; StartTimecode,
// StopTimecode "HH:MM:SS:FF or HH:MM:SS;FF", the stop frame excluded unless
// LastFrameClippingBehavior is INCLUDE_LAST_FRAME; InputTimecodeSource ZEROBASED counts from the
// file's first frame, EMBEDDED in the file's own timecode).
// https://docs.aws.amazon.com/medialive/latest/apireference/channels-channelid-schedule.html
// Header-only: the control plane's plan library validates timecodes without libav.
#pragma once

#include <cstdio>
#include <optional>
#include <string>

namespace mediaemu::pipeline {

struct TimecodeClip {
  std::string start, stop;          // empty: from the file's start / to its end
  bool embedded = false;            // InputTimecodeSource EMBEDDED (else ZEROBASED)
  bool include_last_frame = false;  // StopTimecode.LastFrameClippingBehavior INCLUDE_LAST_FRAME
};

// Seconds of "HH:MM:SS:FF" (or "HH:MM:SS;FF", drop-frame notation) at `fps` frames per second;
// nullopt when it is not a timecode (minutes and seconds under 60, a frame number under `fps`).
inline std::optional<double> timecode_seconds(const std::string& timecode, double fps) {
  unsigned h = 0, m = 0, s = 0, f = 0;
  char sep = 0;
  int used = 0;
  if (std::sscanf(timecode.c_str(), "%2u:%2u:%2u%c%2u%n", &h, &m, &s, &sep, &f, &used) != 5 ||
      used != static_cast<int>(timecode.size()) || (sep != ':' && sep != ';') || m > 59 || s > 59 || fps <= 0 ||
      f >= static_cast<unsigned>(fps + 0.5))
    return std::nullopt;
  return h * 3600.0 + m * 60.0 + s + f / fps;
}

// Whether `timecode` has the form (frame numbers are checked against the rate once it is known).
inline bool is_timecode(const std::string& timecode) { return timecode_seconds(timecode, 1000).has_value(); }

}  // namespace mediaemu::pipeline
