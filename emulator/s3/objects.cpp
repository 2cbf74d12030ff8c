// PutObject, GetObject, HeadObject, CopyObject, DeleteObject, DeleteObjects, each on the current
// object or, in a versioned bucket, on the version a versionId names (versions.hpp).
#include <filesystem>

#include "api/protocols/rest_common.hpp"
#include "api/timestamps.hpp"
#include "api/uri_template.hpp"
#include "emulator/s3/object_headers.hpp"
#include "emulator/s3/s3.hpp"

namespace mediaemu::s3 {

// Errors as S3 sends them (API_GetObject.html, API_CopyObject.html).
Version require_version(S3Service& s3, const std::string& bucket, const std::string& key,
                        const std::string* version_id, bool copy_source) {
  if (!version_id) {
    if (auto info = s3.objects.head(bucket, key)) return Version{key, *info, false, true, s3.objects.object_path(bucket, key)};
    api::ApiError missing = s3_error("NoSuchKey", "The specified key does not exist.", 404);
    if (auto marker = s3.versions.current_delete_marker(bucket, key))
      missing.with_header("x-amz-delete-marker", "true").with_header("x-amz-version-id", marker->id());
    throw missing;
  }
  check_version_id(*version_id);
  auto found = s3.versions.find(bucket, key, *version_id);
  if (!found) throw s3_error("NoSuchVersion", "The specified version does not exist.", 404);
  if (found->delete_marker && copy_source)
    throw s3_error("InvalidRequest",
                   "The source of a copy request may not specifically refer to a delete marker by version id.", 400);
  if (found->delete_marker)
    throw s3_error("MethodNotAllowed", "The specified method is not allowed against this resource.", 405)
        .with_header("x-amz-delete-marker", "true")
        .with_header("x-amz-version-id", *version_id)
        .with_header("Last-Modified", api::format_rfc822(found->info.last_modified()));
  return *found;
}

const std::string* version_in(const json& in) {
  return in.contains("VersionId") ? &in["VersionId"].get_ref<const std::string&>() : nullptr;
}

namespace {

// Refuses keys that cannot be files (s3_rules.hpp); S3 answers KeyTooLongError for its own limit.
void check_key(const std::string& key) {
  std::string problem = key_problem(key);
  if (problem.empty()) return;
  if (key.size() > kMaxKeyBytes) throw s3_error("KeyTooLongError", "Your key is too long", 400);
  throw s3_error("InvalidArgument", "Invalid object key: " + problem, 400);
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
  Versioning mode = bucket_versioning(s3.domain, bucket);
  Version version = require_version(s3, bucket, key, version_in(in));
  const ObjectInfo& info = version.info;
  if (auto not_modified = check_conditions(in, info)) return *not_modified;
  json out = object_headers(info);
  add_version_id(out, version_in(in) ? Versioning::Enabled : mode, info);  // a version asked for is named
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
  if (with_body) out["Body"] = read_file_range(version.file, first, length);
  return out;
}

json put_object(S3Service& s3, const json& in) {
  const std::string& bucket = text(in, "Bucket");
  const std::string& key = text(in, "Key");
  check_key(key);
  Versioning mode = bucket_versioning(s3.domain, bucket);
  const std::string& body = body_of(in);
  check_content_md5(in, body);
  if (in.contains("IfNoneMatch") && s3.objects.head(bucket, key))
    throw s3_error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412);
  ObjectInfo info = store_object(key, [&] {
    return s3.versions.write(bucket, key, mode, [&](const VersionStamp& stamp) {
      return s3.objects.put(bucket, key, body, stored_headers(in), stamp);
    });
  });
  json out = {{"ETag", quoted_etag(info.etag)}, {"Size", info.size}};
  copy_checksums(info.headers, out);
  add_version_id(out, mode, info);
  return out;
}

struct CopySource {
  std::string bucket, key;
  std::optional<std::string> version_id;
};

// "bucket/key", "/bucket/key", optionally "?versionId=<id>": URL-encoded (API_CopyObject.html,
// x-amz-copy-source).
CopySource copy_source(const std::string& header) {
  auto question = header.find('?');
  std::string source = api::percent_decode(header.substr(0, question));
  if (!source.empty() && source.front() == '/') source.erase(0, 1);
  auto slash = source.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == source.size())
    throw s3_error("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey", 400);
  CopySource out{source.substr(0, slash), source.substr(slash + 1), std::nullopt};
  if (question != std::string::npos) {
    for (const auto& [name, value] : api::parse_query(header.substr(question + 1)))
      if (name == "versionId") out.version_id = value;
  }
  return out;
}

