#include "pipeline/flow/cidr.hpp"

#include <arpa/inet.h>

namespace mediaemu::flow {

std::optional<uint32_t> parse_ipv4(const std::string& text) {
  in_addr addr{};
  if (inet_pton(AF_INET, text.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

std::optional<Cidr> parse_cidr(const std::string& text) {
  const size_t slash = text.find('/');
  auto address = parse_ipv4(text.substr(0, slash));
  if (!address) return std::nullopt;
  int bits = 32;
  if (slash != std::string::npos) {
    const std::string n = text.substr(slash + 1);
    if (n.empty() || n.size() > 2 || n.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    bits = std::stoi(n);
    if (bits > 32) return std::nullopt;
  }
  Cidr c;
  c.mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  c.network = *address & c.mask;
  return c;
}

}  // namespace mediaemu::flow
