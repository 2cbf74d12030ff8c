// SNS's message signatures, made as AWS documents them
// (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html): the
// Base64-encoded SHA1withRSA (SignatureVersion 1) or SHA256withRSA (SignatureVersion 2)
// signature of the message's string to sign (messages.hpp string_to_sign), by the key of the
// certificate named in SigningCertURL.
//
// mediaemu has no Amazon key, so it has its own: an RSA 2048 key and a self-signed certificate
// (subject CN=sns.amazonaws.com, as AWS's are), made at first start and kept in <data-dir>/sns/
// so that a restart signs with the same key. mediaemu serves the certificate at
// /_mediaemu/sns/SimpleNotificationService-<hex id>.pem (the hex id is the first 16 bytes of the
// certificate's SHA-256, so a new certificate gets a new URL), over plain http: verifiers that
// insist on https://sns.<region>.amazonaws.com or on Amazon's CA reject it, which is right.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace mediaemu::sns {

class SnsSigner {
 public:
  // Loads <dir>/signing-key.pem and <dir>/signing-cert.pem, or makes both when neither exists
  // (an empty `dir`: a key in memory only, for tests). `base_url` is where mediaemu answers
  // ("http://127.0.0.1:4566"). Throws when the files cannot be read, written or do not match.
  SnsSigner(const std::filesystem::path& dir, std::string base_url);
  ~SnsSigner();
  SnsSigner(SnsSigner&&) noexcept;
  SnsSigner& operator=(SnsSigner&&) noexcept;

  // Base64 of the RSA signature of `text`: SHA-1 for version 1, SHA-256 for version 2.
  std::string sign(const std::string& text, int signature_version) const;
  const std::string& certificate_pem() const { return cert_pem_; }
  // "/_mediaemu/sns/SimpleNotificationService-<hex id>.pem", the path mediaemu serves it at.
  const std::string& certificate_path() const { return cert_path_; }
  std::string certificate_url() const { return base_url_ + cert_path_; }

 private:
  struct Key;
  std::unique_ptr<Key> key_;
  std::string cert_pem_, cert_path_, base_url_;
};

inline constexpr const char* kCertificatePrefix = "/_mediaemu/sns/";

// Whether `signature_b64` is the signature of `text` by the key of the PEM certificate, as a
// subscriber checks it (the unit tests' round trip; the integration suite uses the openssl CLI).
bool verify_signature(const std::string& certificate_pem, const std::string& text, const std::string& signature_b64,
                      int signature_version);

}  // namespace mediaemu::sns
