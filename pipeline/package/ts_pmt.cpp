#include "pipeline/package/ts_pmt.hpp"

#include <stdexcept>
#include <string>

#include "pipeline/bytes.hpp"

namespace mediaemu::pipeline {

size_t ts_section_start(const uint8_t* p) {
  if (p[0] != 0x47 || !(p[1] & 0x40) || !(p[3] & 0x10)) return 0;
  size_t at = 4;
  if (p[3] & 0x20) at += 1 + p[4];
  if (at >= kTsPacketSize) return 0;
  at += 1 + p[at];
  return at + 3 <= kTsPacketSize ? at : 0;
}

void put_descriptor(std::vector<uint8_t>& out, uint8_t tag, const std::vector<uint8_t>& body) {
  if (body.size() > 255) throw std::runtime_error("PMT descriptor longer than 255 bytes");
  out.push_back(tag);
  out.push_back(static_cast<uint8_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
}

void put_registration_descriptor(std::vector<uint8_t>& out, const char* format_identifier,
                                 const std::vector<uint8_t>& additional) {
  std::vector<uint8_t> body;
  body.reserve(4 + additional.size());
  for (int i = 0; i < 4; ++i) body.push_back(static_cast<uint8_t>(format_identifier[i]));
  for (uint8_t b : additional) body.push_back(b);  // (a range insert here trips GCC 12's -Warray-bounds)
  put_descriptor(out, 0x05, body);
}

void PmtRewriter::rewrite(std::vector<uint8_t>& ts) {
  if (edits_.empty()) return;
  for (size_t at = 0; at + kTsPacketSize <= ts.size(); at += kTsPacketSize) {
    uint8_t* p = ts.data() + at;
    const size_t s = ts_section_start(p);
    if (!s) continue;
    const int pid = ((p[1] & 0x1f) << 8) | p[2];
    if (pid == 0 && p[s] == 0x00) {
      // PAT (§2.4.4.3): the first program other than 0 (the network PID) names the PMT.
      const size_t length = ((p[s + 1] & 0x0f) << 8) | p[s + 2];
      for (size_t e = s + 8; e + 4 <= s + 3 + length - 4 && e + 4 <= kTsPacketSize; e += 4)
        if ((p[e] << 8 | p[e + 1]) != 0) {
          pmt_pid_ = ((p[e + 2] & 0x1f) << 8) | p[e + 3];
          break;
        }
    } else if (pid == pmt_pid_ && p[s] == 0x02) {
      rewrite_section(p, s);
    }
  }
}

void PmtRewriter::rewrite_section(uint8_t* p, size_t s) const {
  // 12 bytes of header up to program_info_length, the program descriptors, the elementary
  // stream loop, CRC_32.
  const size_t length = ((p[s + 1] & 0x0f) << 8) | p[s + 2];
  const size_t end = s + 3 + length;  // one past the CRC
  if (end > kTsPacketSize || length < 13) return;
  const size_t program_info = ((p[s + 10] & 0x0f) << 8) | p[s + 11];
  size_t e = s + 12 + program_info;
  if (e > end - 4) return;
  Pmt pmt;
  pmt.program_info.assign(p + s + 12, p + e);
  while (e + 5 <= end - 4) {
    const size_t info = ((p[e + 3] & 0x0f) << 8) | p[e + 4];
    if (e + 5 + info > end - 4) return;  // malformed: leave the section alone
    pmt.streams.push_back({p[e], static_cast<uint16_t>(((p[e + 1] & 0x1f) << 8) | p[e + 2]),
                           std::vector<uint8_t>(p + e + 5, p + e + 5 + info)});
    e += 5 + info;
  }
  bool changed = false;
  for (const auto& edit : edits_) changed |= edit(pmt);
  if (!changed) return;
  std::vector<uint8_t> out(p + s, p + s + 10);  // through PCR_PID
  out.push_back(static_cast<uint8_t>(0xf0 | (pmt.program_info.size() >> 8)));
  out.push_back(static_cast<uint8_t>(pmt.program_info.size()));
  out.insert(out.end(), pmt.program_info.begin(), pmt.program_info.end());
  for (const auto& stream : pmt.streams) {
    out.push_back(stream.stream_type);
    out.push_back(static_cast<uint8_t>(0xe0 | (stream.pid >> 8)));
    out.push_back(static_cast<uint8_t>(stream.pid));
    out.push_back(static_cast<uint8_t>(0xf0 | (stream.descriptors.size() >> 8)));
    out.push_back(static_cast<uint8_t>(stream.descriptors.size()));
    out.insert(out.end(), stream.descriptors.begin(), stream.descriptors.end());
  }
  const size_t new_length = out.size() - 3 + 4;
  if (s + 3 + new_length > kTsPacketSize)
    throw std::runtime_error("edited PMT of " + std::to_string(3 + new_length) + " bytes does not fit in one packet");
  out[1] = static_cast<uint8_t>((out[1] & 0xf0) | (new_length >> 8));
  out[2] = static_cast<uint8_t>(new_length);
  const uint32_t crc = crc32_mpeg2(out);
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  std::copy(out.begin(), out.end(), p + s);
  std::fill(p + s + out.size(), p + kTsPacketSize, 0xff);  // stuffing after the section (§2.4.4)
}

}  // namespace mediaemu::pipeline
