#include "pipeline/ads/splice_xml.hpp"

#include <sstream>

#include "pipeline/bytes.hpp"

namespace mediaemu::pipeline::ads {
namespace {

const char* flag(bool b) { return b ? "true" : "false"; }

void segmentation_descriptor(std::ostringstream& out, const SegmentationDescriptor& d, const std::string& indent) {
  out << indent << "<scte35:SegmentationDescriptor segmentationEventId=\"" << d.event_id
      << "\" segmentationEventCancelIndicator=\"" << flag(d.cancel) << "\"";
  if (d.duration_90k) out << " segmentationDuration=\"" << *d.duration_90k << "\"";
  out << " segmentationTypeId=\"" << d.type_id << "\" segmentNum=\"" << d.segment_num << "\" segmentsExpected=\""
      << d.segments_expected << "\">\n";
  if (d.restrictions)
    out << indent << "  <scte35:DeliveryRestrictions webDeliveryAllowedFlag=\"" << flag(d.restrictions->web_delivery_allowed)
        << "\" noRegionalBlackoutFlag=\"" << flag(d.restrictions->no_regional_blackout) << "\" archiveAllowedFlag=\""
        << flag(d.restrictions->archive_allowed) << "\" deviceRestrictions=\"" << d.restrictions->device_restrictions
        << "\"/>\n";
  out << indent << "  <scte35:SegmentationUpid segmentationUpidType=\"" << d.upid_type << "\">" << hex_upper(d.upid)
      << "</scte35:SegmentationUpid>\n";
  out << indent << "</scte35:SegmentationDescriptor>\n";
}

}  // namespace

std::string dash_event_stream(const AdCue& cue, const std::string& indent) {
  const int64_t pts = cue.pts_us * 9 / 100;  // 90 kHz
  std::ostringstream out;
  out << indent << "<EventStream schemeIdUri=\"" << kScte35EventScheme << "\" timescale=\"90000\" presentationTimeOffset=\""
      << pts << "\">\n";
  out << indent << "  <Event presentationTime=\"" << pts << "\"";
  if (auto d = cue.duration_seconds(); d && cue.edge() == AdCue::Edge::Out)
    out << " duration=\"" << static_cast<int64_t>(*d * 90000 + 0.5) << "\"";
  out << " id=\"" << cue.event_id() << "\">\n";
  const std::string in = indent + "    ";
  out << in << "<scte35:SpliceInfoSection protocolVersion=\"0\" ptsAdjustment=\"0\" tier=\"4095\">\n";
  const SpliceInfo& info = cue.info;
  if (info.command == SpliceInfo::Command::SpliceInsert) {
    out << in << "  <scte35:SpliceInsert spliceEventId=\"" << info.event_id
        << "\" spliceEventCancelIndicator=\"false\" outOfNetworkIndicator=\"" << flag(info.out_of_network)
        << "\" spliceImmediateFlag=\"false\" uniqueProgramId=\"0\" availNum=\"0\" availsExpected=\"0\">\n";
    out << in << "    <scte35:Program><scte35:SpliceTime ptsTime=\"" << pts << "\"/></scte35:Program>\n";
    if (info.break_duration_90k)
      out << in << "    <scte35:BreakDuration autoReturn=\"true\" duration=\"" << *info.break_duration_90k << "\"/>\n";
    out << in << "  </scte35:SpliceInsert>\n";
  } else {
    out << in << "  <scte35:TimeSignal><scte35:SpliceTime ptsTime=\"" << pts << "\"/></scte35:TimeSignal>\n";
    for (const auto& d : info.descriptors) segmentation_descriptor(out, d, in + "  ");
  }
  out << in << "</scte35:SpliceInfoSection>\n";
  out << indent << "  </Event>\n" << indent << "</EventStream>\n";
  return out.str();
}

}  // namespace mediaemu::pipeline::ads
