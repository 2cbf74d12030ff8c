// ISO 8601 date-times as HLS (RFC 8216 §4.3.2.6 EXT-X-PROGRAM-DATE-TIME) and the AWS APIs write
// them: "2026-12-05T10:00:00.123Z", or with a "+hh:mm", "+hhmm" or "+hh" zone (ffmpeg's hls
// muxer writes "+0000"), or none (UTC). Header-only: the API layer, which links no media code,
// parses its timestamps with it too.
#pragma once

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace mediaemu::pipeline {

// Seconds since the epoch (with the fraction); nullopt when `text` is not such a date-time.
inline std::optional<double> parse_iso8601(std::string_view text) {
  int Y, M, D, h, m, s, consumed = 0;
  const std::string str(text);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &Y, &M, &D, &h, &m, &s, &consumed) != 6) return std::nullopt;
  std::string_view rest = text.substr(static_cast<size_t>(consumed));
  double fraction = 0;
  if (!rest.empty() && rest.front() == '.') {
    size_t n = 1;
    for (double scale = 0.1; n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n])); ++n, scale /= 10)
      fraction += (rest[n] - '0') * scale;
    rest.remove_prefix(n);
  }
  int offset_seconds = 0;
  auto digits = [&](size_t at) { return (rest[at] - '0') * 10 + (rest[at + 1] - '0'); };
  auto all_digits = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i)
      if (!std::isdigit(static_cast<unsigned char>(rest[i]))) return false;
    return true;
  };
  if (rest.empty() || rest == "Z" || rest == "z") {
  } else if (rest.front() == '+' || rest.front() == '-') {
    int zh = 0, zm = 0;
    if (rest.size() == 3 && all_digits(1, 3)) zh = digits(1);                                    // +hh
    else if (rest.size() == 5 && all_digits(1, 5)) zh = digits(1), zm = digits(3);                // +hhmm
    else if (rest.size() == 6 && rest[3] == ':' && all_digits(1, 3) && all_digits(4, 6)) zh = digits(1), zm = digits(4);  // +hh:mm
    else return std::nullopt;
    offset_seconds = (rest.front() == '+' ? 1 : -1) * (zh * 3600 + zm * 60);
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

// "2020-05-03T00:01:08.040Z" (ISO 8601 / RFC 3339 with milliseconds, UTC), as EXT-X-PROGRAM-DATE-TIME
// and EXT-X-DATERANGE write it.
inline std::string iso8601_ms(int64_t epoch_ms) {
  const std::time_t seconds = static_cast<std::time_t>(std::floor(static_cast<double>(epoch_ms) / 1000.0));
  const int ms = static_cast<int>(epoch_ms - static_cast<int64_t>(seconds) * 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

}  // namespace mediaemu::pipeline
