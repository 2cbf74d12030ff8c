#include "pipeline/ads/ad_cue.hpp"

namespace mediaemu::pipeline::ads {
namespace {

// segmentation_type_id values that mark ad breaks and placement opportunities (SCTE 35 2019
// Table 22): starts are even, their ends the next odd value.
const char* trigger_of_type(int type_id) {
  switch (type_id & ~1) {
    case 0x22: return "BREAK";
    case 0x30: return "PROVIDER_ADVERTISEMENT";
    case 0x32: return "DISTRIBUTOR_ADVERTISEMENT";
    case 0x34: return "PROVIDER_PLACEMENT_OPPORTUNITY";
    case 0x36: return "DISTRIBUTOR_PLACEMENT_OPPORTUNITY";
    case 0x38: return "PROVIDER_OVERLAY_PLACEMENT_OPPORTUNITY";
    case 0x3A: return "DISTRIBUTOR_OVERLAY_PLACEMENT_OPPORTUNITY";
    default: return "";
  }
}

const SegmentationDescriptor* first_descriptor(const SpliceInfo& info) {
  if (info.command != SpliceInfo::Command::TimeSignal || info.descriptors.empty()) return nullptr;
  return &info.descriptors.front();
}

}  // namespace

AdCue make_cue(SpliceInfo info, int64_t pts_us, std::string name) {
  AdCue cue;
  cue.pts_us = pts_us;
  const uint64_t pts_90k = static_cast<uint64_t>(pts_us < 0 ? 0 : pts_us) * 9 / 100;
  cue.binary = encode_splice_info(info, pts_90k);
  cue.info = std::move(info);
  cue.name = std::move(name);
  return cue;
}

AdCue::Edge AdCue::edge() const {
  if (info.command == SpliceInfo::Command::SpliceInsert) return info.out_of_network ? Edge::Out : Edge::In;
  const SegmentationDescriptor* d = first_descriptor(info);
  if (!d || d->cancel || !*trigger_of_type(d->type_id)) return Edge::Other;
  return d->type_id % 2 == 0 ? Edge::Out : Edge::In;
}

std::optional<double> AdCue::duration_seconds() const {
  std::optional<uint64_t> ticks = info.break_duration_90k;
  if (const SegmentationDescriptor* d = first_descriptor(info)) ticks = d->duration_90k;
  if (!ticks || *ticks == 0) return std::nullopt;
  return static_cast<double>(*ticks) / 90000.0;
}

uint32_t AdCue::event_id() const {
  const SegmentationDescriptor* d = first_descriptor(info);
  return d ? d->event_id : info.event_id;
}

std::string AdCue::trigger() const {
  if (info.command == SpliceInfo::Command::SpliceInsert) return "SPLICE_INSERT";
  const SegmentationDescriptor* d = first_descriptor(info);
  return d ? trigger_of_type(d->type_id) : "";
}

bool AdCue::delivery_restricted() const {
  const SegmentationDescriptor* d = first_descriptor(info);
  return d && d->restrictions.has_value();
}

const std::vector<uint8_t>& AdCue::upid() const {
  static const std::vector<uint8_t> kNone;
  const SegmentationDescriptor* d = first_descriptor(info);
  return d ? d->upid : kNone;
}

}  // namespace mediaemu::pipeline::ads
