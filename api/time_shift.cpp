#include "api/time_shift.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "api/timestamps.hpp"
#include "api/uri_template.hpp"

namespace mediaemu::api {
namespace {

constexpr double kMaxRequestSeconds = 24 * 3600;  // "a maximum of 24 hours" per request (MP-UG time-shifted)

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::vector<std::string> split(std::string_view s, char by) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(by, start);
    out.emplace_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

// Epoch seconds from ISO 8601 or epoch seconds. A '+' of a time zone offset arrives as a space
// when a client form-encodes the query; it is read back as '+'.
std::optional<double> parse_time(std::string value) {
  for (auto& c : value)
    if (c == ' ') c = '+';
  auto t = parse_timestamp(value);
  if (!t || !std::isfinite(*t) || *t < 0) return std::nullopt;
  return t;
}

std::optional<std::string> set_time(const char* name, const std::string& value, std::optional<double>& slot) {
  if (slot) return std::string("The ") + name + " parameter is given more than once";
  slot = parse_time(value);
  if (!slot) return std::string("The ") + name + " parameter '" + value + "' is neither ISO 8601 nor epoch seconds";
  return std::nullopt;
}

bool is_relative_uri(std::string_view uri) {
  if (uri.empty() || uri.front() == '/') return false;
  auto colon = uri.find(':'), slash = uri.find('/');
  return colon == std::string_view::npos || (slash != std::string_view::npos && slash < colon);
}

// A playlist line with its URI (the line itself, or a tag's URI="..." attribute) through `map`.
std::string rewrite_line(const std::string& line, const UriMap& map) {
  if (line.empty()) return line;
  if (line.front() != '#') return map(line);
  auto at = line.find("URI=\"");
  if (at == std::string::npos) return line;
  at += 5;
  auto end = line.find('"', at);
  if (end == std::string::npos) return line;
  return line.substr(0, at) + map(line.substr(at, end - at)) + line.substr(end);
}

// Prefixes a relative URI, also inside a tag's URI="..." attribute.
std::string with_prefix(const std::string& line, const std::string& prefix) {
  if (prefix.empty()) return line;
  return rewrite_line(line, [&](const std::string& uri) { return is_relative_uri(uri) ? prefix + uri : uri; });
}

// Tags that describe the whole playlist (RFC 8216 §4.3.1, §4.3.3); every other tag belongs to
// the segment that follows it.
bool is_playlist_tag(std::string_view line) {
  for (std::string_view tag : {"#EXTM3U", "#EXT-X-VERSION", "#EXT-X-INDEPENDENT-SEGMENTS", "#EXT-X-TARGETDURATION",
                               "#EXT-X-MEDIA-SEQUENCE", "#EXT-X-DISCONTINUITY-SEQUENCE", "#EXT-X-PLAYLIST-TYPE",
                               "#EXT-X-I-FRAMES-ONLY", "#EXT-X-START"})
    if (starts_with(line, tag)) return true;
  return false;
}

int64_t tag_number(std::string_view line) {
  auto colon = line.find(':');
  try {
    return colon == std::string_view::npos ? 0 : std::stoll(std::string(line.substr(colon + 1)));
  } catch (...) {
    return 0;
  }
}

}  // namespace

std::optional<std::string> parse_time_shift(std::string& relative, std::string_view query, TimeShift& shift) {
  std::vector<std::string> kept_query;
  if (!query.empty()) {
    for (const auto& pair : split(query, '&')) {
      auto eq = pair.find('=');
      std::string name = pair.substr(0, eq);
      if (name != "start" && name != "end") continue;
      std::string value = eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1));
      if (auto error = set_time(name.c_str(), value, name == "start" ? shift.start : shift.end)) return error;
      kept_query.push_back(pair);
    }
  }
  // Path style: ".../start/<t>/end/<t>/<manifest>", the pairs anywhere before the file name.
  auto parts = split(relative, '/');
  std::vector<std::string> rest;
  for (size_t i = 0; i < parts.size(); ++i) {
    if ((parts[i] == "start" || parts[i] == "end") && i + 2 < parts.size()) {
      if (auto error = set_time(parts[i].c_str(), parts[i + 1], parts[i] == "start" ? shift.start : shift.end))
        return error;
      shift.path_depth += 2;
      ++i;
      continue;
    }
    rest.push_back(parts[i]);
  }
  if (shift.path_depth > 0) {
    relative.clear();
    for (const auto& p : rest) relative += (relative.empty() ? "" : "/") + p;
  }
  for (const auto& pair : kept_query) shift.query += (shift.query.empty() ? "" : "&") + pair;
  return std::nullopt;
}

ShiftWindow decide_window(const TimeShift& shift, double now, int startover_window_seconds) {
  ShiftWindow w;
  // End alone, or a start still to come, is the live manifest.
  if (!shift.start || *shift.start > now) return w;
  w.start = *shift.start;
  w.end = shift.end;
  if (w.end && *w.end - w.start > kMaxRequestSeconds) {
    w.kind = ShiftWindow::Kind::TooLong;
  } else if (startover_window_seconds <= 0 || w.start < now - startover_window_seconds || (w.end && *w.end <= w.start)) {
    w.kind = ShiftWindow::Kind::OutOfWindow;
  } else {
    w.kind = ShiftWindow::Kind::Window;
    w.complete = w.end && *w.end <= now;
  }
  return w;
}

