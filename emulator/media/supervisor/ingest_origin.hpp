// A MediaPackage channel fed over HTTP: what encoders PUT to its two HLS ingest URLs, packaged
// for its origin endpoints, on a worker thread of its own (HTTP threads only queue the files).
//
// Input redundancy as MediaPackage documents it: each ingest URL has its own receiver, and a
// pipeline::FeedArbiter plays one at a time (pipeline/package/feed_arbiter.hpp). An encoder's
// EXT-X-ENDLIST ends the outputs unless the other input is delivering; then this origin is
// finished and a later upload starts a new one.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "emulator/media/plan/hls_ingest_delivery.hpp"
#include "emulator/serial_worker.hpp"
#include "pipeline/ingest/hls_put/hls_ingest_receiver.hpp"
#include "pipeline/package/fan_out.hpp"
#include "pipeline/package/feed_arbiter.hpp"

namespace mediaemu::media {

class IngestOrigin {
 public:
  static constexpr size_t kMaxQueuedBytes = size_t{256} << 20;

  // `key`: "<region>/<MediaPackage channel id>". Packages `endpoints` from the first upload on.
  IngestOrigin(std::string key, std::vector<EndpointPlan> endpoints);
  ~IngestOrigin();  // finishes queued work and joins the worker

  // Queues a delivery (any thread, never blocks on media work). The answer says whether it was
  // taken: 503 when kMaxQueuedBytes are already waiting or the origin has finished.
  HlsIngestAnswer post(HlsIngestDelivery&& delivery);
  void set_endpoint(const EndpointPlan& endpoint);
  // Stops packaging the endpoint, then deletes its files. False when this origin does not have it.
  bool remove_endpoint(const std::string& endpoint_id, const std::filesystem::path& directory);
  // No upload for `quiet` (steady clock), or the outputs ended: the owner may retire it.
  bool idle_for(std::chrono::steady_clock::duration quiet) const;
  bool finished() const { return finished_; }
  // Which ingest endpoint (0 or 1) is packaged, -1 before any media: thread-safe.
  int active() const { return arbiter_->active(); }

 private:
  // On the worker:
  void tick();  // polls the receivers and the arbiter every second
  void take(HlsIngestDelivery& delivery);
  std::shared_ptr<pipeline::MediaSink> open_outputs();  // the first media: the endpoints are packaged
  void package(const EndpointPlan& endpoint);

  const std::string key_;
  std::shared_ptr<pipeline::FanOut> fanout_ = std::make_shared<pipeline::FanOut>();
  std::shared_ptr<pipeline::FeedArbiter> arbiter_;
  std::vector<EndpointPlan> endpoints_;  // worker only
  bool packaging_ = false;               // worker only: the endpoints have packagers
  std::array<std::unique_ptr<pipeline::hls_put::HlsIngestReceiver>, 2> receivers_;  // worker only
  std::atomic<bool> finished_{false};
  std::atomic<size_t> queued_bytes_{0};
  mutable std::mutex mutex_;
  std::set<std::string> endpoint_ids_;                 // under mutex_
  std::set<std::string> playlists_seen_;               // under mutex_: 201 vs 204
  std::chrono::steady_clock::time_point last_upload_;  // under mutex_
  SerialWorker worker_;  // last: destroyed (joined) first
};

}  // namespace mediaemu::media
