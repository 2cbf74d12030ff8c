#include "pipeline/ingest/hls_put/hls_ingest_playlist.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "pipeline/date_time.hpp"

namespace mediaemu::pipeline::hls_put {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

int64_t to_int(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// The value of NAME in an attribute list (RFC 8216 §4.2), quotes removed; empty when absent.
std::string attribute(std::string_view list, std::string_view name) {
  size_t i = 0;
  while (i < list.size()) {
    size_t eq = list.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string_view key = trim(list.substr(i, eq - i));
    size_t v = eq + 1, end;
    std::string_view value;
    if (v < list.size() && list[v] == '"') {
      end = list.find('"', v + 1);
      if (end == std::string_view::npos) end = list.size();
      value = list.substr(v + 1, end - v - 1);
      end = list.find(',', end);
    } else {
      end = list.find(',', v);
      value = list.substr(v, (end == std::string_view::npos ? list.size() : end) - v);
    }
    if (key == name) return std::string(value);
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  return "";
}

// RFC 8216 §4.3.2.6: an ISO 8601 date-time with a time zone ("2026-12-05T10:00:00.123Z").
std::optional<int64_t> parse_date_ms(std::string_view s) {
  auto seconds = parse_iso8601(s);
  if (!seconds) return std::nullopt;
  return std::llround(*seconds * 1000);
}

}  // namespace

std::string file_name_of(std::string_view uri) {
  uri = uri.substr(0, uri.find_first_of("?#"));
  auto slash = uri.rfind('/');
  return std::string(slash == std::string_view::npos ? uri : uri.substr(slash + 1));
}

std::optional<IngestPlaylist> parse_ingest_playlist(std::string_view text) {
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF) text.remove_prefix(3);  // UTF-8 BOM
  IngestPlaylist out;
  bool first = true, pending_variant = false, pending_discontinuity = false;
  int64_t sequence = 0;
  double duration = -1;
  std::optional<int64_t> date;
  IngestVariant variant;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (first) {
      if (line != "#EXTM3U") return std::nullopt;
      first = false;
      continue;
    }
    if (line.empty()) continue;
    if (line[0] != '#') {  // a URI line
      if (pending_variant) {
        variant.uri = std::string(line);
        out.variants.push_back(std::move(variant));
        variant = {};
        pending_variant = false;
      } else if (duration >= 0) {
        out.segments.push_back({std::string(line), sequence++, duration, pending_discontinuity, date});
        if (date) *date += static_cast<int64_t>(duration * 1000 + 0.5);  // later segments follow on
        duration = -1;
        pending_discontinuity = false;
      }
      continue;
    }
    if (starts_with(line, "#EXT-X-STREAM-INF:")) {
      std::string_view attrs = line.substr(18);
      out.multivariant = pending_variant = true;
      variant.bandwidth = to_int(attribute(attrs, "BANDWIDTH"));
      variant.codecs = attribute(attrs, "CODECS");
      std::string resolution = attribute(attrs, "RESOLUTION");
      if (auto x = resolution.find('x'); x != std::string::npos) {
        variant.width = static_cast<int>(to_int(std::string_view(resolution).substr(0, x)));
        variant.height = static_cast<int>(to_int(std::string_view(resolution).substr(x + 1)));
      }
    } else if (starts_with(line, "#EXTINF:")) {
      duration = std::strtod(std::string(line.substr(8)).c_str(), nullptr);
    } else if (starts_with(line, "#EXT-X-MEDIA-SEQUENCE:")) {
      sequence = to_int(line.substr(22));
    } else if (starts_with(line, "#EXT-X-TARGETDURATION:")) {
      out.target_duration = to_int(line.substr(22));
    } else if (line == "#EXT-X-DISCONTINUITY") {
      pending_discontinuity = true;
    } else if (starts_with(line, "#EXT-X-PROGRAM-DATE-TIME:")) {
      date = parse_date_ms(line.substr(25));
    } else if (line == "#EXT-X-ENDLIST") {
      out.ended = true;
    }
  }
  if (first) return std::nullopt;
  return out;
}

}  // namespace mediaemu::pipeline::hls_put
