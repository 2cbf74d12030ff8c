// Object tags: the x-amz-tagging header of PutObject / CopyObject (REPLACE) /
// CreateMultipartUpload, and PutObjectTagging, GetObjectTagging, DeleteObjectTagging. They live
// in the object's sidecar (object_store.hpp) with its other headers, as "TagSet", so a copy
// carries them and a new upload of the key replaces them, as in S3. With a versionId they are
// the tags of that version (a noncurrent one keeps them in its metadata, versions.hpp).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
#include <set>

#include "api/uri_template.hpp"
#include "emulator/s3/object_headers.hpp"
#include "emulator/s3/s3.hpp"

namespace mediaemu::s3 {
namespace {

// A UTF-8 string's length in code points: S3's limits count Unicode characters.
size_t characters(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// S3's limits: at most 10 tags, unique keys of 1-128 characters, values of at most 256.
const json& checked(const json& tag_set) {
  if (tag_set.size() > 10) throw s3_error("BadRequest", "Object tags cannot be greater than 10", 400);
  std::set<std::string> keys;
  for (const json& tag : tag_set) {
    std::string key = tag.value("Key", ""), value = tag.value("Value", "");
    if (key.empty() || characters(key) > 128 || characters(value) > 256)
      throw s3_error("InvalidTag", "The TagKey you have provided is invalid", 400);
    if (!keys.insert(key).second)
      throw s3_error("InvalidTag", "Cannot provide multiple Tags with the same key", 400);
  }
  return tag_set;
}

// The version the request names (versionId) or the current one, and the bucket's versioning.
std::pair<Version, Versioning> require_tagged(S3Service& s3, const json& in) {
  const std::string& bucket = text(in, "Bucket");
  Versioning mode = bucket_versioning(s3.domain, bucket);
  return {require_version(s3, bucket, text(in, "Key"), version_in(in)), mode};
}

// The tagging operations answer the version they read or changed (x-amz-version-id), as GetObject.
json tagging_output(const json& in, const std::pair<Version, Versioning>& tagged, json out) {
  add_version_id(out, version_in(in) ? Versioning::Enabled : tagged.second, tagged.first.info);
  return out;
}

json set_tags(S3Service& s3, const json& in, const json& tag_set) {
  auto tagged = require_tagged(s3, in);
  json headers = tagged.first.info.headers;
  if (tag_set.empty()) headers.erase("TagSet");
  else headers["TagSet"] = tag_set;
  s3.versions.set_headers(text(in, "Bucket"), tagged.first, std::move(headers));
  return tagging_output(in, tagged, json::object());
}

}  // namespace

json tag_set_from_header(const std::string& header) {
  // URL query form ("k1=v1&k2=v2"), '+' as a space as in any form-encoded query.
  json tag_set = json::array();
  size_t at = 0;
  while (at < header.size()) {
    size_t amp = header.find('&', at);
    std::string pair = header.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    at = amp == std::string::npos ? header.size() : amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    tag_set.push_back({{"Key", api::query_decode(pair.substr(0, eq))},
                       {"Value", eq == std::string::npos ? "" : api::query_decode(pair.substr(eq + 1))}});
  }
  return checked(tag_set);
}

void add_object_tagging_operations(api::OperationTable& t, S3Service& s3) {
  t["GetObjectTagging"] = [&s3](const CallContext&, const json& in) {
    auto tagged = require_tagged(s3, in);
    return tagging_output(in, tagged, json{{"TagSet", tagged.first.info.headers.value("TagSet", json::array())}});
  };
  t["PutObjectTagging"] = [&s3](const CallContext&, const json& in) {
    return set_tags(s3, in, checked(in.at("Tagging").value("TagSet", json::array())));
  };
  t["DeleteObjectTagging"] = [&s3](const CallContext&, const json& in) { return set_tags(s3, in, json::array()); };
}

}  // namespace mediaemu::s3
