#include "emulator/domain.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace mediaemu {
namespace {
constexpr const char* kTransition = "transition";
}

// ---- Tx ------------------------------------------------------------------------------------

Tx::Tx(Domain& d) : domain_(d), lock_(d.mutex_) {}

Tx::~Tx() {
  if (committed_) return;
  // Roll back: put every touched record back as it was, with its indexes.
  for (auto& [key, original] : originals_) {
    if (auto it = domain_.records_.find(key); it != domain_.records_.end()) {
      domain_.unindex(it->second);
      domain_.records_.erase(it);
    }
    if (original) {
      auto& r = domain_.records_[key] = std::move(*original);
      domain_.index(r);
    }
  }
}

int64_t Tx::now_ms() const { return domain_.clock_.now_ms(); }

void Tx::touch(const Key& key) {
  if (originals_.count(key)) return;
  auto it = domain_.records_.find(key);
  originals_[key] = it == domain_.records_.end() ? std::nullopt : std::optional<Record>(it->second);
}

const Record* Tx::find(const Key& key) const { return domain_.find(key); }

Record& Tx::create(Key key, json doc, json internal) {
  if (domain_.records_.count(key)) throw std::logic_error("record exists: " + key.str());
  touch(key);
  auto& r = domain_.records_[key];
  r = Record{key, std::move(doc), internal.is_object() ? std::move(internal) : json::object()};
  domain_.index(r);
  return r;
}

Record& Tx::modify(const Key& key) {
  auto it = domain_.records_.find(key);
  if (it == domain_.records_.end()) throw std::logic_error("no record: " + key.str());
  touch(key);
  // The ARN never changes, but re-indexing keeps the index honest if a doc gains one.
  return it->second;
}

void Tx::remove(const Key& key) {
  auto it = domain_.records_.find(key);
  if (it == domain_.records_.end()) return;
  touch(key);
  domain_.unindex(it->second);
  domain_.records_.erase(it);
}

void Tx::schedule(const Key& key, const std::string& to, std::optional<int64_t> delay_ms) {
  Record& r = modify(key);
  domain_.unindex(r);  // drops the old due entry
  int64_t due = now_ms() + delay_ms.value_or(domain_.config_.state_delay_ms);
  r.internal[kTransition] = {{"to", to}, {"due", due}};
  domain_.index(r);
}

void Tx::cancel_transition(const Key& key) {
  Record& r = modify(key);
  domain_.unindex(r);
  r.internal.erase(kTransition);
  domain_.index(r);
}

std::string Tx::next_number(const std::string& counter, int64_t first) {
  int64_t value;
  if (auto it = counters_.find(counter); it != counters_.end()) {
    value = it->second;
  } else if (auto stored = domain_.store_.meta("counter:" + counter)) {
    value = std::stoll(*stored);
  } else {
    value = first;
  }
  counters_[counter] = value + 1;
  return std::to_string(value);
}

void Tx::after_commit(std::function<void()> fn) { after_.push_back(std::move(fn)); }

void Tx::commit() {
  Batch batch;
  for (const auto& [key, original] : originals_) {
    auto it = domain_.records_.find(key);
    if (it != domain_.records_.end()) {
      batch.upserts.push_back(&it->second);
    } else if (original) {
      batch.deletes.push_back(key);
    }
  }
  for (const auto& [name, value] : counters_) batch.meta.emplace_back("counter:" + name, std::to_string(value));
  domain_.store_.commit(batch);  // throws: the destructor rolls the memory back
  committed_ = true;
  bool wake_clock = false;
  for (const auto& [key, original] : originals_) {
    auto it = domain_.records_.find(key);
    if (it != domain_.records_.end() && it->second.internal.contains(kTransition)) wake_clock = true;
  }
  domain_.next_due_ = domain_.due_.empty() ? INT64_MAX : domain_.due_.begin()->first;
  lock_.unlock();
  if (wake_clock) domain_.clock_cv_.notify_all();
  for (auto& fn : after_) {
    try {
      fn();
    } catch (const std::exception& e) {
      spdlog::error("after-commit action failed: {}", e.what());
    }
  }
}

// ---- Domain --------------------------------------------------------------------------------

Domain::Domain(const Config& config, Store& store, const Clock& clock) : config_(config), store_(store), clock_(clock) {}

Domain::~Domain() { stop_clock(); }

void Domain::index(const Record& r) {
  if (auto arn = r.doc.find("Arn"); arn != r.doc.end() && arn->is_string()) by_arn_[arn->get<std::string>()] = r.key;
  if (auto t = r.internal.find(kTransition); t != r.internal.end()) due_.insert({(*t)["due"].get<int64_t>(), r.key});
}

