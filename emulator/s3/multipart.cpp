// Multipart uploads, as `aws s3 cp` and boto3's upload_file use them for large files: each
// upload is a directory under <data-dir>/s3-uploads (upload.json + one file and one .json per
// part), so uploads in progress survive a restart; completing concatenates the parts into the
// object with one rename.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
#include <fstream>

#include "emulator/s3/object_headers.hpp"
#include "emulator/s3/s3.hpp"

namespace mediaemu::s3 {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kMinPartSize = 5 * 1024 * 1024;  // every part but the last (EntityTooSmall)
constexpr int kMaxPartNumber = 10000;

// The upload's upload.json, checked against the bucket and key it was started for.
json require_upload(S3Service& s3, const json& in) {
  const std::string& id = text(in, "UploadId");
  bool safe = !id.empty() && id.find_first_not_of("0123456789abcdef") == std::string::npos;
  json upload;
  try {
    if (safe) upload = json::parse(read_whole_file(s3.objects.upload_dir(id) / "upload.json"));
  } catch (const std::exception&) {
  }
  if (!upload.is_object() || upload.value("Bucket", "") != text(in, "Bucket") || upload.value("Key", "") != text(in, "Key"))
    throw s3_error("NoSuchUpload",
                   "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
                   "aborted or completed.",
                   404);
  return upload;
}

json part_info(const fs::path& dir, int number) {
  try {
    return json::parse(read_whole_file(dir / (std::to_string(number) + ".json")));
  } catch (const std::exception&) {
    return nullptr;
  }
}

// The part numbers present, ascending.
std::vector<int> part_numbers(const fs::path& dir) {
  std::vector<int> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0 && name != "upload.json")
      out.push_back(std::atoi(name.c_str()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

json create_upload(S3Service& s3, const json& in) {
  const std::string& bucket = text(in, "Bucket");
  const std::string& key = text(in, "Key");
  check_bucket(s3.domain, bucket);
  if (std::string problem = key_problem(key); !problem.empty())
    throw s3_error("InvalidArgument", "Invalid object key: " + problem, 400);
  std::string id = random_hex(24);
  json upload = {{"Bucket", bucket},
                 {"Key", key},
                 {"Initiated", static_cast<double>(std::time(nullptr))},
                 {"Headers", stored_headers(in)}};
  if (in.contains("ChecksumAlgorithm")) upload["ChecksumAlgorithm"] = in["ChecksumAlgorithm"];
  fs::create_directories(s3.objects.upload_dir(id));
  write_file_atomically(s3.objects.upload_dir(id) / "upload.json", upload.dump());
  json out = {{"Bucket", bucket}, {"Key", key}, {"UploadId", id}};
  if (in.contains("ChecksumAlgorithm")) out["ChecksumAlgorithm"] = in["ChecksumAlgorithm"];
  return out;
}

json upload_part(S3Service& s3, const json& in) {
  require_upload(s3, in);
  int number = in.at("PartNumber").get<int>();
  if (number < 1 || number > kMaxPartNumber)
    throw s3_error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", 400);
  const std::string& body = body_of(in);
  check_content_md5(in, body);
  fs::path dir = s3.objects.upload_dir(text(in, "UploadId"));
  std::string etag = md5_hex(body);
  // The bytes first, then the .json that makes the part visible to ListParts and Complete.
  write_file_atomically(dir / std::to_string(number), body);
  json info = {{"ETag", etag}, {"Size", body.size()}, {"LastModified", static_cast<double>(std::time(nullptr))}};
  copy_checksums(stored_headers(in), info);
  write_file_atomically(dir / (std::to_string(number) + ".json"), info.dump());
  json out = {{"ETag", quoted_etag(etag)}};
  copy_checksums(info, out);
  return out;
}

json complete_upload(S3Service& s3, const json& in) {
  json upload = require_upload(s3, in);
  const std::string& bucket = text(in, "Bucket");
  const std::string& key = text(in, "Key");
  Versioning mode = bucket_versioning(s3.domain, bucket);
  fs::path dir = s3.objects.upload_dir(text(in, "UploadId"));
  const json parts = in.value("MultipartUpload", json::object()).value("Parts", json::array());
  if (parts.empty())
    throw s3_error("MalformedXML", "The XML you provided did not validate: a multipart upload needs at least one part", 400);
  std::vector<std::string> md5s;
  std::vector<int> numbers;
  int previous = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    int number = parts[i].value("PartNumber", 0);
    if (number <= previous)
      throw s3_error("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.", 400);
    previous = number;
    json info = part_info(dir, number);
    std::string given = parts[i].value("ETag", "");
    given.erase(std::remove(given.begin(), given.end(), '"'), given.end());
    if (!info.is_object() || info.value("ETag", "") != given)
      throw s3_error("InvalidPart",
                     "One or more of the specified parts could not be found. The part may not have been uploaded, or "
                     "the specified entity tag may not match the part's entity tag.",
                     400);
    if (i + 1 < parts.size() && info.value("Size", uint64_t{0}) < kMinPartSize)
      throw s3_error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.", 400);
    md5s.push_back(given);
    numbers.push_back(number);
  }
  std::string etag = multipart_etag(md5s);
  ObjectInfo info = store_object(key, [&] {
    return s3.versions.write(bucket, key, mode, [&](const VersionStamp& stamp) {
      fs::path temp = s3.objects.temp_file(bucket, key);
      try {
        {
          std::ofstream out(temp, std::ios::binary | std::ios::trunc);
          for (int number : numbers) {
            std::ifstream part(dir / std::to_string(number), std::ios::binary);
            out << part.rdbuf();
          }
          out.flush();
          if (!out) throw std::runtime_error("cannot write " + temp.string());
        }
        return s3.objects.put_file(bucket, key, temp, etag, upload.value("Headers", json::object()), stamp);
      } catch (...) {
        std::error_code ec;
        fs::remove(temp, ec);
        throw;
      }
    });
  });
  std::error_code ec;
  fs::remove_all(dir, ec);
  json out = {{"Location", "/" + bucket + "/" + key}, {"Bucket", bucket}, {"Key", key}, {"ETag", quoted_etag(info.etag)}};
  add_version_id(out, mode, info);
  return out;
}

json list_parts(S3Service& s3, const json& in) {
  json upload = require_upload(s3, in);
  fs::path dir = s3.objects.upload_dir(text(in, "UploadId"));
  int marker = in.value("PartNumberMarker", 0);
  int max_parts = std::clamp(in.value("MaxParts", 1000), 0, 1000);
  json parts = json::array();
  bool truncated = false;
  int last = 0;
  for (int number : part_numbers(dir)) {
    if (number <= marker) continue;
    if (static_cast<int>(parts.size()) >= max_parts) {
      truncated = true;
      break;
    }
    json info = part_info(dir, number);
    if (!info.is_object()) continue;
    json part = {{"PartNumber", number},
                 {"LastModified", info["LastModified"]},
                 {"ETag", quoted_etag(info.value("ETag", ""))},
                 {"Size", info["Size"]}};
    copy_checksums(info, part);
    parts.push_back(std::move(part));
    last = number;
  }
  json owner = {{"DisplayName", "mediaemu"}, {"ID", api::kAccountId}};
  json out = {{"Bucket", upload["Bucket"]}, {"Key", upload["Key"]},   {"UploadId", in["UploadId"]},
              {"MaxParts", max_parts},      {"IsTruncated", truncated}, {"StorageClass", "STANDARD"},
              {"Initiator", owner},         {"Owner", owner}};
  if (!parts.empty()) out["Parts"] = parts;
  if (truncated) out["NextPartNumberMarker"] = last;
  return out;
}

json list_uploads(S3Service& s3, const json& in) {
  const std::string& bucket = text(in, "Bucket");
  check_bucket(s3.domain, bucket);
  std::string prefix = in.value("Prefix", "");
  std::vector<std::pair<std::string, json>> found;  // (key, upload) sorted by key then id
  std::error_code ec;
  for (fs::directory_iterator it(s3.objects.uploads_root(), ec), end; !ec && it != end; it.increment(ec)) {
    try {
      json upload = json::parse(read_whole_file(it->path() / "upload.json"));
      if (upload.value("Bucket", "") != bucket || upload.value("Key", "").rfind(prefix, 0) != 0) continue;
      upload["UploadId"] = it->path().filename().string();
      found.emplace_back(upload.value("Key", "") + '\0' + upload["UploadId"].get<std::string>(), upload);
    } catch (const std::exception&) {
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  json uploads = json::array();
  json owner = {{"DisplayName", "mediaemu"}, {"ID", api::kAccountId}};
  for (const auto& [sort_key, u] : found)
    uploads.push_back({{"Key", u["Key"]}, {"UploadId", u["UploadId"]}, {"Initiated", u["Initiated"]},
                       {"StorageClass", "STANDARD"}, {"Initiator", owner}, {"Owner", owner}});
  json out = {{"Bucket", bucket}, {"IsTruncated", false}, {"MaxUploads", 1000}};
  if (!uploads.empty()) out["Uploads"] = uploads;
  if (!prefix.empty()) out["Prefix"] = prefix;
  return out;
}

}  // namespace

void add_multipart_operations(api::OperationTable& t, S3Service& s3) {
  t["CreateMultipartUpload"] = [&s3](const CallContext&, const json& in) { return create_upload(s3, in); };
  t["UploadPart"] = [&s3](const CallContext&, const json& in) { return upload_part(s3, in); };
  t["CompleteMultipartUpload"] = [&s3](const CallContext&, const json& in) { return complete_upload(s3, in); };
  t["AbortMultipartUpload"] = [&s3](const CallContext&, const json& in) {
    require_upload(s3, in);
    std::error_code ec;
    fs::remove_all(s3.objects.upload_dir(text(in, "UploadId")), ec);
    return json::object();
  };
  t["ListParts"] = [&s3](const CallContext&, const json& in) { return list_parts(s3, in); };
  t["ListMultipartUploads"] = [&s3](const CallContext&, const json& in) { return list_uploads(s3, in); };
}

}  // namespace mediaemu::s3
