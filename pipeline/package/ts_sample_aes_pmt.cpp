#include "pipeline/package/ts_sample_aes_pmt.hpp"

#include <stdexcept>

namespace mediaemu::pipeline {

namespace {
constexpr uint8_t kH264 = 0x1b, kAac = 0x0f, kEncryptedH264 = 0xdb, kEncryptedAac = 0xcf;
constexpr uint8_t kPrivateDataIndicatorDescriptor = 0x0f;

void put_private_data_indicator(std::vector<uint8_t>& out, const char* cc) {
  put_descriptor(out, kPrivateDataIndicatorDescriptor, std::vector<uint8_t>(cc, cc + 4));
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
  const char* type = aac_audio_type(asc);
  std::vector<uint8_t> setup(type, type + 4);
  // priming: 0, the timestamps already place the first sample; the decoder drops nothing more.
  setup.insert(setup.end(), {0, 0, 1 /* version */, static_cast<uint8_t>(asc.size())});
  setup.insert(setup.end(), asc.begin(), asc.end());
  put_registration_descriptor(out, "apad", setup);
}
}  // namespace

PmtRewriter::Edit sample_aes_pmt_edit(std::vector<std::vector<uint8_t>> aac_configs) {
  return [aac_configs = std::move(aac_configs)](Pmt& pmt) {
    size_t audio = 0;
    bool changed = false;
    for (auto& stream : pmt.streams) {
      if (stream.stream_type == kH264) {
        stream.stream_type = kEncryptedH264;
        put_private_data_indicator(stream.descriptors, "zavc");
        changed = true;
      } else if (stream.stream_type == kAac) {
        stream.stream_type = kEncryptedAac;
        put_private_data_indicator(stream.descriptors, "aacd");
        put_audio_setup(stream.descriptors, audio < aac_configs.size() ? aac_configs[audio] : std::vector<uint8_t>{});
        ++audio;
        changed = true;
      }
    }
    return changed;
  };
}

}  // namespace mediaemu::pipeline
