#include "emulator/s3/versions.hpp"

#include <algorithm>
#include <random>
#include <set>

namespace mediaemu::s3 {
namespace fs = std::filesystem;

namespace {

// The characters S3's own version ids use ("3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY").
constexpr std::string_view kIdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
constexpr size_t kIdLength = 32;
constexpr std::string_view kNull = "null";

bool has_suffix(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// A version's files: "<id>.json" (metadata) and "<id>.bytes" (an object's content). Distinct
// suffixes, since an id may itself end in ".json".
fs::path meta_file(const fs::path& dir, const std::string& id) { return dir / (id + ".json"); }
fs::path bytes_file(const fs::path& dir, const std::string& id) { return dir / (id + ".bytes"); }

bool is_meta_file(const fs::path& path) {
  std::string name = path.filename().string();
  return has_suffix(name, ".json") && name.rfind(kTempPrefix, 0) != 0;
}

}  // namespace

std::string new_version_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick(0, kIdAlphabet.size() - 1);
  std::string id;
  for (size_t i = 0; i < kIdLength; ++i) id += kIdAlphabet[pick(rng)];
  return id;
}

bool well_formed_version_id(const std::string& id) {
  return id == kNull || (id.size() == kIdLength && id.find_first_not_of(kIdAlphabet) == std::string::npos);
}

VersionStore::VersionStore(ObjectStore& objects, const fs::path& data_dir)
    : objects_(objects), root_(data_dir / "s3-versions") {}

fs::path VersionStore::key_dir(const std::string& bucket, const std::string& key) const {
  return root_ / bucket / md5_hex(key);
}

std::vector<Version> VersionStore::noncurrent(const std::string& bucket, const std::string& key) const {
  std::vector<Version> out;
  fs::path dir = key_dir(bucket, key);
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!is_meta_file(it->path())) continue;
    try {
      json j = json::parse(read_whole_file(it->path()));
      if (j.value("key", "") != key) continue;  // an MD5 collision, however unlikely
      Version v{key, info_from_json(j), j.value("delete_marker", false), false, {}};
      if (!v.delete_marker) {
        v.file = bytes_file(dir, v.id());
        if (!fs::is_regular_file(v.file)) continue;  // its bytes went first (a removal cut short)
      }
      out.push_back(std::move(v));
    } catch (const std::exception&) {
      // Unreadable metadata (a temp file's rename cut short): not a version.
    }
  }
  std::sort(out.begin(), out.end(), [](const Version& a, const Version& b) { return a.info.version.seq > b.info.version.seq; });
  return out;
}

std::vector<Version> VersionStore::versions(const std::string& bucket, const std::string& key) const {
  std::vector<Version> out;
  auto current = objects_.head(bucket, key);
  if (current) out.push_back(Version{key, *current, false, true, objects_.object_path(bucket, key)});
  for (Version& v : noncurrent(bucket, key)) {
    // A noncurrent copy of the current version is what a crash mid-write leaves: not a version.
    if (current && v.id() == out.front().id()) continue;
    out.push_back(std::move(v));
  }
  return out;
}

std::optional<Version> VersionStore::find(const std::string& bucket, const std::string& key, const std::string& id) const {
  for (Version& v : versions(bucket, key))
    if (v.id() == id) return std::move(v);
  return std::nullopt;
}

std::optional<Version> VersionStore::current_delete_marker(const std::string& bucket, const std::string& key) const {
  if (objects_.head(bucket, key)) return std::nullopt;
  auto all = noncurrent(bucket, key);
  if (all.empty() || !all.front().delete_marker) return std::nullopt;
  return all.front();
}

std::vector<std::string> VersionStore::keys(const std::string& bucket) const {
  std::vector<std::string> current = objects_.keys(bucket);
  std::set<std::string> out(current.begin(), current.end());
  std::error_code ec;
  for (fs::directory_iterator dir(root_ / bucket, ec), end; !ec && dir != end; dir.increment(ec)) {
    std::error_code inner;
    for (fs::directory_iterator it(dir->path(), inner); !inner && it != end; it.increment(inner)) {
      if (!is_meta_file(it->path())) continue;
      try {
        out.insert(json::parse(read_whole_file(it->path())).at("key").get<std::string>());
        break;  // every version in the directory has the same key
      } catch (const std::exception&) {
      }
    }
  }
  return {out.begin(), out.end()};
}

bool VersionStore::has_noncurrent(const std::string& bucket) const {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root_ / bucket, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file() && is_meta_file(it->path())) return true;
  return false;
}

void VersionStore::remove_bucket(const std::string& bucket) {
  std::error_code ec;
  fs::remove_all(root_ / bucket, ec);
}

