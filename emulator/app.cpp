#include "emulator/app.hpp"

#include <spdlog/spdlog.h>

#include "emulator/mediaconnect/mediaconnect.hpp"
#include "emulator/medialive/medialive.hpp"
#include "emulator/mediapackage/harvester.hpp"
#include "emulator/mediapackage/mediapackage.hpp"
#include "emulator/cloudformation/cloudformation.hpp"
#include "emulator/cloudformation/stack_engine.hpp"
#include "emulator/cloudfront/cloudfront.hpp"
#include "emulator/cloudwatch/cloudwatch.hpp"
#include "emulator/ecr/ecr.hpp"
#include "emulator/iam/iam.hpp"
#include "emulator/kms/kms.hpp"
#include "emulator/logs/logs.hpp"
#include "emulator/s3/s3.hpp"
#include "emulator/secretsmanager/secretsmanager.hpp"
#include "emulator/sns/sns.hpp"
#include "emulator/ssm/ssm.hpp"
#include "emulator/sts/sts.hpp"

namespace mediaemu {

App::App(const Config& config, boost::asio::io_context& io)
    : config_(config),
      io_(io),
      store_(config.data_dir / "state.db"),
      domain_(config, store_, clock_),
      media_(config, domain_, io, flows_.taps()),
      // SNS signs with a key kept under <data-dir>/sns and trusts --sns-ca-file's CAs (delivery.hpp).
      sns_delivery_(sns::SnsSigner(config.data_dir / "sns", config.http_base()), config.sns_ca_file),
      // Objects live under <data-dir>/s3, where MediaLive's s3:// outputs write (media_plans.cpp).
      s3_(std::make_unique<s3::S3Service>(domain_, config.data_dir)) {
  api_.set_handlers("medialive", medialive::operations(domain_, media_));
  harvester_ = std::make_unique<mediapackage::Harvester>(domain_, s3_->objects);
  api_.set_handlers("mediapackage", mediapackage::operations(domain_, media_, harvester_.get()));
  api_.set_handlers("mediapackage-vod", mediapackage::vod_operations(domain_));
  api_.set_handlers("mediaconnect", mediaconnect::operations(domain_, flows_));
  api_.set_handlers("s3", s3::operations(*s3_));
  api_.set_handlers("sts", sts::operations(domain_));
  api_.set_handlers("iam", iam::operations(domain_));
  api_.set_handlers("secretsmanager", secretsmanager::operations(domain_));
  api_.set_handlers("ssm", ssm::operations(domain_));
  api_.set_handlers("kms", kms::operations(domain_));
  // Alarm actions reach SNS in-process, after the state change is committed.
  api_.set_handlers("cloudwatch", cloudwatch::operations(domain_, [this](const std::string& topic, const std::string& subject,
                                                                         const std::string& message) {
                      try {
                        sns::publish(domain_, sns_delivery_, topic, subject, message);
                      } catch (const std::exception& e) {
                        spdlog::warn("cloudwatch: alarm notification to {} not sent: {}", topic, e.what());
                      }
                    }));
  api_.set_handlers("logs", logs::operations(domain_));
  api_.set_handlers("ecr", ecr::operations(domain_));
  api_.set_handlers("sns", sns::operations(domain_, sns_delivery_));
  api_.set_handlers("cloudfront", cloudfront::operations(domain_));
  // Stacks reach every other service through api_'s handlers, as the CLI does.
  stacks_ = std::make_unique<cloudformation::StackEngine>(domain_, api_);
  api_.set_handlers("cloudformation", cloudformation::operations(domain_, api_, *stacks_));
  domain_.load();  // after every hook is registered: settles interrupted transitions
  mediaconnect::resume_flows(domain_, flows_);  // flows ACTIVE when the process ended relay again
  harvester_->resume();                         // harvest jobs the process ended in run again
}

App::~App() { stop(); }

std::optional<api::OriginTarget> App::origin_target(const std::string& url_hash) {
  auto lock = domain_.read();
  return mediapackage::origin_target(domain_, url_hash, config_.origin_dir(url_hash));
}

void App::install_routes(api::FrontDoor& front) {
  // CloudFront's edge forwards to mediaemu-local origins (S3, MediaPackage's /out/) through this
  // same front door, in-process; it outlives the server that calls it.
  front.route_when(cloudfront::is_edge_request,
                   [this, &front](const api::HttpRequest& r) { return cloudfront::serve_edge(domain_, front, r); });
  front.route_when(s3::is_website_request, [this](const api::HttpRequest& r) { return s3::serve_website(*s3_, r); });
  // SNS's signing certificate, which every message's SigningCertURL names (emulator/sns/signer.hpp).
  front.route_prefix(sns::kCertificatePrefix,
                     [this](const api::HttpRequest& r) { return sns::certificate_response(sns_delivery_.signer(), r); });
  origin_ = std::make_unique<api::Origin>([this](const std::string& hash) { return origin_target(hash); });
  front.route_prefix("/out/", [this](const api::HttpRequest& r) { return origin_->handle(r); });
  // MediaPackage HLS ingest: encoders' uploads, with digest authentication (mediapackage/hls_ingest.hpp).
  ingest_ = std::make_unique<mediapackage::HlsIngestDoor>(domain_, media_);
  front.route_prefix(mediapackage::kIngestPrefix, [this](const api::HttpRequest& r) { return ingest_->handle(r); });
  front.screen_prefix(mediapackage::kIngestPrefix, [this](const api::HttpRequest& r) { return ingest_->screen(r); });
}

bool App::accepts_large_body(const api::HttpRequest& headers_only) { return s3::is_upload(headers_only); }

void App::start() {
  domain_.start_clock();
  media_.start();
  ServiceTelemetry::OriginDrain origin{
      [this] { return origin_ ? origin_->take_samples() : std::vector<api::TrafficSample>{}; },
      [this](uint64_t& dropped) {
        return origin_ ? origin_->take_access_logs(dropped) : std::vector<api::AccessLogEntry>{};
      },
      [this] { return ingest_ ? ingest_->take_samples() : std::vector<api::TrafficSample>{}; }};
  metrics_ = std::make_unique<ServiceTelemetry>(domain_, media_, std::move(origin));
  metrics_->start();
  stacks_->start();  // resumes (settles) stacks a previous process left in progress
}

void App::stop() {
  if (stacks_) stacks_->stop();  // its providers call into media: before media stops
  if (harvester_) harvester_->stop();  // the job in flight finishes; queued ones stay IN_PROGRESS and resume later
  if (metrics_) metrics_->stop();  // samples the media side: before it stops
  domain_.stop_clock();  // first: a transition due now must not start a pipeline after media stops
  media_.stop();
  flows_.shutdown();
  sns_delivery_.stop();
}

}  // namespace mediaemu
