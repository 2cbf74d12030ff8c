// The media side of the emulator, as the media module exports it (emulator/media_service.hpp):
//
//   control plane --plans, as commands--> ChannelSupervisors --> one ChannelSupervisor per channel
//     owning its IngestSources (RTMP: registered with the shared RtmpIngestHub; MEDIACONNECT:
//     subscribed to the binary's MediaConnect flow taps), its transcoder and its output groups
//     (supervisor/, media_factory.cpp);
//   encoders' HLS uploads (/in/v2/...) --> IngestOrigins --> one IngestOrigin per MediaPackage
//     channel fed over HTTP, packaging its endpoints from the active ingest URL.
//
// Hooks only post to supervisors; they never wait for media work. The RTMP hub asks the control
// plane why a publish matched no running input (explain_unrouted_publish) only to word a refusal.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "emulator/config.hpp"
#include "emulator/domain.hpp"
#include "emulator/media/media_factory.hpp"
#include "emulator/media/supervisor/channel_supervisors.hpp"
#include "emulator/media/supervisor/ingest_origins.hpp"
#include "emulator/media_service.hpp"
#include "pipeline/ingest/rtmp/rtmp_ingest.hpp"

namespace mediaemu::media {

class MediaRuntime : public MediaService {
 public:
  // Binds the RTMP port (throws when it is taken). `flow_taps`: the MediaConnect flows' outputs
  // (the control plane's FlowRuntime owns them and outlives this runtime).
  MediaRuntime(const Config& config, Domain& domain, boost::asio::io_context& io, flow::FlowTaps& flow_taps);
  ~MediaRuntime() override;

  // Accepts RTMP publishers and resumes the channels left RUNNING by an earlier process.
  void start() override;
  void stop() override;

  void channel_start(const ChannelRunPlan& plan) override { supervisors_->start(plan); }
  void channel_stop(const std::string& region, const std::string& id, uint64_t order) override {
    supervisors_->stop(region, id, order);
  }
  bool stop_ends_outputs(const std::string& region, const std::string& id) override {
    return supervisors_->stop_ends_outputs(region, id);
  }
  void channel_restart(const std::string& region, const std::string& id, uint64_t order,
                       const std::vector<int>& pipelines) override {
    supervisors_->restart(region, id, order, pipelines);
  }
  void channel_update(const ChannelRunPlan& plan) override { supervisors_->update(plan); }
  void channel_deleted(const std::string& region, const std::string& id, uint64_t order) override {
    supervisors_->deleted(region, id, order);
  }
  nlohmann::json channel_alerts(const std::string& region, const std::string& id) override {
    return supervisors_->alerts(region, id);
  }
  std::string channel_active_input(const std::string& region, const std::string& id, int pipeline) override {
    auto r = supervisors_->report(region, id, pipeline);
    return r ? r->active_input : "";
  }
  nlohmann::json channel_samples() override { return supervisors_->samples(); }
  nlohmann::json channel_logs() override { return supervisors_->take_logs(); }
  nlohmann::json mediapackage_inputs() override;
  void endpoint_changed(const EndpointPlan& plan) override {
    supervisors_->endpoint_changed(plan);
    ingest_->endpoint_changed(plan);
  }
  void endpoint_deleted(const std::string& region, const std::string& endpoint_id,
                        const std::filesystem::path& directory) override {
    // An endpoint an HLS ingest origin packages is deleted by it (its packager stops first).
    if (!ingest_->endpoint_deleted(region, endpoint_id, directory))
      supervisors_->endpoint_deleted(region, endpoint_id, directory);
  }
  HlsIngestAnswer hls_ingest(HlsIngestDelivery&& delivery) override { return ingest_->deliver(std::move(delivery)); }

 private:
  Domain& domain_;
  std::unique_ptr<pipeline::rtmp::RtmpIngestHub> rtmp_;
  std::unique_ptr<PipelineMediaFactory> factory_;
  std::unique_ptr<ChannelSupervisors> supervisors_;  // destroyed before the hub: its sources use it
  std::unique_ptr<IngestOrigins> ingest_;            // destroyed first: it uses the supervisors' claims
  bool stopped_ = false;
};

}  // namespace mediaemu::media
