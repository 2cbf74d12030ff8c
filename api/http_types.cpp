#include "api/http_types.hpp"

#include "api/uri_template.hpp"

namespace mediaemu::api {

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    if (!part.empty()) {
      auto eq = part.find('=');
      out.emplace_back(query_decode(part.substr(0, eq)),
                       eq == std::string_view::npos ? std::string() : query_decode(part.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace mediaemu::api
