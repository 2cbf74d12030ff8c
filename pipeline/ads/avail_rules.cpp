#include "pipeline/ads/avail_rules.hpp"

namespace mediaemu::pipeline::ads {

bool blanks_avail(const AdCue& cue, const AvailRules& rules, std::string& why) {
  const bool apos = rules.mode == AvailRules::Mode::TimeSignalApos;
  const SegmentationDescriptor* d = nullptr;
  if (cue.info.command == SpliceInfo::Command::SpliceInsert) {
    if (apos) {
      why = "a splice_insert is no avail in Scte35TimeSignalApos mode";
      return false;
    }
  } else {
    if (!cue.info.descriptors.empty()) d = &cue.info.descriptors.front();
    const int type = d ? d->type_id & ~1 : -1;
    const bool placement_or_break = type == 0x22 || type == 0x34 || type == 0x36;
    const bool advertisement = type == 0x30 || type == 0x32;
    if (!placement_or_break && !(advertisement && !apos)) {
      why = "segmentation type " + std::to_string(d ? d->type_id : -1) + " is no avail in " +
            (apos ? "Scte35TimeSignalApos" : "Scte35SpliceInsert") + " mode";
      return false;
    }
  }
  // Absent flags (no descriptor, or delivery_not_restricted) are considered false: blanking.
  const bool web_allowed = d && d->restrictions && d->restrictions->web_delivery_allowed;
  const bool regional_allowed = d && d->restrictions && d->restrictions->no_regional_blackout;
  if ((!web_allowed && rules.follow_web_delivery_allowed) || (!regional_allowed && rules.follow_no_regional_blackout))
    return true;
  why = web_allowed && regional_allowed
            ? "its web_delivery_allowed and no_regional_blackout flags allow the content"
            : "AvailConfiguration ignores the restriction flags that would blank it";
  return false;
}

}  // namespace mediaemu::pipeline::ads
