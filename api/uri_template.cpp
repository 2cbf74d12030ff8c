#include "api/uri_template.hpp"

#include <cctype>

namespace mediaemu::api {
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

}  // namespace

std::string percent_decode(std::string_view s) { return decode(s, false); }
std::string query_decode(std::string_view s) { return decode(s, true); }

std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

UriTemplate::UriTemplate(std::string_view request_uri) : text_(request_uri) {
  std::string_view path = request_uri;
  if (auto q = path.find('?'); q != std::string_view::npos) {
    std::string_view query = path.substr(q + 1);
    path = path.substr(0, q);
    while (!query.empty()) {
      auto amp = query.find('&');
      auto part = query.substr(0, amp);
      auto eq = part.find('=');
      std::string key(part.substr(0, eq)), value(eq == std::string_view::npos ? "" : part.substr(eq + 1));
      if (key == "x-id") {
        x_id_ = value;
      } else {
        required_query_.push_back({key, value});
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  for (auto seg : split_path(path)) {
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      auto name = seg.substr(1, seg.size() - 2);
      if (!name.empty() && name.back() == '+') {
        segments_.push_back({Segment::Greedy, std::string(name.substr(0, name.size() - 1))});
      } else {
        segments_.push_back({Segment::Label, std::string(name)});
      }
    } else {
      segments_.push_back({Segment::Literal, std::string(seg)});
      ++literal_count_;
    }
  }
}

std::optional<UriTemplate::Labels> UriTemplate::match(std::string_view raw_path) const {
  return match(split_path(raw_path));
}

std::optional<UriTemplate::Labels> UriTemplate::match(const std::vector<std::string_view>& parts) const {
  Labels labels;
  size_t i = 0;
  for (size_t s = 0; s < segments_.size(); ++s) {
    const auto& seg = segments_[s];
    if (seg.kind == Segment::Greedy) {
      if (i >= parts.size()) return std::nullopt;
      std::string rest;
      for (size_t j = i; j < parts.size(); ++j) {
        if (j > i) rest.push_back('/');
        rest += percent_decode(parts[j]);
      }
      if (rest.empty()) return std::nullopt;
      labels.emplace_back(seg.text, std::move(rest));
      return labels;
    }
    if (i >= parts.size()) return std::nullopt;
    if (seg.kind == Segment::Literal) {
      if (parts[i] != seg.text) return std::nullopt;
    } else {
      if (parts[i].empty()) return std::nullopt;  // a label never matches an empty segment
      labels.emplace_back(seg.text, percent_decode(parts[i]));
    }
    ++i;
  }
  // "/bucket/" is the bucket: a trailing slash after a final label is tolerated (S3 clients send it).
  bool trailing_slash = i + 1 == parts.size() && parts[i].empty() && !segments_.empty() &&
                        segments_.back().kind == Segment::Label;
  if (i != parts.size() && !trailing_slash) return std::nullopt;
  return labels;
}

bool UriTemplate::query_matches(const std::vector<std::pair<std::string, std::string>>& query) const {
  auto value_of = [&](const std::string& key) -> const std::string* {
    for (const auto& [k, v] : query)
      if (k == key) return &v;
    return nullptr;
  };
  for (const auto& q : required_query_) {
    const std::string* v = value_of(q.key);
    if (!v || (!q.value.empty() && *v != q.value)) return false;
  }
  if (!x_id_.empty()) {
    const std::string* v = value_of("x-id");
    if (v && *v != x_id_) return false;
  }
  return true;
}

}  // namespace mediaemu::api
