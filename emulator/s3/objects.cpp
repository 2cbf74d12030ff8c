// PutObject, GetObject, HeadObject, CopyObject, DeleteObject, DeleteObjects.
#include <filesystem>

#include "api/protocols/rest_common.hpp"
#include "api/uri_template.hpp"
#include "emulator/s3/object_headers.hpp"
#include "emulator/s3/s3.hpp"

namespace mediaemu::s3 {
namespace {

// Refuses keys that cannot be files (s3_rules.hpp); S3 answers KeyTooLongError for its own limit.
void check_key(const std::string& key) {
  std::string problem = key_problem(key);
  if (problem.empty()) return;
  if (key.size() > kMaxKeyBytes) throw s3_error("KeyTooLongError", "Your key is too long", 400);
  throw s3_error("InvalidArgument", "Invalid object key: " + problem, 400);
}

ObjectInfo require_object(S3Service& s3, const std::string& bucket, const std::string& key) {
  check_bucket(s3.domain, bucket);
  auto info = s3.objects.head(bucket, key);
  if (!info) throw s3_error("NoSuchKey", "The specified key does not exist.", 404);
  return *info;
}

// If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since, in RFC 9110 §13.2.2's order:
// 412 PreconditionFailed, or 304 (returned as the output to send), or nothing.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (conditional requests)
std::optional<json> check_conditions(const json& in, const ObjectInfo& info) {
  auto etag_matches = [&](const std::string& list) {
    return list == "*" || list.find(info.etag) != std::string::npos;
  };
  double modified = static_cast<double>(info.mtime_ns / 1000000000);
  if (in.contains("IfMatch") && !etag_matches(text(in, "IfMatch")))
    throw s3_error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412);
  if (!in.contains("IfMatch") && in.contains("IfUnmodifiedSince") && modified > in["IfUnmodifiedSince"].get<double>())
    throw s3_error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412);
  bool not_modified = in.contains("IfNoneMatch") ? etag_matches(text(in, "IfNoneMatch"))
                      : in.contains("IfModifiedSince") && modified <= in["IfModifiedSince"].get<double>();
  if (not_modified) return json{{api::kHttpStatusMember, 304}, {"ETag", quoted_etag(info.etag)}};
  return std::nullopt;
}

// GetObject and HeadObject: the object's headers, its bytes (GetObject) and the Range answer.
json read_object(S3Service& s3, const json& in, bool with_body) {
  const std::string& bucket = text(in, "Bucket");
  const std::string& key = text(in, "Key");
  ObjectInfo info = require_object(s3, bucket, key);
  if (auto not_modified = check_conditions(in, info)) return *not_modified;
  json out = object_headers(info);
  apply_response_overrides(in, out);
  uint64_t first = 0, length = info.size;
  if (in.contains("Range")) {
    ByteRange range;
    switch (parse_range(text(in, "Range"), info.size, range)) {
      case RangeResult::Unsatisfiable:
        throw s3_error("InvalidRange", "The requested range is not satisfiable (object size " +
                                           std::to_string(info.size) + ")", 416);
      case RangeResult::Partial:
        first = range.first;
        length = range.length();
        out[api::kHttpStatusMember] = 206;
        out["ContentRange"] = "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
                              std::to_string(info.size);
        break;
      case RangeResult::Whole: break;
    }
  }
  out["ContentLength"] = length;
  if (with_body) out["Body"] = s3.objects.read(bucket, key, first, length);
  return out;
}

json put_object(S3Service& s3, const json& in) {
  const std::string& bucket = text(in, "Bucket");
  const std::string& key = text(in, "Key");
  check_key(key);
  check_bucket(s3.domain, bucket);
  const std::string& body = body_of(in);
  check_content_md5(in, body);
  if (in.contains("IfNoneMatch") && s3.objects.head(bucket, key))
    throw s3_error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412);
  ObjectInfo info = store_object(key, [&] { return s3.objects.put(bucket, key, body, stored_headers(in)); });
  json out = {{"ETag", quoted_etag(info.etag)}, {"Size", info.size}};
  copy_checksums(info.headers, out);
  return out;
}

