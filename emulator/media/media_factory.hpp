// The real MediaFactory (supervisor/media_factory.hpp): LiveTranscoders, packagers and ingest
// sources (RTMP, RTP/UDP, pulled URLs and files, SRT). Lives in the media module; its methods run
// on a channel's supervisor thread.
#pragma once

#include <map>
#include <string>

#include "emulator/media/supervisor/media_factory.hpp"
#include "pipeline/ingest/rtmp/rtmp_ingest.hpp"

namespace mediaemu::media {

class PipelineMediaFactory : public MediaFactory {
 public:
  // `host`: the address RTP/UDP push inputs listen on (the server's --host).
  PipelineMediaFactory(pipeline::rtmp::RtmpIngestHub& rtmp, std::string host) : rtmp_(rtmp), host_(std::move(host)) {}

  std::unique_ptr<ChannelPipeline> build_pipeline(const ChannelRunPlan& plan,
                                                  const std::set<std::string>& mediapackage_channels) override;
  std::shared_ptr<pipeline::IngestSource> make_source(const ChannelRunPlan& plan, const InputPlan& input,
                                                      std::string& why) override;
  void remove_directory(const std::filesystem::path& directory) override;

 private:
  static std::map<std::string, std::string> srt_options(const SrtPlan& srt);
  std::shared_ptr<pipeline::IngestSource> pull_source(const ChannelRunPlan& plan, const InputPlan& input,
                                                      std::string& why);

  pipeline::rtmp::RtmpIngestHub& rtmp_;
  const std::string host_;
};

}  // namespace mediaemu::media
