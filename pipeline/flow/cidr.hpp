// IPv4 CIDR blocks ("10.24.34.0/23"), as a MediaConnect source's WhitelistCidr names the
// senders it accepts. Used by the control plane to validate and by the relay to filter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace mediaemu::flow {

struct Cidr {
  uint32_t network = 0;  // host byte order, already masked
  uint32_t mask = 0;
  bool contains(uint32_t address) const { return (address & mask) == network; }
};

// Parses "a.b.c.d/n" (n 0..32) or a bare address (a /32). nullopt when malformed.
std::optional<Cidr> parse_cidr(const std::string& text);
// Parses a dotted IPv4 address into host byte order.
std::optional<uint32_t> parse_ipv4(const std::string& text);

}  // namespace mediaemu::flow
