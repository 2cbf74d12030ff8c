// A rest-json requestUri such as "/prod/channels/{channelId}" or "/{Path+}", compiled once and
// matched against raw (still percent-encoded) request paths. Labels match whole segments; a
// greedy label ({Name+}) takes the rest of the path. botocore percent-encodes non-greedy labels
// with no safe characters, so an ARN label arrives as one segment ("arn%3Aaws%3A...%2F...").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mediaemu::api {

class UriTemplate {
 public:
  UriTemplate() = default;
  explicit UriTemplate(std::string_view request_uri);

  // Labels in template order with their decoded values, or nullopt when the path does not match.
  using Labels = std::vector<std::pair<std::string, std::string>>;
  std::optional<Labels> match(std::string_view raw_path) const;
  // The same, on a path already split by split_path() (the router splits once per request).
  std::optional<Labels> match(const std::vector<std::string_view>& parts) const;

  const std::string& text() const { return text_; }
  // Number of literal segments: a tie-breaker so "/prod/channels/x/schedule" beats "{id}" forms.
  int specificity() const { return literal_count_; }
  // Whether the request's query carries the keys the template requires: S3 tells operations on
  // the same path apart by them ("/{Bucket}?versioning", "/{Bucket}?list-type=2"). "x-id" (which
  // names the operation, botocore sends it, curl does not) only has to agree when present.
  bool query_matches(const std::vector<std::pair<std::string, std::string>>& query) const;
  // How many query keys the template requires: a route that requires more is tried first.
  int query_specificity() const { return static_cast<int>(required_query_.size()); }

 private:
  struct Segment {
    enum Kind { Literal, Label, Greedy } kind;
    std::string text;  // literal text or label name
  };
  std::string text_;
  std::vector<Segment> segments_;
  struct QueryKey {
    std::string key, value;  // value empty: any value
  };
  std::vector<QueryKey> required_query_;
  std::string x_id_;
  int literal_count_ = 0;
};

// "/a/b/" -> {"a", "b", ""}: segments of a raw path (no query), leading slash dropped.
std::vector<std::string_view> split_path(std::string_view path);

// RFC 3986 percent-decoding ('+' is left alone: it is a literal in paths).
std::string percent_decode(std::string_view s);
// Decoding for query strings, where '+' means space (application/x-www-form-urlencoded).
std::string query_decode(std::string_view s);
// Encodes everything but unreserved characters.
std::string percent_encode(std::string_view s);

}  // namespace mediaemu::api
