// Owns everything one mediaemu process runs: state, the domain, the AWS engine with every
// service's handlers, and (from the media issue on) the ingest servers and channel pipelines.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "api/aws_api.hpp"
#include "api/front_door.hpp"
#include "api/origin.hpp"
#include "emulator/clock.hpp"
#include "emulator/config.hpp"
#include "emulator/domain.hpp"
#include "emulator/media/media_runtime.hpp"
#include "emulator/store.hpp"

namespace mediaemu {

class App {
 public:
  App(const Config& config, boost::asio::io_context& io);
  ~App();

  api::AwsApi& api() { return api_; }
  Domain& domain() { return domain_; }
  // Adds the non-AWS HTTP routes (origin, MediaPackage ingest) to the front door.
  void install_routes(api::FrontDoor& front);
  void start();
  void stop();

 private:
  const Config& config_;
  boost::asio::io_context& io_;
  SystemClock clock_;
  Store store_;
  Domain domain_;
  media::MediaRuntime media_;
  api::AwsApi api_;
  std::unique_ptr<api::Origin> origin_;
};

}  // namespace mediaemu
