#include "emulator/service_telemetry.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <tuple>

#include "emulator/cloudwatch/cloudwatch.hpp"
#include "emulator/logs/logs.hpp"
#include "emulator/medialive/encoder_logs.hpp"
#include "emulator/medialive/medialive.hpp"
#include "emulator/mediapackage/mediapackage.hpp"

namespace mediaemu {
namespace {

using nlohmann::json;

json dimension(const std::string& name, const std::string& value) { return {{"Name", name}, {"Value", value}}; }

json value_datum(const std::string& name, const json& dims, double value, const std::string& unit) {
  return {{"MetricName", name}, {"Dimensions", dims}, {"Value", value}, {"Unit", unit}};
}

json statistics_datum(const std::string& name, const json& dims, const api::Aggregate& a, const std::string& unit) {
  return {{"MetricName", name},
          {"Dimensions", dims},
          {"StatisticValues", {{"SampleCount", a.count}, {"Sum", a.sum}, {"Minimum", a.min}, {"Maximum", a.max}}},
          {"Unit", unit}};
}

// An endpoint's requests in one status range, or their sum over several ranges or endpoints.
struct Traffic {
  api::Aggregate bytes, response_ms, requests;
  void add(const api::TrafficSample& s) {
    bytes.merge(s.bytes);
    response_ms.merge(s.response_ms);
    // The request counts' statistic is Sum: each request counts 1.
    api::Aggregate ones;
    ones.count = ones.sum = static_cast<double>(s.requests);
    ones.min = ones.max = 1;
    requests.merge(ones);
  }
};

}  // namespace

ServiceTelemetry::ServiceTelemetry(Domain& domain, MediaHooks& media, OriginDrain origin)
    : domain_(domain), media_(media), origin_(std::move(origin)) {}

ServiceTelemetry::~ServiceTelemetry() { stop(); }

void ServiceTelemetry::start() {
  thread_ = std::thread([this] {
    auto last = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::seconds(kIntervalSeconds), [this] { return stopping_; })) {
      lock.unlock();
      auto now = std::chrono::steady_clock::now();
      try {
        sample(std::chrono::duration<double>(now - last).count());
      } catch (const std::exception& e) {
        spdlog::error("metrics: publishing AWS/MediaLive and AWS/MediaPackage datapoints failed: {}", e.what());
      }
      last = now;
      lock.lock();
    }
  });
}

void ServiceTelemetry::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ServiceTelemetry::sample(double seconds) {
  publish_medialive(seconds);
  publish_mediapackage();
  publish_access_logs();
  publish_channel_logs();
}

