// SCTE-35 in MPEG-TS (ANSI/SCTE 35 2019 §8): cue messages travel as splice_info_sections on a PID
// of their own, which the PMT lists with stream_type 0x86, next to a registration_descriptor
// 'CUEI' in the program loop (§8.1) and a cue_identifier_descriptor (§8.2, tag 0x8A) whose
// cue_stream_type 0x01 says "all commands" (splice_insert and time_signal both occur). This is
// MediaLive's M3u8Settings / M2tsSettings SCTE-35 passthrough: the cues the channel carries
// (pipeline/ads/ad_cue.hpp) are written in its TS outputs.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pipeline/package/ts_pmt.hpp"

namespace mediaemu::pipeline {

// Adds the SCTE-35 stream on `pid` to a PMT (once).
PmtRewriter::Edit scte35_pmt_edit(uint16_t pid);

// `section` as transport packets on `pid` (§2.4.4: payload_unit_start_indicator and a
// pointer_field of 0 on the first, 0xFF stuffing after the section), `continuity` counting on.
std::vector<uint8_t> ts_section_packets(uint16_t pid, std::span<const uint8_t> section, uint8_t& continuity);

}  // namespace mediaemu::pipeline
