// The PMT signalling that goes with HLS SAMPLE-AES (pipeline/crypto/sample_aes.hpp), Apple's
// "MPEG-2 Stream Encryption Format for HTTP Live Streaming" §3.0 "Transport Stream Signaling":
//   H.264  stream_type 0xdb, and a private_data_indicator_descriptor (ISO/IEC 13818-1 §2.6.28,
//          tag 0x0f) whose private_data_indicator is 'zavc';
//   AAC    stream_type 0xcf, a private_data_indicator_descriptor 'aacd', and the audio setup
//          information (§2.3.4: audio_type 'zaac' / 'zach' / 'zacp', priming (16 bits),
//          version 1, setup_data_length, setup_data = the AudioSpecificConfig) in a
//          registration_descriptor (§2.6.8, tag 0x05) whose format_identifier is 'apad'.
// The PMT must fit in one transport packet. libavformat's mpegts muxer cannot be told these
// stream types, so the PMT sections it writes are rewritten in its output, CRC_32 included.
#pragma once

#include <cstdint>
#include <vector>

namespace mediaemu::pipeline {

// Rewrites, in place, every PMT section of `ts` (whole 188-byte packets, as the muxer wrote them;
// the PMT's PID comes from the PAT in the same bytes or an earlier call's) that lists clear H.264
// (0x1b) or ADTS AAC (0x0f) streams. `aac_configs`: the AudioSpecificConfig of each AAC stream, in
// PMT order. Throws std::runtime_error when a rewritten PMT would not fit in its packet.
class SampleAesPmtRewriter {
 public:
  explicit SampleAesPmtRewriter(std::vector<std::vector<uint8_t>> aac_configs) : aac_configs_(std::move(aac_configs)) {}
  void rewrite(std::vector<uint8_t>& ts);

 private:
  void rewrite_section(uint8_t* packet, size_t section_at) const;

  std::vector<std::vector<uint8_t>> aac_configs_;
  int pmt_pid_ = -1;
};

}  // namespace mediaemu::pipeline
