// The RTMP handshake (RTMP spec 5.2): C0/C1 in, S0/S1/S2 out, then C2 in. Two variants exist
// in the wild:
//  - plain (the spec's): S1 is random, S2 echoes C1;
//  - digest, a.k.a. "complex" or FP9 (Flash Player 9 era, not in the published spec): C1 carries
//    an HMAC-SHA256 digest at a position derived from its own bytes; the server must answer with
//    a digest in S1 and an S2 signed with a key derived from the client's digest. Clients built
//    on librtmp (OBS, GStreamer rtmpsink) and ffmpeg's own RTMP send it, and some check the
//    answer when they play.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mediaemu::pipeline::rtmp {

constexpr std::size_t kHandshakeSize = 1536;  // C1, C2, S1, S2 (RTMP spec 5.2.3)
constexpr uint8_t kRtmpVersion = 3;           // C0/S0: plain RTMP (6 = RTMPE, not supported)
constexpr std::size_t kDigestSize = 32;       // HMAC-SHA256

using Digest = std::array<uint8_t, kDigestSize>;

// Where a digest sits in a 1536-byte C1/S1. Schema 0 derives the offset from bytes 8..11,
// schema 1 from bytes 772..775 (the two layouts of the FP9 handshake).
std::size_t digest_offset(const uint8_t* packet, int schema);

// HMAC-SHA256 over the packet without the 32 digest bytes at `offset`.
Digest packet_digest(const uint8_t* packet, std::size_t offset, const uint8_t* key, std::size_t key_size);

// HMAC-SHA256 of `data` with `key`.
Digest hmac_sha256(const uint8_t* key, std::size_t key_size, const uint8_t* data, std::size_t size);

// The keys of the FP9 handshake: a text prefix ("Genuine Adobe Flash Player 001" /
// "Genuine Adobe Flash Media Server 001") followed by 32 constant bytes. Digests in C1 and S1 use
// the text prefix only; the C2/S2 signing keys are derived with the full key.
struct HandshakeKeys {
  static const std::vector<uint8_t>& player_full();  // 62 bytes; the first 30 sign C1
  static const std::vector<uint8_t>& server_full();  // 68 bytes; the first 36 sign S1
  static constexpr std::size_t kPlayerTextSize = 30;
  static constexpr std::size_t kServerTextSize = 36;
};

struct ClientDigest {
  int schema = 0;
  std::size_t offset = 0;
  Digest digest{};
};

// The digest of a C1 whose version field (bytes 4..7) is non-zero, trying schema 0 then 1;
// nullopt when C1 carries none (a plain client, or one that only fills bytes with noise).
std::optional<ClientDigest> find_client_digest(const uint8_t* c1);

struct ServerHello {
  std::vector<uint8_t> s0s1s2;  // 1 + 1536 + 1536 bytes
  std::string description;      // for the log: "plain" or "digest (schema N, client version a.b.c.d)"
  bool digest = false;
};

// Builds S0+S1+S2 for a C1 (kHandshakeSize bytes), filling random bytes from `random`.
ServerHello answer_client_hello(const uint8_t* c1, const std::vector<uint8_t>& random);

}  // namespace mediaemu::pipeline::rtmp
