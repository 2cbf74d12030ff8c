// ServiceTelemetry turns channel samples and origin aggregates into CloudWatch series (rates from
// counter growth, the documented dimension sets, nothing for an idle origin) and access log
// records into CloudWatch Logs events.
#include <catch2/catch.hpp>

#include "emulator/cloudwatch/cloudwatch.hpp"
#include "emulator/logs/logs.hpp"
#include "emulator/medialive/encoder_logs.hpp"
#include "emulator/medialive/medialive.hpp"
#include "emulator/mediapackage/mediapackage.hpp"
#include "emulator/service_telemetry.hpp"
#include "emulator/store.hpp"

using namespace mediaemu;
using nlohmann::json;

namespace {

class SampledMedia : public MediaHooks {
 public:
  json channel_samples() override { return samples; }
  json channel_logs() override { return std::exchange(logs, json::array()); }
  json mediapackage_inputs() override { return inputs; }
  json samples = json::array();
  json inputs = json::array();
  json logs = json::array();
};

json channel_sample(int64_t bytes, int64_t frames, int alerts) {
  return {{"region", "us-east-1"}, {"channel_id", "1234567"}, {"pipeline", "0"}, {"active_alerts", alerts},
          {"receiving", alerts == 0}, {"ever_received", frames > 0}, {"media_bytes", bytes},
          {"video_frames", frames}, {"output_groups", {{"mp", alerts == 0 ? 3 : 0}}}};
}

struct Fixture {
  Config config;
  ManualClock clock;
  Store store{":memory:"};
  Domain domain{config, store, clock};
  SampledMedia media;
  std::vector<api::TrafficSample> egress, ingress;
  std::vector<api::AccessLogEntry> access_logs;
  ServiceTelemetry metrics{domain, media,
                           {[this] { return std::exchange(egress, {}); },
                            [this](uint64_t& dropped) {
                              dropped = 0;
                              return std::exchange(access_logs, {});
                            },
                            [this] { return std::exchange(ingress, {}); }}};

  // The series' points as [time, count, sum, min, max, unit]; empty when there is no series.
  json points(const std::string& ns, const std::string& name, const json& dims) {
    auto lock = domain.read();
    const Record* r = domain.find({cloudwatch::kSeries, "us-east-1", cloudwatch::series_id(ns, name, dims)});
    return r ? r->internal["points"] : json::array();
  }
};

json dims(std::initializer_list<std::pair<const char*, const char*>> pairs) {
  json out = json::array();
  for (const auto& [k, v] : pairs) out.push_back({{"Name", k}, {"Value", v}});
  return out;
}

api::TrafficSample egress_sample(const std::string& status_range) {
  api::TrafficSample s;
  s.region = "us-east-1";
  s.channel_id = "live";
  s.endpoint_id = "live-hls";
  s.status_range = status_range;
  return s;
}

}  // namespace

TEST_CASE_METHOD(Fixture, "service telemetry: MediaLive rates come from counter growth between rounds") {
  auto channel = dims({{"ChannelId", "1234567"}, {"Pipeline", "0"}});
  media.samples = json::array({channel_sample(0, 0, 1)});
  metrics.sample(10);
  CHECK(points("AWS/MediaLive", "ActiveAlerts", channel).size() == 1);
  CHECK(points("AWS/MediaLive", "NetworkIn", channel).empty());  // the first round is the baseline

  media.samples = json::array({channel_sample(2'500'000, 300, 0)});
  metrics.sample(10);
  auto network = points("AWS/MediaLive", "NetworkIn", channel);
  REQUIRE(network.size() == 1);
  CHECK(network[0][2].get<double>() == Approx(2.0));  // 2.5 MB in 10 s = 2 Mb/s
  CHECK(network[0][5] == "Megabits/Second");
  auto fps = points("AWS/MediaLive", "InputVideoFrameRate", channel);
  REQUIRE(fps.size() == 1);
  CHECK(fps[0][2].get<double>() == Approx(30.0));
  auto alerts = points("AWS/MediaLive", "ActiveAlerts", channel);
  CHECK(alerts.back()[2] == 0);
  auto outputs = points("AWS/MediaLive", "ActiveOutputs", dims({{"OutputGroupName", "mp"}, {"ChannelId", "1234567"},
                                                                {"Pipeline", "0"}}));
  CHECK(outputs.back()[2] == 3);

  // The channel was deleted and made again: its counters start over, a new baseline, no negative rate.
  media.samples = json::array({channel_sample(1000, 10, 0)});
  metrics.sample(10);
  CHECK(points("AWS/MediaLive", "NetworkIn", channel).size() == 1);
}

