// The seam between the control plane and the media runtime. The control plane builds typed plans
// (emulator/media/plan/, from its records, under its lock) and hands them over after the change
// is committed, never under the domain lock. Every hook is a command: the media side queues it
// for the channel's supervisor and returns at once, so no hook blocks its caller (an HTTP thread,
// the state clock, or whichever domain read applied a due transition) on media work. The default
// implementation does nothing, which is what unit tests of the control plane use.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "emulator/media/plan/hls_ingest_delivery.hpp"
#include "emulator/media/plan/run_plan.hpp"

namespace mediaemu {

class MediaHooks {
 public:
  virtual ~MediaHooks() = default;
  // Lifecycle commands carry `order` (plan.order for a start), the control plane's commit order
  // (Domain::next_sequence): hooks of changes committed one after the other on two threads may
  // arrive the other way round, and the later change must win.
  //
  // MediaLive channel reached RUNNING: start its pipelines from this plan.
  virtual void channel_start(const media::ChannelRunPlan& plan) {}
  // MediaLive channel is STOPPING: flush and end its outputs. The media side then calls
  // medialive::channel_media_stopped(..., order) once the outputs have ended (EXT-X-ENDLIST, a
  // static MPD written).
  virtual void channel_stop(const std::string& region, const std::string& channel_id, uint64_t order) {}
  // Whether stopping the channel has outputs to end: then it stays STOPPING until the media side
  // reports the end, so whoever sees IDLE also sees the final manifests. A channel whose pipeline
  // never received media has nothing to end and settles by the state delay alone, so waiters
  // return at once. Asked under the domain lock: answers from a snapshot, never waits.
  virtual bool stop_ends_outputs(const std::string& region, const std::string& channel_id) { return false; }
  // RestartChannelPipelines: tear the named pipelines (indexes; empty: all) down and build them
  // again from their plans.
  virtual void channel_restart(const std::string& region, const std::string& channel_id, uint64_t order,
                               const std::vector<int>& pipelines) {}
  // A running channel's inputs changed (e.g. an input security group's whitelist): apply the plan
  // to the running sources.
  virtual void channel_update(const media::ChannelRunPlan& plan) {}
  // MediaLive channel DELETED: its supervisor goes away.
  virtual void channel_deleted(const std::string& region, const std::string& channel_id, uint64_t order) {}
  // Alerts of a MediaLive channel (ListAlerts items in model form), read from the supervisor's
  // last report without waiting for media work.
  virtual nlohmann::json channel_alerts(const std::string& region, const std::string& channel_id) {
    return nlohmann::json::array();
  }
  // The InputAttachmentName of the input a running channel ingests now (PipelineDetails'
  // ActiveInputAttachmentName), from the supervisor's last report; empty when not known.
  virtual std::string channel_active_input(const std::string& region, const std::string& channel_id, int pipeline) {
    return "";
  }
  // One sample per running MediaLive channel, from the supervisors' last reports (never waits):
  // [{"region", "channel_id", "pipeline": "0", "active_alerts", "receiving", "ever_received",
  //   "media_bytes", "video_frames" (both cumulative since the channel started),
  //   "output_groups": {"<group name>": outputs delivering now}, "producing" (output started and not
  //   paused), and while a transcoder runs "dropped_frames" (cumulative) and "fill_ms" (the current
  //   fill period)}]. The AWS/MediaLive metrics.
  virtual nlohmann::json channel_samples() { return nlohmann::json::array(); }
  // The channels' encoder log events since the last call, taken (never waits):
  // [{"region", "channel_id", "pipeline": 0, "events": [{"time_us", "severity": "E|W|I|D", "message"}],
  //   "dropped"}]. The ElementalMediaLive log group (service_telemetry.cpp) filters them by LogLevel.
  virtual nlohmann::json channel_logs() { return nlohmann::json::array(); }
  // The MediaPackage channels fed now, and which of their two ingest endpoints is the input in
  // use (never waits): [{"region", "channel_id", "active": 0 | 1 | -1 (none delivers yet)}]. A
  // MediaLive channel's pipeline N delivers in-process to ingest endpoint N, as AWS sends it. The
  // AWS/MediaPackage ActiveInput metric.
  virtual nlohmann::json mediapackage_inputs() { return nlohmann::json::array(); }
  // MediaPackage origin endpoint created/updated, or deleted (its files under `directory` go away).
  virtual void endpoint_changed(const media::EndpointPlan& plan) {}
  virtual void endpoint_deleted(const std::string& region, const std::string& endpoint_id,
                                const std::filesystem::path& directory) {}
  // An authenticated PUT or DELETE at a MediaPackage channel's HLS ingest URL. Queues the file
  // for the channel's ingest origin and answers at once (never waits for media work): 201/204
  // taken, 409 while a running MediaLive channel delivers to the channel in-process, 503 when the
  // origin is too far behind or no media runtime runs.
  virtual media::HlsIngestAnswer hls_ingest(media::HlsIngestDelivery&& delivery) {
    return {503, "mediaemu's media runtime is not running, so HLS ingest has nowhere to go"};
  }
};

}  // namespace mediaemu
