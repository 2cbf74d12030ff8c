// RTMP as an IngestSource. One RTMP server (one TCP port) serves every RTMP_PUSH input, so the
// sources register with a shared RtmpIngestHub, which routes each publish to the source whose
// stream names match it. The source then applies its input's rules: the security-group whitelist
// by the publisher's address, and one publisher at a time.
//
//   RtmpIngestHub hub(io, endpoint, [](const PublishRequest& r) { return "no input named " + r.stream_name; });
//   auto source = std::make_shared<RtmpIngestSource>(hub, RtmpSourceSpec{...});
//   source->start(channel_input);   // on the channel's supervisor thread
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pipeline/ingest/ingest_source.hpp"
#include "pipeline/rtmp/rtmp_server.hpp"

namespace mediaemu::pipeline::rtmp {

class RtmpIngestSource;

class RtmpIngestHub {
 public:
  // Says why a publish that matches no started source is refused (e.g. "input 123 is attached to
  // channel 456, which is IDLE"). Called on a network thread.
  using Unrouted = std::function<std::string(const PublishRequest&)>;

  // Binds at once (throws boost::system::system_error when the port is taken).
  RtmpIngestHub(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint, Unrouted unrouted,
                RtmpLimits limits = {});
  void start();
  void stop();  // closes every connection; asynchronous, the io_context finishes it
  uint16_t port() const;

 private:
  friend class RtmpIngestSource;
  void add(const std::shared_ptr<RtmpIngestSource>& source);
  void remove(const RtmpIngestSource* source);
  PublishDecision route(const PublishRequest& request);

  Unrouted unrouted_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<RtmpIngestSource>> sources_;
  std::unique_ptr<RtmpServer> server_;
};

struct RtmpSourceSpec {
  std::string label;                      // "input 123 of channel 456", for messages
  std::vector<std::string> stream_names;  // "app/stream", or "app" for any stream under it
  AddressFilter allowed = AddressFilter::allow_all();
};

class RtmpIngestSource : public IngestSource, public std::enable_shared_from_this<RtmpIngestSource> {
 public:
  RtmpIngestSource(RtmpIngestHub& hub, RtmpSourceSpec spec);
  ~RtmpIngestSource() override;

  std::string transport() const override { return "RTMP_PUSH"; }
  void start(std::shared_ptr<IngestSink> sink) override;
  void stop() override;
  void update_allowed(AddressFilter allowed) override;
  IngestSourceStatus status() const override;

  bool matches(const std::string& app, const std::string& stream) const;

  struct Shared;  // what publish sessions share with the source (they may outlive it)

 private:
  friend class RtmpIngestHub;
  PublishDecision admit(const PublishRequest& request);

  RtmpIngestHub& hub_;
  const std::string label_;
  const std::vector<std::string> stream_names_;
  std::shared_ptr<Shared> shared_;
};

}  // namespace mediaemu::pipeline::rtmp
