// Objects as plain files, so what a MediaLive channel writes to s3://bucket/path (the same
// <data-dir>/s3 tree, emulator/media_plans.cpp) lists and downloads through the S3 API, and
// what is uploaded is a file anyone can open.
//
//   <data-dir>/s3/<bucket>/<key>              the object's bytes
//   <data-dir>/s3-meta/<bucket>/<key>.json    its metadata (ETag, content type, x-amz-meta-*)
//   <data-dir>/s3-uploads/<upload id>/        a multipart upload in progress (upload.json, parts)
//   <data-dir>/s3-versions/<bucket>/...       noncurrent versions and delete markers (versions.hpp)
//
// Every write goes to a temporary file in the destination directory, is flushed, then renamed
// over the old name: readers see the old object or the new one, never half of one. The sidecar
// records the size and mtime of the file it describes; a file without one, or whose sidecar no
// longer matches (a channel rewrote a playlist), is described from the file itself: ETag = MD5
// of its bytes, content type from its extension.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "emulator/s3/s3_rules.hpp"

namespace mediaemu::s3 {

using json = nlohmann::json;

// Which version of its key an object is, in a bucket that has had versioning enabled: the id S3
// answers in x-amz-version-id, and the order versions were made in (newest is largest).
struct VersionStamp {
  std::string id;    // empty: the "null" version (written before versioning, or while suspended)
  int64_t seq = 0;   // 0: unknown (a file without sidecar); its mtime orders it
  std::string id_or_null() const { return id.empty() ? "null" : id; }
};

struct ObjectInfo {
  std::string etag;  // hex, without quotes ("<md5>" or "<md5 of md5s>-<parts>")
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  // Stored headers in model form: ContentType, CacheControl, ContentDisposition, ContentEncoding,
  // ContentLanguage, Expires (epoch seconds), Metadata (map), Checksum* values the client sent.
  json headers = json::object();
  VersionStamp version;
  double last_modified() const { return static_cast<double>(mtime_ns / 1000000) / 1000.0; }
  std::string content_type() const;
};

class ObjectStore {
 public:
  explicit ObjectStore(std::filesystem::path data_dir);

  const std::filesystem::path& root() const { return objects_; }
  void create_bucket(const std::string& bucket);
  // Removes the bucket's (empty) directories.
  void remove_bucket(const std::string& bucket);
  bool bucket_has_objects(const std::string& bucket) const;

  // Every key in the bucket, sorted in binary order.
  std::vector<std::string> keys(const std::string& bucket) const;
  std::optional<ObjectInfo> head(const std::string& bucket, const std::string& key) const;
  // `length` bytes from `offset`, read straight into the returned string.
  std::string read(const std::string& bucket, const std::string& key, uint64_t offset, uint64_t length) const;

  // Writes the object atomically; fills in etag, size and mtime.
  ObjectInfo put(const std::string& bucket, const std::string& key, const std::string& body, json headers,
                 const VersionStamp& version = {});
  // Renames a finished temporary file (from temp_file()) into place as the object.
  ObjectInfo put_file(const std::string& bucket, const std::string& key, const std::filesystem::path& temp,
                      const std::string& etag, json headers, const VersionStamp& version = {});
  // Replaces the stored headers of the object `info` (from head()) describes, keeping its bytes.
  // If the file changed since, the new sidecar does not match it and is ignored, as any stale one.
  void set_headers(const std::string& bucket, const std::string& key, const ObjectInfo& info, json headers);
  // A fresh temporary path in the directory the key's file will live in.
  std::filesystem::path temp_file(const std::string& bucket, const std::string& key) const;
  // False when there was no such object (S3 answers 204 either way).
  bool remove(const std::string& bucket, const std::string& key);

  // ---- Multipart uploads ----
  std::filesystem::path upload_dir(const std::string& upload_id) const { return uploads_ / upload_id; }
  const std::filesystem::path& uploads_root() const { return uploads_; }

  // <data-dir>/s3/<bucket>/<key>; call only for keys key_problem() accepts.
  std::filesystem::path object_path(const std::string& bucket, const std::string& key) const;

 private:
  std::filesystem::path meta_path(const std::string& bucket, const std::string& key) const;
  void write_sidecar(const std::string& bucket, const std::string& key, const ObjectInfo& info);

  std::filesystem::path objects_, meta_, uploads_;
};

// ---- File helpers shared with multipart ----
// Writes `bytes` to `path` through a temporary file and a rename (fdatasync first).
void write_file_atomically(const std::filesystem::path& path, const std::string& bytes);
// Writes `bytes` to a new file at `path` and flushes it.
void write_new_file(const std::filesystem::path& path, const std::string& bytes);
std::string read_whole_file(const std::filesystem::path& path);
// `length` bytes from `offset` (fewer when the file is shorter now).
std::string read_file_range(const std::filesystem::path& path, uint64_t offset, uint64_t length);
// The sidecar form of `info` (etag, size, mtime, headers, version) and back: also the metadata
// of a noncurrent version (versions.cpp).
json info_to_json(const ObjectInfo& info);
ObjectInfo info_from_json(const json& j);
// Nanoseconds since the epoch, strictly increasing within the process: orders versions.
int64_t next_version_seq();
std::string md5_hex(const std::string& bytes);
std::string md5_hex_of_file(const std::filesystem::path& path);
// Content type S3 would have had from the uploader, guessed from the file name.
std::string content_type_for(const std::string& key);

}  // namespace mediaemu::s3
