// Owns everything one mediaemu process runs: state, the domain, the AWS engine with every
// service's handlers, the origin, and the media side (ingest servers and channel pipelines, in
// a module loaded in the background: emulator/media_service.hpp says why).
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>

#include "api/aws_api.hpp"
#include "api/front_door.hpp"
#include "api/origin.hpp"
#include "emulator/clock.hpp"
#include "emulator/config.hpp"
#include "emulator/domain.hpp"
#include "emulator/media_loader.hpp"
#include "emulator/mediapackage/hls_ingest.hpp"
#include "emulator/service_telemetry.hpp"
#include "emulator/sns/delivery.hpp"
#include "emulator/store.hpp"
#include "pipeline/flow/flow_runtime.hpp"

namespace mediaemu {

namespace s3 {
struct S3Service;
}
namespace cloudformation {
class StackEngine;
}
namespace mediapackage {
class Harvester;
}

class App {
 public:
  App(const Config& config, boost::asio::io_context& io);
  ~App();

  api::AwsApi& api() { return api_; }
  Domain& domain() { return domain_; }
  // Adds the non-AWS HTTP routes (origin, MediaPackage ingest, S3 websites, the CloudFront edge)
  // to the front door, which must outlive the server (the edge dispatches through it).
  void install_routes(api::FrontDoor& front);
  // Requests that may carry bodies over the API's 10 MB limit (S3 uploads), for HttpLimits.
  static bool accepts_large_body(const api::HttpRequest& headers_only);
  void start();
  void stop();

 private:
  // The origin endpoint whose URL carries this hash: where its files are (the origin's resolver).
  std::optional<api::OriginTarget> origin_target(const std::string& url_hash);

  const Config& config_;
  boost::asio::io_context& io_;
  SystemClock clock_;
  Store store_;
  Domain domain_;
  // MediaConnect flows' relays (no libav: not in the media module). Before media_: MEDIACONNECT
  // inputs in the module subscribe to its taps, so it is built first and destroyed last.
  flow::FlowRuntime flows_;
  MediaLoader media_;  // the media module, loaded in the background
  // SNS's delivery worker: its thread POSTs to HTTP subscribers (emulator/sns/delivery.hpp).
  sns::SnsDelivery sns_delivery_;
  api::AwsApi api_;
  std::unique_ptr<api::Origin> origin_;
  std::unique_ptr<mediapackage::HlsIngestDoor> ingest_;
  std::unique_ptr<s3::S3Service> s3_;
  std::unique_ptr<ServiceTelemetry> metrics_;  // AWS/MediaLive and AWS/MediaPackage, on its own thread
  // CloudFormation's stack operations, on their own thread (emulator/cloudformation/stack_engine.hpp).
  std::unique_ptr<cloudformation::StackEngine> stacks_;
  // MediaPackage harvest jobs, on their own thread (emulator/mediapackage/harvester.hpp).
  std::unique_ptr<mediapackage::Harvester> harvester_;
};

}  // namespace mediaemu
