// The 'pssh' box, ISO/IEC 23001-7 §8.1.2 (Protection System Specific Header):
//   size (32) 'pssh' version (8) flags (24) SystemID (16 bytes)
//   [version > 0: KID_count (32), KID_count key ids of 16 bytes]
//   DataSize (32) Data (DataSize bytes)
// Header-only: the local key server (emulator/speke), which does not link the pipeline library,
// builds DRM systems' boxes with it, and the packagers check and place the ones key providers
// give.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/crypto/block_text.hpp"

namespace mediaemu::pipeline::crypto {

// A pssh box of `system_id` carrying `data`; `version` 1 also lists `kids` in the box.
inline std::vector<uint8_t> pssh_box(const Block& system_id, int version, const std::vector<Block>& kids,
                                     const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out;
  auto u32 = [&](uint32_t v) {
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  u32(0);  // the size, patched below
  out.insert(out.end(), {'p', 's', 's', 'h'});
  u32(static_cast<uint32_t>(version) << 24);  // flags 0
  out.insert(out.end(), system_id.begin(), system_id.end());
  if (version > 0) {
    u32(static_cast<uint32_t>(kids.size()));
    for (const Block& kid : kids) out.insert(out.end(), kid.begin(), kid.end());
  }
  u32(static_cast<uint32_t>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
  const uint32_t size = static_cast<uint32_t>(out.size());
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(size >> (24 - 8 * i));
  return out;
}

// The SystemID (registry text form, lower case) of `box` when it is one whole, well-formed pssh
// box (its sizes add up to exactly its bytes); nullopt otherwise.
inline std::optional<std::string> pssh_box_system_id(const std::vector<uint8_t>& box) {
  auto u32 = [&](size_t at) {
    return (uint32_t{box[at]} << 24) | (uint32_t{box[at + 1]} << 16) | (uint32_t{box[at + 2]} << 8) | box[at + 3];
  };
  if (box.size() < 32 || u32(0) != box.size() || std::string(box.begin() + 4, box.begin() + 8) != "pssh")
    return std::nullopt;
  const int version = box[8];
  if (version > 1) return std::nullopt;
  size_t at = 28;
  if (version == 1) {
    const uint64_t kids = u32(at);
    at += 4;
    if (kids > (box.size() - at) / 16) return std::nullopt;
    at += 16 * kids;
  }
  if (at + 4 > box.size() || u32(at) != box.size() - at - 4) return std::nullopt;
  Block id{};
  std::copy(box.begin() + 12, box.begin() + 28, id.begin());
  return uuid_text(id);
}

}  // namespace mediaemu::pipeline::crypto
