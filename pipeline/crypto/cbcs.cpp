#include "pipeline/crypto/cbcs.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace mediaemu::pipeline::crypto {
namespace {

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// One protected range: a fresh CBC chain from `iv` (§10.4.2), whole blocks only, pattern applied.
// OpenSSL's CBC context keeps the chaining value across updates, so feeding it only the blocks to
// encrypt chains each encrypted block to the previous encrypted one, skipping the clear blocks
// between them, which is what pattern encryption specifies (§9.6.1).
void encrypt_range(const Block& key, const Block& iv, uint8_t* data, size_t size, CbcsPattern pattern) {
  const size_t whole = size / 16 * 16;  // a trailing partial block stays clear
  if (whole == 0) return;
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, key.data(), iv.data()) != 1)
    throw std::runtime_error("OpenSSL: cannot start AES-128-CBC");
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  auto encrypt = [&](uint8_t* p, size_t n) {
    int written = 0;
    if (EVP_EncryptUpdate(ctx.get(), p, &written, p, static_cast<int>(n)) != 1 || static_cast<size_t>(written) != n)
      throw std::runtime_error("OpenSSL: AES-128-CBC failed");
  };
  if (pattern.crypt_blocks == 0 && pattern.skip_blocks == 0) return encrypt(data, whole);
  const size_t crypt = size_t{pattern.crypt_blocks} * 16, skip = size_t{pattern.skip_blocks} * 16;
  // §9.6.1: the pattern repeats from the range's first block; a last run of fewer than
  // crypt_byte_block whole blocks is still encrypted (its partial tail is not).
  for (size_t at = 0; at < whole; at += crypt + skip) encrypt(data + at, std::min(crypt, whole - at));
}

}  // namespace

void cbcs_encrypt(const Block& key, const Block& iv, std::span<uint8_t> sample,
                  const std::vector<CencSubsample>& subsamples, CbcsPattern pattern) {
  if (subsamples.empty()) return encrypt_range(key, iv, sample.data(), sample.size(), pattern);
  size_t at = 0;
  for (const auto& s : subsamples) {
    at += s.clear_bytes;
    if (at + s.protected_bytes > sample.size()) throw std::invalid_argument("subsample map longer than the sample");
    encrypt_range(key, iv, sample.data() + at, s.protected_bytes, pattern);
    at += s.protected_bytes;
  }
}

Block derived_constant_iv(const Block& kid) {
  std::string seed = "mediaemu cbcs constant IV\n";
  seed.append(reinterpret_cast<const char*>(kid.data()), kid.size());
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(seed.data()), seed.size(), digest);
  Block iv{};
  std::copy(digest, digest + iv.size(), iv.begin());
  return iv;
}

}  // namespace mediaemu::pipeline::crypto
