// The PMT signalling that goes with HLS SAMPLE-AES (pipeline/crypto/sample_aes.hpp), Apple's
// "MPEG-2 Stream Encryption Format for HTTP Live Streaming" §3.0 "Transport Stream Signaling":
//   H.264  stream_type 0xdb, and a private_data_indicator_descriptor (ISO/IEC 13818-1 §2.6.28,
//          tag 0x0f) whose private_data_indicator is 'zavc';
//   AAC    stream_type 0xcf, a private_data_indicator_descriptor 'aacd', and the audio setup
//          information (§2.3.4: audio_type 'zaac' / 'zach' / 'zacp', priming (16 bits),
//          version 1, setup_data_length, setup_data = the AudioSpecificConfig) in a
//          registration_descriptor (§2.6.8, tag 0x05) whose format_identifier is 'apad'.
// libavformat's mpegts muxer cannot be told these stream types: a PmtRewriter edit (ts_pmt.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/package/ts_pmt.hpp"

namespace mediaemu::pipeline {

// Marks the clear H.264 (0x1b) and ADTS AAC (0x0f) streams of a PMT as SAMPLE-AES encrypted.
// `aac_configs`: the AudioSpecificConfig of each AAC stream, in PMT order.
PmtRewriter::Edit sample_aes_pmt_edit(std::vector<std::vector<uint8_t>> aac_configs);

}  // namespace mediaemu::pipeline
