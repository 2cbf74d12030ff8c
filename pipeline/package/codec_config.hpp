// Codec configuration helpers shared by the muxers and manifest writers: RFC 6381 codec strings,
// and H.264 in the two framings the pipeline may see (ISO/IEC 14496-15 "AVCC": avcC record +
// length-prefixed NAL units; ITU-T H.264 Annex B: start codes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/media.hpp"

namespace mediaemu::pipeline {

// TrackInfo::codecs when set, else derived from the extradata ("avc1.64001f", "mp4a.40.2").
std::string codecs_string(const TrackInfo& track);

// True when H.264 extradata is an avcC record (ISO/IEC 14496-15 §5.3.3.1, configurationVersion 1).
bool is_avcc_extradata(const std::vector<uint8_t>& extradata);

// avcC for the track: its extradata when already avcC, else built from Annex B SPS/PPS.
// Empty when neither is available.
std::vector<uint8_t> avcc_record(const std::vector<uint8_t>& extradata);

// One access unit as 4-byte length-prefixed NAL units (what an ISO BMFF sample holds).
// `annexb` says how `data` is framed.
std::vector<uint8_t> to_length_prefixed(const uint8_t* data, size_t size, bool annexb);

}  // namespace mediaemu::pipeline