TEST_CASE_METHOD(Fixture, "service telemetry: MediaPackage egress in every documented dimension set") {
  api::TrafficSample ok = egress_sample("2xx");
  ok.requests = 3;
  for (double b : {100.0, 200.0, 300.0}) ok.bytes.add(b), ok.response_ms.add(1);
  api::TrafficSample missing = egress_sample("4xx");
  missing.requests = 2;
  missing.response_ms.add(1), missing.response_ms.add(1);
  egress = {ok, missing};
  metrics.sample(10);

  auto sum = [&](const json& d, const char* name = "EgressRequestCount") {
    auto p = points("AWS/MediaPackage", name, d);
    return p.empty() ? -1.0 : p[0][2].get<double>();
  };
  CHECK(sum(dims({{"Channel", "live"}})) == 5);
  CHECK(sum(dims({{"Channel", "live"}, {"OriginEndpoint", "live-hls"}})) == 5);
  CHECK(sum(dims({{"StatusCodeRange", "4xx"}})) == 2);
  CHECK(sum(dims({{"Channel", "live"}, {"StatusCodeRange", "2xx"}})) == 3);
  CHECK(sum(dims({{"Channel", "live"}, {"OriginEndpoint", "live-hls"}, {"StatusCodeRange", "4xx"}})) == 2);
  CHECK(sum(dims({{"Channel", "live"}}), "EgressBytes") == 600);
  CHECK(sum(json::array(), "EgressBytes") == 600);
  auto bytes = points("AWS/MediaPackage", "EgressBytes", dims({{"Channel", "live"}}));
  CHECK(bytes[0][1] == 3);  // SampleCount: one per successful request
  CHECK(bytes[0][3] == 100);
  CHECK(bytes[0][4] == 300);
  CHECK(sum(dims({{"Channel", "live"}}), "EgressResponseTime") == 5);

  metrics.sample(10);  // no requests since: no datapoints (AWS gives none for an idle interval)
  CHECK(points("AWS/MediaPackage", "EgressRequestCount", dims({{"Channel", "live"}})).size() == 1);
}

TEST_CASE_METHOD(Fixture, "service telemetry: MediaPackage ingress per channel and ingest endpoint") {
  api::TrafficSample uploads = egress_sample("2xx");
  uploads.endpoint_id = "ingest-guid-1";
  uploads.requests = 2;
  for (double b : {1000.0, 3000.0}) uploads.bytes.add(b), uploads.response_ms.add(2);
  api::TrafficSample challenged = uploads;  // the digest challenge before each: a 4xx, no bytes
  challenged.status_range = "4xx";
  challenged.bytes = {};
  ingress = {uploads, challenged};
  metrics.sample(10);

  auto sum = [&](const json& d, const char* name) {
    auto p = points("AWS/MediaPackage", name, d);
    return p.empty() ? -1.0 : p[0][2].get<double>();
  };
  auto endpoint = dims({{"Channel", "live"}, {"IngestEndpoint", "ingest-guid-1"}});
  CHECK(sum(endpoint, "IngressRequestCount") == 4);
  CHECK(sum(dims({{"Channel", "live"}, {"IngestEndpoint", "ingest-guid-1"}, {"StatusCodeRange", "4xx"}}),
            "IngressRequestCount") == 2);
  CHECK(sum(endpoint, "IngressBytes") == 4000);
  CHECK(points("AWS/MediaPackage", "IngressBytes", endpoint)[0][1] == 2);  // one sample per upload
  CHECK(sum(json::array(), "IngressBytes") == 4000);
  CHECK(sum(dims({{"Channel", "live"}}), "IngressResponseTime") == 8);
  CHECK(points("AWS/MediaPackage", "EgressRequestCount", dims({{"Channel", "live"}})).empty());  // not egress
}

