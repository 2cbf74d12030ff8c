// Byte-level helpers for the two codecs the pipeline carries: H.264 (NAL unit framing, the
// AVCDecoderConfigurationRecord "avcC") and AAC (ADTS headers, AudioSpecificConfig), plus the
// RFC 6381 "codecs" strings built from them. Pure functions on bytes; no libav state.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace mediaemu::pipeline {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

// ---- H.264 ----------------------------------------------------------------------------------

// nal_unit_type (ITU-T H.264 Table 7-1) of a NAL unit's first byte.
inline int h264_nal_type(uint8_t first_byte) { return first_byte & 0x1f; }
constexpr int kNalIdr = 5, kNalSei = 6, kNalSps = 7, kNalPps = 8, kNalAud = 9;

// The NAL units of an Annex B byte stream (ITU-T H.264 Annex B: 0x000001 / 0x00000001 start
// codes), without their start codes. Trailing zero bytes before a start code are dropped.
std::vector<ByteView> split_annexb(ByteView stream);

// The NAL units of a length-prefixed (AVCC, ISO/IEC 14496-15 §5.3.4.2) sample; nullopt when a
// length runs past the end (a corrupt or truncated sample).
std::optional<std::vector<ByteView>> split_length_prefixed(ByteView sample, int length_size);

// True when the bytes start with an Annex B start code. Not proof of Annex B on its own: a
// 4-byte NAL length of 256..511 also starts 00 00 01; try split_length_prefixed first.
bool starts_with_start_code(ByteView data);

// Appends one NAL unit with a 4-byte big-endian length prefix.
void append_length_prefixed(Bytes& out, ByteView nal);

// AVCDecoderConfigurationRecord, ISO/IEC 14496-15 §5.3.3.1.
struct AvcConfig {
  std::vector<Bytes> sps, pps;
  int nal_length_size = 4;
};
std::optional<AvcConfig> parse_avcc(ByteView avcc);
// Builds an avcC (4-byte NAL lengths) from parameter sets; throws std::invalid_argument when
// there is no SPS or PPS or the SPS is too short to carry profile/level.
Bytes build_avcc(const std::vector<Bytes>& sps, const std::vector<Bytes>& pps);
// Parameter sets found in a sequence of NAL units (either framing), as an avcC.
std::optional<Bytes> avcc_from_nal_units(const std::vector<ByteView>& nals);

// RFC 6381 §3.3 "avc1.PPCCLL" from the SPS bytes (profile_idc, constraint flags, level_idc)
// carried in an avcC.
std::string avc_codecs_string(ByteView avcc);

// ---- AAC ------------------------------------------------------------------------------------

// ADTS fixed + variable header (ISO/IEC 14496-3 §1.A.2.2).
struct AdtsHeader {
  int header_size = 7;    // 9 with CRC
  int frame_size = 0;     // header + raw data block(s)
  int object_type = 2;    // MPEG-4 Audio Object Type (profile + 1)
  int sampling_index = 0;
  int channel_config = 0;
  int raw_blocks = 1;
};
std::optional<AdtsHeader> parse_adts(ByteView data);
int aac_sample_rate(int sampling_index);  // 0 when reserved

// Two-byte AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1) for an ADTS stream.
Bytes asc_from_adts(const AdtsHeader& header);

// RFC 6381 "mp4a.40.<audioObjectType>" from an AudioSpecificConfig (AAC-LC when unreadable).
std::string aac_codecs_string(ByteView asc);

}  // namespace mediaemu::pipeline
