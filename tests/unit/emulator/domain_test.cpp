// The domain's promises: a transaction is all or nothing and durable on commit; transitions are
// applied by the clock whether or not anyone reads; a restart settles interrupted transitions.
#include <catch2/catch.hpp>

#include <filesystem>

#include "emulator/domain.hpp"

using namespace mediaemu;

namespace {
struct Env {
  Config config;
  ManualClock clock;
  std::filesystem::path db = std::filesystem::temp_directory_path() / ("domain-test-" + std::to_string(::getpid()) + ".db");
  std::unique_ptr<Store> store = std::make_unique<Store>(db);
  std::unique_ptr<Domain> domain = std::make_unique<Domain>(config, *store, clock);
  Key key{"test:thing", "us-east-1", "1"};

  ~Env() {
    domain.reset();
    store.reset();
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
  }
  void reopen() {
    domain.reset();
    store = std::make_unique<Store>(db);
    domain = std::make_unique<Domain>(config, *store, clock);
    domain->load();
  }
};
}  // namespace

TEST_CASE("a transaction that is not committed leaves nothing behind") {
  Env env;
  {
    auto tx = env.domain->write();
    tx->create(env.key, {{"Arn", "arn:x"}, {"State", "CREATING"}});
    tx->schedule(env.key, "IDLE", 0);
  }  // no commit
  auto lock = env.domain->read();
  CHECK(env.domain->find(env.key) == nullptr);
  CHECK(env.domain->find_by_arn("arn:x") == nullptr);
}

TEST_CASE("a rolled-back modification restores the record, its index and its transition") {
  Env env;
  {
    auto tx = env.domain->write();
    tx->create(env.key, {{"Arn", "arn:x"}, {"State", "A"}});
    tx->schedule(env.key, "B", 1000);
    tx->commit();
  }
  {
    auto tx = env.domain->write();
    tx->modify(env.key).doc["State"] = "Z";
    tx->cancel_transition(env.key);
    tx->remove(env.key);
  }
  env.clock.advance(1000);
  CHECK(env.domain->apply_due() == 1);
  auto lock = env.domain->read();
  REQUIRE(env.domain->find_by_arn("arn:x"));
  CHECK(env.domain->find(env.key)->doc["State"] == "B");
}

TEST_CASE("transitions come due by the clock, and hooks decide what they mean") {
  Env env;
  std::vector<std::string> seen;
  env.domain->on_transition("test:thing", [&](Tx& tx, const Key& k, const std::string& to) {
    seen.push_back(to);
    tx.modify(k).doc["State"] = to;
    if (to == "STARTING") tx.schedule(k, "RUNNING", 500);
  });
  {
    auto tx = env.domain->write();
    tx->create(env.key, {{"State", "IDLE"}});
    tx->schedule(env.key, "STARTING", 100);
    tx->commit();
  }
  CHECK(env.domain->apply_due() == 0);
  env.clock.advance(100);
  CHECK(env.domain->apply_due() == 1);
  env.clock.advance(499);
  CHECK(env.domain->apply_due() == 0);
  env.clock.advance(1);
  CHECK(env.domain->apply_due() == 1);
  CHECK(seen == std::vector<std::string>{"STARTING", "RUNNING"});
}

TEST_CASE("reads see transitions that are already due") {
  Env env;
  {
    auto tx = env.domain->write();
    tx->create(env.key, {{"State", "CREATING"}});
    tx->schedule(env.key, "IDLE", 0);
    tx->commit();
  }
  auto lock = env.domain->read();  // applies what is due first
  CHECK(env.domain->find(env.key)->doc["State"] == "IDLE");
}

TEST_CASE("committed changes survive a restart, and interrupted transitions settle at once") {
  Env env;
  {
    auto tx = env.domain->write();
    tx->create(env.key, {{"State", "STARTING"}}, {{"secret", 7}});
    tx->schedule(env.key, "RUNNING", 60'000);
    tx->create({"test:thing", "eu-west-1", "2"}, {{"State", "DELETED"}});
    tx->schedule({"test:thing", "eu-west-1", "2"}, "", 60'000);  // a purge keeps its time
    CHECK(tx->next_number("ids", 100) == "100");
    CHECK(tx->next_number("ids", 100) == "101");
    tx->commit();
  }
  env.reopen();
  {
    auto lock = env.domain->read();
    REQUIRE(env.domain->find(env.key));
    CHECK(env.domain->find(env.key)->doc["State"] == "RUNNING");
    CHECK(env.domain->find(env.key)->internal["secret"] == 7);
    CHECK(env.domain->find({"test:thing", "eu-west-1", "2"}));
    CHECK(env.domain->list("test:thing", "us-east-1").size() == 1);
    CHECK(env.domain->list_all("test:thing").size() == 2);
  }
  auto tx = env.domain->write();
  CHECK(tx->next_number("ids", 100) == "102");
}
