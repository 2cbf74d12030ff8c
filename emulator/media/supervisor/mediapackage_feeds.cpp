#include "emulator/media/supervisor/mediapackage_feeds.hpp"

#include "emulator/media/supervisor/endpoint_packaging.hpp"

namespace mediaemu::media {

MediaPackageFeed::MediaPackageFeed(std::string key, const std::vector<EndpointPlan>& endpoints)
    : key_(std::move(key)), endpoints_(endpoints) {
  open();  // packaged now, as the channel starts: what cannot be packaged is an alert of the start
  arbiter_ = pipeline::FeedArbiter::make(
      "MediaPackage channel " + key_, kMediaPackageFailoverAfter, [this] { return open(); },
      [this] {
        std::lock_guard lock(mutex_);
        packagers_.reset();  // ended: a pipeline delivering again gets new packagers
      });
}

std::shared_ptr<pipeline::MediaSink> MediaPackageFeed::open() {
  std::lock_guard lock(mutex_);
  if (!packagers_) {
    packagers_ = std::make_shared<pipeline::FanOut>();
    for (const auto& e : endpoints_) package(*packagers_, e);
  }
  return packagers_;
}

void MediaPackageFeed::set_endpoint(const EndpointPlan& endpoint) {
  std::lock_guard lock(mutex_);
  std::erase_if(endpoints_, [&](const EndpointPlan& e) { return e.id == endpoint.id; });
  endpoints_.push_back(endpoint);
  if (packagers_) package(*packagers_, endpoint);
}

void MediaPackageFeed::remove_endpoint(const std::string& endpoint_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(endpoints_, [&](const EndpointPlan& e) { return e.id == endpoint_id; });
  if (packagers_) packagers_->remove(endpoint_id);  // waits until no packet is inside it
}

std::vector<std::string> MediaPackageFeed::alerts() const {
  std::lock_guard lock(mutex_);
  return alerts_;
}

void MediaPackageFeed::package(pipeline::FanOut& fanout, const EndpointPlan& endpoint) {
  if (auto problem = package_endpoint(fanout, endpoint, "channel " + key_); !problem.empty()) alerts_.push_back(problem);
}

std::shared_ptr<MediaPackageFeed> MediaPackageFeeds::get(const std::string& key,
                                                         const std::vector<EndpointPlan>& endpoints) {
  std::lock_guard lock(mutex_);
  std::erase_if(feeds_, [](const auto& f) { return f.second.expired(); });
  if (auto feed = feeds_[key].lock()) return feed;
  auto feed = std::make_shared<MediaPackageFeed>(key, endpoints);
  feeds_[key] = feed;
  return feed;
}

std::shared_ptr<MediaPackageFeed> MediaPackageFeeds::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = feeds_.find(key);
  return it == feeds_.end() ? nullptr : it->second.lock();
}

int MediaPackageFeeds::active(const std::string& key) const {
  auto feed = find(key);
  return feed ? feed->active() : -1;
}

void MediaPackageFeeds::closing(const std::string& key) {
  if (auto feed = find(key)) feed->closing();
}

}  // namespace mediaemu::media
