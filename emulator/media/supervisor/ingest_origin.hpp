// A MediaPackage channel fed over HTTP: what encoders PUT to its two HLS ingest URLs, packaged
// for its origin endpoints, on a worker thread of its own (HTTP threads only queue the files).
//
// Input redundancy as MediaPackage documents it (MP-UG what-is-flow-gen, what-is-flow-ir): each
// ingest URL has its own receiver; the first to deliver media is the active input and the only
// one packaged; when it delivers nothing for kFailoverAfter while the other does, the other
// becomes active (EXT-X-DISCONTINUITY / a new Period, its timestamps carried on from where the
// outputs were, never back). It stays active until it fails in turn. An encoder's
// EXT-X-ENDLIST ends the outputs unless the other input is delivering.
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

namespace mediaemu::media {

class IngestOrigin {
 public:
  static constexpr std::chrono::milliseconds kFailoverAfter{4000};
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
  int active() const { return active_public_; }

 private:
  class Feed;
  // On the worker:
  void tick();                               // check_failover() every second
  void take(HlsIngestDelivery& delivery);
  void feed_layout(int index);
  void feed_packet(int index, const pipeline::MediaPacket& packet);
  void feed_ended(int index);
  bool delivering(int index) const;          // media within kFailoverAfter, renditions that fit
  void check_failover();
  void switch_to(int index, const char* why);
  void package(const EndpointPlan& endpoint);

  const std::string key_;
  std::shared_ptr<pipeline::FanOut> fanout_ = std::make_shared<pipeline::FanOut>();
  std::vector<EndpointPlan> endpoints_;                       // worker only
  std::array<std::shared_ptr<Feed>, 2> feeds_;                // worker only
  int active_ = -1;                                           // worker only
  pipeline::OutputLayout out_layout_;                         // worker only: what the outputs got
  int64_t out_epoch_ms_ = 0;                                  // worker only: its wall-clock zero
  int64_t out_end_us_ = 0;                                    // worker only: end of what went out
  std::atomic<int> active_public_{-1};
  std::atomic<bool> finished_{false};
  std::atomic<size_t> queued_bytes_{0};
  mutable std::mutex mutex_;
  std::set<std::string> endpoint_ids_;                        // under mutex_
  std::set<std::string> playlists_seen_;                      // under mutex_: 201 vs 204
  std::chrono::steady_clock::time_point last_upload_;         // under mutex_
  SerialWorker worker_;  // last: destroyed (joined) first
};

}  // namespace mediaemu::media
