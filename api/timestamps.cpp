#include "api/timestamps.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace mediaemu::api {

double now_epoch_seconds() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1e6;
}

namespace {
std::tm utc_tm(double epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(std::floor(epoch_seconds));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}
}  // namespace

std::string format_iso8601(double epoch_seconds) {
  std::tm tm = utc_tm(epoch_seconds);
  int ms = static_cast<int>(std::lround((epoch_seconds - std::floor(epoch_seconds)) * 1000.0));
  if (ms == 1000) ms = 999;
  char buf[96];  // room for any int in every field, so the compiler can prove no truncation
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::string format_rfc822(double epoch_seconds) {
  std::tm tm = utc_tm(epoch_seconds);
  char buf[40];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::optional<double> parse_timestamp(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // Epoch seconds, possibly fractional.
  {
    double value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && ptr == text.data() + text.size()) return value;
  }
  int Y, M, D, h, m, s, consumed = 0;
  std::string str(text);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &s, &consumed) != 6) return std::nullopt;
  std::string_view rest = text.substr(static_cast<size_t>(consumed));
  double fraction = 0;
  if (!rest.empty() && rest.front() == '.') {
    size_t n = 1;
    while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n]))) ++n;
    std::string digits("0");  // appended rather than "0" + ..., which trips a GCC 12 -Wrestrict false positive
    digits.append(rest.substr(0, n));
    fraction = std::stod(digits);
    rest.remove_prefix(n);
  }
  int offset_seconds = 0;
  if (rest == "Z" || rest == "z" || rest.empty()) {
  } else if ((rest.front() == '+' || rest.front() == '-') && rest.size() >= 6 && rest[3] == ':') {
    int oh = std::stoi(std::string(rest.substr(1, 2))), om = std::stoi(std::string(rest.substr(4, 2)));
    offset_seconds = (rest.front() == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || s > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = Y - 1900;
  tm.tm_mon = M - 1;
  tm.tm_mday = D;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = s;
  return static_cast<double>(timegm(&tm)) - offset_seconds + fraction;
}

}  // namespace mediaemu::api
