// The in-memory resource table every service works on, its write transactions and the
// lifecycle clock.
//
// - Reads take a shared lock; writes a unique one through Tx, which snapshots what it touches:
//   a handler that throws half-way leaves nothing behind, and commit() writes the whole change
//   to SQLite before the API answers.
// - Lifecycle transitions (CREATING -> IDLE, STARTING -> RUNNING, ...) are scheduled with a due
//   time and applied by the clock thread when due, whether or not anyone reads. Every read or
//   write first applies what is already due, so with --state-delay 0 the very next call sees the
//   settled state and botocore waiters return at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <optional>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "emulator/clock.hpp"
#include "emulator/config.hpp"
#include "emulator/store.hpp"

namespace mediaemu {

class Domain;

// A write transaction. Holds the domain's unique lock for its lifetime.
class Tx {
 public:
  ~Tx();  // rolls back unless committed
  Tx(Tx&&) = delete;

  const Record* find(const Key& key) const;
  Record& create(Key key, json doc, json internal = json::object());
  Record& modify(const Key& key);  // the record must exist
  void remove(const Key& key);
  // Puts the record in `to` after `delay_ms` (the configured --state-delay when omitted).
  // Replaces any pending transition of that record.
  void schedule(const Key& key, const std::string& to, std::optional<int64_t> delay_ms = std::nullopt);
  void cancel_transition(const Key& key);
  // Unique, never reused: "1234567"-style numbers from a persisted counter.
  std::string next_number(const std::string& counter, int64_t first);
  // Runs after the change is durable and the lock is released (start media, log, ...).
  void after_commit(std::function<void()> fn);
  void commit();

  Domain& domain() { return domain_; }
  int64_t now_ms() const;

 private:
  friend class Domain;
  explicit Tx(Domain& d);
  void touch(const Key& key);

  Domain& domain_;
  std::unique_lock<std::shared_mutex> lock_;
  std::map<Key, std::optional<Record>> originals_;  // nullopt: did not exist before
  std::map<std::string, int64_t> counters_;
  std::vector<std::function<void()>> after_;
  bool committed_ = false;
};

class Domain {
 public:
  // Called when a scheduled transition comes due. The default sets doc["State"] = to.
  using TransitionHook = std::function<void(Tx& tx, const Key& key, const std::string& to)>;

  Domain(const Config& config, Store& store, const Clock& clock);
  ~Domain();

  const Config& config() const { return config_; }
  const Clock& clock() const { return clock_; }

  // Loads every record and resolves interrupted transitions through their hooks (a channel
  // left STARTING by a crash comes back RUNNING). Call once, after hooks are registered.
  void load();
  // Starts the thread that applies transitions when due (not used by unit tests with a ManualClock).
  void start_clock();
  void stop_clock();
  // Applies every transition due at the clock's now. Returns how many were applied.
  int apply_due();

  void on_transition(const std::string& kind, TransitionHook hook);

  // A number that grows with every call. Taken with the lock held (a Tx or read()), it orders
  // changes the way they were committed, even when their after-commit hooks run in another order
  // on different threads (the media side drops a lifecycle command older than one it applied).
  uint64_t next_sequence() { return ++sequence_; }

  std::shared_lock<std::shared_mutex> read();
  std::unique_ptr<Tx> write();

  // With a lock held (read() or a Tx):
  const Record* find(const Key& key) const;
  const Record* find_by_arn(const std::string& arn) const;
  // Records of a kind in a region, ordered by id.
  std::vector<const Record*> list(const std::string& kind, const std::string& region) const;
  std::vector<const Record*> list_all(const std::string& kind) const;

 private:
  friend class Tx;
  void index(const Record& r);
  void unindex(const Record& r);
  void apply_due_locked(Tx& tx, int64_t now);
  void clock_loop();

  const Config& config_;
  Store& store_;
  const Clock& clock_;
  mutable std::shared_mutex mutex_;
  std::map<Key, Record> records_;
  std::unordered_map<std::string, Key> by_arn_;
  std::set<std::pair<int64_t, Key>> due_;  // (due ms, record)
  std::atomic<int64_t> next_due_{INT64_MAX};
  std::unordered_map<std::string, TransitionHook> hooks_;
  std::atomic<uint64_t> sequence_{0};

  std::mutex clock_mutex_;
  std::condition_variable clock_cv_;
  std::thread clock_thread_;
  bool clock_stop_ = false;
};

}  // namespace mediaemu
