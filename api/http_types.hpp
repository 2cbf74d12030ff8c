// Plain request/response values, so request handling is a pure function that unit tests can
// drive without sockets (the Boost.Beast "advanced server" lesson).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mediaemu::api {

struct HttpRequest {
  std::string method;  // "GET"
  std::string target;  // raw, still percent-encoded: "/prod/channels/1234?maxResults=2"
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string peer;  // remote IP address

  std::string_view header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
      if (k == lower_name) return v;
    return {};
  }
  std::string_view path() const {
    std::string_view t = target;
    return t.substr(0, t.find('?'));
  }
  std::string_view query() const {
    auto q = target.find('?');
    return q == std::string::npos ? std::string_view{} : std::string_view(target).substr(q + 1);
  }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close = false;  // close the connection after this response

  void set_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
  std::string_view header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
};

// Splits "a=1&b=x%20y&a=2" into decoded pairs, in order.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

}  // namespace mediaemu::api
