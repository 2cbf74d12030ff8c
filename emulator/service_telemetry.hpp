// What the media services publish to CloudWatch, from what really runs: every ten seconds a
// thread of its own samples the running channels (MediaHooks::channel_samples) and drains the
// origin's request aggregates and access log records, and writes them as CloudWatch datapoints
// and CloudWatch Logs events, so GetMetricStatistics, GetMetricData and alarms (with their SNS
// actions) see a channel's alerts, input rate and viewers' requests as they happen, and a
// MediaPackage channel's egress access logs (ConfigureLogs) land in their log group.
//
// Published (names, units and dimension sets as AWS documents them):
//   AWS/MediaLive, one datapoint per 10 s while a channel runs, dimensions {ChannelId, Pipeline}:
//     ActiveAlerts (Count), NetworkIn (Megabits/Second: the media payload the inputs delivered),
//     InputVideoFrameRate (Count/Second; none until the input first received media);
//     ActiveOutputs (Count) with {OutputGroupName, ChannelId, Pipeline}: the outputs of each group
//     the pipeline delivers, 0 while no input is present;
//     DroppedFrames (Count: input frames received and not encoded in the period) and FillMsec
//     (Milliseconds: the current fill period's length), only while the channel produces output
//     (ML-UG eml-metrics-output-metrics: "no datapoints" otherwise);
//     RtpPacketsReceived and RtpPacketsLost (Count, per period) for channels with an RTP_PUSH
//     input (ML-UG eml-metrics-input-metrics: no datapoints without one).
//     https://docs.aws.amazon.com/medialive/latest/ug/monitoring-eml-metrics.html
//   AWS/MediaPackage, only for periods with requests (as AWS: "no data is given" otherwise):
//     EgressRequestCount (Count, Sum) with {Channel}, {Channel, OriginEndpoint}, {StatusCodeRange},
//       {Channel, StatusCodeRange}, {Channel, OriginEndpoint, StatusCodeRange};
//     ActiveInput (None: 1 for the ingest endpoint whose stream the channel packages, 0 for the
//       other) with {IngestEndpoint, OriginEndpoint}, for each MediaPackage channel fed now;
//     EgressBytes (Bytes, per successful request) with {Channel}, {Channel, OriginEndpoint}, {};
//     EgressResponseTime (Milliseconds) with {Channel}, {Channel, OriginEndpoint};
//     IngressBytes (Bytes, per successful upload) with {Channel}, {Channel, IngestEndpoint}, {};
//     IngressRequestCount (Count, Sum) with {Channel}, {Channel, IngestEndpoint}, {StatusCodeRange},
//       {Channel, StatusCodeRange}, {Channel, IngestEndpoint, StatusCodeRange};
//     IngressResponseTime (Milliseconds) with {Channel}, {Channel, IngestEndpoint}: the requests
//       encoders make to the HLS ingest URLs (mediapackage/hls_ingest.hpp), 401 challenges included.
//       The ingress dimension sets mirror egress's with IngestEndpoint for OriginEndpoint: the user
//       guide's metrics page lists IngressBytes and IngressResponseTime, and its IngressRequestCount
//       entry is not in every version of it.
//     https://docs.aws.amazon.com/mediapackage/latest/ug/metrics.html
//   Dimension values are the resources' Ids, which is what the seeds' alarms and dashboards name.
// Not fed: Output4xxErrors/Output5xxErrors count HTTP errors from output destinations, and
// mediaemu's outputs make no HTTP requests (MediaPackage in-process, S3 as files); for the same
// reason a MediaLive channel delivering to MediaPackage (in-process) adds no Ingress* requests;
// FEC counters (no FEC on RTP inputs).
//
// Encoder logs: each MediaLive channel's events (start, inputs detected and lost, alerts, stop) as
// JSON records in the ElementalMediaLive log group, as many as its LogLevel admits.
//
// Access logs: MediaPackage's JSON record per origin request (api::Origin), into the channel's
// EgressAccessLogs log group (created when missing, as MediaPackage's service-linked role does),
// one stream per channel. Ingress access logs are not written yet.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/origin.hpp"
#include "emulator/domain.hpp"
#include "emulator/media_hooks.hpp"

namespace mediaemu {

class ServiceTelemetry {
 public:
  struct OriginDrain {
    std::function<std::vector<api::TrafficSample>()> samples;  // egress: viewers' requests
    std::function<std::vector<api::AccessLogEntry>(uint64_t& dropped)> access_logs;
    std::function<std::vector<api::TrafficSample>()> ingress;  // encoders' HLS ingest requests
  };
  static constexpr int kIntervalSeconds = 10;  // MediaLive's datapoint interval

  ServiceTelemetry(Domain& domain, MediaHooks& media, OriginDrain origin);
  ~ServiceTelemetry();  // stop()

  void start();
  void stop();
  // One round: sample, publish. The thread calls it every interval; `seconds` is the time since
  // the previous round (the rates' denominator).
  void sample(double seconds);

 private:
  struct Previous {
    int64_t media_bytes = 0, video_frames = 0, dropped_frames = 0, rtp_received = 0, rtp_lost = 0;
  };
  void publish_medialive(double seconds);
  void publish_mediapackage();
  // ActiveInput: 1 for the ingest endpoint in use, 0 for the other, per origin endpoint.
  void publish_active_inputs(std::map<std::string, nlohmann::json>& by_region);
  // One direction's metrics ("Egress" per OriginEndpoint, "Ingress" per IngestEndpoint).
  void publish_traffic(const std::vector<api::TrafficSample>& samples, const std::string& direction,
                       const std::string& endpoint_dimension, std::map<std::string, nlohmann::json>& by_region);
  void publish_access_logs();
  void publish_channel_logs();  // MediaLive encoder logs (emulator/medialive/encoder_logs.hpp)

  Domain& domain_;
  MediaHooks& media_;
  OriginDrain origin_;
  std::map<std::string, Previous> previous_;  // by "<region>/<channel id>"; the sampling thread's
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mediaemu