// "bucket/key", "/bucket/key" or with "?versionId=": URL-encoded (API_CopyObject.html, x-amz-copy-source).
std::pair<std::string, std::string> copy_source(const std::string& header) {
  std::string source = header.substr(0, header.find('?'));
  source = api::percent_decode(source);
  if (!source.empty() && source.front() == '/') source.erase(0, 1);
  auto slash = source.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == source.size())
    throw s3_error("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey", 400);
  return {source.substr(0, slash), source.substr(slash + 1)};
}

json copy_object(S3Service& s3, const json& in) {
  const std::string& bucket = text(in, "Bucket");
  const std::string& key = text(in, "Key");
  check_key(key);
  auto [source_bucket, source_key] = copy_source(text(in, "CopySource"));
  check_bucket(s3.domain, bucket);
  ObjectInfo source = require_object(s3, source_bucket, source_key);
  bool replace = in.value("MetadataDirective", "COPY") == "REPLACE";
  if (source_bucket == bucket && source_key == key && !replace)
    throw s3_error("InvalidRequest",
                   "This copy request is illegal because it is trying to copy an object to itself without changing the "
                   "object's metadata, storage class, website redirect location or encryption attributes.",
                   400);
  json headers = replace ? stored_headers(in) : source.headers;
  // Tags follow TaggingDirective (default COPY), independently of the metadata (API_CopyObject.html).
  headers.erase("TagSet");
  if (in.value("TaggingDirective", "COPY") == "REPLACE") {
    json tag_set = tag_set_from_header(in.value("Tagging", ""));
    if (!tag_set.empty()) headers["TagSet"] = std::move(tag_set);
  } else if (source.headers.contains("TagSet")) {
    headers["TagSet"] = source.headers["TagSet"];
  }
  ObjectInfo info = store_object(key, [&] {
    std::filesystem::path temp = s3.objects.temp_file(bucket, key);
    try {
      std::filesystem::copy_file(key_path(s3.objects.root() / source_bucket, source_key), temp,
                                 std::filesystem::copy_options::overwrite_existing);
      return s3.objects.put_file(bucket, key, temp, source.etag, headers);
    } catch (...) {
      std::error_code ec;
      std::filesystem::remove(temp, ec);
      throw;
    }
  });
  return json{{"CopyObjectResult", {{"ETag", quoted_etag(info.etag)}, {"LastModified", info.last_modified()}}}};
}

json delete_objects(S3Service& s3, const json& in) {
  const std::string& bucket = text(in, "Bucket");
  check_bucket(s3.domain, bucket);
  const json& request = in.at("Delete");
  const json& objects = request.at("Objects");
  // At most 1,000 keys per request (API_DeleteObjects.html).
  if (objects.size() > 1000)
    throw s3_error("MalformedXML", "The XML you provided did not validate: at most 1000 objects per request", 400);
  bool quiet = request.value("Quiet", false);
  json deleted = json::array(), errors = json::array();
  for (const json& o : objects) {
    const std::string& key = text(o, "Key");
    try {
      s3.objects.remove(bucket, key);  // deleting an absent key succeeds, as in S3
      if (!quiet) deleted.push_back({{"Key", key}});
    } catch (const std::exception& e) {
      errors.push_back({{"Key", key}, {"Code", "InternalError"}, {"Message", e.what()}});
    }
  }
  json out = json::object();
  if (!deleted.empty()) out["Deleted"] = deleted;
  if (!errors.empty()) out["Errors"] = errors;
  return out;
}

}  // namespace

void add_object_operations(api::OperationTable& t, S3Service& s3) {
  t["PutObject"] = [&s3](const CallContext&, const json& in) { return put_object(s3, in); };
  t["GetObject"] = [&s3](const CallContext&, const json& in) { return read_object(s3, in, true); };
  t["HeadObject"] = [&s3](const CallContext&, const json& in) { return read_object(s3, in, false); };
  t["CopyObject"] = [&s3](const CallContext&, const json& in) { return copy_object(s3, in); };
  t["DeleteObject"] = [&s3](const CallContext&, const json& in) {
    const std::string& bucket = text(in, "Bucket");
    check_bucket(s3.domain, bucket);
    s3.objects.remove(bucket, text(in, "Key"));
    return json::object();
  };
  t["DeleteObjects"] = [&s3](const CallContext&, const json& in) { return delete_objects(s3, in); };
}

}  // namespace mediaemu::s3
