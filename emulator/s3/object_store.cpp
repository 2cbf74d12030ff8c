#include "emulator/s3/object_store.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>
#include <stdexcept>
#include <system_error>

namespace mediaemu::s3 {
namespace fs = std::filesystem;

namespace {

std::string to_hex(const unsigned char* bytes, unsigned size) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < size; ++i) {
    out.push_back(hex[bytes[i] >> 4]);
    out.push_back(hex[bytes[i] & 15]);
  }
  return out;
}

std::string random_suffix() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::to_string(rng());
}

[[noreturn]] void fail(const std::string& what, const fs::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

int64_t mtime_ns_of(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

bool stat_file(const fs::path& path, struct stat& st) {
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Removes now-empty directories from `dir` up to (not including) `stop`.
void prune_empty_dirs(fs::path dir, const fs::path& stop) {
  std::error_code ec;
  while (dir != stop && dir.string().size() > stop.string().size() && fs::is_empty(dir, ec) && !ec) {
    if (!fs::remove(dir, ec)) break;
    dir = dir.parent_path();
  }
}

}  // namespace

std::string ObjectInfo::content_type() const {
  auto it = headers.find("ContentType");
  return it != headers.end() && it->is_string() ? it->get<std::string>() : "binary/octet-stream";
}

void write_new_file(const fs::path& path, const std::string& bytes) {
  Fd f{::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  if (f.fd < 0) fail("cannot create", path);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(f.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", path);
    }
    done += static_cast<size_t>(n);
  }
  // Acknowledged means on disk, as the SQLite state is (synchronous=FULL).
  if (::fdatasync(f.fd) != 0) fail("cannot flush", path);
}

void write_file_atomically(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  fs::path temp = path.parent_path() / (std::string(kTempPrefix) + random_suffix());
  try {
    write_new_file(temp, bytes);
    fs::rename(temp, path);
  } catch (...) {
    std::error_code ec;
    fs::remove(temp, ec);
    throw;
  }
}

std::string read_whole_file(const fs::path& path) {
  struct stat st {};
  if (!stat_file(path, st)) fail("cannot read", path);
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) fail("cannot open", path);
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(f.fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      fail("cannot read", path);
    }
    done += static_cast<size_t>(n);
  }
  return out;
}

std::string read_file_range(const fs::path& path, uint64_t offset, uint64_t length) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) fail("cannot open", path);
  std::string out(static_cast<size_t>(length), '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(f.fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // replaced by a shorter file since head(): send what there is
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

json info_to_json(const ObjectInfo& info) {
  json j = {{"etag", info.etag}, {"size", info.size}, {"mtime_ns", info.mtime_ns}, {"headers", info.headers}};
  if (!info.version.id.empty()) j["version_id"] = info.version.id;
  if (info.version.seq) j["seq"] = info.version.seq;
  return j;
}

ObjectInfo info_from_json(const json& j) {
  ObjectInfo info;
  info.etag = j.value("etag", "");
  info.size = j.value("size", uint64_t{0});
  info.mtime_ns = j.value("mtime_ns", int64_t{0});
  info.headers = j.value("headers", json::object());
  info.version.id = j.value("version_id", "");
  info.version.seq = j.value("seq", int64_t{0});
  return info;
}

int64_t next_version_seq() {
  static std::mutex mutex;
  static int64_t last = 0;
  std::lock_guard lock(mutex);
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  last = std::max(now, last + 1);
  return last;
}

std::string md5_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_md5(), nullptr);
  return to_hex(digest, size);
}

std::string md5_hex_of_file(const fs::path& path) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) fail("cannot open", path);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
  std::string buffer(1 << 20, '\0');
  ssize_t n;
  while ((n = ::read(f.fd, buffer.data(), buffer.size())) > 0) EVP_DigestUpdate(ctx, buffer.data(), static_cast<size_t>(n));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_DigestFinal_ex(ctx, digest, &size);
  EVP_MD_CTX_free(ctx);
  if (n < 0) fail("cannot read", path);
  return to_hex(digest, size);
}

std::string content_type_for(const std::string& key) {
  static const std::pair<const char*, const char*> types[] = {
      {".m3u8", "application/vnd.apple.mpegurl"}, {".ts", "video/MP2T"},     {".mp4", "video/mp4"},
      {".m4s", "video/iso.segment"},              {".mpd", "application/dash+xml"}, {".html", "text/html"},
      {".htm", "text/html"},                      {".css", "text/css"},      {".js", "application/javascript"},
      {".json", "application/json"},              {".txt", "text/plain"},    {".png", "image/png"},
      {".jpg", "image/jpeg"},                     {".svg", "image/svg+xml"}, {".vtt", "text/vtt"},
      {".aac", "audio/aac"},
  };
  for (const auto& [ext, type] : types) {
    std::string_view e(ext);
    if (key.size() > e.size() && key.compare(key.size() - e.size(), e.size(), e) == 0) return type;
  }
  return "binary/octet-stream";  // what S3 records when an upload names no type
}

ObjectStore::ObjectStore(fs::path data_dir)
    : objects_(data_dir / "s3"), meta_(data_dir / "s3-meta"), uploads_(data_dir / "s3-uploads") {}

