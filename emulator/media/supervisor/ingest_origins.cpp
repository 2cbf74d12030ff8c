#include "emulator/media/supervisor/ingest_origins.hpp"

#include <spdlog/spdlog.h>

#include <vector>

namespace mediaemu::media {

HlsIngestAnswer IngestOrigins::deliver(HlsIngestDelivery&& delivery) {
  const std::string key = delivery.region + "/" + delivery.mediapackage_channel_id;
  std::unique_lock lock(mutex_);
  if (shut_down_) return {503, "mediaemu is shutting down"};
  retire_idle_locked();
  auto& origin = origins_[key];
  if (origin && origin->finished()) origin.reset();  // a new session after EXT-X-ENDLIST
  if (!origin) {
    if (delivery.remove) {
      origins_.erase(key);
      return {204, ""};  // nothing of it was kept
    }
    std::string holder;
    if (!claims_.claim(key, kClaimant, holder)) {
      origins_.erase(key);
      return {409, "MediaPackage channel " + delivery.mediapackage_channel_id +
                       " receives from running MediaLive channel " + holder.substr(holder.find('/') + 1) +
                       " (delivered inside mediaemu); stop that channel to ingest over HTTP"};
    }
    auto endpoints = delivery.plan_endpoints ? delivery.plan_endpoints() : std::vector<EndpointPlan>{};
    spdlog::info("hls ingest {}: first upload ({}), packaging {} origin endpoint(s)", key, delivery.file,
                 endpoints.size());
    origin = std::make_unique<IngestOrigin>(key, std::move(endpoints));
  }
  return origin->post(std::move(delivery));
}

void IngestOrigins::retire_idle_locked() {
  std::vector<std::unique_ptr<IngestOrigin>> retired;
  for (auto it = origins_.begin(); it != origins_.end();) {
    if (it->second && it->second->idle_for(kRetireAfter)) {
      if (it->second->finished())
        spdlog::info("hls ingest {}: the stream ended; the channel is free for other inputs", it->first);
      else
        spdlog::info("hls ingest {}: no upload for {} s; the channel is free for other inputs", it->first,
                     kRetireAfter.count());
      claims_.release(it->first, kClaimant);
      retired.push_back(std::move(it->second));
      it = origins_.erase(it);
    } else {
      ++it;
    }
  }
  (void)retired;  // destroyed here: joins each worker, whose queue is empty once idle
}

void IngestOrigins::endpoint_changed(const EndpointPlan& plan) {
  std::lock_guard lock(mutex_);
  auto it = origins_.find(plan.region + "/" + plan.mediapackage_channel_id);
  if (it != origins_.end() && it->second) it->second->set_endpoint(plan);
}

bool IngestOrigins::endpoint_deleted(const std::string& region, const std::string& endpoint_id,
                                     const std::filesystem::path& directory) {
  std::lock_guard lock(mutex_);
  for (auto& [key, origin] : origins_)
    if (key.rfind(region + "/", 0) == 0 && origin && origin->remove_endpoint(endpoint_id, directory)) return true;
  return false;
}

int IngestOrigins::active_input(const std::string& region, const std::string& mediapackage_channel_id) const {
  std::lock_guard lock(mutex_);
  auto it = origins_.find(region + "/" + mediapackage_channel_id);
  return it == origins_.end() || !it->second ? -1 : it->second->active();
}

void IngestOrigins::shutdown() {
  std::map<std::string, std::unique_ptr<IngestOrigin>> all;
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    all.swap(origins_);
  }
  all.clear();  // each finishes what it queued and joins its worker
}

}  // namespace mediaemu::media