std::optional<HlsArchive> HlsArchive::parse(const std::string& text) {
  HlsArchive a;
  Block pending;
  int key = -1, map = -1;
  bool dated = false;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line == "#EXT-X-ENDLIST") {
      a.ended_ = true;
    } else if (is_playlist_tag(line)) {
      if (starts_with(line, "#EXT-X-MEDIA-SEQUENCE:")) a.media_sequence_ = tag_number(line);
      if (starts_with(line, "#EXT-X-DISCONTINUITY-SEQUENCE:")) a.discontinuity_sequence_ = tag_number(line);
      if (a.blocks_.empty() && pending.tags.empty()) a.header_.push_back(line);
    } else if (line.front() == '#') {
      if (starts_with(line, "#EXT-X-PROGRAM-DATE-TIME:")) {
        auto date = parse_timestamp(std::string_view(line).substr(25));
        if (!date) return std::nullopt;
        pending.date = *date;
        pending.dated = dated = true;
      }
      if (starts_with(line, "#EXT-X-KEY:")) key = static_cast<int>(a.tags_.size());
      if (starts_with(line, "#EXT-X-MAP:")) map = static_cast<int>(a.tags_.size());
      if (line == "#EXT-X-DISCONTINUITY") pending.discontinuity = true;
      if (starts_with(line, "#EXTINF:")) pending.duration = std::atof(line.c_str() + 8);
      pending.tags.push_back(a.tags_.size());
      a.tags_.push_back(std::move(line));
    } else {
      // A segment's URI ends its block; undated segments follow on from the one before.
      if (!dated) return std::nullopt;
      if (!pending.dated) pending.date = a.blocks_.back().date + a.blocks_.back().duration;
      pending.uri = std::move(line);
      pending.key = key;
      pending.map = map;
      pending.offset = a.text_.size();
      for (size_t tag : pending.tags) (a.text_ += a.tags_[tag]) += '\n';
      (a.text_ += pending.uri) += '\n';
      a.blocks_.push_back(std::move(pending));
      pending = Block{};
    }
  }
  return a;
}

std::optional<std::string> HlsArchive::cut(const ShiftWindow& window, bool dates, int path_depth) const {
  // Blocks are in date order: the window's ends are two binary searches.
  auto before = [](const Block& b, double t) { return b.date < t - 1e-3; };
  const size_t first = std::lower_bound(blocks_.begin(), blocks_.end(), window.start, before) - blocks_.begin();
  const size_t last = window.end ? std::max(first, static_cast<size_t>(std::lower_bound(blocks_.begin(), blocks_.end(),
                                                                                       *window.end, before) -
                                                                      blocks_.begin()))
                                 : blocks_.size();
  if (first == last) return std::nullopt;
  int64_t discontinuity_sequence = discontinuity_sequence_;
  for (size_t i = 0; i < first; ++i) discontinuity_sequence += blocks_[i].discontinuity ? 1 : 0;

  std::string prefix;
  for (int i = 0; i < path_depth; ++i) prefix += "../";
  std::string out;
  out.reserve((last - first) * 96 + 256);
  auto put = [&out](const std::string& line) {
    out += line;
    out += '\n';
  };
  for (const auto& line : header_) {
    if (starts_with(line, "#EXT-X-DISCONTINUITY-SEQUENCE:")) continue;
    if (starts_with(line, "#EXT-X-MEDIA-SEQUENCE:")) {
      put("#EXT-X-MEDIA-SEQUENCE:" + std::to_string(media_sequence_ + static_cast<int64_t>(first)));
      if (discontinuity_sequence > 0) put("#EXT-X-DISCONTINUITY-SEQUENCE:" + std::to_string(discontinuity_sequence));
      continue;
    }
    put(line);
  }
  for (size_t i = first; i < last; ++i) {
    const Block& b = blocks_[i];
    // The key and initialization section in force carry over to the window's first segment.
    if (i == first) {
      const auto own = [&](int tag) { return std::find(b.tags.begin(), b.tags.end(), size_t(tag)) != b.tags.end(); };
      if (b.map >= 0 && !own(b.map)) put(with_prefix(tags_[b.map], prefix));
      if (b.key >= 0 && !own(b.key)) put(with_prefix(tags_[b.key], prefix));
    }
    if (dates && prefix.empty()) {
      // As archived: the rest of the window is one copy.
      out.append(text_, b.offset, (last < blocks_.size() ? blocks_[last].offset : text_.size()) - b.offset);
      break;
    }
    for (size_t tag : b.tags) {
      if (!dates && starts_with(tags_[tag], "#EXT-X-PROGRAM-DATE-TIME:")) continue;
      put(with_prefix(tags_[tag], prefix));
    }
    put(with_prefix(b.uri, prefix));
  }
  if (window.complete || (ended_ && last == blocks_.size())) put("#EXT-X-ENDLIST");
  return out;
}

std::optional<std::string> cut_hls_window(const std::string& archive, const ShiftWindow& window, bool dates,
                                          int path_depth) {
  auto parsed = HlsArchive::parse(archive);
  if (!parsed) return std::nullopt;
  return parsed->cut(window, dates, path_depth);
}

std::string rewrite_uris(const std::string& playlist, const UriMap& map) {
  std::istringstream in(playlist);
  std::string out;
  for (std::string line; std::getline(in, line);) out += rewrite_line(line, map) + "\n";
  return out;
}

std::string prefix_relative_uris(const std::string& playlist, int path_depth) {
  if (path_depth <= 0) return playlist;
  std::string prefix;
  for (int i = 0; i < path_depth; ++i) prefix += "../";
  return rewrite_uris(playlist, [&](const std::string& uri) { return is_relative_uri(uri) ? prefix + uri : uri; });
}

std::string propagate_query(const std::string& master, const std::string& query) {
  if (query.empty()) return master;
  return rewrite_uris(master, [&](const std::string& uri) {
    return uri + (uri.find('?') == std::string::npos ? "?" : "&") + query;
  });
}

}  // namespace mediaemu::api
