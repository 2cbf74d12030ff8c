// AES-128-CBC with PKCS#7 padding over a whole buffer: the HLS AES-128 method, which encrypts
// each media segment as one message (RFC 8216 §5.2). OpenSSL's libcrypto does the cipher.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace mediaemu::pipeline::crypto {

using Block = std::array<uint8_t, 16>;  // a key, a key id or an IV

// Ciphertext is always 1..16 bytes longer than `plain` (PKCS#7 always pads, RFC 5652 §6.3).
std::vector<uint8_t> aes128_cbc_encrypt(const Block& key, const Block& iv, std::span<const uint8_t> plain);
// nullopt when the length is not a multiple of 16 or the padding is wrong (a wrong key, usually).
std::optional<std::vector<uint8_t>> aes128_cbc_decrypt(const Block& key, const Block& iv,
                                                       std::span<const uint8_t> cipher);

}  // namespace mediaemu::pipeline::crypto
