#include "emulator/store.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace mediaemu {
namespace {

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement& bind(int i, const std::string& text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("sqlite step: ") + sqlite3_errmsg(db_));
  }
  std::string text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

Store::Store(const std::filesystem::path& file) {
  if (file != ":memory:" && file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  if (sqlite3_open(file.c_str(), &db_) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open state database " + file.string() + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");
  // One transaction: a new database then costs one sync at start-up, not one per table.
  exec("BEGIN;"
       "CREATE TABLE IF NOT EXISTS resources (kind TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, "
       "doc TEXT NOT NULL, internal TEXT NOT NULL, PRIMARY KEY (kind, region, id));"
       "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
       "COMMIT");
}

Store::~Store() { sqlite3_close(db_); }

void Store::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error(std::string("sqlite: ") + msg + " in: " + sql);
  }
}

std::vector<Record> Store::load_all() {
  std::vector<Record> out;
  Statement st(db_, "SELECT kind, region, id, doc, internal FROM resources");
  while (st.step()) {
    out.push_back(Record{{st.text(0), st.text(1), st.text(2)}, json::parse(st.text(3)), json::parse(st.text(4))});
  }
  return out;
}

std::optional<std::string> Store::meta(const std::string& key) {
  Statement st(db_, "SELECT value FROM meta WHERE key = ?");
  st.bind(1, key);
  if (st.step()) return st.text(0);
  return std::nullopt;
}

void Store::commit(const Batch& batch) {
  if (batch.empty()) return;
  exec("BEGIN IMMEDIATE");
  try {
    for (const Record* r : batch.upserts) {
      Statement st(db_, "INSERT OR REPLACE INTO resources (kind, region, id, doc, internal) VALUES (?, ?, ?, ?, ?)");
      st.bind(1, r->key.kind).bind(2, r->key.region).bind(3, r->key.id).bind(4, r->doc.dump()).bind(5, r->internal.dump());
      st.step();
    }
    for (const Key& k : batch.deletes) {
      Statement st(db_, "DELETE FROM resources WHERE kind = ? AND region = ? AND id = ?");
      st.bind(1, k.kind).bind(2, k.region).bind(3, k.id);
      st.step();
    }
    for (const auto& [key, value] : batch.meta) {
      Statement st(db_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
      st.bind(1, key).bind(2, value);
      st.step();
    }
    exec("COMMIT");
  } catch (...) {
    char* err = nullptr;
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, &err);
    sqlite3_free(err);
    throw;
  }
}

}  // namespace mediaemu
