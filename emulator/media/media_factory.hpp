// The real MediaFactory (supervisor/media_factory.hpp): LiveTranscoders, packagers and ingest
// sources (RTMP, RTP/UDP, pulled URLs and files, SRT, MediaConnect flows). Lives in the media
// module; its methods run on a channel's supervisor thread.
#pragma once

#include <map>
#include <string>

#include "emulator/media/supervisor/media_factory.hpp"
#include "emulator/media/supervisor/mediapackage_feeds.hpp"
#include "pipeline/flow/flow_taps.hpp"
#include "pipeline/ingest/rtmp/rtmp_ingest.hpp"

namespace mediaemu::media {

class PipelineMediaFactory : public MediaFactory {
 public:
  // `host`: the address RTP/UDP push inputs listen on (the server's --host). `flow_taps`: the
  // running MediaConnect flows' outputs, owned by the control plane's FlowRuntime (in the binary,
  // outside this module), which MEDIACONNECT inputs subscribe to.
  PipelineMediaFactory(pipeline::rtmp::RtmpIngestHub& rtmp, std::string host, flow::FlowTaps& flow_taps)
      : rtmp_(rtmp), host_(std::move(host)), flow_taps_(flow_taps) {}

  std::unique_ptr<ChannelPipeline> build_pipeline(const ChannelRunPlan& plan,
                                                  const std::set<std::string>& mediapackage_channels) override;
  std::shared_ptr<pipeline::IngestSource> make_source(const ChannelRunPlan& plan, const InputPlan& input,
                                                      std::string& why) override;
  void remove_directory(const std::filesystem::path& directory) override;
  void channel_stopping(const std::set<std::string>& mediapackage_keys) override {
    for (const auto& key : mediapackage_keys) mediapackage_feeds_.closing(key);
  }
  // Which ingest endpoint of a MediaPackage channel fed in-process plays (-1: none yet).
  int mediapackage_active(const std::string& mp_key) const { return mediapackage_feeds_.active(mp_key); }

 private:
  static std::map<std::string, std::string> srt_options(const SrtPlan& srt);
  std::shared_ptr<pipeline::IngestSource> pull_source(const ChannelRunPlan& plan, const InputPlan& input,
                                                      std::string& why);

  pipeline::rtmp::RtmpIngestHub& rtmp_;
  const std::string host_;
  flow::FlowTaps& flow_taps_;
  MediaPackageFeeds mediapackage_feeds_;
};

}  // namespace mediaemu::media
