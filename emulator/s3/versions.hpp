// Object versions, for buckets whose versioning is Enabled or Suspended. The current version of a
// key stays the plain file ObjectStore keeps (MediaLive outputs and website hosting read that
// tree); every other version lives beside it:
//
//   <data-dir>/s3-versions/<bucket>/<md5 hex of key>/<version id>        a noncurrent version's bytes
//   <data-dir>/s3-versions/<bucket>/<md5 hex of key>/<version id>.json   its metadata (key, ETag,
//                                                                        headers, order) or a delete marker
//
// Invariant: the key's file exists exactly when its newest version is an object; otherwise the
// newest is a delete marker (or the key has no versions at all). Writes keep it: the current file
// is hard-linked into the versions directory before it is replaced or removed, and removing the
// newest version restores the next one as the file. Steps are ordered so a crash between two of
// them leaves, at worst, a noncurrent copy of the current version, which readers skip.
//
// Version ids are 32 opaque characters as S3's are; "null" names the version written before
// versioning was enabled, or while it was suspended (one per key at most).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/VersioningSuspended.html
#pragma once

#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "emulator/s3/object_store.hpp"

namespace mediaemu::s3 {

// A bucket's versioning as PutBucketVersioning set it.
enum class Versioning { Unversioned, Enabled, Suspended };

// One version of a key: an object (its bytes in `file`) or a delete marker.
struct Version {
  std::string key;
  ObjectInfo info;  // info.version: id ("" = null) and order; etag/size/headers for objects
  bool delete_marker = false;
  bool current = false;  // the key's file (only an object can be)
  std::filesystem::path file;
  std::string id() const { return info.version.id_or_null(); }
};

// A fresh S3-shaped version id: 32 characters of [A-Za-z0-9._].
std::string new_version_id();
// Whether `id` could be a version id ("null" or what new_version_id() makes); S3 answers
// 400 InvalidArgument "Invalid version id specified" otherwise.
bool well_formed_version_id(const std::string& id);

class VersionStore {
 public:
  VersionStore(ObjectStore& objects, const std::filesystem::path& data_dir);

  // Every version of `key`, newest first; the first is the latest (IsLatest).
  std::vector<Version> versions(const std::string& bucket, const std::string& key) const;
  std::optional<Version> find(const std::string& bucket, const std::string& key, const std::string& id) const;
  // The latest version, when it is a delete marker (the key then reads as absent).
  std::optional<Version> current_delete_marker(const std::string& bucket, const std::string& key) const;
  // Every key with at least one version, current or not, sorted.
  std::vector<std::string> keys(const std::string& bucket) const;
  // Whether any noncurrent version or delete marker remains (DeleteBucket's BucketNotEmpty).
  bool has_noncurrent(const std::string& bucket) const;
  void remove_bucket(const std::string& bucket);

  // Writes `key` in a bucket with versioning `mode` through `write` (which stores the file with
  // the stamp it is given): the version it replaces is kept as noncurrent, except a null version
  // while suspended, which the new null version replaces. Unversioned buckets just write.
  ObjectInfo write(const std::string& bucket, const std::string& key, Versioning mode,
                   const std::function<ObjectInfo(const VersionStamp&)>& write);
  // DeleteObject without a version id on a versioned bucket: the current object becomes noncurrent
  // (or goes, when it is the null version of a suspended bucket) and a delete marker is the latest.
  Version add_delete_marker(const std::string& bucket, const std::string& key, Versioning mode);
  // DeleteObject with a version id: removes exactly that version (nullopt: there was none); when it
  // was the latest, the next one becomes the key's file again.
  std::optional<Version> remove_version(const std::string& bucket, const std::string& key, const std::string& id);
  // Replaces the stored headers (tags) of one version, current or not, keeping its bytes.
  void set_headers(const std::string& bucket, const Version& version, json headers);

 private:
  std::filesystem::path key_dir(const std::string& bucket, const std::string& key) const;
  std::vector<Version> noncurrent(const std::string& bucket, const std::string& key) const;
  // Keeps the current object (if any) as a noncurrent version, unless it is the null version and
  // `drop_null`; removes any other null version when `drop_null`.
  void archive_current(const std::string& bucket, const std::string& key, bool drop_null);
  void save(const std::string& bucket, const Version& v);
  void save_metadata(const std::string& bucket, const Version& v);
  void erase(const std::string& bucket, const Version& v);
  // After the current file went away: the newest remaining object version becomes the file.
  void restore_latest(const std::string& bucket, const std::string& key);

  ObjectStore& objects_;
  std::filesystem::path root_;
  std::mutex mutex_;  // one versioned change at a time: each is several renames
};

}  // namespace mediaemu::s3
