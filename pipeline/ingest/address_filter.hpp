// Which sender addresses may push to an input: the whitelist of its input security groups
// (MediaLive InputSecurityGroup WhitelistRules, IPv4 CIDR blocks). Every push transport (RTMP,
// RTP, UDP, SRT) checks its sender's source address against one of these.
//
// Header-only, so the control plane's plan library (emulator/media/plan/) builds the same filter
// without linking the media pipeline.
#pragma once

#include <arpa/inet.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mediaemu::pipeline {

struct Ipv4Range {
  uint32_t network = 0;  // host byte order, already masked
  uint32_t mask = 0;     // host byte order
  std::string text;      // as written ("10.0.0.0/8"), for messages
  // "a.b.c.d/n" (n in 0..32); a bare address counts as /32. nullopt for anything else.
  static std::optional<Ipv4Range> parse(const std::string& cidr);
  bool contains(uint32_t address) const { return (address & mask) == network; }
};

class AddressFilter {
 public:
  // Any sender: an input without security groups (AWS requires one for public push inputs;
  // mediaemu does not).
  static AddressFilter allow_all() { return AddressFilter(true); }
  // Only senders inside `ranges` (none: nobody).
  static AddressFilter only(std::vector<Ipv4Range> ranges);

  // `ip` in dotted form ("127.0.0.1", or "::ffff:127.0.0.1" from a dual-stack socket). Addresses
  // that do not parse are refused unless every sender is allowed.
  bool allows(const std::string& ip) const;
  bool allows_everyone() const { return everyone_; }
  std::string describe() const;  // "any sender" or "10.0.0.0/8, 127.0.0.1/32"

 private:
  explicit AddressFilter(bool everyone) : everyone_(everyone) {}
  bool everyone_;
  std::vector<Ipv4Range> ranges_;
};

namespace detail {

inline std::optional<uint32_t> parse_ipv4(const std::string& text) {
  in_addr addr{};
  if (inet_pton(AF_INET, text.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

}  // namespace detail

inline std::optional<Ipv4Range> Ipv4Range::parse(const std::string& cidr) {
  auto slash = cidr.find('/');
  auto address = detail::parse_ipv4(cidr.substr(0, slash));
  if (!address) return std::nullopt;
  int bits = 32;
  if (slash != std::string::npos) {
    const char* first = cidr.data() + slash + 1;
    const char* last = cidr.data() + cidr.size();
    auto [end, ec] = std::from_chars(first, last, bits);
    if (ec != std::errc() || end != last || first == last || bits < 0 || bits > 32) return std::nullopt;
  }
  Ipv4Range r;
  r.mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  r.network = *address & r.mask;
  r.text = cidr;
  return r;
}

inline AddressFilter AddressFilter::only(std::vector<Ipv4Range> ranges) {
  AddressFilter f(false);
  f.ranges_ = std::move(ranges);
  return f;
}

inline bool AddressFilter::allows(const std::string& ip) const {
  if (everyone_) return true;
  const std::string mapped_prefix = "::ffff:";
  auto address = detail::parse_ipv4(ip.rfind(mapped_prefix, 0) == 0 ? ip.substr(mapped_prefix.size()) : ip);
  if (!address) return false;
  for (const auto& r : ranges_)
    if (r.contains(*address)) return true;
  return false;
}

inline std::string AddressFilter::describe() const {
  if (everyone_) return "any sender";
  if (ranges_.empty()) return "no sender";
  std::string out;
  for (const auto& r : ranges_) out += (out.empty() ? "" : ", ") + r.text;
  return out;
}

}  // namespace mediaemu::pipeline
