// libFuzzer target: the AMF0 decoder. Whatever decodes must re-encode and decode to the same
// values, and re-encode to the same bytes (a fixed point after one round).
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "pipeline/rtmp/amf0.hpp"

using namespace mediaemu::pipeline::rtmp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Amf0Limits limits;
  limits.max_values = 20'000;
  std::vector<Amf0Value> values;
  try {
    values = amf0_decode_all(data, size, limits);
  } catch (const Amf0Error&) {
    return 0;
  }
  for (const auto& v : values) {
    (void)v.to_text();
    (void)v.get("app");
  }
  std::vector<uint8_t> once = amf0_encode_all(values);
  std::vector<Amf0Value> again;
  try {
    again = amf0_decode_all(once.data(), once.size(), limits);
  } catch (const Amf0Error&) {
    std::abort();  // our own encoding must decode
  }
  if (again != values) std::abort();
  if (amf0_encode_all(again) != once) std::abort();
  return 0;
}
