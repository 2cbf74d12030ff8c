#include "emulator/media/media_runtime.hpp"

#include <arpa/inet.h>
#include <spdlog/spdlog.h>

#include "api/timestamps.hpp"
#include "emulator/media/json_fields.hpp"
#include "emulator/media/endpoint_plan.hpp"
#include "emulator/medialive/medialive.hpp"
#include "emulator/mediapackage/mediapackage.hpp"
#include "pipeline/package/endpoint_packager.hpp"
#include "pipeline/package/fan_out.hpp"
#include "pipeline/transcode/live_transcoder.hpp"
#include "pipeline/variant_filter.hpp"

namespace mediaemu::media {
namespace {

using json = nlohmann::json;

std::string key_of(const std::string& region, const std::string& id) { return region + "/" + id; }


// The path of a URL ("http://h:1/in/v2/a/b/channel" -> "/in/v2/a/b/channel"), so hosts and ports
// written differently still match.
std::string url_path(const std::string& url) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "" : url.substr(slash);
}

bool cidr_contains(const std::string& cidr, const std::string& ip) {
  auto slash = cidr.find('/');
  in_addr net{}, addr{};
  if (slash == std::string::npos || inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &net) != 1 ||
      inet_pton(AF_INET, ip.c_str(), &addr) != 1) {
    return false;
  }
  int bits = std::stoi(cidr.substr(slash + 1));
  uint32_t mask = bits == 0 ? 0 : htonl(~uint32_t{0} << (32 - bits));
  return (net.s_addr & mask) == (addr.s_addr & mask);
}

// "live/main" for app "live" and stream "main"; an input's stream name without an instance
// ("live") accepts any instance under that application.
bool stream_matches(const std::string& input_name, const std::string& app, const std::string& stream) {
  if (input_name == app + "/" + stream) return true;
  return input_name.find('/') == std::string::npos && input_name == app;
}

}  // namespace

// A MediaPackage channel's packagers: one per origin endpoint, all fed by one fan-out.
struct MediaRuntime::Packaging {
  std::string region, channel_id;
  std::shared_ptr<pipeline::FanOut> fanout = std::make_shared<pipeline::FanOut>();
  std::string fed_by;  // the MediaLive channel delivering to it, if any
};

// A running MediaLive channel.
struct MediaRuntime::Running {
  std::string region, id;
  ChannelPlan plan;
  std::shared_ptr<pipeline::LiveTranscoder> transcoder;
  std::vector<std::shared_ptr<Packaging>> fed;  // MediaPackage channels this channel feeds
  std::vector<std::string> runtime_alerts;
  double started_at = 0;
  std::atomic<bool> publishing{false};
};

namespace {
// Forwards a publisher's events to the channel and notes when the publisher goes away, so a
// second publisher is refused only while the first is live.
class PublishSession : public pipeline::IngestSink {
 public:
  PublishSession(std::shared_ptr<pipeline::IngestSink> target, std::shared_ptr<std::atomic<bool>> flag)
      : target_(std::move(target)), flag_(std::move(flag)) {}
  ~PublishSession() override { flag_->store(false); }
  bool offer(pipeline::IngestEvent& event) override {
    bool end = event.type == pipeline::IngestEvent::Type::End;
    bool taken = target_->offer(event);
    if (taken && end) flag_->store(false);
    return taken;
  }

 private:
  std::shared_ptr<pipeline::IngestSink> target_;
  std::shared_ptr<std::atomic<bool>> flag_;
};
}  // namespace

MediaRuntime::MediaRuntime(const Config& config, Domain& domain, boost::asio::io_context& io)
    : config_(config), domain_(domain), io_(io) {}

MediaRuntime::~MediaRuntime() { stop(); }

void MediaRuntime::start() {
  boost::asio::ip::tcp::endpoint endpoint(boost::asio::ip::make_address(config_.host), config_.rtmp_port);
  rtmp_ = std::make_unique<pipeline::rtmp::RtmpServer>(
      io_, endpoint, [this](const pipeline::rtmp::PublishRequest& r) { return authorize(r); });
  rtmp_->start();
  // Channels left RUNNING by a previous process run again (they wait for a publisher).
  std::vector<std::pair<std::string, std::string>> running;
  {
    auto lock = domain_.read();
    for (const Record* r : domain_.list_all(medialive::kChannel)) {
      if (text(r->doc, "State") == "RUNNING") running.emplace_back(r->key.region, r->key.id);
    }
  }
  for (const auto& [region, id] : running) channel_running(region, id);
}

