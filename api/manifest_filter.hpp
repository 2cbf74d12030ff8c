// MediaPackage v1 manifest filtering (MP-UG manifest-filtering.html): `?aws.manifestfilter=
// name:value,lo-hi;name:...` on a multivariant playlist or an MPD keeps only the streams whose
// properties match every named parameter (a list is an OR of values and inclusive ranges).
// Names are case-insensitive; ranges run 0-2147483647; the whole value is at most 1024
// characters. 400 for an unknown name, a name given twice, the parameter given twice, a range
// whose minimum exceeds its maximum, a number past INT_MAX, anything malformed, a filter on a
// child playlist or a segment, and a filter that leaves no audio or video stream.
//
// HLS does not signal every property a filter can name (the sample rate, the video bitrate apart
// from the audio), so the packagers write what each stream of a multivariant playlist is next
// to it (kStreamsSuffix): "<uri> type=variant|audio|iframe key=value...", one line per stream.
// DASH's MPD carries them all on its Representations. Smooth Streaming's manifest has no frame
// rate or language either: its packager writes the same file.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mediaemu::api {

struct ManifestFilter {
  struct Term {
    bool range = false;
    double low = 0, high = 0;  // inclusive, for a range or a number
    std::string text;          // lower-cased, for a value
  };
  std::map<std::string, std::vector<Term>> terms;  // by lower-cased parameter name
  bool empty() const { return terms.empty(); }
};

// The query's aws.manifestfilter, or an error message (400). An absent parameter is an empty
// filter.
std::optional<std::string> parse_manifest_filter(std::string_view query, ManifestFilter& filter);

// One stream's properties (by parameter name: "video_height" -> "360", "audio_codec" -> "aacl").
using StreamProperties = std::map<std::string, std::string>;

// Whether a stream passes every term that concerns a property it has.
bool passes(const ManifestFilter& filter, const StreamProperties& stream);

// The video_codec / audio_codec name MediaPackage's filters use for an RFC 6381 codecs entry
// ("avc1.4d401f" -> "h264", "mp4a.40.2" -> "aacl"); "" when it is neither.
std::string filter_codec_name(std::string_view codec);

// The multivariant playlist with only the streams that pass, from the playlist and its streams
// file. nullopt when no audio or video variant is left.
std::optional<std::string> filter_hls_master(const std::string& master, const std::string& streams,
                                             const ManifestFilter& filter);

// The Smooth Streaming manifest with only the QualityLevels that pass (emptied StreamIndexes
// removed), from the manifest and its streams file. nullopt when no audio or video QualityLevel
// is left, or the manifest cannot be read.
std::optional<std::string> filter_mss(const std::string& manifest, const std::string& streams,
                                      const ManifestFilter& filter);

// The MPD with only the Representations that pass (empty AdaptationSets removed). nullopt when
// no audio or video Representation is left, or the MPD cannot be read.
std::optional<std::string> filter_mpd(const std::string& mpd, const ManifestFilter& filter);

}  // namespace mediaemu::api
