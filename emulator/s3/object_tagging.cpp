// Object tags: the x-amz-tagging header of PutObject / CopyObject (REPLACE) /
// CreateMultipartUpload, and PutObjectTagging, GetObjectTagging, DeleteObjectTagging. They live
// in the object's sidecar (object_store.hpp) with its other headers, as "TagSet", so a copy
// carries them and a new upload of the key replaces them, as in S3.
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

ObjectInfo require_object(S3Service& s3, const json& in) {
  const std::string& bucket = in.at("Bucket").get_ref<const std::string&>();
  check_bucket(s3.domain, bucket);
  auto info = s3.objects.head(bucket, in.at("Key").get_ref<const std::string&>());
  if (!info) throw s3_error("NoSuchKey", "The specified key does not exist.", 404);
  return *info;
}

void set_tags(S3Service& s3, const json& in, const json& tag_set) {
  ObjectInfo info = require_object(s3, in);
  json headers = info.headers;
  if (tag_set.empty()) headers.erase("TagSet");
  else headers["TagSet"] = tag_set;
  s3.objects.set_headers(in["Bucket"].get<std::string>(), in["Key"].get<std::string>(), info, std::move(headers));
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
    return json{{"TagSet", require_object(s3, in).headers.value("TagSet", json::array())}};
  };
  t["PutObjectTagging"] = [&s3](const CallContext&, const json& in) {
    set_tags(s3, in, checked(in.at("Tagging").value("TagSet", json::array())));
    return json::object();
  };
  t["DeleteObjectTagging"] = [&s3](const CallContext&, const json& in) {
    set_tags(s3, in, json::array());
    return json::object();
  };
}

}  // namespace mediaemu::s3
