// Translates a MediaLive channel (its EncoderSettings, Destinations and GlobalConfiguration, in
// model form) into plain pipeline specs: the ladder to encode and where each output group's
// renditions go. Output groups mediaemu cannot run become alerts; they are never dropped
// silently.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/package/package_spec.hpp"
#include "pipeline/transcode/ladder_spec.hpp"

namespace mediaemu::media {

using json = nlohmann::json;

struct Delivery {
  enum class Kind {
    MediaPackage,  // in-process to a MediaPackage channel (its origin endpoints package)
    Hls,           // an HLS output written by mediaemu itself (s3:// destinations)
    Archive,       // MPEG-TS files rolled every RolloverInterval (s3:// destinations)
    FrameCapture,  // JPEG stills every CaptureInterval (s3:// destinations)
  } kind = Kind::MediaPackage;
  std::string group_name;
  std::string mediapackage_channel_id;  // Kind::MediaPackage
  // Kind::MediaPackage: which of the channel's two ingest endpoints this pipeline feeds (its
  // pipeline index for MediaPackageGroupSettings; the URL's endpoint for an HLS group).
  int ingest_index = 0;
  pipeline::EndpointSpec hls;           // Kind::Hls
  pipeline::ArchiveSpec archive;        // Kind::Archive
  pipeline::FrameCaptureFilesSpec stills;  // Kind::FrameCapture
  std::vector<std::string> outputs;     // names of the LadderSpec outputs this group carries
  bool pause_on_input_loss = false;     // MediaPackage groups always pause (ML-UG); HLS per InputLossAction
  // Whether the group drops the filler other groups make it emit during input loss: those that
  // pause do, but an archive records whatever the channel emits (it only never asks for filler).
  bool drops_filler() const { return pause_on_input_loss && kind != Kind::Archive; }
};

struct ChannelPlan {
  pipeline::LadderSpec ladder;
  std::vector<Delivery> deliveries;
  std::vector<std::string> alerts;  // what mediaemu will not run, and why
};

// A destination that is a MediaPackage channel's HLS ingest URL. Delivered in-process (the same
// packets the HLS ingest over HTTP would feed the packagers), but only when the destination's
// credentials are the ones MediaPackage would accept over HTTP: otherwise `refused` says why.
struct MediaPackageIngest {
  std::string channel_id;
  int index = 0;         // which of its two ingest endpoints
  std::string refused;   // empty: accepted
};

struct PlanContext {
  std::string label;                 // "channel 1234567"
  int pipeline = 0;                  // which pipeline's destinations (Destinations[].Settings[pipeline])
  std::string x264_preset = "veryfast";
  std::filesystem::path s3_root;     // <data-dir>/s3
  // Resolves a destination's setting ({Url, Username, PasswordParam}) whose Url is a MediaPackage
  // HLS ingest URL (".../in/v2/<channel-guid>/<endpoint-id>/channel") of ours; nullopt otherwise.
  std::function<std::optional<MediaPackageIngest>(const json& setting)> mediapackage_ingest;
};

ChannelPlan plan_channel(const json& channel, const PlanContext& context);

}  // namespace mediaemu::media
