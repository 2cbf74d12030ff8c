#include "pipeline/ingest/rtmp/rtmp_ingest.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "pipeline/ingest/rtmp/stream_names.hpp"

namespace mediaemu::pipeline::rtmp {

// ---- the hub ------------------------------------------------------------------------------

RtmpIngestHub::RtmpIngestHub(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
                             Unrouted unrouted, RtmpLimits limits)
    : unrouted_(std::move(unrouted)) {
  server_ = std::make_unique<RtmpServer>(io, endpoint, [this](const PublishRequest& r) { return route(r); }, limits);
}

void RtmpIngestHub::start() { server_->start(); }
void RtmpIngestHub::stop() { server_->stop(); }
uint16_t RtmpIngestHub::port() const { return server_->port(); }

void RtmpIngestHub::add(const std::shared_ptr<RtmpIngestSource>& source) {
  std::lock_guard lock(mutex_);
  sources_.push_back(source);
}

void RtmpIngestHub::remove(const RtmpIngestSource* source) {
  std::lock_guard lock(mutex_);
  std::erase_if(sources_, [&](const auto& s) { return s.get() == source; });
}

PublishDecision RtmpIngestHub::route(const PublishRequest& request) {
  std::shared_ptr<RtmpIngestSource> target;
  {
    std::lock_guard lock(mutex_);
    for (const auto& s : sources_)
      if (s->matches(request.app, request.stream_name)) target = s;
  }
  if (target) return target->admit(request);
  return {nullptr, unrouted_ ? unrouted_(request) : "no input has the stream name " + request.app + "/" + request.stream_name};
}

// ---- one input's source -------------------------------------------------------------------

struct RtmpIngestSource::Shared {
  std::mutex mutex;
  std::shared_ptr<IngestSink> sink;  // null once stopped: late events are dropped
  AddressFilter allowed = AddressFilter::allow_all();
  bool publishing = false;
  std::string sender;
  int64_t refused = 0;
};

namespace {
// Forwards one publisher's events to the channel while the source runs, and frees the source for
// the next publisher when this one goes away.
class PublishSession : public IngestSink {
 public:
  explicit PublishSession(std::shared_ptr<RtmpIngestSource::Shared> shared) : shared_(std::move(shared)) {}
  ~PublishSession() override { release(); }
  bool offer(IngestEvent& event) override {
    std::shared_ptr<IngestSink> sink;
    {
      std::lock_guard lock(shared_->mutex);
      sink = shared_->sink;
    }
    bool end = event.type == IngestEvent::Type::End;
    bool taken = sink ? sink->offer(event) : true;  // stopped: nothing more is delivered
    if (taken && end) release();
    return taken;
  }
  bool accepting() const override {
    std::lock_guard lock(shared_->mutex);
    return shared_->sink != nullptr;
  }

 private:
  void release() {
    if (released_) return;
    released_ = true;
    std::lock_guard lock(shared_->mutex);
    shared_->publishing = false;
    shared_->sender.clear();
  }
  std::shared_ptr<RtmpIngestSource::Shared> shared_;
  bool released_ = false;  // offer() and the destructor run on the session's strand only
};
}  // namespace

RtmpIngestSource::RtmpIngestSource(RtmpIngestHub& hub, RtmpSourceSpec spec)
    : hub_(hub), label_(std::move(spec.label)), stream_names_(std::move(spec.stream_names)),
      shared_(std::make_shared<Shared>()) {
  shared_->allowed = std::move(spec.allowed);
}

RtmpIngestSource::~RtmpIngestSource() { stop(); }

void RtmpIngestSource::start(std::shared_ptr<IngestSink> sink) {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->sink = std::move(sink);
  }
  hub_.add(shared_from_this());
}

void RtmpIngestSource::stop() {
  hub_.remove(this);
  std::lock_guard lock(shared_->mutex);
  shared_->sink.reset();
}

void RtmpIngestSource::update_allowed(AddressFilter allowed) {
  std::lock_guard lock(shared_->mutex);
  shared_->allowed = std::move(allowed);
}

IngestSourceStatus RtmpIngestSource::status() const {
  std::lock_guard lock(shared_->mutex);
  return {shared_->publishing, shared_->sender, shared_->refused};
}

bool RtmpIngestSource::matches(const std::string& app, const std::string& stream) const {
  for (const auto& name : stream_names_)
    if (stream_name_matches(name, app, stream)) return true;
  return false;
}

PublishDecision RtmpIngestSource::admit(const PublishRequest& request) {
  std::lock_guard lock(shared_->mutex);
  if (!shared_->sink) return {nullptr, label_ + " is not running"};
  if (!shared_->allowed.allows(request.peer_ip)) {
    ++shared_->refused;
    return {nullptr, "publisher " + request.peer_ip + " is outside the whitelist of " + label_ + " (" +
                         shared_->allowed.describe() + ")"};
  }
  if (shared_->publishing) {
    ++shared_->refused;
    return {nullptr, label_ + " already has a publisher (" + shared_->sender + ")"};
  }
  shared_->publishing = true;
  shared_->sender = request.peer_ip;
  spdlog::info("ingest: {} publishes {}/{} to {}", request.peer_ip, request.app, request.stream_name, label_);
  return {std::make_shared<PublishSession>(shared_), ""};
}

}  // namespace mediaemu::pipeline::rtmp
