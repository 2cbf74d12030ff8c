// Every MediaLive channel's supervisor, by "<region>/<channel id>": the media side's answer to
// the control plane's hooks (emulator/media_hooks.hpp). Each hook finds or makes the channel's
// supervisor and posts to it; the map's mutex is held only for that, never across media work.
// Endpoint changes go to the supervisor feeding the endpoint's MediaPackage channel, if any.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "emulator/media/supervisor/channel_supervisor.hpp"

namespace mediaemu::media {

class ChannelSupervisors {
 public:
  // Where a finished stop is reported (region, channel id, the stop's order), on a media thread.
  using StoppedReport = std::function<void(const std::string& region, const std::string& channel_id, uint64_t order)>;

  explicit ChannelSupervisors(MediaFactory& factory, StoppedReport stopped = {});
  ~ChannelSupervisors();  // shutdown_all()

  void start(const ChannelRunPlan& plan);
  // `order`: see MediaHooks (emulator/media_hooks.hpp).
  void stop(const std::string& region, const std::string& channel_id, uint64_t order);
  void restart(const std::string& region, const std::string& channel_id, uint64_t order);
  void update(const ChannelRunPlan& plan);
  void deleted(const std::string& region, const std::string& channel_id, uint64_t order);
  void endpoint_changed(const EndpointPlan& plan);
  void endpoint_deleted(const std::string& region, const std::string& endpoint_id,
                        const std::filesystem::path& directory);
  // The channel runs a pipeline that has received media since it was built (so a stop has
  // outputs to end). From snapshots: never waits.
  bool stop_ends_outputs(const std::string& region, const std::string& channel_id) const;
  // ListAlerts items (model form) from the supervisor's last report.
  nlohmann::json alerts(const std::string& region, const std::string& channel_id) const;
  std::optional<ChannelReport> report(const std::string& region, const std::string& channel_id) const;
  // One sample per running channel, for the AWS/MediaLive metrics (MediaHooks::channel_samples).
  nlohmann::json samples() const;
  // Every channel's encoder log events since the last call (MediaHooks::channel_logs).
  nlohmann::json take_logs();

  // Which MediaPackage channels the running channels deliver to, shared with the HLS ingest
  // origins (ingest_origins.hpp) so that one feeder at a time packages a MediaPackage channel.
  MediaPackageClaims& claims() { return claims_; }

  // Stops every channel (flushing outputs) and joins every supervisor: for process shutdown.
  void shutdown_all();

 private:
  std::shared_ptr<ChannelSupervisor> find(const std::string& key) const;
  std::shared_ptr<ChannelSupervisor> find_or_make(const std::string& key);
  std::shared_ptr<ChannelSupervisor> feeder_of(const std::string& mp_key) const;
  void reap_locked();  // joins retired supervisors whose threads have ended

  MediaFactory& factory_;
  const StoppedReport stopped_;
  MediaPackageClaims claims_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<ChannelSupervisor>> supervisors_;
  std::vector<std::shared_ptr<ChannelSupervisor>> retired_;  // deleted channels, still finishing
  // Deletes directories of endpoints no running channel packages, off the caller's thread.
  std::unique_ptr<SerialWorker> housekeeping_ = std::make_unique<SerialWorker>();
  bool shut_down_ = false;
};

}  // namespace mediaemu::media
