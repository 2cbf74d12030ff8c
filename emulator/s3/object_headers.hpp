// What an object keeps besides its bytes (content type, x-amz-meta-*, checksums the client sent)
// and how it travels back in GetObject / HeadObject answers.
#pragma once

#include <functional>
#include <string>

#include "emulator/s3/object_store.hpp"
#include "emulator/s3/s3.hpp"

namespace mediaemu::s3 {

inline std::string quoted_etag(const std::string& etag) { return "\"" + etag + "\""; }

// The headers of a Put / Copy (REPLACE) / CreateMultipartUpload input S3 stores with the object.
json stored_headers(const json& input);
// The tag set of an x-amz-tagging header ("k1=v1&k2=v2"), checked against S3's limits
// (object_tagging.cpp).
json tag_set_from_header(const std::string& header);
// ETag, LastModified, AcceptRanges and the stored headers, in GetObject's output members.
json object_headers(const ObjectInfo& info);
// GetObject's response-content-type & co. override the stored values (API_GetObject.html).
void apply_response_overrides(const json& input, json& output);
// Copies the Checksum* members the client sent (stored with the object) into an output.
void copy_checksums(const json& headers, json& output);
// Content-MD5, when sent, must be the base64 MD5 of the body: 400 InvalidDigest / BadDigest.
void check_content_md5(const json& input, const std::string& body);
// VersionId (x-amz-version-id) for an object of a bucket with versioning Enabled or Suspended
// ("null" there for a null version); unversioned buckets answer none.
void add_version_id(json& output, Versioning mode, const ObjectInfo& info);
// Runs a write of the key, turning a key that collides with a "directory" of other keys into an
// S3-shaped 400, and anything else the file system refuses into 500 InternalError.
ObjectInfo store_object(const std::string& key, const std::function<ObjectInfo()>& write);

}  // namespace mediaemu::s3
