// SerialWorker (emulator/serial_worker.hpp): posted jobs in order, timed jobs at their time on the
// same thread, and timed jobs not yet due dropped when the worker closes.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "emulator/serial_worker.hpp"

using namespace mediaemu;
using namespace std::chrono_literals;

TEST_CASE("timed jobs run at their time, in time order, on the worker's thread", "[serial_worker]") {
  std::mutex mutex;
  std::vector<std::string> ran;
  std::vector<std::thread::id> threads;
  auto note = [&](const std::string& what) {
    std::lock_guard lock(mutex);
    ran.push_back(what);
    threads.push_back(std::this_thread::get_id());
  };
  SerialWorker worker;
  const auto t0 = SerialWorker::Clock::now();
  SerialWorker::Clock::time_point late_at{};
  worker.post_at(t0 + 120ms, [&] {
    late_at = SerialWorker::Clock::now();
    note("late");
  });
  worker.post_at(t0 + 40ms, [&] { note("early"); });
  worker.post([&] { note("now"); });
  worker.post_at(t0 - 1s, [&] { note("overdue"); });  // already due: runs at once
  for (int i = 0; i < 2000; ++i) {
    {
      std::lock_guard lock(mutex);
      if (ran.size() == 4) break;
    }
    std::this_thread::sleep_for(1ms);
  }
  worker.finish();
  REQUIRE(ran == std::vector<std::string>{"now", "overdue", "early", "late"});
  CHECK(late_at - t0 >= 120ms);  // never before its time (how much later is the machine's business)
  for (auto id : threads) CHECK(id == threads.front());
  CHECK(threads.front() != std::this_thread::get_id());
}

TEST_CASE("a closing worker drops timed jobs that are not due and takes no new ones", "[serial_worker]") {
  std::atomic<int> ran{0};
  SerialWorker worker;
  worker.post_at(SerialWorker::Clock::now() + 10s, [&] { ++ran; });
  worker.post([&] { ++ran; });
  worker.finish();  // returns without waiting 10 s
  CHECK(ran == 1);
  CHECK(worker.done());
  CHECK_FALSE(worker.post([&] { ++ran; }));
  CHECK_FALSE(worker.post_at(SerialWorker::Clock::now(), [&] { ++ran; }));
}
