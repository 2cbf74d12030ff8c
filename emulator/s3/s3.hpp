// Amazon S3: buckets (records in the domain store, with their configurations) and objects (files
// under <data-dir>/s3, object_store.hpp), plus static website hosting (website.cpp).
//
// Errors are S3's own codes (NoSuchBucket, NoSuchKey, BucketNotEmpty, ...), listed in
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
#pragma once

#include <memory>
#include <string>

#include "api/aws_api.hpp"
#include "api/http_types.hpp"
#include "emulator/domain.hpp"
#include "emulator/s3/object_store.hpp"
#include "emulator/s3/versions.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::s3 {

// Bucket names are global across regions; one record per bucket, its region in doc["Region"].
inline const std::string kBucket = "s3:bucket";
inline const std::string kGlobal = "global";
inline Key bucket_key(const std::string& name) { return {kBucket, kGlobal, name}; }

struct S3Service {
  S3Service(Domain& d, const std::filesystem::path& data_dir) : domain(d), objects(data_dir), versions(objects, data_dir) {}
  Domain& domain;
  ObjectStore objects;
  VersionStore versions;  // refers to `objects`: S3Service stays where it was made
};

api::OperationTable operations(S3Service& s3);

// An S3 error with its code and status: s3_error("NoSuchBucket", "...", 404).
api::ApiError s3_error(const std::string& code, const std::string& message, int status);
// The bucket's record (a domain lock must be held) or 404 NoSuchBucket.
const Record& require_bucket(const Domain& domain, const std::string& name);
// Throws 404 NoSuchBucket unless the bucket exists (takes the read lock itself).
void check_bucket(Domain& domain, const std::string& name);
// The bucket's versioning (PutBucketVersioning's Status), or 404 NoSuchBucket.
Versioning bucket_versioning(Domain& domain, const std::string& name);
// A versionId a request names: 400 InvalidArgument unless well formed (versions.hpp).
void check_version_id(const std::string& id);
// The version a request reads (objects.cpp): the current object, or the one `version_id` names
// (nullptr: none). 404 NoSuchKey, with x-amz-delete-marker when the latest version is a delete
// marker; 404 NoSuchVersion; a delete marker named by id is 405 MethodNotAllowed, or 400
// InvalidRequest as a copy source. The caller has checked the bucket.
Version require_version(S3Service& s3, const std::string& bucket, const std::string& key,
                        const std::string* version_id, bool copy_source = false);
// The input's VersionId member (the versionId query parameter), or nullptr.
const std::string* version_in(const json& in);

// A string member the model marks required (validation has run): text(in, "Bucket").
inline const std::string& text(const json& in, const char* member) {
  return in.at(member).get_ref<const std::string&>();
}
// The request's payload blob, empty when the request has no body.
inline const std::string& body_of(const json& in) {
  static const std::string kEmpty;
  return in.contains("Body") ? in["Body"].get_ref<const std::string&>() : kEmpty;
}

void add_bucket_operations(api::OperationTable& table, S3Service& s3);
void add_bucket_configuration_operations(api::OperationTable& table, S3Service& s3);
void add_bucket_default_operations(api::OperationTable& table, S3Service& s3);
void add_object_tagging_operations(api::OperationTable& table, S3Service& s3);
void add_object_operations(api::OperationTable& table, S3Service& s3);
void add_listing_operations(api::OperationTable& table, S3Service& s3);
void add_multipart_operations(api::OperationTable& table, S3Service& s3);

// The account as S3 names it: the Owner of ListBuckets and of a bucket's ACL.
json bucket_owner();

// A PUT or POST signed for S3 (Authorization header or presigned URL): it may carry an object of
// up to HttpLimits::max_large_body_bytes. Sees only the method, target and headers.
bool is_upload(const api::HttpRequest& headers_only);

// Static website hosting for buckets with a website configuration, at
//   http://<bucket>.s3-website.localhost:<port>/<key>   (Host header names the bucket)
//   http://127.0.0.1:<port>/_website/<bucket>/<key>
// IndexDocument for paths ending in '/', ErrorDocument (with the 404 status) for missing keys.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteHosting.html
inline constexpr const char* kWebsitePathPrefix = "/_website/";
bool is_website_request(const api::HttpRequest& request);
api::HttpResponse serve_website(S3Service& s3, const api::HttpRequest& request);

}  // namespace mediaemu::s3