void ServiceTelemetry::publish_medialive(double seconds) {
  std::map<std::string, json> by_region;  // MetricDatum lists
  std::map<std::string, Previous> seen;
  for (const auto& c : media_.channel_samples()) {
    std::string region = c["region"], id = c["channel_id"], pipeline = c["pipeline"];
    json dims = json::array({dimension("ChannelId", id), dimension("Pipeline", pipeline)});
    json& data = by_region[region];
    data.push_back(value_datum("ActiveAlerts", dims, c["active_alerts"].get<double>(), "Count"));
    for (const auto& [group, outputs] : c["output_groups"].items()) {
      json group_dims = json::array({dimension("OutputGroupName", group), dimension("ChannelId", id),
                                     dimension("Pipeline", pipeline)});
      data.push_back(value_datum("ActiveOutputs", group_dims, outputs.get<double>(), "Count"));
    }
    // Rates from the counters' growth since the last round (a channel's first round is its baseline;
    // counters that went back belong to a channel made again, and start a new baseline).
    Previous now{c["media_bytes"].get<int64_t>(), c["video_frames"].get<int64_t>(), c.value("dropped_frames", int64_t{0}),
                 c.value("rtp_received", int64_t{0}), c.value("rtp_lost", int64_t{0})};
    std::string key = region + "/" + id;
    auto before = previous_.find(key);
    if (before != previous_.end() && seconds > 0 && now.media_bytes >= before->second.media_bytes &&
        now.video_frames >= before->second.video_frames) {
      double megabits = static_cast<double>(now.media_bytes - before->second.media_bytes) * 8 / 1e6;
      data.push_back(value_datum("NetworkIn", dims, megabits / seconds, "Megabits/Second"));
      if (c["ever_received"].get<bool>()) {
        double frames = static_cast<double>(now.video_frames - before->second.video_frames);
        data.push_back(value_datum("InputVideoFrameRate", dims, frames / seconds, "Count/Second"));
      }
      if (c.value("producing", false) && now.dropped_frames >= before->second.dropped_frames) {
        double dropped = static_cast<double>(now.dropped_frames - before->second.dropped_frames);
        data.push_back(value_datum("DroppedFrames", dims, dropped, "Count"));
      }
    }
    // RTP inputs' packet counts (ML-UG eml-metrics-input-metrics: Count, Sum, no datapoints without
    // an RTP input). The counters start at 0 with the input's source, so a channel's first round
    // counts from 0, and a counter that went back belongs to a new source.
    if (c.contains("rtp_received")) {
      const Previous zero{};
      const Previous& from = before != previous_.end() ? before->second : zero;
      auto growth = [](int64_t now_count, int64_t then) { return now_count >= then ? now_count - then : now_count; };
      data.push_back(value_datum("RtpPacketsReceived", dims,
                                 static_cast<double>(growth(now.rtp_received, from.rtp_received)), "Count"));
      data.push_back(value_datum("RtpPacketsLost", dims, static_cast<double>(growth(now.rtp_lost, from.rtp_lost)), "Count"));
    }
    if (c.value("producing", false) && c.contains("fill_ms"))
      data.push_back(value_datum("FillMsec", dims, c["fill_ms"].get<double>(), "Milliseconds"));
    seen[key] = now;
  }
  previous_ = std::move(seen);  // channels no longer running are forgotten
  for (const auto& [region, data] : by_region) cloudwatch::publish_service_metrics(domain_, region, "AWS/MediaLive", data);
}

void ServiceTelemetry::publish_mediapackage() {
  std::map<std::string, json> by_region;
  publish_traffic(origin_.samples(), "Egress", "OriginEndpoint", by_region);
  if (origin_.ingress) publish_traffic(origin_.ingress(), "Ingress", "IngestEndpoint", by_region);
  publish_active_inputs(by_region);
  for (const auto& [region, data] : by_region)
    cloudwatch::publish_service_metrics(domain_, region, "AWS/MediaPackage", data);
}

void ServiceTelemetry::publish_active_inputs(std::map<std::string, json>& by_region) {
  json fed = media_.mediapackage_inputs();
  if (fed.empty()) return;
  auto lock = domain_.read();
  for (const auto& f : fed) {
    const std::string region = f["region"], id = f["channel_id"];
    const int active = f["active"];
    const Record* channel = domain_.find({mediapackage::kChannel, region, id});
    if (!channel) continue;  // deleted meanwhile
    const json ingest = channel->doc.value("HlsIngest", json::object()).value("IngestEndpoints", json::array());
    for (const Record* e : domain_.list(mediapackage::kOriginEndpoint, region)) {
      if (e->doc.value("ChannelId", "") != id) continue;
      for (size_t i = 0; i < ingest.size(); ++i) {
        json dims = json::array({dimension("IngestEndpoint", ingest[i].value("Id", "")),
                                 dimension("OriginEndpoint", e->key.id)});
        by_region[region].push_back(value_datum("ActiveInput", dims, static_cast<int>(i) == active ? 1 : 0, "None"));
      }
    }
  }
}

