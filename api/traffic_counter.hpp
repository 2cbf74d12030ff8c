// Requests counted the way MediaPackage's CloudWatch metrics count them: per channel, endpoint
// (an origin endpoint for egress, an ingest endpoint for ingress) and status range, with the
// bytes of each successful request and each request's response time. The origin counts what
// viewers fetch (Egress*), the HLS ingest door what encoders upload (Ingress*); the telemetry
// thread drains both (emulator/service_telemetry).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace mediaemu::api {

// SampleCount, Sum, Minimum and Maximum of some values (CloudWatch's StatisticValues).
struct Aggregate {
  double count = 0, sum = 0, min = 0, max = 0;
  void add(double v) {
    min = count == 0 ? v : std::min(min, v);
    max = count == 0 ? v : std::max(max, v);
    ++count;
    sum += v;
  }
  void merge(const Aggregate& o) {
    if (o.count == 0) return;
    min = count == 0 ? o.min : std::min(min, o.min);
    max = count == 0 ? o.max : std::max(max, o.max);
    count += o.count;
    sum += o.sum;
  }
};

// What one endpoint answered with one status range ("2xx", "3xx", "4xx", "5xx") since the last drain.
struct TrafficSample {
  std::string region, channel_id, endpoint_id, status_range;
  Aggregate bytes;        // body bytes per request (successful requests only, as *Bytes count)
  Aggregate response_ms;  // milliseconds to answer each request
  uint64_t requests = 0;
};

class TrafficCounter {
 public:
  // One request: `bytes` is the body sent (egress) or taken (ingress), counted only for a 2xx.
  void count(const std::string& region, const std::string& channel_id, const std::string& endpoint_id, int status,
             size_t bytes, double response_ms) {
    std::string range = std::to_string(std::clamp(status / 100, 2, 5)) + "xx";
    std::lock_guard lock(mutex_);
    TrafficSample& s = samples_[region + '\n' + channel_id + '\n' + endpoint_id + '\n' + range];
    if (s.requests == 0) s = {region, channel_id, endpoint_id, range, {}, {}, 0};
    ++s.requests;
    s.response_ms.add(response_ms);
    if (status < 300) s.bytes.add(static_cast<double>(bytes));
  }

  // The samples gathered since the last call, which starts new ones.
  std::vector<TrafficSample> take() {
    std::map<std::string, TrafficSample> taken;
    {
      std::lock_guard lock(mutex_);
      taken.swap(samples_);
    }
    std::vector<TrafficSample> out;
    for (auto& [key, s] : taken) out.push_back(std::move(s));
    return out;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, TrafficSample> samples_;  // by region, channel, endpoint and status range
};

}  // namespace mediaemu::api
