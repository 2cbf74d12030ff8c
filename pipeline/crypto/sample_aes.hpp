// HLS SAMPLE-AES in MPEG-2 transport streams: Apple's "MPEG-2 Stream Encryption Format for HTTP
// Live Streaming" (developer.apple.com/library/archive/documentation/AudioVideo/Conceptual/
// HLS_Sample_Encryption), the method MediaPackage's HlsPackage.Encryption SAMPLE_AES produces.
// Only the media samples are encrypted; the transport stream, PES headers and ADTS headers stay
// clear. The PMT signalling that goes with it is pipeline/package/ts_sample_aes_pmt.hpp.
//
//   §2.1  every protected block (a NAL unit's body, an audio frame) is AES-128-CBC without
//         padding, the CBC chain starting again from the segment's IV at each protected block.
//   §2.2  H.264: only NAL units of type 1 and 5; the nal_unit_type byte and the 31 bytes after it
//         are clear; of the rest, one 16-byte block in ten is encrypted (a block, then up to 144
//         clear bytes), a block only while more than 16 bytes remain, so the last 1..16 bytes are
//         always clear and a NAL unit of 48 bytes or fewer is not encrypted at all. The NAL unit
//         is encrypted as it stands (with its emulation prevention bytes) and start code
//         emulation prevention is applied again to the result, so that the encrypted bytes
//         cannot imitate a start code; a player removes that one layer before decrypting (hls.js
//         and ffmpeg's hls_sample_encryption do exactly this).
//   §2.3.2  AAC: the ADTS header and the 16 bytes after it are clear; then every whole 16-byte
//         block of the frame is encrypted; a trailing partial block stays clear.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pipeline/crypto/aes_cbc.hpp"

namespace mediaemu::pipeline::crypto {

// One H.264 NAL unit (without start code or length), returned as it goes into the stream:
// encrypted and escaped when it is a slice of more than 48 bytes, else unchanged.
std::vector<uint8_t> sample_aes_nal_unit(const Block& key, const Block& iv, std::span<const uint8_t> nal);

// One H.264 access unit in the framing it has (NAL units with big-endian length prefixes of
// `nal_length_size` bytes, as the avcC says, or Annex B start codes when it is 0), returned in the
// same framing with every NAL unit through sample_aes_nal_unit.
std::vector<uint8_t> sample_aes_h264_access_unit(const Block& key, const Block& iv, std::span<const uint8_t> sample,
                                                 int nal_length_size);

// One raw AAC frame (the bytes the muxer puts after the ADTS header), encrypted in place.
void sample_aes_aac_frame(const Block& key, const Block& iv, std::span<uint8_t> frame);

// ITU-T H.264 §7.4.1: an emulation_prevention_three_byte after every two zero bytes that a byte
// of 0..3 follows.
std::vector<uint8_t> add_emulation_prevention(std::span<const uint8_t> nal);

}  // namespace mediaemu::pipeline::crypto