void MediaRuntime::stop() {
  if (rtmp_) rtmp_->stop();
  std::vector<std::string> keys;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, running] : running_) keys.push_back(key);
  }
  for (const auto& key : keys) stop_channel(key);
}

std::shared_ptr<MediaRuntime::Packaging> MediaRuntime::packaging_for(const std::string& region,
                                                                     const std::string& mp_channel_id,
                                                                     const std::vector<Record>& endpoints) {
  // Called with mutex_ held: the endpoints were read from the domain before it was taken.
  auto& slot = packaging_[key_of(region, mp_channel_id)];
  if (slot) return slot;
  slot = std::make_shared<Packaging>();
  slot->region = region;
  slot->channel_id = mp_channel_id;
  for (const auto& e : endpoints) attach_endpoint(*slot, e);
  return slot;
}

void MediaRuntime::attach_endpoint(Packaging& packaging, const Record& endpoint) {
  const std::string& region = endpoint.key.region;
  std::string id = endpoint.key.id, problem;
  auto spec = plan_endpoint(endpoint.doc, config_.origin_dir(mediapackage::endpoint_url_hash(endpoint)), problem);
  packaging.fanout->remove(id);
  if (!spec) {
    spdlog::warn("media: {} endpoint {} is not packaged: {}", region, id, problem);
    return;
  }
  // A new packager starts from an empty directory: stale files from an earlier run of the
  // channel would otherwise be served next to the new ones.
  std::error_code ec;
  std::filesystem::remove_all(spec->directory, ec);
  std::filesystem::create_directories(spec->directory, ec);
  packaging.fanout->add(id, pipeline::make_endpoint_packager(*spec));
  spdlog::info("media: packaging {} endpoint {} of MediaPackage channel {} into {}", region, id, packaging.channel_id,
               spec->directory.string());
}

