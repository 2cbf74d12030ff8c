// An SCTE-35 cue on a channel's output timeline: what the transcoder hands every output with
// MediaSink::on_cue, and what packagers turn into manifest ad markers. The transcoder puts an IDR
// frame at `pts_us` in every video rendition (and at the break's end when it has a duration), so
// segments split exactly at the splice points.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/ads/splice_info.hpp"

namespace mediaemu::pipeline::ads {

struct AdCue {
  int64_t pts_us = 0;  // the splice point, on the output timeline (µs)
  SpliceInfo info;
  std::vector<uint8_t> binary;  // encode_splice_info(info, pts in 90 kHz)
  std::string name;             // the schedule action that inserted it (log lines)

  // Out: an ad break (or placement opportunity) starts; In: it ends; Other: a segmentation type
  // that is not an ad (program, chapter, ...), which no ad marker is written for.
  enum class Edge { Out, In, Other };
  Edge edge() const;
  // The break's planned length: break_duration or segmentation_duration.
  std::optional<double> duration_seconds() const;
  uint32_t event_id() const;
  // The AdTriggers name of this cue's type (MediaPackage AdTriggersElement): "SPLICE_INSERT",
  // "PROVIDER_ADVERTISEMENT", ...; "" for types AdTriggers cannot name.
  std::string trigger() const;
  // A time_signal whose descriptor carries delivery restrictions (delivery_not_restricted_flag 0).
  bool delivery_restricted() const;
  // The first descriptor's UPID, for EXT-X-ASSET (empty when none).
  const std::vector<uint8_t>& upid() const;
};

// A cue to insert (a MediaLive schedule action): at a wall-clock time, or as soon as possible.
struct CueRequest {
  std::string name;  // the schedule action's
  SpliceInfo info;
  std::optional<int64_t> at_epoch_ms;  // nullopt: immediate
  // A cue from the input's own SCTE-35: its splice time on the output timeline (µs).
  std::optional<int64_t> at_output_us;
};

// Builds the cue for `info` at `pts_us` (encodes the section with that splice time).
AdCue make_cue(SpliceInfo info, int64_t pts_us, std::string name);

}  // namespace mediaemu::pipeline::ads