void VersionStore::save(const std::string& bucket, const Version& v) {
  fs::path dir = key_dir(bucket, v.key);
  fs::create_directories(dir);
  if (!v.delete_marker) {
    // A second name for the current file's bytes: the rename that replaces the file, or the
    // removal, leaves this one. Copied where the file system cannot link.
    fs::path bytes = bytes_file(dir, v.id());
    std::error_code ec;
    fs::remove(bytes, ec);
    fs::create_hard_link(v.file, bytes, ec);
    if (ec) fs::copy_file(v.file, bytes, fs::copy_options::overwrite_existing);
  }
  save_metadata(bucket, v);  // last: the version exists from here
}

void VersionStore::save_metadata(const std::string& bucket, const Version& v) {
  json j = info_to_json(v.info);
  j["key"] = v.key;
  if (v.delete_marker) j["delete_marker"] = true;
  write_file_atomically(meta_file(key_dir(bucket, v.key), v.id()), j.dump());
}

void VersionStore::set_headers(const std::string& bucket, const Version& version, json headers) {
  std::lock_guard lock(mutex_);
  if (version.current) return objects_.set_headers(bucket, version.key, version.info, std::move(headers));
  Version updated = version;
  updated.info.headers = std::move(headers);
  save_metadata(bucket, updated);
}

void VersionStore::erase(const std::string& bucket, const Version& v) {
  fs::path dir = key_dir(bucket, v.key);
  std::error_code ec;
  fs::remove(meta_file(dir, v.id()), ec);  // first: the version is gone from here
  fs::remove(bytes_file(dir, v.id()), ec);
  if (fs::is_empty(dir, ec)) fs::remove(dir, ec);
}

void VersionStore::archive_current(const std::string& bucket, const std::string& key, bool drop_null) {
  if (drop_null)
    for (const Version& v : noncurrent(bucket, key))
      if (v.info.version.id.empty()) erase(bucket, v);
  auto current = objects_.head(bucket, key);
  if (!current || (drop_null && current->version.id.empty())) return;
  save(bucket, Version{key, *current, false, true, objects_.object_path(bucket, key)});
}

void VersionStore::restore_latest(const std::string& bucket, const std::string& key) {
  if (objects_.head(bucket, key)) return;
  auto remaining = noncurrent(bucket, key);
  if (remaining.empty() || remaining.front().delete_marker) return;
  const Version& latest = remaining.front();
  // Linked (same bytes, same mtime, so the sidecar matches) under a temporary name, then renamed
  // into place as any write is; the noncurrent copy goes once the file is back.
  fs::path temp = objects_.temp_file(bucket, key);
  fs::create_hard_link(latest.file, temp);
  try {
    objects_.put_file(bucket, key, temp, latest.info.etag, latest.info.headers, latest.info.version);
  } catch (const std::invalid_argument&) {
    return;  // a "directory" of other keys took the name meanwhile: it stays noncurrent
  } catch (...) {
    std::error_code ec;
    fs::remove(temp, ec);
    throw;
  }
  erase(bucket, latest);
}

ObjectInfo VersionStore::write(const std::string& bucket, const std::string& key, Versioning mode,
                               const std::function<ObjectInfo(const VersionStamp&)>& write) {
  if (mode == Versioning::Unversioned) return write({});
  std::lock_guard lock(mutex_);
  archive_current(bucket, key, mode == Versioning::Suspended);
  return write({mode == Versioning::Enabled ? new_version_id() : "", next_version_seq()});
}

Version VersionStore::add_delete_marker(const std::string& bucket, const std::string& key, Versioning mode) {
  std::lock_guard lock(mutex_);
  archive_current(bucket, key, mode == Versioning::Suspended);
  objects_.remove(bucket, key);
  Version marker{key, {}, true, false, {}};
  marker.info.version = {mode == Versioning::Enabled ? new_version_id() : "", next_version_seq()};
  marker.info.mtime_ns = marker.info.version.seq;  // its LastModified
  save(bucket, marker);
  return marker;
}

std::optional<Version> VersionStore::remove_version(const std::string& bucket, const std::string& key,
                                                    const std::string& id) {
  std::lock_guard lock(mutex_);
  auto found = find(bucket, key, id);
  if (!found) return std::nullopt;
  if (found->current) {
    objects_.remove(bucket, key);
    for (const Version& v : noncurrent(bucket, key))  // a crash's leftover copy of it, if any
      if (v.id() == id) erase(bucket, v);
  } else {
    erase(bucket, *found);
  }
  restore_latest(bucket, key);
  return found;
}

}  // namespace mediaemu::s3