void ServiceTelemetry::publish_traffic(const std::vector<api::TrafficSample>& samples, const std::string& direction,
                                       const std::string& endpoint_dimension, std::map<std::string, json>& by_region) {
  // Sums per dimension set, keyed by the set's values.
  std::map<std::string, std::map<std::vector<std::string>, Traffic>> channel, endpoint, range, channel_range, all, total;
  for (const auto& s : samples) {
    const std::string& r = s.region;
    channel[r][{s.channel_id}].add(s);
    endpoint[r][{s.channel_id, s.endpoint_id}].add(s);
    range[r][{s.status_range}].add(s);
    channel_range[r][{s.channel_id, s.status_range}].add(s);
    all[r][{s.channel_id, s.endpoint_id, s.status_range}].add(s);
    total[r][{}].add(s);
  }
  const std::string requests_metric = direction + "RequestCount", bytes_metric = direction + "Bytes",
                    time_metric = direction + "ResponseTime";
  auto emit = [&](const auto& sums, const std::vector<std::string>& names, bool requests, bool bytes_and_time) {
    for (const auto& [region, sets] : sums) {
      for (const auto& [values, e] : sets) {
        json dims = json::array();
        for (size_t i = 0; i < names.size(); ++i) dims.push_back(dimension(names[i], values[i]));
        json& data = by_region[region];
        if (requests) data.push_back(statistics_datum(requests_metric, dims, e.requests, "Count"));
        if (bytes_and_time && e.bytes.count > 0) data.push_back(statistics_datum(bytes_metric, dims, e.bytes, "Bytes"));
        if (bytes_and_time) data.push_back(statistics_datum(time_metric, dims, e.response_ms, "Milliseconds"));
      }
    }
  };
  emit(channel, {"Channel"}, true, true);
  emit(endpoint, {"Channel", endpoint_dimension}, true, true);
  emit(range, {"StatusCodeRange"}, true, false);
  emit(channel_range, {"Channel", "StatusCodeRange"}, true, false);
  emit(all, {"Channel", endpoint_dimension, "StatusCodeRange"}, true, false);
  for (const auto& [region, sets] : total)  // the bytes also have a no-dimension series
    for (const auto& [values, e] : sets)
      if (e.bytes.count > 0) by_region[region].push_back(statistics_datum(bytes_metric, json::array(), e.bytes, "Bytes"));
}

void ServiceTelemetry::publish_access_logs() {
  uint64_t dropped = 0;
  auto entries = origin_.access_logs(dropped);
  if (dropped) spdlog::warn("mediapackage: {} egress access log records dropped: more than {} in one interval", dropped,
                            api::Origin::kMaxPendingLogs);
  if (entries.empty()) return;
  std::map<std::tuple<std::string, std::string, std::string>, json> streams;  // region, group, stream
  for (auto& e : entries) {
    json& events = streams[{e.region, e.log_group, e.log_stream}];
    events.push_back({{"timestamp", e.timestamp_ms}, {"message", std::move(e.message)}});
  }
  auto tx = domain_.write();
  for (const auto& [where, events] : streams)
    logs::append_events(*tx, std::get<0>(where), std::get<1>(where), std::get<2>(where), events);
  tx->commit();
}

void ServiceTelemetry::publish_channel_logs() {
  json taken = media_.channel_logs();  // taken even when nothing will be kept, so it never piles up
  if (taken.empty()) return;
  std::vector<std::tuple<std::string, std::string, json>> batches;  // region, stream, events
  {
    auto lock = domain_.read();
    for (const auto& c : taken) {
      const std::string region = c["region"], id = c["channel_id"];
      const Record* channel = domain_.find({medialive::kChannel, region, id});
      if (!channel) continue;  // deleted meanwhile: its log has no channel to belong to
      const int pipeline = c["pipeline"];
      json events = medialive::encoder_log_events(channel->doc, pipeline, c["events"]);
      if (c.value("dropped", 0) > 0 && medialive::log_level_admits(channel->doc.value("LogLevel", ""), 'W'))
        spdlog::warn("medialive: channel {}: {} encoder log events dropped in one interval", id, c["dropped"].dump());
      if (!events.empty())
        batches.emplace_back(region, medialive::encoder_log_stream(channel->doc["Arn"], pipeline), std::move(events));
    }
  }
  if (batches.empty()) return;
  auto tx = domain_.write();
  for (const auto& [region, stream, events] : batches)
    logs::append_events(*tx, region, medialive::kEncoderLogGroup, stream, events);
  tx->commit();
}

}  // namespace mediaemu
