#include "emulator/media/media_factory.hpp"

#include <spdlog/spdlog.h>

#include <map>

#include "pipeline/ingest/mediaconnect/flow_tap_source.hpp"
#include "pipeline/ingest/pull/pull_source.hpp"
#include "pipeline/ingest/srt/srt_listener_source.hpp"
#include "pipeline/ingest/ts/ts_push_source.hpp"
#include "pipeline/package/archive_writer.hpp"
#include "pipeline/package/endpoint_packager.hpp"
#include "pipeline/package/frame_capture_writer.hpp"
#include "pipeline/package/fan_out.hpp"
#include "pipeline/transcode/live_transcoder.hpp"
#include "pipeline/variant_filter.hpp"

namespace mediaemu::media {
namespace {

// One transcoder -> one VariantFilter per output group -> a MediaPackage channel's feed (shared
// with the channel's other pipeline: mediapackage_feeds.hpp), an HLS writer of its own, an Archive
// or a FrameCapture writer.
class LivePipeline : public ChannelPipeline {
 public:
  LivePipeline(const ChannelRunPlan& plan, const std::set<std::string>& mediapackage_channels,
               MediaPackageFeeds& feeds) {
    auto outputs = std::make_shared<pipeline::FanOut>();
    for (size_t i = 0; i < plan.media.deliveries.size(); ++i) {
      const Delivery& d = plan.media.deliveries[i];
      std::shared_ptr<pipeline::MediaSink> target;
      if (d.kind == Delivery::Kind::MediaPackage) {
        if (!mediapackage_channels.count(d.mediapackage_channel_id)) continue;  // alert raised by the plan/claims
        auto& feed = feeds_[d.mediapackage_channel_id];
        if (!feed) {
          auto endpoints = plan.mediapackage_endpoints.find(d.mediapackage_channel_id);
          feed = feeds.get(plan.region + "/" + d.mediapackage_channel_id,
                           endpoints == plan.mediapackage_endpoints.end() ? std::vector<EndpointPlan>{} : endpoints->second);
          for (const auto& a : feed->alerts()) alerts_.push_back(a);
        }
        target = feed->input(d.ingest_index);
      } else {
        const auto& directory = d.kind == Delivery::Kind::Archive        ? d.archive.directory
                                : d.kind == Delivery::Kind::FrameCapture ? d.stills.directory
                                                                         : d.hls.directory;
        std::error_code ec;
        std::filesystem::create_directories(directory, ec);
        if (ec) {
          alerts_.push_back("output group '" + d.group_name + "' cannot write " + directory.string() + ": " +
                            ec.message());
          continue;
        }
        if (d.kind == Delivery::Kind::Archive) target = std::make_shared<pipeline::ArchiveWriter>(d.archive);
        else if (d.kind == Delivery::Kind::FrameCapture) target = std::make_shared<pipeline::FrameCaptureWriter>(d.stills);
        else target = std::shared_ptr<pipeline::MediaSink>(pipeline::make_endpoint_packager(d.hls));
      }
      std::set<std::string> names(d.outputs.begin(), d.outputs.end());
      outputs->add("group-" + std::to_string(i),
                   std::make_unique<pipeline::VariantFilter>(names, target, d.drops_filler()));
    }
    if (!plan.media.ladder.outputs.empty()) {
      transcoder_ = std::make_shared<pipeline::LiveTranscoder>(plan.media.ladder, outputs);
      transcoder_->start();
    }
  }
  ~LivePipeline() override { stop(); }

  std::shared_ptr<pipeline::IngestSink> input() override { return transcoder_; }

  void set_endpoint(const EndpointPlan& endpoint) override {
    auto it = feeds_.find(endpoint.mediapackage_channel_id);
    if (it != feeds_.end()) it->second->set_endpoint(endpoint);
  }

  void remove_endpoint(const std::string& mediapackage_channel_id, const std::string& endpoint_id) override {
    auto it = feeds_.find(mediapackage_channel_id);
    if (it != feeds_.end()) it->second->remove_endpoint(endpoint_id);  // waits until no packet is inside it
  }

