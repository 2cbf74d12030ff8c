#include "emulator/media/media_factory.hpp"

#include <spdlog/spdlog.h>

#include <map>

#include "pipeline/ingest/ts/ts_push_source.hpp"
#include "pipeline/package/endpoint_packager.hpp"
#include "pipeline/package/fan_out.hpp"
#include "pipeline/transcode/live_transcoder.hpp"
#include "pipeline/variant_filter.hpp"

namespace mediaemu::media {
namespace {

// One transcoder -> one VariantFilter per output group -> a MediaPackage channel's FanOut (one
// packager per origin endpoint) or an HLS writer of its own.
class LivePipeline : public ChannelPipeline {
 public:
  LivePipeline(const ChannelRunPlan& plan, const std::set<std::string>& mediapackage_channels) : label_(plan.key()) {
    auto outputs = std::make_shared<pipeline::FanOut>();
    for (size_t i = 0; i < plan.media.deliveries.size(); ++i) {
      const Delivery& d = plan.media.deliveries[i];
      std::shared_ptr<pipeline::MediaSink> target;
      if (d.kind == Delivery::Kind::MediaPackage) {
        if (!mediapackage_channels.count(d.mediapackage_channel_id)) continue;  // alert raised by the plan/claims
        auto& fanout = packaging_[d.mediapackage_channel_id];
        if (!fanout) {
          fanout = std::make_shared<pipeline::FanOut>();
          auto endpoints = plan.mediapackage_endpoints.find(d.mediapackage_channel_id);
          if (endpoints != plan.mediapackage_endpoints.end())
            for (const auto& e : endpoints->second) package(*fanout, e);
        }
        target = fanout;
      } else {
        std::error_code ec;
        std::filesystem::create_directories(d.hls.directory, ec);
        if (ec) {
          alerts_.push_back("output group '" + d.group_name + "' cannot write " + d.hls.directory.string() + ": " +
                            ec.message());
          continue;
        }
        target = std::shared_ptr<pipeline::MediaSink>(pipeline::make_endpoint_packager(d.hls));
      }
      std::set<std::string> names(d.outputs.begin(), d.outputs.end());
      outputs->add("group-" + std::to_string(i), std::make_unique<pipeline::VariantFilter>(names, target));
    }
    if (!plan.media.ladder.outputs.empty()) {
      transcoder_ = std::make_shared<pipeline::LiveTranscoder>(plan.media.ladder, outputs);
      transcoder_->start();
    }
  }
  ~LivePipeline() override { stop(); }

  std::shared_ptr<pipeline::IngestSink> input() override { return transcoder_; }

  void set_endpoint(const EndpointPlan& endpoint) override {
    auto it = packaging_.find(endpoint.mediapackage_channel_id);
    if (it != packaging_.end()) package(*it->second, endpoint);
  }

  void remove_endpoint(const std::string& mediapackage_channel_id, const std::string& endpoint_id) override {
    auto it = packaging_.find(mediapackage_channel_id);
    if (it != packaging_.end()) it->second->remove(endpoint_id);  // waits until the worker is out of it
  }

  void stop() override {
    if (transcoder_) transcoder_->stop();  // flushes the encoders, ends every output, joins its worker
  }

  std::vector<std::string> alerts() const override { return alerts_; }

 private:
  void package(pipeline::FanOut& fanout, const EndpointPlan& endpoint) {
    fanout.remove(endpoint.id);
    if (!endpoint.spec) {
      spdlog::warn("media: {} endpoint {} is not packaged: {}", endpoint.region, endpoint.id, endpoint.problem);
      return;
    }
    std::error_code ec;
    if (endpoint.start_fresh) std::filesystem::remove_all(endpoint.spec->directory, ec);
    std::filesystem::create_directories(endpoint.spec->directory, ec);
    try {
      fanout.add(endpoint.id, pipeline::make_endpoint_packager(*endpoint.spec));
    } catch (const std::exception& e) {
      alerts_.push_back("endpoint " + endpoint.id + " cannot be packaged: " + e.what());
      return;
    }
    spdlog::info("media: packaging {} endpoint {} of MediaPackage channel {} into {} (for {})", endpoint.region,
                 endpoint.id, endpoint.mediapackage_channel_id, endpoint.spec->directory.string(), label_);
  }

  std::string label_;
  std::map<std::string, std::shared_ptr<pipeline::FanOut>> packaging_;  // MediaPackage channel id -> its endpoints
  std::shared_ptr<pipeline::LiveTranscoder> transcoder_;
  std::vector<std::string> alerts_;
};

}  // namespace

std::unique_ptr<ChannelPipeline> PipelineMediaFactory::build_pipeline(const ChannelRunPlan& plan,
                                                                      const std::set<std::string>& mediapackage_channels) {
  return std::make_unique<LivePipeline>(plan, mediapackage_channels);
}

std::shared_ptr<pipeline::IngestSource> PipelineMediaFactory::make_source(const ChannelRunPlan& plan,
                                                                          const InputPlan& input, std::string& why) {
  if (input.transport == InputPlan::Transport::RtmpPush) {
    pipeline::rtmp::RtmpSourceSpec spec;
    spec.label = "input " + input.id + " of channel " + plan.channel_id;
    spec.stream_names = input.stream_names;
    spec.allowed = input.allowed;
    return std::make_shared<pipeline::rtmp::RtmpIngestSource>(rtmp_, std::move(spec));
  }
  if (input.transport == InputPlan::Transport::RtpPush || input.transport == InputPlan::Transport::UdpPush) {
    pipeline::ts::TsPushSpec spec;
    spec.label = "input " + input.id + " of channel " + plan.channel_id;
    spec.host = host_;
    spec.ports = input.ports;
    spec.rtp = input.transport == InputPlan::Transport::RtpPush;
    spec.allowed = input.allowed;
    return std::make_shared<pipeline::ts::TsPushSource>(std::move(spec));
  }
  why = "input " + input.id + " (" + input.type +
        ") carries no media in mediaemu yet; push RTMP, or MPEG-TS over RTP or UDP, to a push input";
  return nullptr;
}

void PipelineMediaFactory::remove_directory(const std::filesystem::path& directory) {
  std::error_code ec;
  std::filesystem::remove_all(directory, ec);
  if (ec) spdlog::warn("media: could not delete {}: {}", directory.string(), ec.message());
}

}  // namespace mediaemu::media
