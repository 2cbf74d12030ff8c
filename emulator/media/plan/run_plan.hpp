// Everything a running MediaLive channel needs, typed: the ladder and output groups
// (channel_plan.hpp), its inputs with their whitelists (input_plan.hpp) and the origin endpoints
// of the MediaPackage channels it delivers to (endpoint_plan.hpp). The control plane gathers the
// records (ChannelSources, still model-form JSON) under its lock; plan_channel_run() is a pure
// function of them, so it is unit-tested without a domain, media or the media module.
#pragma once

#include <filesystem>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "emulator/media/plan/ad_cue_plan.hpp"
#include "emulator/media/plan/channel_plan.hpp"
#include "emulator/media/plan/endpoint_plan.hpp"
#include "emulator/media/plan/input_plan.hpp"
#include "emulator/media/plan/input_switch_plan.hpp"

namespace mediaemu::media {

struct ChannelSources {
  struct Input {
    nlohmann::json doc;                     // the Input record's document
    std::vector<std::string> stream_names;  // allocated by the control plane (RTMP_PUSH)
  };
  struct MediaPackageChannel {
    std::string id;
    std::vector<std::string> ingest_urls;  // its HlsIngest endpoint URLs
    std::vector<std::pair<std::string, std::string>> ingest_credentials;  // each one's Username, Password
    std::vector<EndpointPlan> endpoints;   // already planned (they need the origin's directory)
  };
  std::string region;
  nlohmann::json channel;                                 // the Channel record's document
  std::vector<Input> inputs;                              // attached, in InputAttachments order
  std::map<std::string, nlohmann::json> security_groups;  // id -> InputSecurityGroup document
  std::vector<MediaPackageChannel> mediapackage;          // every MediaPackage channel of the region
  nlohmann::json schedule = nlohmann::json::array();      // the channel's ScheduleActions
  // The SSM parameters and Secrets Manager secrets that the inputs and the destinations name and
  // that exist.
  Credentials credentials;
};

struct PlanSettings {
  std::string x264_preset = "veryfast";
  std::filesystem::path s3_root;  // <data-dir>/s3
};

struct ChannelRunPlan {
  std::string region, channel_id;
  int pipeline_count = 1;  // STANDARD: 2, each run by its own supervisor (pipeline_plan)
  int pipeline = 0;        // which pipeline this plan runs, once split by pipeline_plan()
  ChannelPlan media;       // ladder, output groups, configuration alerts (of `pipeline`)
  // Every pipeline's ChannelPlan (they differ in destinations), until pipeline_plan() picks one.
  std::vector<ChannelPlan> pipeline_media;
  std::vector<InputPlan> inputs;  // in InputAttachments order: the first is on air at the start
  InputSwitchPlan switching;      // failover pairs and scheduled input switches
  AdCuePlan cues;                 // scheduled SCTE-35 cues
  // Endpoints of each MediaPackage channel a delivery names (only those that exist).
  std::map<std::string, std::vector<EndpointPlan>> mediapackage_endpoints;
  std::vector<std::string> delivery_alerts;  // outputs that cannot reach their destination
  uint64_t order = 0;  // the control plane's commit order of this start (Domain::next_sequence)
  std::string key() const { return region + "/" + channel_id; }
};

ChannelRunPlan plan_channel_run(const ChannelSources& sources, const PlanSettings& settings);

// What pipeline `pipeline` of the channel runs: its own destinations, and each input narrowed to
// the source (destination, port, URL, flow) of that pipeline: a STANDARD channel's pipelines
// ingest an input's two sources one each, and a SINGLE_PIPELINE channel only the first (the
// model's InputClass documentation).
ChannelRunPlan pipeline_plan(const ChannelRunPlan& run, int pipeline);
InputPlan pipeline_input(const InputPlan& input, int pipeline);

}  // namespace mediaemu::media