  void insert_cue(pipeline::ads::CueRequest cue) override {
    if (transcoder_) transcoder_->insert_cue(std::move(cue));
  }

  void stop() override {
    if (transcoder_) transcoder_->stop();  // flushes the encoders, ends every output, joins its worker
  }

  std::vector<std::string> alerts() const override { return alerts_; }
  std::shared_ptr<const pipeline::TranscodeHealth> health() const override {
    return transcoder_ ? transcoder_->health() : nullptr;
  }

 private:
  std::map<std::string, std::shared_ptr<MediaPackageFeed>> feeds_;  // MediaPackage channel id -> its feed
  std::shared_ptr<pipeline::LiveTranscoder> transcoder_;  // after the feeds: stopped and gone before them
  std::vector<std::string> alerts_;
};

// "input <id> of channel <id>" (and its pipeline beyond the first), in the sources' log lines.
std::string source_label(const ChannelRunPlan& plan, const InputPlan& input) {
  return "input " + input.id + " of channel " + plan.channel_id +
         (plan.pipeline == 0 ? "" : " pipeline " + std::to_string(plan.pipeline));
}

}  // namespace

std::unique_ptr<ChannelPipeline> PipelineMediaFactory::build_pipeline(const ChannelRunPlan& plan,
                                                                      const std::set<std::string>& mediapackage_channels) {
  return std::make_unique<LivePipeline>(plan, mediapackage_channels, mediapackage_feeds_);
}

std::shared_ptr<pipeline::IngestSource> PipelineMediaFactory::make_source(const ChannelRunPlan& plan,
                                                                          const InputPlan& input, std::string& why) {
  if (plan.pipeline > 0 && !input.has_source()) {
    why = "input " + input.id + " (" + input.type + ") has no source for pipeline " + std::to_string(plan.pipeline) +
          ": a STANDARD channel needs inputs with two sources (STANDARD input class), one per pipeline";
    return nullptr;
  }
  if (input.transport == InputPlan::Transport::RtmpPush) {
    pipeline::rtmp::RtmpSourceSpec spec;
    spec.label = source_label(plan, input);
    spec.stream_names = input.stream_names;
    spec.allowed = input.allowed;
    return std::make_shared<pipeline::rtmp::RtmpIngestSource>(rtmp_, std::move(spec));
  }
  if (input.transport == InputPlan::Transport::RtpPush || input.transport == InputPlan::Transport::UdpPush) {
    pipeline::ts::TsPushSpec spec;
    spec.label = source_label(plan, input);
    spec.host = host_;
    spec.ports = input.ports;
    spec.rtp = input.transport == InputPlan::Transport::RtpPush;
    spec.allowed = input.allowed;
    spec.scte35_pid = input.scte35_pid;
    return std::make_shared<pipeline::ts::TsPushSource>(std::move(spec));
  }
  // What the plan could not honour (credentials in SSM, a passphrase in Secrets Manager, ...) is
  // an alert too; the log says it where the source starts.
  for (const auto& problem : input.problems) spdlog::warn("media: channel {}: {}", plan.channel_id, problem);
  using T = InputPlan::Transport;
  if (input.transport == T::UrlPull || input.transport == T::Mp4File || input.transport == T::TsFile ||
      input.transport == T::RtmpPull || input.transport == T::SrtCaller)
    return pull_source(plan, input, why);
  if (input.transport == InputPlan::Transport::MediaConnect) {
    if (input.flow_arns.empty()) {
      why = "input " + input.id + " (MEDIACONNECT) names no MediaConnect flow, so it receives nothing";
      return nullptr;
    }
    pipeline::mediaconnect::FlowTapSpec spec;
    spec.label = source_label(plan, input);
    spec.flow_arns = input.flow_arns;
    // The other flow takes over after the same silence the transcoder counts as input loss.
    spec.loss_time = std::chrono::milliseconds(std::max(1, plan.media.ladder.input_loss.input_loss_threshold_ms));
    spec.scte35_pid = input.scte35_pid;
    return std::make_shared<pipeline::mediaconnect::FlowTapSource>(flow_taps_, std::move(spec));
  }
  if (input.transport == InputPlan::Transport::SrtListener) {
    pipeline::srt::SrtListenerSpec spec;
    spec.label = source_label(plan, input);
    spec.host = host_;
    spec.ports = input.ports;
    spec.allowed = input.allowed;
    if (!input.srt.empty()) spec.srt_options = srt_options(input.srt.front());
    spec.scte35_pid = input.scte35_pid;
    return std::make_shared<pipeline::srt::SrtListenerSource>(std::move(spec));
  }
  why = "input " + input.id + " (" + input.type +
        ") carries no media in mediaemu yet; use an RTMP, RTP, UDP, SRT, URL_PULL, RTMP_PULL, MP4_FILE, "
        "TS_FILE or MEDIACONNECT input";
  return nullptr;
}

std::map<std::string, std::string> PipelineMediaFactory::srt_options(const SrtPlan& srt) {
  std::map<std::string, std::string> options;
  // libavformat's srt protocol takes latency in microseconds; MinimumLatency is in milliseconds.
  if (srt.latency_ms > 0) options["latency"] = std::to_string(int64_t{srt.latency_ms} * 1000);
  if (!srt.stream_id.empty()) options["streamid"] = srt.stream_id;
  if (!srt.passphrase.empty()) options["passphrase"] = srt.passphrase;  // AES, as the SRT peer expects
  options["rw_timeout"] = "5000000";  // a silent peer is a lost input after 5 s: reconnect
  return options;
}

std::shared_ptr<pipeline::IngestSource> PipelineMediaFactory::pull_source(const ChannelRunPlan& plan,
                                                                          const InputPlan& input, std::string& why) {
  pipeline::pull::PullSpec spec;
  spec.label = source_label(plan, input);
  spec.transport = input.type;
  spec.scte35_pid = input.scte35_pid;
  if (input.transport == InputPlan::Transport::SrtCaller) {
    // MPEG-TS over SRT arrives at the sender's pace: no pacing of our own.
    spec.realtime = false;
    for (const auto& srt : input.srt) {
      if (srt.address.empty() || srt.port <= 0) continue;
      spec.urls.push_back("srt://" + srt.address + ":" + std::to_string(srt.port) + "?mode=caller");
      spec.open_options = srt_options(srt);  // the sources share their settings in practice
    }
  } else {
    spec.urls = input.urls;
    spec.loop = input.loop;
    spec.clip = input.clip;
    // An RTMP server sends at its own (real-time) pace; files and HLS segments come as fast as
    // they are read, so the source paces them.
    spec.realtime = input.transport != InputPlan::Transport::RtmpPull;
    // A live HLS playlist starts this many segments from its live edge (hls demuxer default: 3).
    if (input.hls_buffer_segments > 0) spec.open_options["live_start_index"] = std::to_string(-input.hls_buffer_segments);
    // A live playlist that stops growing ends the attempt after a few reloads (default: 1000).
    spec.open_options["m3u8_hold_counters"] = "10";
  }
  if (spec.urls.empty()) {
    why = "input " + input.id + " (" + input.type + ") has no source mediaemu can pull (see the other alerts)";
    return nullptr;
  }
  spdlog::info("media: {} pulls {} from {}{}", spec.label, input.type, pipeline::redact_url(spec.urls.front()),
               spec.urls.size() > 1 ? " (and a second source)" : "");
  return std::make_shared<pipeline::pull::PullSource>(std::move(spec));
}

void PipelineMediaFactory::remove_directory(const std::filesystem::path& directory) {
  std::error_code ec;
  std::filesystem::remove_all(directory, ec);
  if (ec) spdlog::warn("media: could not delete {}: {}", directory.string(), ec.message());
}

}  // namespace mediaemu::media
