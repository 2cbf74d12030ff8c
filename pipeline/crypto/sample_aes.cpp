#include "pipeline/crypto/sample_aes.hpp"

#include "pipeline/crypto/cbcs.hpp"
#include "pipeline/transcode/codec_config.hpp"

namespace mediaemu::pipeline::crypto {

namespace {
constexpr size_t kVideoClearLead = 32;  // the nal_unit_type byte and 31 more (§2.2)
constexpr size_t kAudioClearLead = 16;  // after the ADTS header (§2.3.2)
}  // namespace

std::vector<uint8_t> add_emulation_prevention(std::span<const uint8_t> nal) {
  std::vector<uint8_t> out;
  out.reserve(nal.size() + nal.size() / 64 + 4);
  int zeros = 0;
  for (uint8_t b : nal) {
    if (zeros >= 2 && b <= 3) {
      out.push_back(3);
      zeros = 0;
    }
    out.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  return out;
}

std::vector<uint8_t> sample_aes_nal_unit(const Block& key, const Block& iv, std::span<const uint8_t> nal) {
  const int type = nal.empty() ? 0 : h264_nal_type(nal[0]);
  if ((type != 1 && type != kNalIdr) || nal.size() <= kVideoClearLead + 16)
    return std::vector<uint8_t>(nal.begin(), nal.end());
  std::vector<uint8_t> body(nal.begin(), nal.end());
  // The 1:9 pattern of 'cbcs' is the same block-then-144-clear-bytes walk, one CBC chain through
  // the encrypted blocks. Leaving the last byte out of the range makes "a block only while more
  // than 16 bytes remain" (cbcs encrypts a block that exactly fills its range).
  cbcs_encrypt(key, iv, std::span(body).subspan(kVideoClearLead, body.size() - kVideoClearLead - 1), {},
               kCbcsVideoPattern);
  return add_emulation_prevention(body);
}

std::vector<uint8_t> sample_aes_h264_access_unit(const Block& key, const Block& iv, std::span<const uint8_t> sample,
                                                 int nal_length_size) {
  std::vector<uint8_t> out;
  out.reserve(sample.size() + 64);
  if (nal_length_size == 0) {
    for (ByteView nal : split_annexb(sample)) {
      out.insert(out.end(), {0, 0, 0, 1});
      const auto encrypted = sample_aes_nal_unit(key, iv, nal);
      out.insert(out.end(), encrypted.begin(), encrypted.end());
    }
    return out;
  }
  auto nals = split_length_prefixed(sample, nal_length_size);
  if (!nals) return std::vector<uint8_t>(sample.begin(), sample.end());  // not NAL units: left as is
  for (ByteView nal : *nals) {
    const auto encrypted = sample_aes_nal_unit(key, iv, nal);
    for (int i = nal_length_size - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(encrypted.size() >> (8 * i)));
    out.insert(out.end(), encrypted.begin(), encrypted.end());
  }
  return out;
}

void sample_aes_aac_frame(const Block& key, const Block& iv, std::span<uint8_t> frame) {
  if (frame.size() <= kAudioClearLead) return;
  cbcs_encrypt(key, iv, frame.subspan(kAudioClearLead), {}, kCbcsWholeBlocks);
}

}  // namespace mediaemu::pipeline::crypto
