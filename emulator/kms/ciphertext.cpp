#include "emulator/kms/ciphertext.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

namespace mediaemu::kms {
namespace {

constexpr unsigned char kBlobVersion = 1;
constexpr size_t kIvBytes = 12;  // GCM's recommended nonce size (NIST SP 800-38D)
constexpr size_t kTagBytes = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::string kms_random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("kms: no random bytes from OpenSSL");
  return out;
}

std::string associated_data(const std::string& key_id, const nlohmann::json& context) {
  std::string aad = key_id;
  aad.push_back('\0');
  // nlohmann's object keeps its keys sorted, so dump() is the same for any input order.
  if (context.is_object() && !context.empty()) aad += context.dump();
  return aad;
}

const unsigned char* bytes(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

std::string new_key_secret() { return kms_random_bytes(32); }

std::string seal(const std::string& key_id, const std::string& secret, const std::string& plaintext,
                 const nlohmann::json& context) {
  if (secret.size() != 32 || key_id.empty() || key_id.size() > 255) throw std::invalid_argument("kms: bad key");
  std::string iv = kms_random_bytes(kIvBytes);
  std::string aad = associated_data(key_id, context);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(plaintext.size() + 16, '\0');
  int n = 0, total = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kIvBytes, nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes(secret), bytes(iv)) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &n, bytes(aad), static_cast<int>(aad.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n, bytes(plaintext),
                              static_cast<int>(plaintext.size())) == 1;
  total = n;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + total, &n) == 1;
  total += n;
  std::string tag(kTagBytes, '\0');
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) == 1;
  if (!ok) throw std::runtime_error("kms: AES-256-GCM encryption failed");
  out.resize(total);
  std::string blob;
  blob.push_back(static_cast<char>(kBlobVersion));
  blob.push_back(static_cast<char>(key_id.size()));
  return blob + key_id + iv + tag + out;
}

std::optional<std::string> blob_key_id(const std::string& blob) {
  if (blob.size() < 2 || static_cast<unsigned char>(blob[0]) != kBlobVersion) return std::nullopt;
  size_t n = static_cast<unsigned char>(blob[1]);
  if (n == 0 || blob.size() < 2 + n + kIvBytes + kTagBytes) return std::nullopt;
  return blob.substr(2, n);
}

std::optional<std::string> open(const std::string& blob, const std::string& secret, const nlohmann::json& context) {
  auto key_id = blob_key_id(blob);
  if (!key_id || secret.size() != 32) return std::nullopt;
  size_t at = 2 + key_id->size();
  std::string iv = blob.substr(at, kIvBytes);
  std::string tag = blob.substr(at + kIvBytes, kTagBytes);
  std::string sealed = blob.substr(at + kIvBytes + kTagBytes);
  std::string aad = associated_data(*key_id, context);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(sealed.size() + 16, '\0');
  int n = 0, total = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kIvBytes, nullptr) == 1 &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(secret), bytes(iv)) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &n, bytes(aad), static_cast<int>(aad.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n, bytes(sealed),
                              static_cast<int>(sealed.size())) == 1;
  total = n;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
       EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + total, &n) == 1;
  if (!ok) return std::nullopt;  // the tag did not verify
  out.resize(total + n);
  return out;
}

}  // namespace mediaemu::kms
