// Every MediaPackage channel currently fed over HTTP (HLS ingest), by "<region>/<channel id>".
// An origin starts with the first upload to one of the channel's ingest URLs and is retired after
// kRetireAfter without uploads (its outputs stay as they are, as a stalled input leaves them) or
// once its outputs ended. While it exists it holds the channel's claim (MediaPackageClaims): a
// running MediaLive channel cannot deliver to it in-process at the same time, and vice versa.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "emulator/media/plan/hls_ingest_delivery.hpp"
#include "emulator/media/supervisor/channel_supervisor.hpp"
#include "emulator/media/supervisor/ingest_origin.hpp"

namespace mediaemu::media {

class IngestOrigins {
 public:
  static constexpr std::chrono::seconds kRetireAfter{60};
  static constexpr const char* kClaimant = "HLS ingest";

  explicit IngestOrigins(MediaPackageClaims& claims) : claims_(claims) {}
  ~IngestOrigins() { shutdown(); }

  // From an HTTP thread; never waits for media work.
  HlsIngestAnswer deliver(HlsIngestDelivery&& delivery);
  void endpoint_changed(const EndpointPlan& plan);
  // True when an ingest origin packaged the endpoint (it then deletes the files itself).
  bool endpoint_deleted(const std::string& region, const std::string& endpoint_id,
                        const std::filesystem::path& directory);
  // Which ingest endpoint (0, 1) of the MediaPackage channel is packaged now; -1: none.
  int active_input(const std::string& region, const std::string& mediapackage_channel_id) const;
  void shutdown();

 private:
  void retire_idle_locked();

  MediaPackageClaims& claims_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<IngestOrigin>> origins_;
  bool shut_down_ = false;
};

}  // namespace mediaemu::media
