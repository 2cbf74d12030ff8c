#include "pipeline/crypto/cenc.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "pipeline/crypto/block_text.hpp"
#include "pipeline/crypto/pssh.hpp"

namespace mediaemu::pipeline::crypto {
namespace {

constexpr size_t kNalLengthSize = 4;  // the muxer always writes 4-byte NAL lengths (avcC lengthSizeMinusOne = 3)

// Appends `clear` clear bytes and `protected_bytes` protected ones, splitting clear runs longer
// than BytesOfClearData can hold into subsamples that protect nothing.
void add_cenc_run(std::vector<CencSubsample>& out, size_t clear, uint32_t protected_bytes) {
  while (clear > 0xffff) {
    out.push_back({0xffff, 0});
    clear -= 0xffff;
  }
  out.push_back({static_cast<uint16_t>(clear), protected_bytes});
}

bool avc_vcl_nal(uint8_t header) {
  const int type = header & 0x1f;
  return type >= 1 && type <= 5;  // coded slices (ISO/IEC 14496-10 Table 7-1)
}

}  // namespace

std::vector<CencSubsample> avc_cenc_subsamples(std::span<const uint8_t> sample) {
  std::vector<CencSubsample> out;
  size_t clear = 0;  // clear bytes waiting for the next protected range
  size_t at = 0;
  while (at + kNalLengthSize < sample.size()) {
    const size_t nal_size = size_t{sample[at]} << 24 | size_t{sample[at + 1]} << 16 | size_t{sample[at + 2]} << 8 |
                            size_t{sample[at + 3]};
    if (nal_size == 0 || nal_size > sample.size() - at - kNalLengthSize) break;
    if (avc_vcl_nal(sample[at + kNalLengthSize]) && nal_size > 1) {
      add_cenc_run(out, clear + kNalLengthSize + 1, static_cast<uint32_t>(nal_size - 1));
      clear = 0;
    } else {
      clear += kNalLengthSize + nal_size;
    }
    at += kNalLengthSize + nal_size;
  }
  clear += sample.size() - at;
  if (clear > 0) add_cenc_run(out, clear, 0);
  return out;
}

void cenc_apply_ctr(const Block& key, uint64_t iv, std::span<uint8_t> sample, const std::vector<CencSubsample>& subsamples) {
  Block counter{};  // IV in the upper 8 bytes, block counter 0 (§9.1)
  for (int i = 0; i < 8; ++i) counter[7 - i] = static_cast<uint8_t>(iv >> (8 * i));
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, key.data(), counter.data()) != 1)
    throw std::runtime_error("OpenSSL: cannot start AES-128-CTR");
  // One EVP context per sample: OpenSSL's CTR keeps the key-stream position across updates,
  // so successive protected ranges continue one key stream as §9.5.2.1 requires.
  auto apply = [&](uint8_t* p, size_t n) {
    int written = 0;
    if (n > 0 && EVP_EncryptUpdate(ctx.get(), p, &written, p, static_cast<int>(n)) != 1)
      throw std::runtime_error("OpenSSL: AES-128-CTR failed");
  };
  if (subsamples.empty()) return apply(sample.data(), sample.size());
  size_t at = 0;
  for (const auto& s : subsamples) {
    at += s.clear_bytes;
    if (at + s.protected_bytes > sample.size()) throw std::invalid_argument("subsample map longer than the sample");
    apply(sample.data() + at, s.protected_bytes);
    at += s.protected_bytes;
  }
}

std::vector<uint8_t> w3c_common_pssh(const std::vector<Block>& kids) {
  return pssh_box(*block_from_uuid(kW3cClearKeySystemId), 1, kids, {});
}

std::vector<std::vector<uint8_t>> pssh_boxes_for(const ContentKey& key, const std::vector<std::string>& system_ids) {
  std::vector<std::vector<uint8_t>> out;
  std::vector<std::string> done;
  for (const std::string& id : system_ids) {
    const std::string system = normalized_system_id(id);
    if (std::find(done.begin(), done.end(), system) != done.end()) continue;
    done.push_back(system);
    if (auto given = key.pssh.find(system); given != key.pssh.end()) out.push_back(given->second);
    else if (system == kW3cClearKeySystemId) out.push_back(w3c_common_pssh({key.kid}));
  }
  return out;
}

}  // namespace mediaemu::pipeline::crypto
