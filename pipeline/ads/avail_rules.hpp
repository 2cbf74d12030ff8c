// Which SCTE-35 cues are ad avails a MediaLive channel blanks (EncoderSettings.AvailConfiguration):
// the ad avail mode and the restriction-flag rules of its AvailSettings.
//   - Mode (ML-UG triggers-for-ad-avail-blanking): Scte35SpliceInsert ("typical": splice_insert
//     messages, and time_signal advertisements 0x30-0x33, placement opportunities 0x34-0x37 and
//     breaks 0x22/0x23) or Scte35TimeSignalApos ("atypical": time_signal placement opportunities
//     and breaks only; no splice_insert). Programs, chapters, overlays and the rest never are.
//   - Restriction flags (ML-UG ad-avail-blanking-restriction-flags): a descriptor's
//     web_delivery_allowed_flag and no_regional_blackout_flag, "considered false" when absent (as
//     in splice_insert messages); a false flag blanks, unless its rule is IGNORE. Both true: no
//     blanking is needed.
//   - AdAvailOffset: milliseconds added to an input cue's splice time ("only embedded SCTE 104/35
//     messages", not the schedule's).
#pragma once

#include <string>

#include "pipeline/ads/ad_cue.hpp"

namespace mediaemu::pipeline::ads {

struct AvailRules {
  enum class Mode { SpliceInsert, TimeSignalApos } mode = Mode::SpliceInsert;
  int ad_avail_offset_ms = 0;
  bool follow_web_delivery_allowed = true;   // WebDeliveryAllowedFlag FOLLOW (the default)
  bool follow_no_regional_blackout = true;   // NoRegionalBlackoutFlag FOLLOW (the default)
};

// Whether a cue that starts a break (AdCue::Edge::Out) is an avail to blank under `rules`; when
// not, `why` says why (for the log).
bool blanks_avail(const AdCue& cue, const AvailRules& rules, std::string& why);

}  // namespace mediaemu::pipeline::ads
