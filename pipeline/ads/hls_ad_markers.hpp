// The ad marker lines of an HLS media playlist, written before a segment's EXTINF, from the SCTE-35
// cues at the segment starts. One writer per endpoint (every rendition gets the same lines: the
// segments are cut at the same instants).
//
// Styles (MediaPackage HlsPackage.AdMarkers, MediaLive HlsGroupSettings.AdMarkers; examples in
// MediaConvert UG sample-manifest-scte-35-enhanced-ad-markers, MediaLive UG sample-manifests-hls,
// Elemental Live UG scte-35-ad-marker-ext-x-daterange):
//   SCTE35_ENHANCED (MediaLive: ELEMENTAL_SCTE35): #EXT-OATCLS-SCTE35:<base64>, #EXT-X-ASSET:CAID=0x<upid>
//     when the cue has a UPID, #EXT-X-CUE-OUT:<duration>; on each later segment of the break
//     #EXT-X-CUE-OUT-CONT:ElapsedTime=<s>,Duration=<s>,SCTE35=<base64>; at its end #EXT-X-CUE-IN.
//   ELEMENTAL: #EXT-X-CUE-OUT:<d>, #EXT-X-CUE-OUT-CONT: <elapsed>/<d>, #EXT-X-CUE-IN.
//   ADOBE: #EXT-X-CUE:DURATION="<d>",ID="<event id>",TYPE="SpliceOut",TIME="<pts s>" at the start only.
//   DATERANGE: #EXT-X-DATERANGE:ID="<event id>",START-DATE=...,PLANNED-DURATION=<d>,SCTE35-OUT=0x<hex>
//     at the start; at the end the same ID and START-DATE with END-DATE and DURATION (and
//     SCTE35-IN for an explicit return). RFC 8216bis §4.4.5.1 requires START-DATE on every
//     DATERANGE, so the end tag repeats it (Elemental's example leaves it out).
// A break ends at an In cue (ReturnToNetwork, a segmentation end type) or, having a duration, at
// the first segment starting at or after its start plus that duration (auto_return).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipeline/ads/ad_cue.hpp"

namespace mediaemu::pipeline::ads {

struct AdMarkerSpec {
  enum class Style { None, Scte35Enhanced, Daterange, Elemental, Adobe } style = Style::None;
  // AdTriggers: the cue types that become markers. MediaPackage's default list (MP-UG scte:
  // splice insert and the advertisement / placement opportunity segmentation types).
  std::set<std::string> triggers{"SPLICE_INSERT", "PROVIDER_ADVERTISEMENT", "DISTRIBUTOR_ADVERTISEMENT",
                                 "PROVIDER_PLACEMENT_OPPORTUNITY", "DISTRIBUTOR_PLACEMENT_OPPORTUNITY"};
  // AdsOnDeliveryRestrictions (model doc): which time_signal cues count by their delivery
  // restriction flags; splice inserts have none and always count when AdTriggers names them.
  enum class Restrictions { None, Restricted, Unrestricted, Both } on_restrictions = Restrictions::Restricted;

  bool signals_ad(const AdCue& cue) const;
};

class HlsAdMarkers {
 public:
  explicit HlsAdMarkers(AdMarkerSpec spec) : spec_(std::move(spec)) {}

  // The lines for the next segment (segments in order): `cues` start at its beginning
  // (`position` on the packager's gapless timeline, `epoch_ms` its program date time).
  std::vector<std::string> tags(const std::vector<AdCue>& cues, double position, int64_t epoch_ms);
  bool enabled() const { return spec_.style != AdMarkerSpec::Style::None; }

 private:
  struct Break {
    AdCue cue;
    double start = 0;  // position
    int64_t start_epoch_ms = 0;
    std::optional<double> duration;
  };
  void open(const AdCue& cue, double position, int64_t epoch_ms, std::vector<std::string>& out);
  void close(const AdCue* in, double position, int64_t epoch_ms, std::vector<std::string>& out);

  AdMarkerSpec spec_;
  std::optional<Break> break_;
};

}  // namespace mediaemu::pipeline::ads
