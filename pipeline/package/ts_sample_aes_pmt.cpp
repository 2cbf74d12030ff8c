#include "pipeline/package/ts_sample_aes_pmt.hpp"

#include <stdexcept>
#include <string>

#include "pipeline/ads/splice_info.hpp"

namespace mediaemu::pipeline {

namespace {
constexpr size_t kTsPacket = 188;
constexpr uint8_t kH264 = 0x1b, kAac = 0x0f, kEncryptedH264 = 0xdb, kEncryptedAac = 0xcf;
constexpr uint8_t kRegistrationDescriptor = 0x05, kPrivateDataIndicatorDescriptor = 0x0f;

void put_fourcc(std::vector<uint8_t>& out, const char* cc) { out.insert(out.end(), cc, cc + 4); }

void put_private_data_indicator(std::vector<uint8_t>& out, const char* cc) {
  out.push_back(kPrivateDataIndicatorDescriptor);
  out.push_back(4);
  put_fourcc(out, cc);
}

// §2.3.4 audio_type by MPEG-4 Audio Object Type: AAC-LC, HE-AAC (SBR), HE-AAC v2 (PS).
const char* aac_audio_type(const std::vector<uint8_t>& asc) {
  const int object_type = asc.empty() ? 2 : asc[0] >> 3;
  if (object_type == 5) return "zach";
  if (object_type == 29) return "zacp";
  return "zaac";
}

void put_audio_setup(std::vector<uint8_t>& out, const std::vector<uint8_t>& asc) {
  if (asc.size() > 255 - 12) throw std::runtime_error("AudioSpecificConfig too long for the PMT");
  out.push_back(kRegistrationDescriptor);
  out.push_back(static_cast<uint8_t>(4 + 4 + 2 + 1 + 1 + asc.size()));
  put_fourcc(out, "apad");
  put_fourcc(out, aac_audio_type(asc));
  // priming: 0, the timestamps already place the first sample; the decoder drops nothing more.
  out.push_back(0);
  out.push_back(0);
  out.push_back(1);  // version
  out.push_back(static_cast<uint8_t>(asc.size()));
  out.insert(out.end(), asc.begin(), asc.end());
}

// Where the section starts in a packet that starts one (payload_unit_start_indicator), after the
// adaptation field and the pointer_field; 0 when the packet starts none or it does not fit.
size_t section_start(const uint8_t* p) {
  if (p[0] != 0x47 || !(p[1] & 0x40) || !(p[3] & 0x10)) return 0;
  size_t at = 4;
  if (p[3] & 0x20) at += 1 + p[4];
  if (at >= kTsPacket) return 0;
  at += 1 + p[at];
  return at + 3 <= kTsPacket ? at : 0;
}
}  // namespace

void SampleAesPmtRewriter::rewrite(std::vector<uint8_t>& ts) {
  for (size_t at = 0; at + kTsPacket <= ts.size(); at += kTsPacket) {
    uint8_t* p = ts.data() + at;
    const size_t s = section_start(p);
    if (!s) continue;
    const int pid = ((p[1] & 0x1f) << 8) | p[2];
    if (pid == 0 && p[s] == 0x00) {
      // PAT (§2.4.4.3): the first program other than 0 (the network PID) names the PMT.
      const size_t length = ((p[s + 1] & 0x0f) << 8) | p[s + 2];
      for (size_t e = s + 8; e + 4 <= s + 3 + length - 4 && e + 4 <= kTsPacket; e += 4)
        if ((p[e] << 8 | p[e + 1]) != 0) {
          pmt_pid_ = ((p[e + 2] & 0x1f) << 8) | p[e + 3];
          break;
        }
    } else if (pid == pmt_pid_ && p[s] == 0x02) {
      rewrite_section(p, s);
    }
  }
}

void SampleAesPmtRewriter::rewrite_section(uint8_t* p, size_t s) const {
  // TS_program_map_section (§2.4.4.8): 12 bytes of header up to program_info_length, the
  // program descriptors, the elementary stream loop, CRC_32.
  const size_t length = ((p[s + 1] & 0x0f) << 8) | p[s + 2];
  const size_t end = s + 3 + length;  // one past the CRC
  if (end > kTsPacket || length < 13) return;
  const size_t program_info = ((p[s + 10] & 0x0f) << 8) | p[s + 11];
  size_t e = s + 12 + program_info;
  if (e > end - 4) return;
  std::vector<uint8_t> out(p + s, p + e);
  size_t audio = 0;
  bool changed = false;
  while (e + 5 <= end - 4) {
    const uint8_t type = p[e];
    const size_t info = ((p[e + 3] & 0x0f) << 8) | p[e + 4];
    if (e + 5 + info > end - 4) return;  // malformed: leave the section alone
    std::vector<uint8_t> descriptors(p + e + 5, p + e + 5 + info);
    uint8_t new_type = type;
    if (type == kH264) {
      new_type = kEncryptedH264;
      put_private_data_indicator(descriptors, "zavc");
    } else if (type == kAac) {
      new_type = kEncryptedAac;
      put_private_data_indicator(descriptors, "aacd");
      put_audio_setup(descriptors, audio < aac_configs_.size() ? aac_configs_[audio] : std::vector<uint8_t>{});
    }
    if (type == kAac) ++audio;
    changed |= new_type != type;
    out.push_back(new_type);
    out.push_back(p[e + 1]);
    out.push_back(p[e + 2]);
    out.push_back(static_cast<uint8_t>(0xf0 | (descriptors.size() >> 8)));
    out.push_back(static_cast<uint8_t>(descriptors.size()));
    out.insert(out.end(), descriptors.begin(), descriptors.end());
    e += 5 + info;
  }
  if (!changed) return;
  const size_t new_length = out.size() - 3 + 4;
  if (s + 3 + new_length > kTsPacket)
    throw std::runtime_error("SAMPLE-AES PMT of " + std::to_string(3 + new_length) + " bytes does not fit in one packet");
  out[1] = static_cast<uint8_t>((out[1] & 0xf0) | (new_length >> 8));
  out[2] = static_cast<uint8_t>(new_length);
  const uint32_t crc = ads::crc32_mpeg2(out);
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  std::copy(out.begin(), out.end(), p + s);
  std::fill(p + s + out.size(), p + kTsPacket, 0xff);  // stuffing after the section (§2.4.4)
}

}  // namespace mediaemu::pipeline