void MediaRuntime::channel_running(const std::string& region, const std::string& channel_id) {
  // Everything this needs from the domain is read here, before mutex_ is taken: domain_.read()
  // may apply due transitions, whose hooks call back into this class (and take mutex_).
  json channel;
  std::map<std::string, std::string> ingest_paths;            // MediaPackage ingest URL path -> channel id
  std::map<std::string, std::vector<Record>> mp_endpoints;    // MediaPackage channel id -> its origin endpoints
  {
    auto lock = domain_.read();
    const Record* r = domain_.find({medialive::kChannel, region, channel_id});
    if (!r || text(r->doc, "State") != "RUNNING") return;
    channel = r->doc;
    for (const Record* mp : domain_.list(mediapackage::kChannel, region)) {
      mp_endpoints[mp->key.id];
      for (const auto& e : mp->doc.value("HlsIngest", json::object()).value("IngestEndpoints", json::array())) {
        ingest_paths[url_path(text(e, "Url"))] = mp->key.id;
      }
    }
    for (const Record* e : domain_.list(mediapackage::kOriginEndpoint, region)) {
      auto owner = mp_endpoints.find(text(e->doc, "ChannelId"));
      if (owner != mp_endpoints.end()) owner->second.push_back(*e);
    }
  }
  PlanContext ctx;
  ctx.label = "channel " + channel_id;
  ctx.x264_preset = config_.x264_preset;
  ctx.s3_root = config_.data_dir / "s3";
  ctx.mediapackage_channel_for_url = [&](const std::string& url) -> std::optional<std::string> {
    auto it = ingest_paths.find(url_path(url));
    return it == ingest_paths.end() ? std::nullopt : std::optional<std::string>(it->second);
  };

  auto running = std::make_shared<Running>();
  running->region = region;
  running->id = channel_id;
  running->plan = plan_channel(channel, ctx);
  running->started_at = api::now_epoch_seconds();
  for (const auto& alert : running->plan.alerts) spdlog::warn("media: {} channel {}: {}", region, channel_id, alert);

  auto outputs = std::make_shared<pipeline::FanOut>();
  {
    std::lock_guard lock(mutex_);
    if (running_.count(key_of(region, channel_id))) return;  // already running
    for (size_t i = 0; i < running->plan.deliveries.size(); ++i) {
      const Delivery& d = running->plan.deliveries[i];
      std::shared_ptr<pipeline::MediaSink> target;
      if (d.kind == Delivery::Kind::MediaPackage) {
        auto endpoints = mp_endpoints.find(d.mediapackage_channel_id);
        if (endpoints == mp_endpoints.end()) {
          running->runtime_alerts.push_back("output group '" + d.group_name + "' delivers to MediaPackage channel '" +
                                            d.mediapackage_channel_id + "', which does not exist in " + region);
          continue;
        }
        auto packaging = packaging_for(region, d.mediapackage_channel_id, endpoints->second);
        if (!packaging->fed_by.empty() && packaging->fed_by != channel_id) {
          running->runtime_alerts.push_back("MediaPackage channel '" + d.mediapackage_channel_id +
                                            "' already receives channel " + packaging->fed_by + "; not delivering");
          continue;
        }
        packaging->fed_by = channel_id;
        running->fed.push_back(packaging);
        target = packaging->fanout;
      } else {
        std::error_code ec;
        std::filesystem::create_directories(d.hls.directory, ec);
        target = std::shared_ptr<pipeline::MediaSink>(pipeline::make_endpoint_packager(d.hls));
      }
      std::set<std::string> names(d.outputs.begin(), d.outputs.end());
      outputs->add("group-" + std::to_string(i), std::make_unique<pipeline::VariantFilter>(names, target));
    }
    for (const auto& alert : running->runtime_alerts) spdlog::warn("media: {} channel {}: {}", region, channel_id, alert);
    if (!running->plan.ladder.outputs.empty()) {
      running->transcoder = std::make_shared<pipeline::LiveTranscoder>(running->plan.ladder, outputs);
      running->transcoder->start();
    }
    running_[key_of(region, channel_id)] = running;
  }
  spdlog::info("media: channel {} in {} is running: {} renditions, {} output groups delivered, {} alerts", channel_id,
               region, running->plan.ladder.video.size() + running->plan.ladder.audio.size(),
               running->plan.deliveries.size(), running->plan.alerts.size() + running->runtime_alerts.size());
}

void MediaRuntime::stop_channel(const std::string& key) {
  std::shared_ptr<Running> running;
  {
    std::lock_guard lock(mutex_);
    auto it = running_.find(key);
    if (it == running_.end()) return;
    running = it->second;
    running_.erase(it);
  }
  // Flushes the encoders and ends every output (EXT-X-ENDLIST, a static MPD) off the lock.
  if (running->transcoder) running->transcoder->stop();
  std::lock_guard lock(mutex_);
  for (auto& p : running->fed) {
    if (p->fed_by == running->id) {
      // The next run starts its packagers afresh, the way MediaPackage goes live again.
      packaging_.erase(key_of(p->region, p->channel_id));
    }
  }
  spdlog::info("media: channel {} stopped", key);
}

void MediaRuntime::channel_stopping(const std::string& region, const std::string& channel_id) {
  stop_channel(key_of(region, channel_id));
}

void MediaRuntime::channel_deleted(const std::string& region, const std::string& channel_id) {
  // Nothing to remove beyond the pipeline: like AWS, what a channel delivered stays where it was
  // delivered (MediaPackage keeps its window, S3 keeps objects).
  stop_channel(key_of(region, channel_id));
}

json MediaRuntime::channel_alerts(const std::string& region, const std::string& channel_id) {
  std::lock_guard lock(mutex_);
  json out = json::array();
  auto it = running_.find(key_of(region, channel_id));
  if (it == running_.end()) return out;
  const Running& r = *it->second;
  int n = 0;
  auto add = [&](const std::string& type, const std::string& message) {
    out.push_back({{"AlertType", type},
                   {"Id", channel_id + "-" + std::to_string(++n)},
                   {"Message", message},
                   {"PipelineId", "0"},
                   {"SetTimestamp", r.started_at},
                   {"State", "SET"}});
  };
  for (const auto& a : r.plan.alerts) add("Unsupported Configuration", a);
  for (const auto& a : r.runtime_alerts) add("Output Delivery Failure", a);
  if (!r.publishing) add("Input Not Present", "No publisher is pushing to an input of this channel");
  return out;
}