void Domain::unindex(const Record& r) {
  if (auto arn = r.doc.find("Arn"); arn != r.doc.end() && arn->is_string()) {
    auto it = by_arn_.find(arn->get<std::string>());
    if (it != by_arn_.end() && it->second == r.key) by_arn_.erase(it);
  }
  if (auto t = r.internal.find(kTransition); t != r.internal.end()) due_.erase({(*t)["due"].get<int64_t>(), r.key});
}

void Domain::on_transition(const std::string& kind, TransitionHook hook) { hooks_[kind] = std::move(hook); }

void Domain::load() {
  std::vector<Record> loaded = store_.load_all();
  {
    std::unique_lock lock(mutex_);
    for (auto& r : loaded) {
      // A crash interrupted these transitions; settle them now rather than after the delay.
      // Purges (to == "") keep their time: a DELETED resource stays describable for a while.
      if (auto t = r.internal.find(kTransition); t != r.internal.end() && (*t)["to"] != "") {
        (*t)["due"] = clock_.now_ms();
      }
      auto& stored = records_[r.key] = std::move(r);
      index(stored);
    }
    next_due_ = due_.empty() ? INT64_MAX : due_.begin()->first;
  }
  int settled = apply_due();
  spdlog::info("state: loaded {} resources, settled {} interrupted transitions", loaded.size(), settled);
}

int Domain::apply_due() {
  int64_t now = clock_.now_ms();
  if (next_due_.load() > now) return 0;
  Tx tx(*this);
  int applied = 0;
  // Bounded: a hook that keeps scheduling zero-delay transitions must not spin forever.
  for (int guard = 0; guard < 100000 && !due_.empty() && due_.begin()->first <= now; ++guard) {
    Key key = due_.begin()->second;
    Record& r = tx.modify(key);
    unindex(r);
    std::string to = r.internal[kTransition]["to"].get<std::string>();
    r.internal.erase(kTransition);
    index(r);
    if (to.empty()) {
      tx.remove(key);  // a purge: the resource's DELETED grace period is over
    } else if (auto hook = hooks_.find(key.kind); hook != hooks_.end()) {
      hook->second(tx, key, to);
    } else {
      r.doc["State"] = to;
    }
    ++applied;
  }
  tx.commit();
  return applied;
}

void Domain::start_clock() {
  clock_stop_ = false;
  clock_thread_ = std::thread([this] { clock_loop(); });
}

void Domain::stop_clock() {
  {
    std::lock_guard lock(clock_mutex_);
    clock_stop_ = true;
  }
  clock_cv_.notify_all();
  if (clock_thread_.joinable()) clock_thread_.join();
}

void Domain::clock_loop() {
  std::unique_lock lock(clock_mutex_);
  while (!clock_stop_) {
    int64_t wait_ms = std::min<int64_t>(next_due_.load() - clock_.now_ms(), 1000);
    if (wait_ms > 0) {
      clock_cv_.wait_for(lock, std::chrono::milliseconds(wait_ms));
      continue;
    }
    lock.unlock();
    try {
      apply_due();
    } catch (const std::exception& e) {
      spdlog::error("state clock: applying transitions failed: {}", e.what());
    }
    lock.lock();
  }
}

std::shared_lock<std::shared_mutex> Domain::read() {
  if (next_due_.load() <= clock_.now_ms()) apply_due();
  return std::shared_lock(mutex_);
}

std::unique_ptr<Tx> Domain::write() {
  if (next_due_.load() <= clock_.now_ms()) apply_due();
  return std::unique_ptr<Tx>(new Tx(*this));
}

const Record* Domain::find(const Key& key) const {
  auto it = records_.find(key);
  return it == records_.end() ? nullptr : &it->second;
}

const Record* Domain::find_by_arn(const std::string& arn) const {
  auto it = by_arn_.find(arn);
  return it == by_arn_.end() ? nullptr : find(it->second);
}

std::vector<const Record*> Domain::list(const std::string& kind, const std::string& region) const {
  std::vector<const Record*> out;
  for (auto it = records_.lower_bound(Key{kind, region, ""}); it != records_.end(); ++it) {
    if (it->first.kind != kind || it->first.region != region) break;
    out.push_back(&it->second);
  }
  return out;
}

std::vector<const Record*> Domain::list_all(const std::string& kind) const {
  std::vector<const Record*> out;
  for (auto it = records_.lower_bound(Key{kind, "", ""}); it != records_.end() && it->first.kind == kind; ++it) {
    out.push_back(&it->second);
  }
  return out;
}

}  // namespace mediaemu
