// Pure S3 rules with no I/O, unit-tested on their own (tests/unit/emulator/s3_*_test.cpp):
// key -> file path safety, Range headers, multipart ETags and bucket listing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mediaemu::s3 {

// ---- Keys as files --------------------------------------------------------------------------
// An object is the file <bucket dir>/<key>. A key maps to a path only when every '/'-separated
// segment is a plain file name: not empty, not "." or "..", no NUL, at most 255 bytes (the file
// system's NAME_MAX), and not mediaemu's own temporary-file prefix. Other keys, legal in S3
// ("a//b", "../x", "/lead"), are refused with a 400 rather than stored somewhere surprising:
// nothing can ever resolve outside the bucket directory. S3's own limit is 1,024 bytes
// (KeyTooLongError). https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
inline constexpr const char* kTempPrefix = ".mediaemu-tmp-";
inline constexpr std::size_t kMaxKeyBytes = 1024;
// Empty when the key is storable; otherwise why not.
std::string key_problem(const std::string& key);
// <root>/<key>; call only for keys key_problem() accepts.
std::filesystem::path key_path(const std::filesystem::path& root, const std::string& key);

// Bucket names: 3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit,
// not shaped like an IP address.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
bool valid_bucket_name(const std::string& name);

// ---- Range: bytes=... -----------------------------------------------------------------------
// RFC 9110 §14.1.2. S3 serves one range; a header it cannot parse (or several ranges) is
// ignored and the whole object sent (200), while a syntactically valid range that starts at or
// after the end is 416 InvalidRange.
struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
  uint64_t length() const { return last - first + 1; }
};
enum class RangeResult { Whole, Partial, Unsatisfiable };
RangeResult parse_range(const std::string& header, uint64_t size, ByteRange& out);

// ---- Multipart ------------------------------------------------------------------------------
// The ETag S3 gives a completed multipart upload: the MD5 of the concatenated binary MD5s of its
// parts, in hex, then "-<number of parts>". Arguments are the parts' hex MD5s (quotes allowed).
std::string multipart_etag(const std::vector<std::string>& part_md5_hex);

// ---- Listing --------------------------------------------------------------------------------
// ListObjects / ListObjectsV2 over the bucket's keys (sorted in UTF-8 binary order, as S3 lists):
// keys after `after` that start with `prefix`; with a delimiter, the keys whose rest contains it
// roll up into one CommonPrefix ("photos/") counted once against max_keys.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
struct ListRequest {
  std::string prefix;
  std::string delimiter;
  std::string after;  // exclusive: marker / start-after / the decoded continuation token
  int max_keys = 1000;
};
struct ListPage {
  std::vector<std::string> keys;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_after;  // the last key or common prefix of this page, when truncated
};
ListPage list_keys(const std::vector<std::string>& sorted_keys, const ListRequest& request);

// ListObjectVersions: the same walk (prefix, delimiter rolled up into common prefixes, each
// counted once), but every version of a key counts against max_keys, newest first, and a page
// resumes after (key_marker, version_id_marker): with no version marker, after all of
// key_marker's versions. https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html
struct KeyVersions {
  std::string key;
  std::vector<std::string> version_ids;  // newest first
};
struct VersionRef {
  std::string key, version_id;
};
struct VersionPage {
  std::vector<VersionRef> versions;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_key_marker, next_version_id_marker;  // when truncated (no version id after a prefix)
};
// `request.after` is the key marker.
VersionPage list_versions(const std::vector<KeyVersions>& sorted, const ListRequest& request,
                          const std::string& version_id_marker);

}  // namespace mediaemu::s3