TEST_CASE_METHOD(Fixture, "service telemetry: ActiveInput is 1 for the ingest endpoint in use, per origin endpoint") {
  {
    auto tx = domain.write();
    tx->create({mediapackage::kChannel, "us-east-1", "live"},
               {{"Id", "live"}, {"HlsIngest", {{"IngestEndpoints", {{{"Id", "in-a"}}, {{"Id", "in-b"}}}}}}});
    tx->create({mediapackage::kOriginEndpoint, "us-east-1", "live-hls"}, {{"Id", "live-hls"}, {"ChannelId", "live"}});
    tx->create({mediapackage::kOriginEndpoint, "us-east-1", "other"}, {{"Id", "other"}, {"ChannelId", "elsewhere"}});
    tx->commit();
  }
  media.inputs = json::array({{{"region", "us-east-1"}, {"channel_id", "live"}, {"active", 1}},
                              {{"region", "us-east-1"}, {"channel_id", "gone"}, {"active", 0}}});
  metrics.sample(10);
  auto value = [&](const char* ingest, const char* endpoint) {
    auto p = points("AWS/MediaPackage", "ActiveInput", dims({{"IngestEndpoint", ingest}, {"OriginEndpoint", endpoint}}));
    return p.empty() ? -1.0 : p.back()[2].get<double>();
  };
  CHECK(value("in-b", "live-hls") == 1);
  CHECK(value("in-a", "live-hls") == 0);
  CHECK(value("in-a", "other") == -1);  // another channel's endpoint: no series

  media.inputs[0]["active"] = -1;  // an ingest origin none of whose URLs has delivered yet
  clock.advance(10'000);
  metrics.sample(10);
  CHECK(value("in-b", "live-hls") == 0);
}

TEST_CASE_METHOD(Fixture, "service telemetry: access log records land in their group, one stream per channel") {
  access_logs = {{"us-east-1", "/aws/MediaPackage/EgressAccessLogs", "live", 1'700'000'000'000, R"({"statusCode":"200"})"},
                 {"us-east-1", "/aws/MediaPackage/EgressAccessLogs", "live", 1'700'000'000'500, R"({"statusCode":"404"})"}};
  metrics.sample(10);
  auto lock = domain.read();
  CHECK(domain.find(logs::group_key("us-east-1", "/aws/MediaPackage/EgressAccessLogs")) != nullptr);
  const Record* stream = domain.find(logs::stream_key("us-east-1", "/aws/MediaPackage/EgressAccessLogs", "live"));
  REQUIRE(stream != nullptr);
  REQUIRE(stream->internal["events"].size() == 2);
  CHECK(stream->internal["events"][1][1] == R"({"statusCode":"404"})");
  CHECK(stream->doc["lastEventTimestamp"] == 1'700'000'000'500);
}

TEST_CASE_METHOD(Fixture, "service telemetry: encoder log events land in ElementalMediaLive as the LogLevel admits") {
  const std::string arn = "arn:aws:medialive:us-east-1:123456789012:channel:1234567";
  auto add_channel = [&](const std::string& id, const std::string& level) {
    auto tx = domain.write();
    tx->create({medialive::kChannel, "us-east-1", id},
               {{"Id", id}, {"Arn", "arn:aws:medialive:us-east-1:123456789012:channel:" + id}, {"LogLevel", level}});
    tx->commit();
  };
  add_channel("1234567", "WARNING");
  add_channel("7654321", "DISABLED");
  auto events = json::array({{{"time_us", 1'700'000'000'123'456}, {"severity", "I"}, {"message", "Channel running"}},
                             {{"time_us", 1'700'000'001'000'000}, {"severity", "W"}, {"message", "Input lost: EOF"}},
                             {{"time_us", 1'700'000'002'000'000}, {"severity", "E"}, {"message", "start failed"}},
                             {{"time_us", 1'700'000'003'000'000}, {"severity", "D"}, {"message", "metadata"}}});
  media.logs = json::array({{{"region", "us-east-1"}, {"channel_id", "1234567"}, {"pipeline", 0}, {"events", events}, {"dropped", 0}},
                            {{"region", "us-east-1"}, {"channel_id", "7654321"}, {"pipeline", 0}, {"events", events}, {"dropped", 0}},
                            {{"region", "us-east-1"}, {"channel_id", "9999999"}, {"pipeline", 0}, {"events", events}, {"dropped", 0}}});
  metrics.sample(10);
  auto lock = domain.read();
  const Record* stream =
      domain.find(logs::stream_key("us-east-1", "ElementalMediaLive", "arn_aws_medialive_us-east-1_123456789012_channel_1234567_0"));
  REQUIRE(stream != nullptr);
  const json& stored = stream->internal["events"];
  REQUIRE(stored.size() == 2);  // WARNING keeps W and E, not I or D
  CHECK(stored[0][0] == 1'700'000'001'000);
  json record = json::parse(stored[0][1].get<std::string>());
  CHECK(record == json{{"encoder_pipeline", 0}, {"severity", "W"}, {"timestamp", "2023-11-14T22:13:21.000000"},
                       {"channel_arn", arn}, {"logger_name", ""}, {"message", "Input lost: EOF"}});
  CHECK(json::parse(stored[1][1].get<std::string>())["severity"] == "E");
  // DISABLED writes nothing, and neither does a channel deleted meanwhile.
  CHECK(domain.find(logs::stream_key("us-east-1", "ElementalMediaLive",
                                     "arn_aws_medialive_us-east-1_123456789012_channel_7654321_0")) == nullptr);
  CHECK(domain.list(logs::kStream, "us-east-1").size() == 1);
}

TEST_CASE("encoder logs: each LogLevel admits its severity and the ones above it") {
  CHECK(medialive::log_level_admits("DEBUG", 'D'));
  CHECK(medialive::log_level_admits("INFO", 'I'));
  CHECK_FALSE(medialive::log_level_admits("INFO", 'D'));
  CHECK(medialive::log_level_admits("ERROR", 'E'));
  CHECK_FALSE(medialive::log_level_admits("ERROR", 'W'));
  CHECK_FALSE(medialive::log_level_admits("DISABLED", 'E'));
  CHECK_FALSE(medialive::log_level_admits("", 'E'));
}

TEST_CASE_METHOD(Fixture, "service telemetry: DroppedFrames and FillMsec only while the channel produces output") {
  auto channel = dims({{"ChannelId", "1234567"}, {"Pipeline", "0"}});
  auto sample = [](int64_t dropped, int64_t fill_ms, bool producing) {
    json s = channel_sample(1000, 30, 0);
    s["producing"] = producing;
    s["dropped_frames"] = dropped;
    s["fill_ms"] = fill_ms;
    return s;
  };
  media.samples = json::array({sample(2, 0, true)});
  metrics.sample(10);
  CHECK(points("AWS/MediaLive", "DroppedFrames", channel).empty());  // the baseline round
  REQUIRE(points("AWS/MediaLive", "FillMsec", channel).size() == 1);

  clock.advance(10'000);
  media.samples = json::array({sample(5, 1500, true)});
  metrics.sample(10);
  auto dropped = points("AWS/MediaLive", "DroppedFrames", channel);
  REQUIRE(dropped.size() == 1);
  CHECK(dropped[0][2].get<double>() == 3);  // growth since the last round
  auto fill = points("AWS/MediaLive", "FillMsec", channel);
  REQUIRE(fill.size() == 2);
  CHECK(fill[1][2].get<double>() == 1500);
  CHECK(fill[1][5] == "Milliseconds");

  clock.advance(10'000);
  media.samples = json::array({sample(9, 0, false)});  // paused: AWS gives no datapoints
  metrics.sample(10);
  CHECK(points("AWS/MediaLive", "DroppedFrames", channel).size() == 1);
  CHECK(points("AWS/MediaLive", "FillMsec", channel).size() == 2);
}

TEST_CASE_METHOD(Fixture, "service telemetry: RtpPacketsReceived and RtpPacketsLost per period, for RTP inputs only") {
  auto channel = dims({{"ChannelId", "1234567"}, {"Pipeline", "0"}});
  auto sample = [](int64_t received, int64_t lost) {
    json s = channel_sample(1000, 30, 0);
    s["rtp_received"] = received;
    s["rtp_lost"] = lost;
    return s;
  };
  media.samples = json::array({sample(900, 4)});
  metrics.sample(10);
  // The counters start with the input's source: the first round counts from 0.
  auto received = points("AWS/MediaLive", "RtpPacketsReceived", channel);
  REQUIRE(received.size() == 1);
  CHECK(received[0][2].get<double>() == 900);
  CHECK(received[0][5] == "Count");
  CHECK(points("AWS/MediaLive", "RtpPacketsLost", channel)[0][2].get<double>() == 4);

  clock.advance(10'000);
  media.samples = json::array({sample(1500, 7)});
  metrics.sample(10);
  CHECK(points("AWS/MediaLive", "RtpPacketsReceived", channel)[1][2].get<double>() == 600);
  CHECK(points("AWS/MediaLive", "RtpPacketsLost", channel)[1][2].get<double>() == 3);

  clock.advance(10'000);
  media.samples = json::array({sample(50, 0)});  // a new source (the channel restarted): from 0 again
  metrics.sample(10);
  CHECK(points("AWS/MediaLive", "RtpPacketsReceived", channel)[2][2].get<double>() == 50);

  // A channel without an RTP input has no datapoints (ML-UG eml-metrics-input-metrics).
  auto other = dims({{"ChannelId", "7654321"}, {"Pipeline", "0"}});
  json plain = channel_sample(1000, 30, 0);
  plain["channel_id"] = "7654321";
  media.samples = json::array({plain});
  clock.advance(10'000);
  metrics.sample(10);
  CHECK(points("AWS/MediaLive", "RtpPacketsReceived", other).empty());
}