fs::path ObjectStore::object_path(const std::string& bucket, const std::string& key) const {
  return key_path(objects_ / bucket, key);
}

fs::path ObjectStore::meta_path(const std::string& bucket, const std::string& key) const {
  return key_path(meta_ / bucket, key + ".json");
}

void ObjectStore::create_bucket(const std::string& bucket) { fs::create_directories(objects_ / bucket); }

void ObjectStore::remove_bucket(const std::string& bucket) {
  std::error_code ec;
  fs::remove_all(objects_ / bucket, ec);  // only empty directories (and stray temp files) remain
  fs::remove_all(meta_ / bucket, ec);
}

bool ObjectStore::bucket_has_objects(const std::string& bucket) const {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(objects_ / bucket, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && it->path().filename().string().rfind(kTempPrefix, 0) != 0) return true;
  }
  return false;
}

std::vector<std::string> ObjectStore::keys(const std::string& bucket) const {
  std::vector<std::string> out;
  fs::path dir = objects_ / bucket;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file() || it->path().filename().string().rfind(kTempPrefix, 0) == 0) continue;
    out.push_back(it->path().lexically_relative(dir).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<ObjectInfo> ObjectStore::head(const std::string& bucket, const std::string& key) const {
  if (!key_problem(key).empty()) return std::nullopt;
  fs::path path = object_path(bucket, key);
  struct stat st {};
  if (!stat_file(path, st)) return std::nullopt;
  ObjectInfo info;
  info.size = static_cast<uint64_t>(st.st_size);
  info.mtime_ns = mtime_ns_of(st);
  try {
    ObjectInfo sidecar = info_from_json(json::parse(read_whole_file(meta_path(bucket, key))));
    if (sidecar.size == info.size && sidecar.mtime_ns == info.mtime_ns) {
      if (!sidecar.version.seq) sidecar.version.seq = info.mtime_ns;  // written before versioning
      return sidecar;
    }
  } catch (const std::exception&) {
    // No sidecar (a file a channel wrote) or an unreadable one: describe the file itself.
  }
  info.etag = md5_hex_of_file(path);
  info.headers = {{"ContentType", content_type_for(key)}};
  info.version.seq = info.mtime_ns;  // the null version, as old as the file
  return info;
}

std::string ObjectStore::read(const std::string& bucket, const std::string& key, uint64_t offset,
                              uint64_t length) const {
  return read_file_range(object_path(bucket, key), offset, length);
}

fs::path ObjectStore::temp_file(const std::string& bucket, const std::string& key) const {
  fs::path dir = object_path(bucket, key).parent_path();
  fs::create_directories(dir);
  return dir / (std::string(kTempPrefix) + random_suffix());
}

ObjectInfo ObjectStore::put_file(const std::string& bucket, const std::string& key, const fs::path& temp,
                                 const std::string& etag, json headers, const VersionStamp& version) {
  struct stat st {};
  if (!stat_file(temp, st)) fail("cannot stat", temp);
  ObjectInfo info;
  info.etag = etag;
  info.size = static_cast<uint64_t>(st.st_size);
  info.mtime_ns = mtime_ns_of(st);
  info.headers = std::move(headers);
  info.version = version;
  fs::path path = object_path(bucket, key);
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    fs::remove(temp, ec);
    throw std::invalid_argument("a key ending where other keys continue (\"" + key +
                                "/...\") cannot also be an object: mediaemu stores objects as files");
  }
  // The sidecar names the file's size and mtime, so between the two renames a reader that sees
  // the new file with the old sidecar falls back to describing the file itself.
  write_sidecar(bucket, key, info);
  fs::rename(temp, path);
  return info;
}

void ObjectStore::write_sidecar(const std::string& bucket, const std::string& key, const ObjectInfo& info) {
  write_file_atomically(meta_path(bucket, key), info_to_json(info).dump());
}

void ObjectStore::set_headers(const std::string& bucket, const std::string& key, const ObjectInfo& info, json headers) {
  ObjectInfo updated = info;
  updated.headers = std::move(headers);
  write_sidecar(bucket, key, updated);
}

ObjectInfo ObjectStore::put(const std::string& bucket, const std::string& key, const std::string& body, json headers,
                            const VersionStamp& version) {
  fs::path temp = temp_file(bucket, key);
  try {
    write_new_file(temp, body);
    return put_file(bucket, key, temp, md5_hex(body), std::move(headers), version);
  } catch (...) {
    std::error_code ec;
    fs::remove(temp, ec);
    throw;
  }
}

bool ObjectStore::remove(const std::string& bucket, const std::string& key) {
  if (!key_problem(key).empty()) return false;
  std::error_code ec;
  fs::path path = object_path(bucket, key);
  bool existed = fs::is_regular_file(path, ec) && fs::remove(path, ec);
  fs::path meta = meta_path(bucket, key);
  fs::remove(meta, ec);
  prune_empty_dirs(path.parent_path(), objects_ / bucket);
  prune_empty_dirs(meta.parent_path(), meta_ / bucket);
  return existed;
}

}  // namespace mediaemu::s3
