// A channel's encoder log: what MediaLive writes to CloudWatch Logs when a channel's LogLevel is
// not DISABLED (ML-UG working-with-logs: group "ElementalMediaLive", one stream per channel
// pipeline, one JSON record per event with a one-letter severity). The supervisor, its pipeline
// and its input write events from any thread; the telemetry thread takes them every interval
// (emulator/service_telemetry.cpp) and keeps those the channel's LogLevel admits.
//
// Bounded: past kCapacity pending events the oldest are dropped and counted, so a channel that
// flaps cannot grow memory between two drains.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace mediaemu::media {

struct ChannelLogEvent {
  int64_t time_us = 0;  // wall clock, microseconds since the epoch (the records' timestamp)
  char severity = 'I';  // 'E' error, 'W' warning, 'I' info, 'D' debug
  std::string message;
};

class ChannelLog {
 public:
  static constexpr size_t kCapacity = 1000;

  void error(std::string message) { add('E', std::move(message)); }
  void warning(std::string message) { add('W', std::move(message)); }
  void info(std::string message) { add('I', std::move(message)); }
  void debug(std::string message) { add('D', std::move(message)); }

  void add(char severity, std::string message) {
    using namespace std::chrono;
    int64_t now = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
    std::lock_guard lock(mutex_);
    if (events_.size() == kCapacity) {
      events_.pop_front();
      ++dropped_;
    }
    events_.push_back({now, severity, std::move(message)});
  }

  // Everything pending, oldest first; `dropped` gets the count lost since the last take.
  std::vector<ChannelLogEvent> take(uint64_t& dropped) {
    std::lock_guard lock(mutex_);
    std::vector<ChannelLogEvent> out(std::make_move_iterator(events_.begin()), std::make_move_iterator(events_.end()));
    events_.clear();
    dropped = dropped_;
    dropped_ = 0;
    return out;
  }

 private:
  std::mutex mutex_;
  std::deque<ChannelLogEvent> events_;
  uint64_t dropped_ = 0;
};

}  // namespace mediaemu::media
