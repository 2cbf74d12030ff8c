#include "api/timestamps.hpp"

#include "pipeline/date_time.hpp"

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
  return pipeline::parse_iso8601(text);
}

}  // namespace mediaemu::api
