// HTTP Digest access authentication, server side (RFC 7616 with the MD5 algorithm and
// qop="auth", which RFC 2617 clients such as ffmpeg's http protocol and curl --digest speak):
// what MediaPackage asks of encoders that PUT HLS to its ingest URLs (MP-UG what-is-flow-gen:
// "an HLS live stream with digest authentication over WebDAV").
//
// Nonces are stateless: "<issue time>.<HMAC of it under a per-process secret>", valid for
// kNonceLifetime; an expired one is answered with stale=true, so clients retry without asking
// their user again.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace mediaemu::api {

class DigestAuth {
 public:
  static constexpr std::chrono::seconds kNonceLifetime{600};

  explicit DigestAuth(std::string realm);

  // The WWW-Authenticate header value of a 401.
  std::string challenge(bool stale = false) const;

  enum class Result { Ok, Missing, Malformed, WrongUser, WrongPassword, StaleNonce };
  // Checks an Authorization header against one user's credentials for `method` (e.g. "PUT").
  Result verify(std::string_view authorization, std::string_view method, std::string_view username,
                std::string_view password) const;
  // The user name an Authorization header claims ("" when none).
  static std::string claimed_user(std::string_view authorization);

  static const char* describe(Result r);

  // The "response" a client computes (RFC 2617 §3.2.2.1; qop "auth", or empty for RFC 2069).
  static std::string response_for(std::string_view username, std::string_view realm, std::string_view password,
                                  std::string_view method, std::string_view uri, std::string_view nonce,
                                  std::string_view nc, std::string_view cnonce, std::string_view qop);

 private:
  std::string nonce_at(int64_t issued) const;
  std::string realm_;
  std::string secret_;
};

}  // namespace mediaemu::api
