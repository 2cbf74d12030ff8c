#include "emulator/media/media_runtime.hpp"

#include <spdlog/spdlog.h>

#include "emulator/media_plans.hpp"
#include "emulator/medialive/medialive.hpp"

namespace mediaemu::media {

MediaRuntime::MediaRuntime(const Config& config, Domain& domain, boost::asio::io_context& io,
                           flow::FlowTaps& flow_taps)
    : domain_(domain) {
  boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address(config.host), config.rtmp_port);
  rtmp_ = std::make_unique<pipeline::rtmp::RtmpIngestHub>(io, endpoint, [this](const pipeline::rtmp::PublishRequest& r) {
    return explain_unrouted_publish(domain_, r.app, r.stream_name);
  });
  factory_ = std::make_unique<PipelineMediaFactory>(*rtmp_, config.host, flow_taps);
  supervisors_ = std::make_unique<ChannelSupervisors>(
      *factory_, [this](const std::string& region, const std::string& id, uint64_t order) {
        medialive::channel_media_stopped(domain_, region, id, order);
      });
  ingest_ = std::make_unique<IngestOrigins>(supervisors_->claims());
}

MediaRuntime::~MediaRuntime() { stop(); }

void MediaRuntime::start() {
  rtmp_->start();
  // Channels left RUNNING by a previous process run again (they wait for a publisher). A channel
  // whose start hook also arrived is started once: its supervisor ignores the second start.
  for (const auto& plan : running_channel_plans(domain_)) supervisors_->start(plan);
}

void MediaRuntime::stop() {
  if (stopped_) return;
  stopped_ = true;
  rtmp_->stop();
  ingest_->shutdown();
  supervisors_->shutdown_all();  // every channel flushes its outputs on its own thread; joined here
}

nlohmann::json MediaRuntime::mediapackage_inputs() {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [mp_key, holder] : supervisors_->claims().holders()) {
    auto slash = mp_key.find('/');
    std::string region = mp_key.substr(0, slash), id = mp_key.substr(slash + 1);
    // An HLS ingest origin packages whichever ingest URL delivers; a MediaLive channel's pipelines
    // deliver to the ingest endpoint of their index, and one of them plays.
    int active = holder == IngestOrigins::kClaimant ? ingest_->active_input(region, id) : factory_->mediapackage_active(mp_key);
    out.push_back({{"region", region}, {"channel_id", id}, {"active", active}});
  }
  return out;
}

}  // namespace mediaemu::media

// The module's entry point (emulator/media_service.hpp), found by MediaLoader with dlsym.
extern "C" __attribute__((visibility("default"))) mediaemu::MediaService* mediaemu_create_media_service(
    const mediaemu::Config& config, mediaemu::Domain& domain, boost::asio::io_context& io,
    mediaemu::flow::FlowTaps& flow_taps) {
  return new mediaemu::media::MediaRuntime(config, domain, io, flow_taps);
}
