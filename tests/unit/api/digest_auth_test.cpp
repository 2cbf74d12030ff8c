// HTTP digest authentication (api/digest_auth.hpp): the RFC 2617 worked example, and the checks
// MediaPackage's ingest URLs rely on (wrong password, wrong user, forged or missing nonce).
#include <catch2/catch.hpp>

#include "api/digest_auth.hpp"

using mediaemu::api::DigestAuth;

namespace {

std::string nonce_of(const std::string& challenge) {
  auto start = challenge.find("nonce=\"") + 7;
  return challenge.substr(start, challenge.find('"', start) - start);
}

std::string authorization(const std::string& user, const std::string& password, const std::string& nonce,
                          const std::string& method = "PUT", const std::string& uri = "/in/v2/a/b/channel.m3u8") {
  std::string response =
      DigestAuth::response_for(user, "MediaPackage", password, method, uri, nonce, "00000001", "0a4f113b", "auth");
  return "Digest username=\"" + user + "\", realm=\"MediaPackage\", nonce=\"" + nonce + "\", uri=\"" + uri +
         "\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"" + response + "\", algorithm=MD5";
}

}  // namespace

TEST_CASE("digest response: RFC 2617 section 3.5 example", "[digest]") {
  CHECK(DigestAuth::response_for("Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
                                 "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b",
                                 "auth") == "6629fae49393a05397450978507c4ef1");
}

TEST_CASE("digest verify: the right credentials pass, anything else is refused with its reason", "[digest]") {
  DigestAuth auth("MediaPackage");
  std::string challenge = auth.challenge();
  CHECK(challenge.rfind("Digest realm=\"MediaPackage\"", 0) == 0);
  CHECK(challenge.find("qop=\"auth\"") != std::string::npos);
  std::string nonce = nonce_of(challenge);

  CHECK(auth.verify(authorization("user", "secret", nonce), "PUT", "user", "secret") == DigestAuth::Result::Ok);
  CHECK(auth.verify(authorization("user", "wrong", nonce), "PUT", "user", "secret") ==
        DigestAuth::Result::WrongPassword);
  CHECK(auth.verify(authorization("other", "secret", nonce), "PUT", "user", "secret") ==
        DigestAuth::Result::WrongUser);
  // Signed for another method: the response does not match.
  CHECK(auth.verify(authorization("user", "secret", nonce, "DELETE"), "PUT", "user", "secret") ==
        DigestAuth::Result::WrongPassword);
  CHECK(auth.verify("", "PUT", "user", "secret") == DigestAuth::Result::Missing);
  CHECK(auth.verify("Basic dXNlcjpzZWNyZXQ=", "PUT", "user", "secret") == DigestAuth::Result::Malformed);
  CHECK(DigestAuth::claimed_user(authorization("user", "secret", nonce)) == "user");

  // A nonce this server did not issue (another process's secret, or forged): asked again.
  DigestAuth other("MediaPackage");
  std::string foreign = nonce_of(other.challenge());
  CHECK(auth.verify(authorization("user", "secret", foreign), "PUT", "user", "secret") ==
        DigestAuth::Result::StaleNonce);
  CHECK(auth.verify(authorization("user", "secret", "12345.abc"), "PUT", "user", "secret") ==
        DigestAuth::Result::StaleNonce);
  CHECK(auth.challenge(true).find("stale=true") != std::string::npos);
}
