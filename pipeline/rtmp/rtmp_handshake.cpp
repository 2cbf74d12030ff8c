#include "pipeline/rtmp/rtmp_handshake.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace mediaemu::pipeline::rtmp {

namespace {

// The 32 bytes that follow the text in both FP9 keys.
constexpr uint8_t kKeyTail[32] = {0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0,
                                  0xD1, 0x02, 0x9E, 0x7E, 0x57, 0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80,
                                  0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE};

std::vector<uint8_t> make_key(const char* text) {
  std::vector<uint8_t> key(text, text + std::strlen(text));
  key.insert(key.end(), std::begin(kKeyTail), std::end(kKeyTail));
  return key;
}

void put_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// Our S1 announces a server version (FMS 4.5.0.1 style): clients treat a version >= 3 in byte 5
// of S0+S1 as "this server speaks the digest handshake".
constexpr uint8_t kServerVersion[4] = {4, 5, 0, 1};

}  // namespace

const std::vector<uint8_t>& HandshakeKeys::player_full() {
  static const std::vector<uint8_t> key = make_key("Genuine Adobe Flash Player 001");
  return key;
}

const std::vector<uint8_t>& HandshakeKeys::server_full() {
  static const std::vector<uint8_t> key = make_key("Genuine Adobe Flash Media Server 001");
  return key;
}

std::size_t digest_offset(const uint8_t* packet, int schema) {
  // Sum of four bytes modulo 728, after the bytes themselves: keeps the 32-byte digest inside
  // bytes 12..771 (schema 0) or 776..1535 (schema 1).
  std::size_t base = schema == 0 ? 8 : 772;
  std::size_t sum = std::size_t(packet[base]) + packet[base + 1] + packet[base + 2] + packet[base + 3];
  return sum % 728 + base + 4;
}

Digest hmac_sha256(const uint8_t* key, std::size_t key_size, const uint8_t* data, std::size_t size) {
  Digest out{};
  unsigned int out_size = 0;
  if (!HMAC(EVP_sha256(), key, static_cast<int>(key_size), data, size, out.data(), &out_size) ||
      out_size != kDigestSize) {
    throw std::runtime_error("HMAC-SHA256 failed (OpenSSL)");
  }
  return out;
}

Digest packet_digest(const uint8_t* packet, std::size_t offset, const uint8_t* key, std::size_t key_size) {
  std::vector<uint8_t> message;
  message.reserve(kHandshakeSize - kDigestSize);
  message.insert(message.end(), packet, packet + offset);
  message.insert(message.end(), packet + offset + kDigestSize, packet + kHandshakeSize);
  return hmac_sha256(key, key_size, message.data(), message.size());
}

std::optional<ClientDigest> find_client_digest(const uint8_t* c1) {
  // A zero version means a plain (spec) handshake; do not spend HMACs on it.
  if (c1[4] == 0 && c1[5] == 0 && c1[6] == 0 && c1[7] == 0) return std::nullopt;
  const auto& key = HandshakeKeys::player_full();
  for (int schema : {0, 1}) {
    std::size_t offset = digest_offset(c1, schema);
    Digest expected = packet_digest(c1, offset, key.data(), HandshakeKeys::kPlayerTextSize);
    if (std::equal(expected.begin(), expected.end(), c1 + offset)) return ClientDigest{schema, offset, expected};
  }
  return std::nullopt;
}

ServerHello answer_client_hello(const uint8_t* c1, const std::vector<uint8_t>& random) {
  if (random.size() < 2 * kHandshakeSize) throw std::invalid_argument("answer_client_hello needs 3072 random bytes");
  ServerHello hello;
  hello.s0s1s2.resize(1 + 2 * kHandshakeSize);
  uint8_t* s0 = hello.s0s1s2.data();
  uint8_t* s1 = s0 + 1;
  uint8_t* s2 = s1 + kHandshakeSize;
  s0[0] = kRtmpVersion;
  std::copy_n(random.begin(), kHandshakeSize, s1);
  put_be32(s1, 0);  // our epoch starts now (RTMP spec 5.2.3: time may be 0)

  std::string client_version = std::to_string(c1[4]) + "." + std::to_string(c1[5]) + "." + std::to_string(c1[6]) +
                               "." + std::to_string(c1[7]);
  std::optional<ClientDigest> client = find_client_digest(c1);
  if (!client) {
    // Plain: S1 = time, four zero bytes, random; S2 = echo of C1 (RTMP spec 5.2.3, 5.2.4).
    put_be32(s1 + 4, 0);
    std::copy_n(c1, kHandshakeSize, s2);
    bool zero_version = c1[4] == 0 && c1[5] == 0 && c1[6] == 0 && c1[7] == 0;
    hello.description = zero_version ? "plain" : "plain (client version " + client_version + ", no digest)";
    return hello;
  }

  // Digest: S1 carries our digest, in the client's schema, keyed with the server text key.
  std::copy(std::begin(kServerVersion), std::end(kServerVersion), s1 + 4);
  const auto& server_key = HandshakeKeys::server_full();
  std::size_t s1_offset = digest_offset(s1, client->schema);
  Digest s1_digest = packet_digest(s1, s1_offset, server_key.data(), HandshakeKeys::kServerTextSize);
  std::copy(s1_digest.begin(), s1_digest.end(), s1 + s1_offset);

  // S2: random, its last 32 bytes signed with a key derived from the client's digest.
  std::copy_n(random.begin() + kHandshakeSize, kHandshakeSize, s2);
  Digest signing_key = hmac_sha256(server_key.data(), server_key.size(), client->digest.data(), kDigestSize);
  Digest signature = hmac_sha256(signing_key.data(), kDigestSize, s2, kHandshakeSize - kDigestSize);
  std::copy(signature.begin(), signature.end(), s2 + kHandshakeSize - kDigestSize);

  hello.digest = true;
  hello.description = "digest (schema " + std::to_string(client->schema) + ", client version " + client_version + ")";
  return hello;
}

}  // namespace mediaemu::pipeline::rtmp
