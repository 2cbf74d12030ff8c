// ListObjectsV2 and ListObjects (v1) over the bucket's files; ListObjectVersions over every
// version, current (the files) or not (versions.hpp).
#include <map>

#include "api/base64.hpp"
#include "api/uri_template.hpp"
#include "emulator/s3/object_headers.hpp"
#include "emulator/s3/s3.hpp"

namespace mediaemu::s3 {
namespace {

// encoding-type=url: keys and prefixes go out percent-encoded ('/' kept), which botocore decodes;
// it asks for this by default so that keys with control characters survive XML.
std::string encode(const std::string& text, bool url) {
  if (!url) return text;
  std::string out;
  size_t at = 0;
  while (at <= text.size()) {
    size_t slash = text.find('/', at);
    out += api::percent_encode(text.substr(at, slash == std::string::npos ? std::string::npos : slash - at));
    if (slash == std::string::npos) break;
    out += '/';
    at = slash + 1;
  }
  return out;
}

struct Listing {
  ListPage page;
  json contents = json::array();
  json prefixes = json::array();
};

Listing list(S3Service& s3, const json& in, const std::string& after, bool owner) {
  const std::string& bucket = in.at("Bucket").get_ref<const std::string&>();
  check_bucket(s3.domain, bucket);
  ListRequest request;
  request.prefix = in.value("Prefix", "");
  request.delimiter = in.value("Delimiter", "");
  request.after = after;
  request.max_keys = std::clamp(in.value("MaxKeys", 1000), 0, 1000);
  bool url = in.value("EncodingType", "") == "url";
  Listing l;
  l.page = list_keys(s3.objects.keys(bucket), request);
  for (const std::string& key : l.page.keys) {
    auto info = s3.objects.head(bucket, key);
    if (!info) continue;  // deleted since the directory was read
    json item = {{"Key", encode(key, url)},
                 {"LastModified", info->last_modified()},
                 {"ETag", quoted_etag(info->etag)},
                 {"Size", info->size},
                 {"StorageClass", "STANDARD"}};
    if (owner) item["Owner"] = bucket_owner();
    l.contents.push_back(std::move(item));
  }
  for (const std::string& p : l.page.common_prefixes) l.prefixes.push_back({{"Prefix", encode(p, url)}});
  return l;
}

// The common members of both versions' answers.
json answer(const json& in, const Listing& l) {
  bool url = in.value("EncodingType", "") == "url";
  json out = {{"Name", in["Bucket"]},
              {"Prefix", encode(in.value("Prefix", ""), url)},
              {"MaxKeys", std::clamp(in.value("MaxKeys", 1000), 0, 1000)},
              {"IsTruncated", l.page.truncated}};
  if (!l.contents.empty()) out["Contents"] = l.contents;
  if (!l.prefixes.empty()) out["CommonPrefixes"] = l.prefixes;
  if (in.contains("Delimiter")) out["Delimiter"] = encode(in["Delimiter"].get<std::string>(), url);
  if (url) out["EncodingType"] = "url";
  return out;
}

json list_v2(S3Service& s3, const json& in) {
  std::string after = in.value("StartAfter", "");
  if (in.contains("ContinuationToken")) {
    // Opaque to clients: the base64 of the last key or common prefix sent.
    auto decoded = api::base64_decode(in["ContinuationToken"].get<std::string>());
    if (!decoded) throw s3_error("InvalidArgument", "The continuation token provided is incorrect", 400);
    after = std::max(after, *decoded);
  }
  Listing l = list(s3, in, after, in.value("FetchOwner", false));
  json out = answer(in, l);
  out["KeyCount"] = l.contents.size() + l.prefixes.size();
  if (in.contains("ContinuationToken")) out["ContinuationToken"] = in["ContinuationToken"];
  if (in.contains("StartAfter")) out["StartAfter"] = encode(in["StartAfter"].get<std::string>(), out.contains("EncodingType"));
  if (l.page.truncated) out["NextContinuationToken"] = api::base64_encode(l.page.next_after);
  return out;
}

json list_v1(S3Service& s3, const json& in) {
  std::string marker = in.value("Marker", "");
  Listing l = list(s3, in, marker, true);
  json out = answer(in, l);
  out["Marker"] = encode(marker, out.contains("EncodingType"));
  // NextMarker: the last key or prefix of a truncated page (S3 sends it when a delimiter was
  // given; botocore's paginator uses it, or the last Key otherwise).
  if (l.page.truncated) out["NextMarker"] = encode(l.page.next_after, out.contains("EncodingType"));
  return out;
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html
json list_object_versions(S3Service& s3, const json& in) {
  const std::string& bucket = text(in, "Bucket");
  check_bucket(s3.domain, bucket);
  std::string key_marker = in.value("KeyMarker", ""), version_marker = in.value("VersionIdMarker", "");
  if (!version_marker.empty() && key_marker.empty())
    throw s3_error("InvalidArgument", "A version-id marker cannot be specified without a key marker.", 400);
  if (!version_marker.empty()) check_version_id(version_marker);
  ListRequest request;
  request.prefix = in.value("Prefix", "");
  request.delimiter = in.value("Delimiter", "");
  request.after = key_marker;
  request.max_keys = std::clamp(in.value("MaxKeys", 1000), 0, 1000);
  // Versions are read once, for the keys the prefix can match.
  std::vector<KeyVersions> sorted;
  std::map<std::string, std::vector<Version>> found;
  for (const std::string& key : s3.versions.keys(bucket)) {
    if (key.compare(0, request.prefix.size(), request.prefix) != 0) continue;
    auto versions = s3.versions.versions(bucket, key);
    if (versions.empty()) continue;
    KeyVersions k{key, {}};
    for (const Version& v : versions) k.version_ids.push_back(v.id());
    sorted.push_back(std::move(k));
    found[key] = std::move(versions);
  }
  VersionPage page = list_versions(sorted, request, version_marker);
  bool url = in.value("EncodingType", "") == "url";
  json versions = json::array(), markers = json::array(), prefixes = json::array();
  for (const VersionRef& ref : page.versions) {
    const std::vector<Version>& all = found[ref.key];
    for (const Version& v : all) {
      if (v.id() != ref.version_id) continue;
      json item = {{"Key", encode(ref.key, url)},
                   {"VersionId", ref.version_id},
                   {"IsLatest", &v == &all.front()},
                   {"LastModified", v.info.last_modified()},
                   {"Owner", bucket_owner()}};
      if (v.delete_marker) {
        markers.push_back(std::move(item));
      } else {
        item["ETag"] = quoted_etag(v.info.etag);
        item["Size"] = v.info.size;
        item["StorageClass"] = "STANDARD";
        versions.push_back(std::move(item));
      }
      break;
    }
  }
  for (const std::string& p : page.common_prefixes) prefixes.push_back({{"Prefix", encode(p, url)}});
  json out = {{"Name", bucket},
              {"Prefix", encode(request.prefix, url)},
              {"KeyMarker", encode(key_marker, url)},
              {"VersionIdMarker", version_marker},
              {"MaxKeys", request.max_keys},
              {"IsTruncated", page.truncated}};
  if (!versions.empty()) out["Versions"] = versions;
  if (!markers.empty()) out["DeleteMarkers"] = markers;
  if (!prefixes.empty()) out["CommonPrefixes"] = prefixes;
  if (in.contains("Delimiter")) out["Delimiter"] = encode(request.delimiter, url);
  if (url) out["EncodingType"] = "url";
  if (page.truncated) {
    out["NextKeyMarker"] = encode(page.next_key_marker, url);
    if (!page.next_version_id_marker.empty()) out["NextVersionIdMarker"] = page.next_version_id_marker;
  }
  return out;
}

}  // namespace

void add_listing_operations(api::OperationTable& t, S3Service& s3) {
  t["ListObjectsV2"] = [&s3](const CallContext&, const json& in) { return list_v2(s3, in); };
  t["ListObjects"] = [&s3](const CallContext&, const json& in) { return list_v1(s3, in); };
  t["ListObjectVersions"] = [&s3](const CallContext&, const json& in) { return list_object_versions(s3, in); };
}

}  // namespace mediaemu::s3
