#include "emulator/sns/signer.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <optional>
#include <stdexcept>
#include <tuple>

#include "api/base64.hpp"

namespace mediaemu::sns {

// OpenSSL objects freed by their own functions. Not in the anonymous namespace: SnsSigner::Key
// holds one.
struct OpenSslFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, OpenSslFree>;

namespace {

const EVP_MD* digest_for(int signature_version) {
  if (signature_version == 1) return EVP_sha1();
  if (signature_version == 2) return EVP_sha256();
  throw std::invalid_argument("SignatureVersion must be 1 or 2");
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

Owned<BIO> bio_of(const std::string& text) { return Owned<BIO>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))); }

std::string read_signing_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read SNS's signing file " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Written under a temporary name and renamed, so a crash never leaves half a key.
void write_signing_file(const std::filesystem::path& path, const std::string& text, bool secret) {
  const std::string temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write SNS's signing file " + temp);
  }
  if (secret) ::chmod(temp.c_str(), 0600);  // the private key: only the owner reads it
  std::filesystem::rename(temp, path);
}

// A new RSA 2048 key and a self-signed certificate for it, valid for ten years.
std::pair<Owned<EVP_PKEY>, Owned<X509>> make_key_and_certificate() {
  Owned<EVP_PKEY> key(EVP_RSA_gen(2048));
  Owned<X509> cert(X509_new());
  Owned<BIGNUM> serial(BN_new());
  if (!key || !cert || !serial) throw std::runtime_error("OpenSSL could not make SNS's signing key");
  X509_set_version(cert.get(), 2);  // v3
  BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  auto add = [name](const char* field, const char* value) {
    X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC, reinterpret_cast<const unsigned char*>(value), -1, -1, 0);
  };
  add("C", "US");
  add("O", "mediaemu (self-signed, not Amazon)");
  add("CN", "sns.amazonaws.com");
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) throw std::runtime_error("OpenSSL could not sign SNS's certificate");
  return {std::move(key), std::move(cert)};
}

// 32 hex digits, like the ids in AWS's SimpleNotificationService-<id>.pem names.
std::string certificate_id(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  X509_digest(cert, EVP_sha256(), digest, &length);
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (unsigned i = 0; i < 16 && i < length; ++i) id += {hex[digest[i] >> 4], hex[digest[i] & 15]};
  return id;
}

}  // namespace

struct SnsSigner::Key {
  Owned<EVP_PKEY> pkey;
};

SnsSigner::SnsSigner(const std::filesystem::path& dir, std::string base_url)
    : key_(std::make_unique<Key>()), base_url_(std::move(base_url)) {
  const auto key_path = dir / "signing-key.pem", cert_path = dir / "signing-cert.pem";
  const bool have_key = !dir.empty() && std::filesystem::exists(key_path);
  const bool have_cert = !dir.empty() && std::filesystem::exists(cert_path);
  Owned<X509> cert;
  if (have_key && have_cert) {
    key_->pkey.reset(PEM_read_bio_PrivateKey(bio_of(read_signing_file(key_path)).get(), nullptr, nullptr, nullptr));
    cert.reset(PEM_read_bio_X509(bio_of(read_signing_file(cert_path)).get(), nullptr, nullptr, nullptr));
    if (!key_->pkey || !cert || X509_check_private_key(cert.get(), key_->pkey.get()) != 1)
      throw std::runtime_error("SNS's signing key " + key_path.string() + " and certificate " + cert_path.string() +
                               " are not a PEM key and its certificate; remove both to make new ones");
  } else if (have_key || have_cert) {
    throw std::runtime_error("only one of SNS's signing files " + key_path.string() + " and " + cert_path.string() +
                             " exists; remove it to make a new key and certificate");
  } else {
    std::tie(key_->pkey, cert) = make_key_and_certificate();
  }
  Owned<BIO> out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), cert.get());
  cert_pem_ = bio_text(out.get());
  cert_path_ = std::string(kCertificatePrefix) + "SimpleNotificationService-" + certificate_id(cert.get()) + ".pem";
  if (dir.empty() || have_key) return;
  Owned<BIO> key_out(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(key_out.get(), key_->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::filesystem::create_directories(dir);
  write_signing_file(key_path, bio_text(key_out.get()), true);
  write_signing_file(cert_path, cert_pem_, false);
}

SnsSigner::~SnsSigner() = default;
SnsSigner::SnsSigner(SnsSigner&&) noexcept = default;
SnsSigner& SnsSigner::operator=(SnsSigner&&) noexcept = default;

std::string SnsSigner::sign(const std::string& text, int signature_version) const {
  Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  size_t length = 0;
  std::string signature;
  const auto* data = reinterpret_cast<const unsigned char*>(text.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, digest_for(signature_version), nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, data, text.size()) != 1)
    throw std::runtime_error("OpenSSL could not sign an SNS message");
  signature.resize(length);
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data, text.size()) != 1)
    throw std::runtime_error("OpenSSL could not sign an SNS message");
  signature.resize(length);
  return api::base64_encode(signature);
}

bool verify_signature(const std::string& certificate_pem, const std::string& text, const std::string& signature_b64,
                      int signature_version) {
  Owned<X509> cert(PEM_read_bio_X509(bio_of(certificate_pem).get(), nullptr, nullptr, nullptr));
  std::optional<std::string> signature = api::base64_decode(signature_b64);
  Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!cert || !signature || !ctx) return false;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, digest_for(signature_version), nullptr, X509_get0_pubkey(cert.get())) != 1)
    return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
                          reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1;
}

}  // namespace mediaemu::sns
