// Every MediaLive channel's supervisors, by "<region>/<channel id>": one per pipeline (a STANDARD
// channel runs two, each with its own sources, transcoder and outputs, as MediaLive does). The
// media side's answer to the control plane's hooks (emulator/media_hooks.hpp): each hook finds or
// makes the channel's supervisors and posts to them; the map's mutex is held only for that, never
// across media work. Endpoint changes go to a supervisor feeding the endpoint's MediaPackage
// channel, if any.
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
  // `pipelines`: which to restart (RestartChannelPipelines' PipelineIds as indexes); empty: all.
  void restart(const std::string& region, const std::string& channel_id, uint64_t order,
               const std::vector<int>& pipelines = {});
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
  std::optional<ChannelReport> report(const std::string& region, const std::string& channel_id, int pipeline = 0) const;
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
  using Pipelines = std::vector<std::shared_ptr<ChannelSupervisor>>;  // indexed by pipeline
  Pipelines find(const std::string& key) const;
  Pipelines find_or_make(const std::string& key, int pipeline_count);
  std::shared_ptr<ChannelSupervisor> feeder_of(const std::string& mp_key) const;
  void retire_locked(std::shared_ptr<ChannelSupervisor> supervisor);  // shut down; joined once finished
  void reap_locked();  // joins retired supervisors whose threads have ended
  // A pipeline finished the stop of `order`: the channel's stop is over once every pipeline has.
  void pipeline_stopped(const std::string& key, uint64_t order);

  MediaFactory& factory_;
  const StoppedReport stopped_;
  MediaPackageClaims claims_;
  mutable std::mutex mutex_;
  std::map<std::string, Pipelines> supervisors_;
  std::vector<std::shared_ptr<ChannelSupervisor>> retired_;  // deleted channels, still finishing
  std::map<std::pair<std::string, uint64_t>, int> stops_pending_;  // (key, order) -> pipelines still stopping
  // Deletes directories of endpoints no running channel packages, off the caller's thread.
  std::unique_ptr<SerialWorker> housekeeping_ = std::make_unique<SerialWorker>();
  bool shut_down_ = false;
};

}  // namespace mediaemu::media
