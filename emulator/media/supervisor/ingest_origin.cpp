#include "emulator/media/supervisor/ingest_origin.hpp"

#include <spdlog/spdlog.h>

#include "emulator/media/supervisor/endpoint_packaging.hpp"
#include "emulator/media/supervisor/mediapackage_feeds.hpp"

namespace mediaemu::media {

IngestOrigin::IngestOrigin(std::string key, std::vector<EndpointPlan> endpoints) : key_(std::move(key)) {
  {
    std::lock_guard lock(mutex_);
    for (const auto& e : endpoints) endpoint_ids_.insert(e.id);
    last_upload_ = std::chrono::steady_clock::now();
  }
  // The arbiter calls back only from the receivers, which run on the worker.
  arbiter_ = pipeline::FeedArbiter::make(
      "hls ingest " + key_, kMediaPackageFailoverAfter, [this] { return open_outputs(); }, [this] { finished_ = true; });
  worker_.post([this, endpoints = std::move(endpoints)] { endpoints_ = endpoints; });
  tick();
}

IngestOrigin::~IngestOrigin() { worker_.finish(); }

void IngestOrigin::tick() {
  worker_.post_at(std::chrono::steady_clock::now() + std::chrono::seconds(1), [this] {
    for (auto& receiver : receivers_)
      if (receiver && !receiver->ended()) receiver->poll();
    arbiter_->check();
    if (!finished_) tick();
  });
}

HlsIngestAnswer IngestOrigin::post(HlsIngestDelivery&& delivery) {
  if (finished_) return {503, "the ingest of this channel just ended; send again"};
  size_t size = delivery.body.size();
  if (queued_bytes_.fetch_add(size) + size > kMaxQueuedBytes) {
    queued_bytes_ -= size;
    return {503, "MediaPackage channel is " + std::to_string(kMaxQueuedBytes >> 20) +
                     " MB behind on its ingest; slow down"};
  }
  int status = delivery.remove ? 204 : 201;
  {
    std::lock_guard lock(mutex_);
    last_upload_ = std::chrono::steady_clock::now();
    // WebDAV (RFC 4918 §9.7.1): 201 for a new resource, 204 for one replaced (playlists).
    if (!delivery.remove && delivery.file.ends_with(".m3u8") && !playlists_seen_.insert(delivery.file).second) status = 204;
  }
  bool queued = worker_.post([this, d = std::move(delivery), size]() mutable {
    queued_bytes_ -= size;
    take(d);
  });
  if (!queued) {
    queued_bytes_ -= size;
    return {503, "the ingest of this channel is shutting down"};
  }
  return {status, ""};
}

void IngestOrigin::take(HlsIngestDelivery& d) {
  if (finished_ || d.ingest_index < 0 || d.ingest_index > 1) return;
  auto& receiver = receivers_[static_cast<size_t>(d.ingest_index)];
  if (!receiver || receiver->ended())
    receiver = std::make_unique<pipeline::hls_put::HlsIngestReceiver>(
        key_ + " input " + std::to_string(d.ingest_index + 1), arbiter_->feed(d.ingest_index));
  if (d.remove) receiver->remove(d.file);
  else receiver->put(d.file, std::move(d.body));
  arbiter_->check();
}

// Packaged from the first media on, so a stray upload that never becomes media leaves what the
// endpoints served in place.
std::shared_ptr<pipeline::MediaSink> IngestOrigin::open_outputs() {
  packaging_ = true;
  for (const auto& e : endpoints_) package(e);
  return fanout_;
}

void IngestOrigin::set_endpoint(const EndpointPlan& endpoint) {
  {
    std::lock_guard lock(mutex_);
    endpoint_ids_.insert(endpoint.id);
  }
  worker_.post([this, endpoint] {
    std::erase_if(endpoints_, [&](const EndpointPlan& e) { return e.id == endpoint.id; });
    endpoints_.push_back(endpoint);
    if (packaging_) package(endpoint);  // else packaged with the first media
  });
}

bool IngestOrigin::remove_endpoint(const std::string& endpoint_id, const std::filesystem::path& directory) {
  {
    std::lock_guard lock(mutex_);
    if (!endpoint_ids_.erase(endpoint_id)) return false;
  }
  worker_.post([this, endpoint_id, directory] {
    std::erase_if(endpoints_, [&](const EndpointPlan& e) { return e.id == endpoint_id; });
    fanout_->remove(endpoint_id);  // once it returns the packager is never called again
    std::error_code ec;
    std::filesystem::remove_all(directory, ec);
    if (ec) spdlog::warn("hls ingest {}: could not delete {}: {}", key_, directory.string(), ec.message());
  });
  return true;
}

void IngestOrigin::package(const EndpointPlan& endpoint) {
  if (auto problem = package_endpoint(*fanout_, endpoint, "HLS ingest"); !problem.empty())
    spdlog::warn("hls ingest {}: {}", key_, problem);
}

bool IngestOrigin::idle_for(std::chrono::steady_clock::duration quiet) const {
  std::lock_guard lock(mutex_);
  return finished_ || std::chrono::steady_clock::now() - last_upload_ > quiet;
}

}  // namespace mediaemu::media
