#include "api/digest_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cctype>
#include <map>
#include <stdexcept>

namespace mediaemu::api {
namespace {

std::string hex(const unsigned char* data, size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

std::string md5_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_md5(), nullptr);
  return hex(digest, size);
}

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The auth-params of a "Digest a=b, c="d"" header (RFC 7616 §3.4), names lower-cased.
std::map<std::string, std::string> digest_params(std::string_view header) {
  std::map<std::string, std::string> out;
  if (header.size() < 7) return out;
  std::string scheme(header.substr(0, 6));
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "digest" || header[6] != ' ') return out;
  size_t i = 7;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ',')) ++i;
    size_t eq = header.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string name(header.substr(i, eq - i));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!name.empty() && name.back() == ' ') name.pop_back();
    size_t v = eq + 1;
    std::string value;
    if (v < header.size() && header[v] == '"') {
      ++v;
      while (v < header.size() && header[v] != '"') {
        if (header[v] == '\\' && v + 1 < header.size()) ++v;  // quoted-pair
        value += header[v++];
      }
      i = v + 1;
    } else {
      size_t end = header.find(',', v);
      if (end == std::string_view::npos) end = header.size();
      value = std::string(header.substr(v, end - v));
      while (!value.empty() && value.back() == ' ') value.pop_back();
      i = end;
    }
    out[name] = value;
  }
  return out;
}

}  // namespace

DigestAuth::DigestAuth(std::string realm) : realm_(std::move(realm)) {
  unsigned char key[32];
  if (RAND_bytes(key, sizeof key) != 1) throw std::runtime_error("no random bytes for digest nonces");
  secret_ = hex(key, sizeof key);
}

std::string DigestAuth::nonce_at(int64_t issued) const {
  std::string stamp = std::to_string(issued);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(stamp.data()), stamp.size(), mac, &size);
  return stamp + "." + hex(mac, 16);
}

std::string DigestAuth::challenge(bool stale) const {
  return "Digest realm=\"" + realm_ + "\", qop=\"auth\", algorithm=MD5, nonce=\"" + nonce_at(now_seconds()) + "\"" +
         (stale ? ", stale=true" : "");
}

std::string DigestAuth::claimed_user(std::string_view authorization) {
  auto p = digest_params(authorization);
  auto it = p.find("username");
  return it == p.end() ? "" : it->second;
}

DigestAuth::Result DigestAuth::verify(std::string_view authorization, std::string_view method,
                                      std::string_view username, std::string_view password) const {
  if (authorization.empty()) return Result::Missing;
  auto p = digest_params(authorization);
  for (const char* required : {"username", "realm", "nonce", "uri", "response"})
    if (!p.count(required)) return Result::Malformed;
  if (p.count("algorithm") && p["algorithm"] != "MD5" && p["algorithm"] != "md5") return Result::Malformed;
  if (p["username"] != username) return Result::WrongUser;
  if (p["realm"] != realm_) return Result::Malformed;
  // The nonce must be one of ours (its MAC) and young enough.
  const std::string& nonce = p["nonce"];
  auto dot = nonce.find('.');
  if (dot == std::string::npos) return Result::Malformed;
  int64_t issued = 0;
  try {
    issued = std::stoll(nonce.substr(0, dot));
  } catch (const std::exception&) {
    return Result::Malformed;
  }
  std::string expected_nonce = nonce_at(issued);
  if (expected_nonce.size() != nonce.size() || CRYPTO_memcmp(expected_nonce.data(), nonce.data(), nonce.size()) != 0)
    return Result::StaleNonce;  // not ours (an earlier process's): ask again
  if (now_seconds() - issued > kNonceLifetime.count()) return Result::StaleNonce;

  if (p.count("qop") && (p["qop"] != "auth" || !p.count("nc") || !p.count("cnonce"))) return Result::Malformed;
  std::string expected = response_for(username, realm_, password, method, p["uri"], nonce, p["nc"], p["cnonce"],
                                      p.count("qop") ? "auth" : "");
  const std::string& response = p["response"];
  if (response.size() != expected.size() || CRYPTO_memcmp(response.data(), expected.data(), expected.size()) != 0)
    return Result::WrongPassword;
  return Result::Ok;
}

std::string DigestAuth::response_for(std::string_view username, std::string_view realm, std::string_view password,
                                     std::string_view method, std::string_view uri, std::string_view nonce,
                                     std::string_view nc, std::string_view cnonce, std::string_view qop) {
  auto join = [](std::initializer_list<std::string_view> parts) {
    std::string out;
    bool first = true;
    for (auto part : parts) {
      if (!first) out += ':';
      out += part;
      first = false;
    }
    return out;
  };
  std::string ha1 = md5_hex(join({username, realm, password}));
  std::string ha2 = md5_hex(join({method, uri}));
  if (qop.empty()) return md5_hex(join({ha1, nonce, ha2}));  // RFC 2069 compatibility
  return md5_hex(join({ha1, nonce, nc, cnonce, qop, ha2}));
}

const char* DigestAuth::describe(Result r) {
  switch (r) {
    case Result::Ok: return "authenticated";
    case Result::Missing: return "no Authorization header";
    case Result::Malformed: return "a malformed Digest Authorization header";
    case Result::WrongUser: return "an unknown user name";
    case Result::WrongPassword: return "a wrong password";
    case Result::StaleNonce: return "an expired or unknown nonce";
  }
  return "?";
}

}  // namespace mediaemu::api
