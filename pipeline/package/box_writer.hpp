// Big-endian writer of nested ISO BMFF boxes (ISO/IEC 14496-12 §4.2): begin() returns where the
// box starts, end() patches its size. Shared by the fMP4 muxer and its encryption boxes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mediaemu::pipeline {

class BoxWriter {
 public:
  void u8(uint32_t v) { out_.push_back(static_cast<uint8_t>(v)); }
  void u16(uint32_t v) { u8(v >> 8), u8(v); }
  void u24(uint32_t v) { u8(v >> 16), u16(v); }
  void u32(uint32_t v) { u16(v >> 16), u16(v); }
  void u64(uint64_t v) { u32(static_cast<uint32_t>(v >> 32)), u32(static_cast<uint32_t>(v)); }
  void zeros(size_t n) { out_.insert(out_.end(), n, 0); }
  void fourcc(const char* c) { out_.insert(out_.end(), c, c + 4); }
  void bytes(const uint8_t* p, size_t n) { out_.insert(out_.end(), p, p + n); }
  void bytes(const std::vector<uint8_t>& v) { bytes(v.data(), v.size()); }
  size_t begin(const char* type) {
    const size_t at = out_.size();
    u32(0);
    fourcc(type);
    return at;
  }
  size_t begin_full(const char* type, uint8_t version, uint32_t flags) {
    const size_t at = begin(type);
    u8(version);
    u24(flags);
    return at;
  }
  void end(size_t at) { patch_u32(at, static_cast<uint32_t>(out_.size() - at)); }
  void patch_u32(size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) out_[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
  }
  size_t size() const { return out_.size(); }
  std::vector<uint8_t>& data() { return out_; }

 private:
  std::vector<uint8_t> out_;
};

}  // namespace mediaemu::pipeline
