// The HLS playlists an encoder PUTs to a MediaPackage ingest URL (RFC 8216): a multivariant
// playlist naming its variant streams, or a media playlist naming its segments. Only what the
// ingest needs is read; unknown tags are skipped, as RFC 8216 §4.1 asks of clients.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mediaemu::pipeline::hls_put {

struct IngestVariant {
  std::string uri;  // as written: relative to the multivariant playlist
  int64_t bandwidth = 0;
  int width = 0, height = 0;  // RESOLUTION, 0 when absent
  std::string codecs;
};

struct IngestSegment {
  std::string uri;
  int64_t sequence = 0;              // EXT-X-MEDIA-SEQUENCE + position
  double duration = 0;               // EXTINF, seconds
  bool discontinuity = false;        // EXT-X-DISCONTINUITY before it
  std::optional<int64_t> date_ms;    // EXT-X-PROGRAM-DATE-TIME, Unix milliseconds
};

struct IngestPlaylist {
  bool multivariant = false;         // has EXT-X-STREAM-INF: `variants` holds them
  std::vector<IngestVariant> variants;
  int64_t target_duration = 0;       // media playlists: EXT-X-TARGETDURATION, seconds
  std::vector<IngestSegment> segments;
  bool ended = false;                // EXT-X-ENDLIST
};

// nullopt when the text is not a playlist (no #EXTM3U first line).
std::optional<IngestPlaylist> parse_ingest_playlist(std::string_view text);

// The last path element of a URI ("a/b/seg_1.ts?x=1" -> "seg_1.ts"): encoders PUT every file of
// a stream next to its playlists, so names are what ties a playlist's entries to the uploads.
std::string file_name_of(std::string_view uri);

}  // namespace mediaemu::pipeline::hls_put
