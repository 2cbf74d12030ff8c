// Edits of the PMT (TS_program_map_section, ISO/IEC 13818-1 §2.4.4.8) that libavformat's mpegts
// muxer writes: it cannot be told some stream types and descriptors (SAMPLE-AES signalling,
// ts_sample_aes_pmt.hpp; an SCTE-35 stream, ts_scte35.hpp), so the sections it wrote are parsed,
// edited and written back in its output, CRC_32 included. The PMT must fit in one packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace mediaemu::pipeline {

inline constexpr size_t kTsPacketSize = 188;

struct PmtStream {
  uint8_t stream_type = 0;
  uint16_t pid = 0;
  std::vector<uint8_t> descriptors;  // ES_info
};

struct Pmt {
  std::vector<uint8_t> program_info;  // program descriptors
  std::vector<PmtStream> streams;     // the elementary stream loop, in order
};

// Where the section starts in a packet that starts one (payload_unit_start_indicator), after the
// adaptation field and the pointer_field; 0 when the packet starts none or it does not fit.
size_t ts_section_start(const uint8_t* packet);

class PmtRewriter {
 public:
  // Changes a PMT; returns whether it changed anything (an unchanged section is left as it is).
  using Edit = std::function<bool(Pmt&)>;
  void add(Edit edit) { edits_.push_back(std::move(edit)); }
  bool empty() const { return edits_.empty(); }
  // Applies every edit, in place, to each PMT section of `ts` (whole 188-byte packets as the
  // muxer wrote them; the PMT's PID comes from the PAT in the same bytes or an earlier call's).
  // Throws std::runtime_error when an edited PMT would not fit in its packet.
  void rewrite(std::vector<uint8_t>& ts);

 private:
  void rewrite_section(uint8_t* packet, size_t section_at) const;

  std::vector<Edit> edits_;
  int pmt_pid_ = -1;
};

// The descriptor header and body (tag, length, bytes) appended to `out`.
void put_descriptor(std::vector<uint8_t>& out, uint8_t tag, const std::vector<uint8_t>& body);
// A registration_descriptor (§2.6.8, tag 0x05) with `format_identifier` (four characters) and
// `additional` bytes after it.
void put_registration_descriptor(std::vector<uint8_t>& out, const char* format_identifier,
                                 const std::vector<uint8_t>& additional = {});

}  // namespace mediaemu::pipeline
