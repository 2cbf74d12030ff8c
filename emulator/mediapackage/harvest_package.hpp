// What a MediaPackage v1 harvest job writes: the live-to-VOD package of an HLS or DASH endpoint's
// [start, end) window (MP-UG ltov, hj-create), cut from the start-over archive the packagers keep
// (api/time_shift.hpp). The multivariant playlist goes to ManifestKey; the media playlists and
// their segments go beside it under the same names the endpoint serves them by, so the package
// plays from S3 (or from a CloudFront distribution in front of it) as it did from the origin.
// File reads only; the caller writes the objects, which keeps this unit-testable.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mediaemu::mediapackage {

struct HarvestedObject {
  std::string key;                  // object key in the destination bucket
  std::string body;                 // a playlist's text, or
  std::filesystem::path source;     // a segment's file under the endpoint's directory
};

struct HarvestPackage {
  std::vector<HarvestedObject> objects;
  std::string failure;  // non-empty: why nothing can be harvested (the job FAILS with it)
};

struct HarvestRequest {
  std::filesystem::path endpoint_dir;  // what the origin serves for the endpoint
  std::string master;                  // "<ManifestName>.m3u8" / ".mpd" under it
  std::string manifest_key;            // S3Destination.ManifestKey
  double start = 0, end = 0;           // epoch seconds (program date time)
  bool dates = false;                  // the endpoint writes EXT-X-PROGRAM-DATE-TIME
};

// The package, every media playlist a VOD one (EXT-X-PLAYLIST-TYPE:VOD, EXT-X-ENDLIST) with
// exactly the segments whose program date time falls in the window.
HarvestPackage harvest_hls(const HarvestRequest& request);

// The package of a DASH endpoint (ltov-reqmts: a SegmentTemplateFormat with a timeline): a
// static MPD of exactly the segments that start in the window (api::cut_mpd_window), with every
// initialization and media segment it names beside it.
HarvestPackage harvest_dash(const HarvestRequest& request);

}  // namespace mediaemu::mediapackage
