// What each stream of a multivariant playlist is, for the origin's manifest filters
// (api/manifest_filter.hpp): HLS does not signal a variant's video bitrate apart from its audio,
// nor any sample rate, so the packagers write them next to the playlist, one line per stream:
//   <uri> type=variant|audio|iframe video_bitrate=... video_height=... audio_sample_rate=... ...
// with the filter's parameter names as keys and codecs as RFC 6381 entries. The file's name:
// streams_file_for() (endpoint_status.hpp).
#pragma once

#include <string>

#include "pipeline/media.hpp"

namespace mediaemu::pipeline {

// One line: `type` is "variant", "audio" or "iframe"; video and audio may be null.
std::string describe_stream(const std::string& uri, const char* type, const TrackInfo* video, const TrackInfo* audio);

}  // namespace mediaemu::pipeline
