// Durable storage: every resource is one row (kind, region, id) holding its AWS-visible
// document and its internal bookkeeping as JSON. SQLite in WAL mode with synchronous=FULL, so a
// change is on disk before the API answers (kill -9, even power loss, keeps it).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

struct sqlite3;

namespace mediaemu {

using json = nlohmann::json;

struct Key {
  std::string kind;    // "medialive:channel", "mediapackage:origin-endpoint", ...
  std::string region;  // "us-east-1"
  std::string id;
  bool operator<(const Key& o) const { return std::tie(kind, region, id) < std::tie(o.kind, o.region, o.id); }
  bool operator==(const Key& o) const { return kind == o.kind && region == o.region && id == o.id; }
  std::string str() const { return kind + "/" + region + "/" + id; }
};

struct Record {
  Key key;
  json doc;       // the resource as AWS describes it, in model form (member names)
  json internal;  // our bookkeeping: pending transition, media hashes, ... never sent out
};

struct Batch {
  std::vector<const Record*> upserts;
  std::vector<Key> deletes;
  std::vector<std::pair<std::string, std::string>> meta;  // counters and the like
  bool empty() const { return upserts.empty() && deletes.empty() && meta.empty(); }
};

class Store {
 public:
  // Opens (creating if needed) the database file. ":memory:" gives a throwaway store.
  explicit Store(const std::filesystem::path& file);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  std::vector<Record> load_all();
  std::optional<std::string> meta(const std::string& key);
  // All of the batch or none of it. Throws std::runtime_error on failure.
  void commit(const Batch& batch);

 private:
  void exec(const char* sql);
  sqlite3* db_ = nullptr;
};

}  // namespace mediaemu