json copy_object(S3Service& s3, const json& in) {
  const std::string& bucket = text(in, "Bucket");
  const std::string& key = text(in, "Key");
  check_key(key);
  CopySource from = copy_source(text(in, "CopySource"));
  Versioning mode = bucket_versioning(s3.domain, bucket);
  Versioning source_mode = bucket_versioning(s3.domain, from.bucket);
  Version source_version =
      require_version(s3, from.bucket, from.key, from.version_id ? &*from.version_id : nullptr, true);
  const ObjectInfo& source = source_version.info;
  bool replace = in.value("MetadataDirective", "COPY") == "REPLACE";
  // Copying an older version over its own key is how a version is restored
  // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RestoringPreviousVersions.html).
  if (from.bucket == bucket && from.key == key && !replace && !from.version_id)
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
    return s3.versions.write(bucket, key, mode, [&](const VersionStamp& stamp) {
      std::filesystem::path temp = s3.objects.temp_file(bucket, key);
      try {
        std::filesystem::copy_file(source_version.file, temp, std::filesystem::copy_options::overwrite_existing);
        return s3.objects.put_file(bucket, key, temp, source.etag, headers, stamp);
      } catch (...) {
        std::error_code ec;
        std::filesystem::remove(temp, ec);
        throw;
      }
    });
  });
  json out = {{"CopyObjectResult", {{"ETag", quoted_etag(info.etag)}, {"LastModified", info.last_modified()}}}};
  add_version_id(out, mode, info);
  if (source_mode != Versioning::Unversioned || from.version_id) out["CopySourceVersionId"] = source_version.id();
  return out;
}

// What one DeleteObject (or one key of DeleteObjects) did: the version removed or the delete
// marker made (empty for an unversioned bucket's plain delete), and whether it was a marker.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html
struct Deletion {
  std::string version_id;
  bool delete_marker = false;
};

Deletion delete_one(S3Service& s3, const std::string& bucket, const std::string& key, Versioning mode,
                    const std::string* version_id) {
  if (version_id) {
    check_version_id(*version_id);
    // An id no version has is no error: S3 answers 204 as for any absent key.
    auto removed = s3.versions.remove_version(bucket, key, *version_id);
    return {*version_id, removed && removed->delete_marker};
  }
  if (mode == Versioning::Unversioned) {
    s3.objects.remove(bucket, key);  // deleting an absent key succeeds, as in S3
    return {};
  }
  return {s3.versions.add_delete_marker(bucket, key, mode).id(), true};
}

json delete_object(S3Service& s3, const json& in) {
  const std::string& bucket = text(in, "Bucket");
  Deletion done = delete_one(s3, bucket, text(in, "Key"), bucket_versioning(s3.domain, bucket), version_in(in));
  json out = json::object();
  if (!done.version_id.empty()) out["VersionId"] = done.version_id;
  if (done.delete_marker) out["DeleteMarker"] = true;
  return out;
}

json delete_objects(S3Service& s3, const json& in) {
  const std::string& bucket = text(in, "Bucket");
  Versioning mode = bucket_versioning(s3.domain, bucket);
  const json& request = in.at("Delete");
  const json& objects = request.at("Objects");
  // At most 1,000 keys per request (API_DeleteObjects.html).
  if (objects.size() > 1000)
    throw s3_error("MalformedXML", "The XML you provided did not validate: at most 1000 objects per request", 400);
  bool quiet = request.value("Quiet", false);
  json deleted = json::array(), errors = json::array();
  for (const json& o : objects) {
    const std::string& key = text(o, "Key");
    json entry = {{"Key", key}};
    if (o.contains("VersionId")) entry["VersionId"] = o["VersionId"];
    try {
      Deletion done = delete_one(s3, bucket, key, mode, version_in(o));
      // DeleteMarkerVersionId: the marker made, or the marker removed by its id (DeletedObject).
      if (done.delete_marker) {
        entry["DeleteMarker"] = true;
        entry["DeleteMarkerVersionId"] = done.version_id;
      }
      if (!quiet) deleted.push_back(std::move(entry));
    } catch (const api::ApiError& e) {
      entry["Code"] = e.code();
      entry["Message"] = e.what();
      errors.push_back(std::move(entry));
    } catch (const std::exception& e) {
      entry["Code"] = "InternalError";
      entry["Message"] = e.what();
      errors.push_back(std::move(entry));
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
  t["DeleteObject"] = [&s3](const CallContext&, const json& in) { return delete_object(s3, in); };
  t["DeleteObjects"] = [&s3](const CallContext&, const json& in) { return delete_objects(s3, in); };
}

}  // namespace mediaemu::s3
