// An SCTE-35 cue as DASH carries it: an Event of an EventStream with schemeIdUri
// "urn:scte:scte35:2013:xml" holding the splice_info_section in the SCTE 35 XML schema
// (namespace http://www.scte.org/schemas/35/2016; SCTE 214-1 §6.7 and SCTE 35 2019 §9.6 for the
// element and attribute names), as MediaPackage writes it in multi-period DASH (MP-UG multi-period).
#pragma once

#include <string>

#include "pipeline/ads/ad_cue.hpp"

namespace mediaemu::pipeline::ads {

inline constexpr const char* kScte35XmlNamespace = "http://www.scte.org/schemas/35/2016";
inline constexpr const char* kScte35EventScheme = "urn:scte:scte35:2013:xml";

// <EventStream ...><Event ...><scte35:SpliceInfoSection>...</Event></EventStream>, each line
// starting with `indent`; times in 90 kHz on the output timeline (presentationTimeOffset = the
// cue's pts, so the Event is at the start of the Period that begins there).
std::string dash_event_stream(const AdCue& cue, const std::string& indent);

}  // namespace mediaemu::pipeline::ads
