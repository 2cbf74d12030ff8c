// SCTE-35 cue messages (ANSI/SCTE 35 2019, "Digital Program Insertion Cueing Message"): the two
// commands MediaLive's schedule inserts (splice_insert, time_signal with segmentation
// descriptors) as plain values, and their binary splice_info_section (§9.6), which HLS carries in
// base64 (EXT-OATCLS-SCTE35, CUE-OUT-CONT SCTE35=) or hex (DATERANGE SCTE35-OUT/IN).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mediaemu::pipeline::ads {

// segmentation_descriptor() delivery restriction flags (§10.3.3.1); absent when
// delivery_not_restricted_flag is 1.
struct DeliveryRestrictions {
  bool web_delivery_allowed = true;
  bool no_regional_blackout = true;
  bool archive_allowed = true;
  int device_restrictions = 3;  // 2 bits; 3: none
};

struct SegmentationDescriptor {
  uint32_t event_id = 0;
  bool cancel = false;
  std::optional<uint64_t> duration_90k;  // segmentation_duration (40 bits)
  std::optional<DeliveryRestrictions> restrictions;
  int upid_type = 0;
  std::vector<uint8_t> upid;
  int type_id = 0;  // segmentation_type_id, e.g. 0x34 provider placement opportunity start
  int segment_num = 0, segments_expected = 0;
  int sub_segment_num = 0, sub_segments_expected = 0;  // written for 0x34/0x36/0x38/0x3A (§10.3.3.1)
};

struct SpliceInfo {
  enum class Command { SpliceInsert, TimeSignal } command = Command::SpliceInsert;
  // splice_insert (§9.7.3): a program splice at the cue's pts.
  uint32_t event_id = 0;
  bool out_of_network = true;                  // false: a return to the network
  std::optional<uint64_t> break_duration_90k;  // break_duration(), with auto_return set
  // time_signal (§9.7.4): what the segmentation descriptors say.
  std::vector<SegmentationDescriptor> descriptors;
};

// The splice_info_section (table_id 0xFC, unencrypted, pts_adjustment 0, tier 0xFFF) with the
// splice time `pts_90k` (33 bits) and its CRC_32.
std::vector<uint8_t> encode_splice_info(const SpliceInfo& info, uint64_t pts_90k);

}  // namespace mediaemu::pipeline::ads
