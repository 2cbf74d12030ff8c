#include "emulator/s3/object_headers.hpp"

#include "api/base64.hpp"
#include "api/protocols/rest_common.hpp"

namespace mediaemu::s3 {
namespace {

const char* const kStoredHeaders[] = {"ContentType", "CacheControl", "ContentDisposition", "ContentLanguage",
                                      "Expires", "Metadata", "WebsiteRedirectLocation"};
const char* const kChecksums[] = {"ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1",
                                  "ChecksumSHA256"};

}  // namespace

json stored_headers(const json& in) {
  json out = json::object();
  for (const char* name : kStoredHeaders)
    if (in.contains(name)) out[name] = in[name];
  // "aws-chunked" describes the upload's framing, not the object: S3 drops it from the stored
  // Content-Encoding (sigv4-streaming.html).
  if (in.contains("ContentEncoding")) {
    std::string kept, given = in["ContentEncoding"].get<std::string>();
    size_t at = 0;
    while (at <= given.size()) {
      size_t comma = given.find(',', at);
      std::string token = given.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
      token.erase(0, token.find_first_not_of(' '));
      if (!token.empty() && token != "aws-chunked") kept += (kept.empty() ? "" : ",") + token;
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
    if (!kept.empty()) out["ContentEncoding"] = kept;
  }
  for (const char* name : kChecksums)
    if (in.contains(name)) out[name] = in[name];
  if (in.contains("Tagging")) {
    json tag_set = tag_set_from_header(in["Tagging"].get<std::string>());
    if (!tag_set.empty()) out["TagSet"] = std::move(tag_set);
  }
  if (!out.contains("ContentType")) out["ContentType"] = "binary/octet-stream";
  return out;
}

json object_headers(const ObjectInfo& info) {
  json out = info.headers;
  // Checksums are returned only when asked for (ChecksumMode ENABLED); keep the stored ones out.
  for (const char* name : kChecksums) out.erase(name);
  // The tags themselves come from GetObjectTagging; GET and HEAD say how many there are.
  if (out.contains("TagSet")) {
    size_t count = out["TagSet"].size();
    out.erase("TagSet");
    out["TagCount"] = count;
  }
  out["ETag"] = quoted_etag(info.etag);
  out["LastModified"] = info.last_modified();
  out["AcceptRanges"] = "bytes";
  if (auto dash = info.etag.find('-'); dash != std::string::npos) out["PartsCount"] = std::stoi(info.etag.substr(dash + 1));
  return out;
}

void apply_response_overrides(const json& in, json& out) {
  static const std::pair<const char*, const char*> overrides[] = {
      {"ResponseContentType", "ContentType"},         {"ResponseCacheControl", "CacheControl"},
      {"ResponseContentDisposition", "ContentDisposition"}, {"ResponseContentEncoding", "ContentEncoding"},
      {"ResponseContentLanguage", "ContentLanguage"}, {"ResponseExpires", "Expires"}};
  for (const auto& [from, to] : overrides)
    if (in.contains(from)) out[to] = in[from];
  out.erase("PartsCount");  // only with ?partNumber; botocore does not expect it otherwise
}

void copy_checksums(const json& headers, json& out) {
  for (const char* name : kChecksums)
    if (headers.contains(name)) out[name] = headers[name];
}

void check_content_md5(const json& in, const std::string& body) {
  if (!in.contains("ContentMD5")) return;
  auto digest = api::base64_decode(in["ContentMD5"].get<std::string>());
  if (!digest || digest->size() != 16) throw s3_error("InvalidDigest", "The Content-MD5 you specified was invalid.", 400);
  static const char* hex = "0123456789abcdef";
  std::string given;
  for (unsigned char c : *digest) given += std::string{hex[c >> 4], hex[c & 15]};
  if (given != md5_hex(body))
    throw s3_error("BadDigest", "The Content-MD5 you specified did not match what we received.", 400);
}

void add_version_id(json& out, Versioning mode, const ObjectInfo& info) {
  if (mode != Versioning::Unversioned) out["VersionId"] = info.version.id_or_null();
}

ObjectInfo store_object(const std::string& key, const std::function<ObjectInfo()>& write) {
  try {
    return write();
  } catch (const std::invalid_argument& e) {
    throw s3_error("InvalidArgument", std::string("Invalid object key: ") + e.what(), 400);
  } catch (const std::filesystem::filesystem_error& e) {
    // A key whose parent is an existing object ("a" exists, "a/b" is put): a file cannot be a directory.
    if (e.code() == std::errc::not_a_directory || e.code() == std::errc::file_exists ||
        e.code() == std::errc::is_a_directory)
      throw s3_error("InvalidArgument",
                     "Invalid object key: mediaemu stores objects as files, and a path segment of '" + key +
                         "' is already an object",
                     400);
    throw;
  }
}

}  // namespace mediaemu::s3
