// One thread that runs posted jobs in order: a channel supervisor's thread of control, the
// harvester's. post() never blocks (the queue is unbounded but only commands go in, a handful per
// API call), so whoever posts (an HTTP thread, the state clock) returns at once. post_at() runs a
// job at a time (a schedule action, a supervisor's periodic check) on the same thread, after the
// jobs already due; timed jobs not yet due when the worker closes are dropped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace mediaemu {

class SerialWorker {
 public:
  SerialWorker() : thread_([this] { run(); }) {}
  ~SerialWorker() { finish(); }
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  // False once finish() was called: the job is not run.
  bool post(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      if (closing_) return false;
      jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
  }
  using Clock = std::chrono::steady_clock;
  // Runs `job` once `when` has come (at once if it has). False once finish() was called.
  bool post_at(Clock::time_point when, std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      if (closing_) return false;
      timed_.emplace(when, std::move(job));
    }
    wake_.notify_one();
    return true;
  }
  // Takes no more jobs; the thread ends once what is queued has run. Never blocks.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    wake_.notify_one();
  }
  // close(), then joins the thread. Not from the worker itself.
  void finish() {
    close();
    if (thread_.joinable()) thread_.join();
  }
  // The queue ran dry after finish() was asked for: joining is immediate.
  bool done() const {
    std::lock_guard lock(mutex_);
    return done_;
  }
  std::thread::id id() const { return thread_.get_id(); }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (!closing_ && !timed_.empty() && jobs_.empty())
        wake_.wait_until(lock, timed_.begin()->first);
      else
        wake_.wait(lock, [&] { return closing_ || !jobs_.empty() || !timed_.empty(); });
      while (!closing_ && !timed_.empty() && timed_.begin()->first <= Clock::now()) {
        jobs_.push_back(std::move(timed_.begin()->second));
        timed_.erase(timed_.begin());
      }
      if (closing_) timed_.clear();  // not due yet: dropped with the worker
      if (jobs_.empty()) {
        if (closing_) break;  // closing and drained
        continue;
      }
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();  // jobs catch their own errors (ChannelSupervisor and Harvester do)
      lock.lock();
    }
    done_ = true;
  }

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  std::multimap<Clock::time_point, std::function<void()>> timed_;
  bool closing_ = false, done_ = false;
  std::thread thread_;  // last: starts after the members above exist
};

}  // namespace mediaemu
