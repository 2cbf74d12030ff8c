#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <catch2/catch.hpp>
#include <cstring>

#include "pipeline/rtmp/rtmp_handshake.hpp"

using namespace mediaemu::pipeline::rtmp;

namespace {

using Bytes = std::vector<uint8_t>;

// The FP9 keys spelled out here, independently of the implementation under test.
const uint8_t kTail[32] = {0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
                           0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE};
Bytes key(const char* text, bool with_tail) {
  Bytes k;
  k.reserve(std::strlen(text) + sizeof kTail);
  k.insert(k.end(), text, text + std::strlen(text));
  if (with_tail) k.insert(k.end(), std::begin(kTail), std::end(kTail));
  return k;
}

Bytes hmac(const Bytes& k, const Bytes& data) {
  Bytes out(32);
  unsigned len = 0;
  HMAC(EVP_sha256(), k.data(), static_cast<int>(k.size()), data.data(), data.size(), out.data(), &len);
  return out;
}

Bytes without(const uint8_t* packet, std::size_t at) {
  Bytes b(packet, packet + at);
  b.insert(b.end(), packet + at + 32, packet + 1536);
  return b;
}

std::size_t offset_of(const uint8_t* p, int schema) {
  std::size_t base = schema == 0 ? 8 : 772;
  return (p[base] + p[base + 1] + p[base + 2] + p[base + 3]) % 728 + base + 4;
}

Bytes random_bytes(std::size_t n, uint32_t seed) {
  Bytes b(n);
  for (auto& x : b) {
    seed = seed * 1103515245u + 12345u;
    x = static_cast<uint8_t>(seed >> 16);
  }
  return b;
}

// A C1 as a Flash Player 9 (or librtmp, or ffmpeg) builds it.
Bytes fp9_c1(int schema, uint32_t seed) {
  Bytes c1 = random_bytes(1536, seed);
  std::memset(c1.data(), 0, 4);
  c1[4] = 9, c1[5] = 0, c1[6] = 124, c1[7] = 2;
  std::size_t at = offset_of(c1.data(), schema);
  Bytes d = hmac(key("Genuine Adobe Flash Player 001", false), without(c1.data(), at));
  std::copy(d.begin(), d.end(), c1.begin() + static_cast<std::ptrdiff_t>(at));
  return c1;
}

}  // namespace

TEST_CASE("handshake: digest offsets stay inside their half of the packet", "[rtmp][handshake]") {
  Bytes p(1536, 0xFF);
  CHECK(digest_offset(p.data(), 0) == (4 * 255) % 728 + 12);
  CHECK(digest_offset(p.data(), 1) == (4 * 255) % 728 + 776);
  for (uint32_t seed = 0; seed < 200; ++seed) {
    Bytes r = random_bytes(1536, seed);
    CHECK(digest_offset(r.data(), 0) + 32 <= 772);
    CHECK(digest_offset(r.data(), 1) + 32 <= 1536);
  }
}

TEST_CASE("handshake: a digest C1 is recognised in either schema and answered in kind", "[rtmp][handshake]") {
  for (int schema : {0, 1}) {
    for (uint32_t seed : {1u, 2u, 3u}) {
      INFO("schema " << schema << " seed " << seed);
      Bytes c1 = fp9_c1(schema, seed);
      auto found = find_client_digest(c1.data());
      REQUIRE(found);
      CHECK(found->schema == schema);
      CHECK(found->offset == offset_of(c1.data(), schema));

      ServerHello hello = answer_client_hello(c1.data(), random_bytes(3072, seed + 100));
      CHECK(hello.digest);
      CHECK_THAT(hello.description, Catch::Contains("schema " + std::to_string(schema)));
      CHECK_THAT(hello.description, Catch::Contains("9.0.124.2"));
      REQUIRE(hello.s0s1s2.size() == 1 + 1536 + 1536);
      CHECK(hello.s0s1s2[0] == 3);
      const uint8_t* s1 = hello.s0s1s2.data() + 1;
      const uint8_t* s2 = s1 + 1536;
      CHECK(s1[5] >= 3);  // clients check the server version before validating

      // S1: our digest in the same schema, keyed with "Genuine Adobe Flash Media Server 001".
      std::size_t s1_at = offset_of(s1, schema);
      Bytes s1_digest(s1 + s1_at, s1 + s1_at + 32);
      CHECK(s1_digest == hmac(key("Genuine Adobe Flash Media Server 001", false), without(s1, s1_at)));

      // S2: signed with HMAC(full server key, client digest), as a validating player checks it.
      Bytes client_digest(c1.begin() + static_cast<std::ptrdiff_t>(found->offset),
                          c1.begin() + static_cast<std::ptrdiff_t>(found->offset + 32));
      Bytes signing_key = hmac(key("Genuine Adobe Flash Media Server 001", true), client_digest);
      CHECK(Bytes(s2 + 1504, s2 + 1536) == hmac(signing_key, Bytes(s2, s2 + 1504)));
    }
  }
}

TEST_CASE("handshake: plain clients get S2 = C1", "[rtmp][handshake]") {
  Bytes c1 = random_bytes(1536, 7);
  std::memset(c1.data() + 4, 0, 4);  // version 0: the spec's handshake
  ServerHello hello = answer_client_hello(c1.data(), random_bytes(3072, 8));
  CHECK_FALSE(hello.digest);
  CHECK(hello.description == "plain");
  CHECK(Bytes(hello.s0s1s2.begin() + 1 + 1536, hello.s0s1s2.end()) == c1);
  CHECK(Bytes(hello.s0s1s2.begin() + 5, hello.s0s1s2.begin() + 9) == Bytes{0, 0, 0, 0});
}

TEST_CASE("handshake: a non-zero version without a valid digest falls back to plain", "[rtmp][handshake]") {
  Bytes c1 = fp9_c1(0, 11);
  c1[offset_of(c1.data(), 0)] ^= 0x01;  // break the digest
  CHECK_FALSE(find_client_digest(c1.data()));
  ServerHello hello = answer_client_hello(c1.data(), random_bytes(3072, 12));
  CHECK_FALSE(hello.digest);
  CHECK(hello.description == "plain (client version 9.0.124.2, no digest)");
  CHECK(Bytes(hello.s0s1s2.begin() + 1 + 1536, hello.s0s1s2.end()) == c1);
}
