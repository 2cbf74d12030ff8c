// Byte helpers several stages share: the ad markers (SCTE-35 sections in base64 and hex), the TS
// muxer (PSI CRCs), and the packagers (pssh boxes in MPDs, Smooth CodecPrivateData).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace mediaemu::pipeline {

// CRC-32/MPEG-2 (ISO/IEC 13818-1 Annex A): polynomial 0x04C11DB7, initial 0xFFFFFFFF, no
// reflection, no final XOR; the CRC_32 of PSI and SCTE-35 sections.
uint32_t crc32_mpeg2(std::span<const uint8_t> bytes);

std::string base64(std::span<const uint8_t> bytes);  // RFC 4648 §4, padded
std::string hex_upper(std::span<const uint8_t> bytes);

}  // namespace mediaemu::pipeline
