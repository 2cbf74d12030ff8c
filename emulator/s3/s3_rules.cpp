#include "emulator/s3/s3_rules.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <limits>
#include <cctype>
#include <stdexcept>

namespace mediaemu::s3 {
namespace {

std::string hex_to_bytes(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string md5_hex_of(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_md5(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < size; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
  return out;
}

bool parse_u64(const std::string& text, uint64_t& out) {
  if (text.empty() || text.size() > 19 || !std::all_of(text.begin(), text.end(), ::isdigit)) return false;
  out = std::stoull(text);
  return true;
}

}  // namespace

std::string key_problem(const std::string& key) {
  if (key.empty()) return "the key is empty";
  if (key.size() > kMaxKeyBytes) return "the key is longer than 1024 bytes";
  size_t at = 0;
  while (at <= key.size()) {
    size_t slash = key.find('/', at);
    std::string segment = key.substr(at, slash == std::string::npos ? std::string::npos : slash - at);
    if (segment.empty()) return "mediaemu stores objects as files and cannot store a key with an empty path segment ('//', or a leading or trailing '/')";
    if (segment == "." || segment == "..") return "mediaemu stores objects as files and cannot store a key with a '.' or '..' path segment";
    if (segment.size() > 255) return "mediaemu stores objects as files and cannot store a key with a path segment longer than 255 bytes";
    if (segment.find('\0') != std::string::npos) return "the key contains a NUL character";
    if (segment.rfind(kTempPrefix, 0) == 0) return "keys with segments starting '.mediaemu-tmp-' are reserved by mediaemu";
    if (slash == std::string::npos) break;
    at = slash + 1;
  }
  return {};
}

std::filesystem::path key_path(const std::filesystem::path& root, const std::string& key) {
  if (!key_problem(key).empty()) throw std::invalid_argument("unsafe S3 key");
  return root / std::filesystem::path(key, std::filesystem::path::format::generic_format);
}

bool valid_bucket_name(const std::string& name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (char c : name)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-'))
      return false;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  if (name.find("..") != std::string::npos) return false;
  int dots = 0;
  bool digits_and_dots = true;
  for (char c : name) {
    dots += c == '.';
    digits_and_dots &= std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  }
  return !(digits_and_dots && dots == 3);
}

RangeResult parse_range(const std::string& header, uint64_t size, ByteRange& out) {
  constexpr std::string_view kUnit = "bytes=";
  if (header.rfind(kUnit, 0) != 0) return RangeResult::Whole;
  std::string spec = header.substr(kUnit.size());
  if (spec.find(',') != std::string::npos) return RangeResult::Whole;
  auto dash = spec.find('-');
  if (dash == std::string::npos) return RangeResult::Whole;
  std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
  uint64_t first = 0, last = 0;
  if (a.empty()) {  // bytes=-N: the last N bytes
    if (!parse_u64(b, last)) return RangeResult::Whole;
    if (last == 0 || size == 0) return RangeResult::Unsatisfiable;
    out.first = last >= size ? 0 : size - last;
    out.last = size - 1;
    return RangeResult::Partial;
  }
  if (!parse_u64(a, first)) return RangeResult::Whole;
  if (b.empty()) {
    last = UINT64_MAX;
  } else if (!parse_u64(b, last) || last < first) {
    return RangeResult::Whole;  // RFC 9110: an invalid range-spec makes the header ignorable
  }
  if (first >= size) return RangeResult::Unsatisfiable;
  out.first = first;
  out.last = std::min(last, size - 1);
  return RangeResult::Partial;
}

std::string multipart_etag(const std::vector<std::string>& part_md5_hex) {
  std::string digests;
  for (std::string hex : part_md5_hex) {
    hex.erase(std::remove(hex.begin(), hex.end(), '"'), hex.end());
    digests += hex_to_bytes(hex);
  }
  return md5_hex_of(digests) + "-" + std::to_string(part_md5_hex.size());
}

ListPage list_keys(const std::vector<std::string>& sorted_keys, const ListRequest& request) {
  ListPage page;
  auto it = request.after.empty() ? sorted_keys.begin()
                                  : std::upper_bound(sorted_keys.begin(), sorted_keys.end(), request.after);
  auto count = [&] { return static_cast<int>(page.keys.size() + page.common_prefixes.size()); };
  // A page that ended on a common prefix resumes after every key under it.
  bool after_is_prefix = !request.delimiter.empty() && !request.after.empty() &&
                         request.after.size() >= request.delimiter.size() &&
                         request.after.compare(request.after.size() - request.delimiter.size(), std::string::npos,
                                               request.delimiter) == 0;
  for (; it != sorted_keys.end(); ++it) {
    const std::string& key = *it;
    if (key.compare(0, request.prefix.size(), request.prefix) != 0) {
      if (key > request.prefix) break;  // sorted: nothing later can start with the prefix
      continue;
    }
    if (after_is_prefix && key.compare(0, request.after.size(), request.after) == 0) continue;
    std::string entry = key;
    bool rolled = false;
    if (!request.delimiter.empty()) {
      auto d = key.find(request.delimiter, request.prefix.size());
      if (d != std::string::npos) {
        entry = key.substr(0, d + request.delimiter.size());
        rolled = true;
        if (!page.common_prefixes.empty() && page.common_prefixes.back() == entry) continue;
      }
    }
    if (count() >= request.max_keys) {
      page.truncated = true;
      break;
    }
    (rolled ? page.common_prefixes : page.keys).push_back(entry);
    page.next_after = entry;
  }
  if (!page.truncated) page.next_after.clear();
  return page;
}

VersionPage list_versions(const std::vector<KeyVersions>& sorted, const ListRequest& request,
                          const std::string& version_id_marker) {
  // list_keys decides which keys and prefixes follow the key marker; then each key expands into
  // its versions, and the key marker itself contributes the versions after the version marker.
  std::vector<std::string> keys;
  for (const KeyVersions& k : sorted) keys.push_back(k.key);
  ListRequest all = request;
  all.max_keys = std::numeric_limits<int>::max();
  ListPage rows = list_keys(keys, all);
  struct Row {
    std::string name;
    bool prefix;
  };
  std::vector<Row> merged;
  if (!version_id_marker.empty() && !request.after.empty()) merged.push_back({request.after, false});
  size_t p = 0;
  for (const std::string& key : rows.keys) {
    for (; p < rows.common_prefixes.size() && rows.common_prefixes[p] < key; ++p) merged.push_back({rows.common_prefixes[p], true});
    merged.push_back({key, false});
  }
  for (; p < rows.common_prefixes.size(); ++p) merged.push_back({rows.common_prefixes[p], true});

  VersionPage page;
  int count = 0;
  auto full = [&] { return count >= request.max_keys; };
  for (size_t i = 0; i < merged.size(); ++i) {
    const Row& row = merged[i];
    if (row.prefix) {
      if (full()) return page.truncated = true, page;
      page.common_prefixes.push_back(row.name);
      page.next_key_marker = row.name;
      page.next_version_id_marker.clear();
      ++count;
      continue;
    }
    auto it = std::lower_bound(sorted.begin(), sorted.end(), row.name,
                               [](const KeyVersions& k, const std::string& key) { return k.key < key; });
    if (it == sorted.end() || it->key != row.name) continue;
    auto id = it->version_ids.begin();
    if (i == 0 && !version_id_marker.empty() && row.name == request.after) {
      id = std::find(it->version_ids.begin(), it->version_ids.end(), version_id_marker);
      if (id != it->version_ids.end()) ++id;
    }
    for (; id != it->version_ids.end(); ++id) {
      if (full()) return page.truncated = true, page;
      page.versions.push_back({row.name, *id});
      page.next_key_marker = row.name;
      page.next_version_id_marker = *id;
      ++count;
    }
  }
  page.next_key_marker.clear();
  page.next_version_id_marker.clear();
  return page;
}

}  // namespace mediaemu::s3
