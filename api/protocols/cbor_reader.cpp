#include "api/protocols/cbor_reader.hpp"

#include <cstdint>
#include <string>

namespace mediaemu::api {
namespace {

constexpr int kMaxDepth = 64;  // deeper nesting is refused, not recursed into

// Copies one item from in[at] to `out`, widening one-byte tag heads. False when malformed.
bool copy_item(std::string_view in, size_t& at, std::string& out, int depth) {
  if (depth > kMaxDepth || at >= in.size()) return false;
  auto head = static_cast<uint8_t>(in[at++]);
  int major = head >> 5, info = head & 31;
  if (major == 6 && info < 24) {  // a one-byte tag head: write it as 0xD8 <tag>
    out.push_back(static_cast<char>(0xD8));
    out.push_back(static_cast<char>(info));
    return copy_item(in, at, out, depth + 1);
  }
  out.push_back(static_cast<char>(head));
  uint64_t argument = info;
  if (info >= 24 && info <= 27) {
    size_t n = size_t{1} << (info - 24);
    if (at + n > in.size()) return false;
    argument = 0;
    for (size_t i = 0; i < n; ++i) argument = (argument << 8) | static_cast<uint8_t>(in[at + i]);
    out.append(in.substr(at, n));
    at += n;
  } else if (info >= 28 && info <= 30) {
    return false;  // reserved
  }
  bool indefinite = info == 31;
  if (indefinite && (major == 0 || major == 1 || major == 6)) return false;
  switch (major) {
    case 2:
    case 3:
      if (indefinite) {  // chunks until the break byte
        while (at < in.size() && static_cast<uint8_t>(in[at]) != 0xFF)
          if (!copy_item(in, at, out, depth + 1)) return false;
        if (at >= in.size()) return false;
        out.push_back(in[at++]);
        return true;
      }
      if (argument > in.size() - at) return false;
      out.append(in.substr(at, argument));
      at += argument;
      return true;
    case 4:
    case 5: {
      if (indefinite) {
        while (at < in.size() && static_cast<uint8_t>(in[at]) != 0xFF)
          if (!copy_item(in, at, out, depth + 1)) return false;
        if (at >= in.size()) return false;
        out.push_back(in[at++]);
        return true;
      }
      uint64_t items = major == 5 ? argument * 2 : argument;
      if (items > in.size() - at) return false;  // each item takes a byte at least
      for (uint64_t i = 0; i < items; ++i)
        if (!copy_item(in, at, out, depth + 1)) return false;
      return true;
    }
    case 6:
      return copy_item(in, at, out, depth + 1);  // the tagged item
    default:
      return true;  // integers, simple values and floats: the head and argument were the item
  }
}

}  // namespace

nlohmann::json read_cbor(std::string_view bytes) {
  std::string widened;
  widened.reserve(bytes.size() + 16);
  size_t at = 0;
  if (!copy_item(bytes, at, widened, 0) || at != bytes.size()) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::from_cbor(widened, true, false, nlohmann::json::cbor_tag_handler_t::ignore);
}

}  // namespace mediaemu::api