void MediaRuntime::endpoint_changed(const std::string& region, const std::string& endpoint_id) {
  Record endpoint;  // a copy: mutex_ is taken only after the domain lock is released
  {
    auto lock = domain_.read();
    const Record* r = domain_.find({mediapackage::kOriginEndpoint, region, endpoint_id});
    if (!r) return;
    endpoint = *r;
  }
  std::lock_guard lock(mutex_);
  auto it = packaging_.find(key_of(region, text(endpoint.doc, "ChannelId")));
  if (it != packaging_.end()) attach_endpoint(*it->second, endpoint);
}

void MediaRuntime::endpoint_deleted(const std::string& region, const std::string& endpoint_id,
                                    const std::string& url_hash) {
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, p] : packaging_)
      if (p->region == region) p->fanout->remove(endpoint_id);
  }
  std::error_code ec;
  std::filesystem::remove_all(config_.origin_dir(url_hash), ec);
}

pipeline::rtmp::PublishDecision MediaRuntime::authorize(const pipeline::rtmp::PublishRequest& request) {
  std::string region, channel_id, input_id;
  {
    auto lock = domain_.read();
    const Record* input = nullptr;
    for (const Record* r : domain_.list_all(medialive::kInput)) {
      if (text(r->doc, "Type") != "RTMP_PUSH" || text(r->doc, "State") == "DELETED") continue;
      for (const auto& name : r->internal.value("streamNames", json::array())) {
        if (stream_matches(name.get<std::string>(), request.app, request.stream_name)) input = r;
      }
    }
    if (!input) return {nullptr, "no RTMP_PUSH input has the stream name " + request.app + "/" + request.stream_name};
    input_id = input->key.id;
    region = input->key.region;
    const json attached = input->doc.value("AttachedChannels", json::array());
    if (attached.empty()) return {nullptr, "input " + input_id + " is not attached to a channel"};
    channel_id = attached[0].get<std::string>();
    const Record* channel = domain_.find({medialive::kChannel, region, channel_id});
    std::string state = channel ? text(channel->doc, "State") : "missing";
    if (state != "RUNNING") {
      return {nullptr, "input " + input_id + " is attached to channel " + channel_id + ", which is " + state +
                           "; start the channel first"};
    }
    // Input security groups: the peer must be inside one of their WhitelistRules. An input with no
    // group takes any publisher (AWS requires a group for public push inputs; we do not).
    const json groups = input->doc.value("SecurityGroups", json::array());
    bool allowed = groups.empty();
    for (const auto& g : groups) {
      const Record* isg = domain_.find({medialive::kInputSecurityGroup, region, g.get<std::string>()});
      if (!isg) continue;
      for (const auto& rule : isg->doc.value("WhitelistRules", json::array()))
        allowed |= cidr_contains(text(rule, "Cidr"), request.peer_ip);
    }
    if (!allowed) {
      return {nullptr, "publisher " + request.peer_ip + " is outside the whitelist of input " + input_id +
                           "'s security groups " + groups.dump()};
    }
  }
  std::lock_guard lock(mutex_);
  auto it = running_.find(key_of(region, channel_id));
  if (it == running_.end() || !it->second->transcoder) {
    return {nullptr, "channel " + channel_id + " has no output mediaemu can produce (see ListAlerts)"};
  }
  Running& running = *it->second;
  if (running.publishing.exchange(true)) {
    return {nullptr, "channel " + channel_id + " already has a publisher on input " + input_id};
  }
  spdlog::info("media: {} publishes {}/{} to input {} of channel {} in {}", request.peer_ip, request.app,
               request.stream_name, input_id, channel_id, region);
  auto flag = std::shared_ptr<std::atomic<bool>>(it->second, &running.publishing);
  return {std::make_shared<PublishSession>(running.transcoder, flag), ""};
}

}  // namespace mediaemu::media

// The module's entry point (emulator/media_service.hpp), found by MediaLoader with dlsym.
extern "C" __attribute__((visibility("default"))) mediaemu::MediaService* mediaemu_create_media_service(
    const mediaemu::Config& config, mediaemu::Domain& domain, boost::asio::io_context& io) {
  return new mediaemu::media::MediaRuntime(config, domain, io);
}
