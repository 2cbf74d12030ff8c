#include "pipeline/ads/splice_decode.hpp"

#include <stdexcept>

#include "pipeline/bytes.hpp"

namespace mediaemu::pipeline::ads {
namespace {

// MSB-first bit reader over a byte range; reading past its end throws (a truncated section).
class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  uint64_t get(int width) {
    uint64_t value = 0;
    for (int i = 0; i < width; ++i) {
      if (at_ >= bytes_.size() * 8) throw std::out_of_range("truncated");
      value = value << 1 | ((bytes_[at_ / 8] >> (7 - at_ % 8)) & 1);
      ++at_;
    }
    return value;
  }
  void skip(int width) { get(width); }
  size_t byte_offset() const { return at_ / 8; }
  std::span<const uint8_t> take(size_t n) {
    if (at_ % 8 != 0 || byte_offset() + n > bytes_.size()) throw std::out_of_range("truncated");
    auto out = bytes_.subspan(byte_offset(), n);
    at_ += n * 8;
    return out;
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t at_ = 0;  // bit position
};

constexpr uint64_t kPts33 = (uint64_t{1} << 33) - 1;

// splice_time() §9.8.1: the pts_time, or nullopt when time_specified_flag is 0.
std::optional<uint64_t> read_splice_time(BitReader& r) {
  if (r.get(1)) {
    r.skip(6);
    return r.get(33);
  }
  r.skip(7);
  return std::nullopt;
}

// segmentation_descriptor() §10.3.3, after splice_descriptor_tag and descriptor_length; false for
// a cancelled segmentation event.
bool read_segmentation(BitReader& r, SegmentationDescriptor& d) {
  r.skip(32);  // identifier, checked by the caller
  d.event_id = static_cast<uint32_t>(r.get(32));
  d.cancel = r.get(1);
  r.skip(7);
  if (d.cancel) return false;
  const bool program = r.get(1);
  const bool has_duration = r.get(1);
  const bool not_restricted = r.get(1);
  if (!not_restricted) {
    DeliveryRestrictions restrictions;
    restrictions.web_delivery_allowed = r.get(1);
    restrictions.no_regional_blackout = r.get(1);
    restrictions.archive_allowed = r.get(1);
    restrictions.device_restrictions = static_cast<int>(r.get(2));
    d.restrictions = restrictions;
  } else {
    r.skip(5);
  }
  if (!program) {
    const int components = static_cast<int>(r.get(8));
    for (int i = 0; i < components; ++i) r.skip(8 + 7 + 33);  // component_tag, reserved, pts_offset
  }
  if (has_duration) d.duration_90k = r.get(40);
  d.upid_type = static_cast<int>(r.get(8));
  const size_t upid_length = r.get(8);
  auto upid = r.take(upid_length);
  d.upid.assign(upid.begin(), upid.end());
  d.type_id = static_cast<int>(r.get(8));
  d.segment_num = static_cast<int>(r.get(8));
  d.segments_expected = static_cast<int>(r.get(8));
  return true;
}

}  // namespace

std::optional<DecodedSplice> decode_splice_info(std::span<const uint8_t> section, std::string& why) {
  try {
    BitReader r(section);
    if (r.get(8) != 0xFC) {
      why = "not an SCTE-35 section (table_id is not 0xFC)";
      return std::nullopt;
    }
    r.skip(1 + 1 + 2);  // section_syntax_indicator, private_indicator, sap_type
    const size_t section_length = r.get(12);
    if (3 + section_length > section.size() || section_length < 4) {
      why = "truncated section";
      return std::nullopt;
    }
    const auto whole = section.first(3 + section_length);
    if (crc32_mpeg2(whole) != 0) {  // the CRC_32 makes the CRC of the whole section 0
      why = "CRC_32 mismatch";
      return std::nullopt;
    }
    r.skip(8);  // protocol_version
    if (r.get(1)) {
      why = "encrypted section";
      return std::nullopt;
    }
    r.skip(6);
    const uint64_t pts_adjustment = r.get(33);
    r.skip(8 + 12);  // cw_index, tier
    const size_t command_length = r.get(12);
    const int command_type = static_cast<int>(r.get(8));
    DecodedSplice out;
    std::optional<uint64_t> pts;
    if (command_type == 0x05) {  // splice_insert §9.7.3
      out.info.command = SpliceInfo::Command::SpliceInsert;
      out.info.event_id = static_cast<uint32_t>(r.get(32));
      if (r.get(1)) {
        why = "splice_insert cancels event " + std::to_string(out.info.event_id);
        return std::nullopt;
      }
      r.skip(7);
      out.info.out_of_network = r.get(1);
      const bool program = r.get(1);
      const bool has_duration = r.get(1);
      const bool immediate = r.get(1);
      r.skip(4);
      if (!program) {
        why = "component splice_insert (only program splices are passed on)";
        return std::nullopt;
      }
      if (!immediate) pts = read_splice_time(r);
      if (has_duration) {
        r.skip(1 + 6);  // auto_return, reserved
        out.info.break_duration_90k = r.get(33);
      }
      r.skip(16 + 8 + 8);  // unique_program_id, avail_num, avails_expected
    } else if (command_type == 0x06) {  // time_signal §9.7.4
      out.info.command = SpliceInfo::Command::TimeSignal;
      pts = read_splice_time(r);
      if (!pts) {
        why = "time_signal without a time";
        return std::nullopt;
      }
    } else {
      why = "splice command type " + std::to_string(command_type) + " makes no cue";
      return std::nullopt;
    }
    (void)command_length;  // the command was read field by field; 0xFFF means "unknown" (§9.6.1)
    const size_t loop_length = r.get(16);
    const size_t loop_end = r.byte_offset() + loop_length;
    while (r.byte_offset() + 2 <= loop_end) {
      const int tag = static_cast<int>(r.get(8));
      const size_t length = r.get(8);
      auto body = r.take(length);
      BitReader d(body);
      if (tag != 0x02 || length < 4 || d.get(32) != 0x43554549) continue;  // segmentation, "CUEI"
      BitReader full(body);
      SegmentationDescriptor seg;
      if (read_segmentation(full, seg)) out.info.descriptors.push_back(std::move(seg));
    }
    if (pts) out.pts_90k = (*pts + pts_adjustment) & kPts33;
    return out;
  } catch (const std::out_of_range&) {
    why = "truncated section";
    return std::nullopt;
  }
}

}  // namespace mediaemu::pipeline::ads
