#include "pipeline/ads/splice_info.hpp"

#include <algorithm>

#include "pipeline/bytes.hpp"

namespace mediaemu::pipeline::ads {
namespace {

// MSB-first bit writer: SCTE-35 fields are big-endian bit fields (§9.6).
class Bits {
 public:
  void put(uint64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      if (filled_ == 0) bytes_.push_back(0);
      if ((value >> i) & 1) bytes_.back() |= static_cast<uint8_t>(0x80 >> filled_);
      filled_ = (filled_ + 1) % 8;
    }
  }
  void ones(int width) { put((uint64_t{1} << width) - 1, width); }
  void append(std::span<const uint8_t> raw) {
    for (uint8_t b : raw) put(b, 8);
  }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
  int filled_ = 0;  // bits used in the last byte
};

constexpr uint64_t kPtsMask = (uint64_t{1} << 33) - 1;

void splice_time(Bits& b, uint64_t pts_90k) {  // §9.8.1, time_specified_flag 1
  b.put(1, 1);
  b.ones(6);
  b.put(pts_90k & kPtsMask, 33);
}

std::vector<uint8_t> splice_insert(const SpliceInfo& info, uint64_t pts_90k) {  // §9.7.3
  Bits b;
  b.put(info.event_id, 32);
  b.put(0, 1);  // splice_event_cancel_indicator
  b.ones(7);
  b.put(info.out_of_network ? 1 : 0, 1);
  b.put(1, 1);  // program_splice_flag
  b.put(info.break_duration_90k ? 1 : 0, 1);
  b.put(0, 1);  // splice_immediate_flag: the splice time is given
  b.ones(4);    // event_id_compliance_flag (1: compliant) and 3 reserved bits
  splice_time(b, pts_90k);
  if (info.break_duration_90k) {  // break_duration() §9.8.2
    b.put(1, 1);  // auto_return
    b.ones(6);
    b.put(*info.break_duration_90k & kPtsMask, 33);
  }
  b.put(0, 16);  // unique_program_id
  b.put(0, 8);   // avail_num
  b.put(0, 8);   // avails_expected
  return std::move(b.bytes());
}

bool has_sub_segments(int type_id) { return type_id == 0x34 || type_id == 0x36 || type_id == 0x38 || type_id == 0x3A; }

std::vector<uint8_t> segmentation_descriptor(const SegmentationDescriptor& d) {  // §10.3.3
  Bits body;
  body.put(0x43554549, 32);  // identifier "CUEI"
  body.put(d.event_id, 32);
  body.put(d.cancel ? 1 : 0, 1);
  body.ones(7);  // segmentation_event_id_compliance_indicator (1) and reserved
  if (!d.cancel) {
    body.put(1, 1);  // program_segmentation_flag
    body.put(d.duration_90k ? 1 : 0, 1);
    body.put(d.restrictions ? 0 : 1, 1);  // delivery_not_restricted_flag
    if (d.restrictions) {
      body.put(d.restrictions->web_delivery_allowed, 1);
      body.put(d.restrictions->no_regional_blackout, 1);
      body.put(d.restrictions->archive_allowed, 1);
      body.put(static_cast<uint64_t>(d.restrictions->device_restrictions) & 3, 2);
    } else {
      body.ones(5);
    }
    if (d.duration_90k) body.put(*d.duration_90k, 40);
    body.put(static_cast<uint64_t>(d.upid_type) & 0xFF, 8);
    body.put(d.upid.size() & 0xFF, 8);
    body.append(std::span(d.upid.data(), std::min<size_t>(d.upid.size(), 255)));
    body.put(static_cast<uint64_t>(d.type_id) & 0xFF, 8);
    body.put(static_cast<uint64_t>(d.segment_num) & 0xFF, 8);
    body.put(static_cast<uint64_t>(d.segments_expected) & 0xFF, 8);
    if (has_sub_segments(d.type_id)) {
      body.put(static_cast<uint64_t>(d.sub_segment_num) & 0xFF, 8);
      body.put(static_cast<uint64_t>(d.sub_segments_expected) & 0xFF, 8);
    }
  }
  std::vector<uint8_t> out{0x02, static_cast<uint8_t>(body.bytes().size())};  // splice_descriptor_tag, length
  out.insert(out.end(), body.bytes().begin(), body.bytes().end());
  return out;
}

}  // namespace

std::vector<uint8_t> encode_splice_info(const SpliceInfo& info, uint64_t pts_90k) {
  std::vector<uint8_t> command;
  uint8_t command_type = 0;
  if (info.command == SpliceInfo::Command::SpliceInsert) {
    command = splice_insert(info, pts_90k);
    command_type = 0x05;
  } else {
    Bits b;
    splice_time(b, pts_90k);
    command = std::move(b.bytes());
    command_type = 0x06;
  }
  std::vector<uint8_t> descriptors;
  if (info.command == SpliceInfo::Command::TimeSignal)
    for (const auto& d : info.descriptors) {
      auto one = segmentation_descriptor(d);
      descriptors.insert(descriptors.end(), one.begin(), one.end());
    }

  Bits b;  // §9.6.1, from protocol_version on (section_length counts from there)
  b.put(0, 8);   // protocol_version
  b.put(0, 1);   // encrypted_packet
  b.put(0, 6);   // encryption_algorithm
  b.put(0, 33);  // pts_adjustment
  b.put(0, 8);   // cw_index
  b.put(0xFFF, 12);  // tier: not used
  b.put(command.size(), 12);
  b.put(command_type, 8);
  b.append(command);
  b.put(descriptors.size(), 16);
  b.append(descriptors);
  const size_t section_length = b.bytes().size() + 4;  // and the CRC_32

  std::vector<uint8_t> out;
  out.push_back(0xFC);  // table_id
  // section_syntax_indicator 0, private_indicator 0, sap_type 3 (not specified), section_length
  out.push_back(static_cast<uint8_t>(0x30 | ((section_length >> 8) & 0x0F)));
  out.push_back(static_cast<uint8_t>(section_length & 0xFF));
  out.insert(out.end(), b.bytes().begin(), b.bytes().end());
  const uint32_t crc = crc32_mpeg2(out);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(crc >> shift));
  return out;
}

}  // namespace mediaemu::pipeline::ads
