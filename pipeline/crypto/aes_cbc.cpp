#include "pipeline/crypto/aes_cbc.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace mediaemu::pipeline::crypto {
namespace {

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext new_context() {
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("OpenSSL: cannot allocate a cipher context");
  return ctx;
}

// One EVP run (padding on, the default) in either direction; false when OpenSSL refuses.
bool run(bool encrypt, const Block& key, const Block& iv, std::span<const uint8_t> in, std::vector<uint8_t>& out) {
  CipherContext ctx = new_context();
  if (EVP_CipherInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, key.data(), iv.data(), encrypt ? 1 : 0) != 1)
    return false;
  out.resize(in.size() + 16);
  int written = 0, last = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &written, in.data(), static_cast<int>(in.size())) != 1) return false;
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + written, &last) != 1) return false;
  out.resize(static_cast<size_t>(written + last));
  return true;
}

}  // namespace

std::vector<uint8_t> aes128_cbc_encrypt(const Block& key, const Block& iv, std::span<const uint8_t> plain) {
  std::vector<uint8_t> out;
  if (!run(true, key, iv, plain, out)) throw std::runtime_error("OpenSSL: AES-128-CBC encryption failed");
  return out;
}

std::optional<std::vector<uint8_t>> aes128_cbc_decrypt(const Block& key, const Block& iv,
                                                       std::span<const uint8_t> cipher) {
  if (cipher.empty() || cipher.size() % 16 != 0) return std::nullopt;
  std::vector<uint8_t> out;
  if (!run(false, key, iv, cipher, out)) return std::nullopt;
  return out;
}

}  // namespace mediaemu::pipeline::crypto
