// The packagers of each MediaPackage channel that running MediaLive channels feed in-process,
// shared by the channel's pipelines. Each pipeline delivers to the ingest endpoint of its index
// (pipeline 0 to the first, as MediaLive does), and a pipeline::FeedArbiter plays one at a time,
// failing over as MediaPackage's input redundancy does (MP-UG what-is-flow-ir). The HLS ingest
// over HTTP (ingest_origin.hpp) arbitrates its two ingest URLs the same way.
//
// Threads: input() sinks are called on the pipelines' transcoder threads; the rest on supervisor
// threads. Lock order: arbiter, then feed (the arbiter opens outputs under its lock).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "emulator/media/plan/endpoint_plan.hpp"
#include "pipeline/package/fan_out.hpp"
#include "pipeline/package/feed_arbiter.hpp"

namespace mediaemu::media {

// How long an active input may deliver nothing before the other takes over (both doors).
inline constexpr std::chrono::milliseconds kMediaPackageFailoverAfter{4000};

class MediaPackageFeed {
 public:
  // `key`: "<region>/<MediaPackage channel id>". Packages `endpoints` at once.
  MediaPackageFeed(std::string key, const std::vector<EndpointPlan>& endpoints);
  // What pipeline `ingest_index` (0 or 1) delivers into.
  std::shared_ptr<pipeline::MediaSink> input(int ingest_index) { return arbiter_->feed(ingest_index); }
  void set_endpoint(const EndpointPlan& endpoint);
  void remove_endpoint(const std::string& endpoint_id);  // its packager is never called again after
  int active() const { return arbiter_->active(); }     // which ingest endpoint plays, -1: none yet
  void closing() { arbiter_->closing(); }               // its feeding channel stops (FeedArbiter::closing)
  std::vector<std::string> alerts() const;               // endpoints that could not be packaged

 private:
  std::shared_ptr<pipeline::MediaSink> open();  // the arbiter's outputs: the packagers
  void package(pipeline::FanOut& fanout, const EndpointPlan& endpoint);  // under mutex_

  const std::string key_;
  mutable std::mutex mutex_;
  std::vector<EndpointPlan> endpoints_;
  std::shared_ptr<pipeline::FanOut> packagers_;  // null once the outputs ended: open() makes new ones
  std::vector<std::string> alerts_;
  std::shared_ptr<pipeline::FeedArbiter> arbiter_;
};

// The feeds by MediaPackage channel key, alive while a pipeline holds them.
class MediaPackageFeeds {
 public:
  std::shared_ptr<MediaPackageFeed> get(const std::string& key, const std::vector<EndpointPlan>& endpoints);
  int active(const std::string& key) const;  // -1: no feed, or none delivers yet
  void closing(const std::string& key);       // MediaPackageFeed::closing, if it has a feed

 private:
  std::shared_ptr<MediaPackageFeed> find(const std::string& key) const;  // null: none alive
  mutable std::mutex mutex_;
  std::map<std::string, std::weak_ptr<MediaPackageFeed>> feeds_;
};

}  // namespace mediaemu::media
