// The media side of the emulator: turns control-plane events into running pipelines.
//
//   RTMP publish --authorize()--> the channel's LiveTranscoder --> one VariantFilter per output
//   group --> a MediaPackage channel's FanOut (one packager per origin endpoint) or an HLS writer.
//
// It implements MediaService (its hooks are called after commits, never under the domain lock) and
// answers the RTMP server's publish questions from the domain (stream key, channel state, input
// security group). It lives in the mediaemu-media module with pipeline/ (emulator/media_service.hpp).
#pragma once

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "emulator/config.hpp"
#include "emulator/domain.hpp"
#include "emulator/media/channel_plan.hpp"
#include "emulator/media_service.hpp"
#include "pipeline/media.hpp"
#include "pipeline/rtmp/rtmp_server.hpp"

namespace mediaemu::pipeline {
class LiveTranscoder;
class FanOut;
}  // namespace mediaemu::pipeline

namespace mediaemu::media {

class MediaRuntime : public MediaService {
 public:
  MediaRuntime(const Config& config, Domain& domain, boost::asio::io_context& io);
  ~MediaRuntime() override;

  // Opens the RTMP port and restarts pipelines of channels that are RUNNING (after a restart).
  void start() override;
  void stop() override;

  void channel_running(const std::string& region, const std::string& channel_id) override;
  void channel_stopping(const std::string& region, const std::string& channel_id) override;
  void channel_deleted(const std::string& region, const std::string& channel_id) override;
  nlohmann::json channel_alerts(const std::string& region, const std::string& channel_id) override;
  void endpoint_changed(const std::string& region, const std::string& endpoint_id) override;
  void endpoint_deleted(const std::string& region, const std::string& endpoint_id, const std::string& url_hash) override;

  pipeline::rtmp::PublishDecision authorize(const pipeline::rtmp::PublishRequest& request);

 private:
  struct Packaging;  // a MediaPackage channel's fan-out to its endpoints
  struct Running;    // a MediaLive channel's transcoder and deliveries

  // Never call the domain with mutex_ held: its reads apply due transitions, whose hooks land here.
  std::shared_ptr<Packaging> packaging_for(const std::string& region, const std::string& mp_channel_id,
                                           const std::vector<Record>& endpoints);
  void attach_endpoint(Packaging& packaging, const Record& endpoint);
  void stop_channel(const std::string& key);

  const Config& config_;
  Domain& domain_;
  boost::asio::io_context& io_;
  std::unique_ptr<pipeline::rtmp::RtmpServer> rtmp_;

  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Running>> running_;      // "<region>/<channel id>"
  std::map<std::string, std::shared_ptr<Packaging>> packaging_;  // "<region>/<MediaPackage channel id>"
};

}  // namespace mediaemu::media
