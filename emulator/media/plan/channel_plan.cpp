#include "emulator/media/plan/channel_plan.hpp"

#include "emulator/media/plan/json_fields.hpp"
#include "emulator/s3/s3_rules.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

namespace mediaemu::media {
namespace {


// "H264_LEVEL_4_1" -> "4.1", "H264_LEVEL_3" -> "3.0", AUTO -> "" (let x264 pick).
std::string level_of(const std::string& level) {
  const std::string prefix = "H264_LEVEL_";
  if (level.rfind(prefix, 0) != 0 || level == "H264_LEVEL_AUTO") return "";
  std::string v = level.substr(prefix.size());
  auto us = v.find('_');
  return us == std::string::npos ? v + ".0" : v.substr(0, us) + "." + v.substr(us + 1);
}

std::string profile_of(const std::string& profile) {
  if (profile == "BASELINE") return "baseline";
  if (profile.rfind("HIGH", 0) == 0) return "high";  // 10-bit / 4:2:2 profiles clamp to 8-bit High
  return "main";
}

// Defaults where the request leaves H264Settings members out. MediaLive's API reference says
// "Documentation update needed" for most of them; these are the console's defaults
// ([UNCONFIRMED] in shared/reference/aws-behaviour.md): GOP 90 frames, 2 B-frames, Main, CBR.
std::optional<pipeline::VideoRenditionSpec> video_spec(const json& description, std::string& problem) {
  pipeline::VideoRenditionSpec v;
  v.name = text(description, "Name");
  v.width = static_cast<int>(number(description, "Width", 0));
  v.height = static_cast<int>(number(description, "Height", 0));
  if (text(description, "ScalingBehavior") == "STRETCH_TO_OUTPUT") v.scaling = pipeline::VideoRenditionSpec::Scaling::StretchToOutput;
  const json codec = description.value("CodecSettings", json::object());
  if (!codec.empty() && !codec.contains("H264Settings")) {
    problem = "video description '" + v.name + "' uses " + codec.begin().key() +
              "; mediaemu encodes H.264 only, so outputs using it are not produced";
    return std::nullopt;
  }
  const json h264 = codec.value("H264Settings", json::object());
  std::string rc = text(h264, "RateControlMode", "CBR");
  v.rate_control = rc == "VBR" ? pipeline::VideoRenditionSpec::RateControl::Vbr
                   : rc == "QVBR" ? pipeline::VideoRenditionSpec::RateControl::Qvbr
                                  : pipeline::VideoRenditionSpec::RateControl::Cbr;
  int pixels = std::max(1, v.width * v.height);
  // No Bitrate: about 0.1 bit per pixel at 30 fps, at least 300 kb/s (AWS requires one for CBR).
  v.bitrate = static_cast<int64_t>(number(h264, "Bitrate", std::max(300000.0, pixels * 30 * 0.1)));
  v.max_bitrate = static_cast<int64_t>(number(h264, "MaxBitrate", 0));
  v.qvbr_quality = static_cast<int>(number(h264, "QvbrQualityLevel", 7));
  v.gop_size = number(h264, "GopSize", 90);
  v.gop_in_frames = text(h264, "GopSizeUnits", "FRAMES") == "FRAMES";
  v.b_frames = static_cast<int>(number(h264, "GopNumBFrames", 2));
  v.profile = profile_of(text(h264, "Profile", "MAIN"));
  v.level = level_of(text(h264, "Level", "H264_LEVEL_AUTO"));
  if (text(h264, "FramerateControl") == "SPECIFIED") {
    v.fps_num = static_cast<int>(number(h264, "FramerateNumerator", 0));
    v.fps_den = static_cast<int>(number(h264, "FramerateDenominator", 1));
  }
  return v;
}

std::optional<pipeline::AudioRenditionSpec> audio_spec(const json& description, std::string& problem) {
  pipeline::AudioRenditionSpec a;
  a.name = text(description, "Name");
  const json codec = description.value("CodecSettings", json::object());
  if (!codec.empty() && !codec.contains("AacSettings")) {
    problem = "audio description '" + a.name + "' uses " + codec.begin().key() +
              "; mediaemu encodes AAC only, so outputs using it carry no audio";
    return std::nullopt;
  }
  const json aac = codec.value("AacSettings", json::object());
  a.bitrate = static_cast<int64_t>(number(aac, "Bitrate", 192000));
  a.sample_rate = static_cast<int>(number(aac, "SampleRate", 48000));
  std::string mode = text(aac, "CodingMode", "CODING_MODE_2_0");
  a.channels = mode == "CODING_MODE_1_0" ? 1 : mode == "CODING_MODE_5_1" ? 6 : 2;
  return a;
}

// Points into `channel` itself (value() would return a copy, and a pointer into it would dangle).
const json* destination(const json& channel, const json& group_settings) {
  std::string ref = text(group_settings.value("Destination", json::object()), "DestinationRefId");
  auto list = channel.find("Destinations");
  if (list == channel.end() || !list->is_array()) return nullptr;
  for (const auto& d : *list)
    if (text(d, "Id") == ref) return &d;
  return nullptr;
}

// s3://bucket/path/name (or s3ssl://) -> {<s3_root>/bucket/path, "name"}: the directory and base
// file name MediaLive writes an S3 destination's files as. nullopt: not an S3 URL we can write.
std::optional<std::pair<std::filesystem::path, std::string>> s3_location(const std::string& url, const PlanContext& ctx) {
  std::string rest;
  for (const char* scheme : {"s3://", "s3ssl://"})
    if (url.rfind(scheme, 0) == 0) rest = url.substr(std::string(scheme).size());
  if (rest.empty() || rest.find("..") != std::string::npos) return std::nullopt;
  auto slash = rest.rfind('/');
  if (slash == std::string::npos) return std::make_pair(ctx.s3_root / rest, std::string());
  return std::make_pair(ctx.s3_root / rest.substr(0, slash), rest.substr(slash + 1));
}

// Where the transcoder reads a still (InputLocation {Uri, Username, PasswordParam}) from: an
// s3:// or s3ssl:// Uri is mediaemu's S3 object, file:// and absolute paths are local files,
// http(s) URLs are fetched. "" (with an alert saying why) when it cannot be.
std::string still_location(const json& location, const char* what, const PlanContext& ctx,
                           std::vector<std::string>& alerts) {
  const std::string uri = text(location, "Uri");
  if (auto s3 = s3_location(uri, ctx); s3 && !s3->second.empty()) return (s3->first / s3->second).string();
  if (uri.rfind("file://", 0) == 0) return uri.substr(7);
  if (uri.rfind("/", 0) == 0) return uri;
  if (uri.rfind("http://", 0) == 0 || uri.rfind("https://", 0) == 0) {
    if (!text(location, "Username").empty())
      alerts.push_back(std::string(what) + " " + uri + " is fetched without its Username and PasswordParam");
    return uri;
  }
  alerts.push_back(std::string(what) + " '" + uri +
                   "' is not an s3://, http(s)://, file:// or absolute location mediaemu can read; black is shown");
  return "";
}

// A ladder output's name, "<group>/<OutputName>" ("Output <n>" when it has none, n from 1): what
// variants, deliveries and file naming are keyed by.
std::string output_name(const std::string& group_name, const json& output, size_t index) {
  return group_name + "/" + text(output, "OutputName", "Output " + std::to_string(index + 1));
}

// The SCTE-35 PID of a TS output whose settings (M3u8Settings, M2tsSettings) pass SCTE-35 through
// (`control` is PASSTHROUGH): Scte35Pid, decimal or hexadecimal, default 500 as the MediaLive
// model documents; nullopt otherwise.
std::optional<uint16_t> scte35_pid(const json& ts_settings, const char* control) {
  if (text(ts_settings, control) != "PASSTHROUGH") return std::nullopt;
  const std::string pid = text(ts_settings, "Scte35Pid", "500");
  char* end = nullptr;
  const long value = std::strtol(pid.c_str(), &end, 0);  // "0x1f4" or "500"
  // A PID for elementary streams: 0x0020-0x1FFE (ISO/IEC 13818-1 Table 2-3).
  return end && *end == '\0' && value >= 0x20 && value <= 0x1ffe ? static_cast<uint16_t>(value) : uint16_t{500};
}

// M3u8Settings Scte35Behavior PASSTHROUGH, from the group's first output that asks for it
// (mediaemu muxes a group's outputs alike).
std::optional<uint16_t> hls_scte35_pid(const json& outputs) {
  for (const auto& out : outputs) {
    const json m3u8 = out.value("OutputSettings", json::object())
                          .value("HlsOutputSettings", json::object())
                          .value("HlsSettings", json::object())
                          .value("StandardHlsSettings", json::object())
                          .value("M3u8Settings", json::object());
    if (auto pid = scte35_pid(m3u8, "Scte35Behavior")) return pid;
  }
  return std::nullopt;
}

// An HLS group to s3://: the manifest is named after the base file name, the way MediaLive names it.
std::optional<pipeline::EndpointSpec> s3_hls_spec(const std::string& url, const json& hls, const json& outputs,
                                                  const std::string& group_name, const PlanContext& ctx) {
  auto location = s3_location(url, ctx);
  if (!location) return std::nullopt;
  pipeline::EndpointSpec spec;
  spec.kind = pipeline::EndpointSpec::Kind::Hls;
  spec.directory = location->first;
  spec.hls.playlist.manifest_name = location->second.empty() ? "index" : location->second;
  // HlsGroupSettings defaults: SegmentLength 10 s, IndexNSegments 10, KeepSegments 21.
  spec.hls.segment_duration_seconds = static_cast<int>(number(hls, "SegmentLength", 10));
  int index_segments = static_cast<int>(number(hls, "IndexNSegments", 10));
  spec.hls.playlist.playlist_window_seconds = spec.hls.segment_duration_seconds * index_segments;
  if (text(hls, "Mode") == "VOD") spec.hls.playlist.playlist_type = pipeline::HlsPlaylistSpec::PlaylistType::Vod;
  if (text(hls, "ProgramDateTime") == "INCLUDE") {
    spec.hls.playlist.program_date_time_interval_seconds = static_cast<int>(number(hls, "ProgramDateTimePeriod", 600));
  }
  spec.hls.playlist.include_iframe_only_stream = text(hls, "IFrameOnlyPlaylists") == "STANDARD";
  // AdMarkers (ML-UG sample-manifests-hls): one style per playlist, the first listed. MediaLive
  // marks every ad avail the schedule inserts, so no cue type is filtered out here.
  const json markers = hls.value("AdMarkers", json::array());
  if (markers.is_array() && !markers.empty() && markers[0].is_string()) {
    using S = pipeline::ads::AdMarkerSpec::Style;
    auto& ads = spec.hls.playlist.ad_markers;
    const std::string style = markers[0].get<std::string>();
    ads.style = style == "ELEMENTAL_SCTE35" ? S::Scte35Enhanced : style == "ELEMENTAL" ? S::Elemental
                : style == "ADOBE" ? S::Adobe : S::None;
    ads.triggers.insert({"BREAK", "PROVIDER_OVERLAY_PLACEMENT_OPPORTUNITY", "DISTRIBUTOR_OVERLAY_PLACEMENT_OPPORTUNITY"});
    ads.on_restrictions = pipeline::ads::AdMarkerSpec::Restrictions::Both;
  }
  spec.hls.scte35_pid = hls_scte35_pid(outputs);
  // MediaLive's file names: "<base><NameModifier>.m3u8" and "<base><NameModifier>_00001.ts". The
  // modifier is required (and unique in the group) on AWS; an output without one gets "_<n>".
  for (size_t o = 0; o < outputs.size(); ++o) {
    const std::string modifier = text(outputs[o].value("OutputSettings", json::object()).value("HlsOutputSettings", json::object()),
                                      "NameModifier");
    spec.hls.playlist.name_modifiers[output_name(group_name, outputs[o], o)] =
        modifier.empty() ? "_" + std::to_string(o + 1) : modifier;
  }
  spec.startover_window_seconds = spec.hls.segment_duration_seconds * static_cast<int>(number(hls, "KeepSegments", 21));
  spec.label = ctx.label + " HLS " + url;
  spec.temp_prefix = s3::kTempPrefix;  // S3 listings skip what is still being written
  return spec;
}

// An Archive group to s3://: files <base><NameModifier>.<counter>.<Extension>, rolled every
// RolloverInterval seconds. https://docs.aws.amazon.com/medialive/latest/ug/archive-destinations.html
std::optional<pipeline::ArchiveSpec> s3_archive_spec(const std::string& url, const json& archive, const json& outputs,
                                                     const std::string& group_name, const PlanContext& ctx) {
  auto location = s3_location(url, ctx);
  if (!location) return std::nullopt;
  pipeline::ArchiveSpec spec;
  spec.label = ctx.label + " archive " + url;
  spec.directory = location->first;
  spec.base_name = location->second;
  // Required by the console; the API leaves it optional without a documented default.
  spec.rollover_seconds = static_cast<int>(number(archive, "RolloverInterval", 300));
  spec.temp_prefix = s3::kTempPrefix;  // S3 listings skip what is still being written
  for (size_t o = 0; o < outputs.size(); ++o) {
    const json settings = outputs[o].value("OutputSettings", json::object()).value("ArchiveOutputSettings", json::object());
    pipeline::ArchiveSpec::Output naming;
    naming.name_modifier = text(settings, "NameModifier");
    // "If excluded, this will be auto-selected from the container type": M2TS's is m2ts.
    naming.extension = text(settings, "Extension", "m2ts");
    naming.scte35_pid = scte35_pid(settings.value("ContainerSettings", json::object()).value("M2tsSettings", json::object()),
                                   "Scte35Control");
    spec.outputs[output_name(group_name, outputs[o], o)] = naming;
  }
  return spec;
}

// A FrameCapture video description: its size and CaptureInterval (in CaptureIntervalUnits,
// SECONDS unless MILLISECONDS).
pipeline::FrameCaptureSpec still_spec(const json& description) {
  pipeline::FrameCaptureSpec s;
  s.width = static_cast<int>(number(description, "Width", 0));
  s.height = static_cast<int>(number(description, "Height", 0));
  const json settings = description.value("CodecSettings", json::object()).value("FrameCaptureSettings", json::object());
  double interval = number(settings, "CaptureInterval", 1);
  s.interval_ms = static_cast<int>(text(settings, "CaptureIntervalUnits", "SECONDS") == "MILLISECONDS" ? interval
                                                                                                       : interval * 1000);
  return s;
}

// A FrameCapture group to s3://: files <base><NameModifier>.<counter>.jpg, and a still encoder per
// output whose video description has FrameCaptureSettings.
std::optional<Delivery> frame_capture_delivery(const std::string& url, const json& group, const std::string& group_name,
                                               const std::map<std::string, pipeline::FrameCaptureSpec>& stills,
                                               const PlanContext& ctx, ChannelPlan& plan) {
  auto location = s3_location(url, ctx);
  if (!location) return std::nullopt;
  Delivery d;
  d.kind = Delivery::Kind::FrameCapture;
  d.group_name = group_name;
  d.pause_on_input_loss = true;  // stills are of the input: none while it is lost
  d.stills.label = ctx.label + " frame capture " + url;
  d.stills.directory = location->first;
  d.stills.base_name = location->second;
  d.stills.temp_prefix = s3::kTempPrefix;
  const auto& outputs = group.value("Outputs", json::array());
  for (size_t o = 0; o < outputs.size(); ++o) {
    std::string name = output_name(group_name, outputs[o], o);
    auto still = stills.find(text(outputs[o], "VideoDescriptionName"));
    if (still == stills.end()) {
      plan.alerts.push_back("frame capture output '" + name + "' names no video description with FrameCaptureSettings; skipped");
      continue;
    }
    pipeline::FrameCaptureSpec spec = still->second;
    spec.name = name;
    plan.ladder.captures.push_back(spec);
    d.stills.name_modifiers[name] = text(outputs[o].value("OutputSettings", json::object())
                                             .value("FrameCaptureOutputSettings", json::object()), "NameModifier");
    d.outputs.push_back(name);
  }
  return d;
}

}  // namespace

ChannelPlan plan_channel(const json& channel, const PlanContext& ctx) {
  ChannelPlan plan;
  const json settings = channel.value("EncoderSettings", json::object());
  plan.ladder.x264_preset = ctx.x264_preset;
  plan.ladder.label = ctx.label;

  std::map<std::string, pipeline::VideoRenditionSpec> videos;
  std::map<std::string, pipeline::AudioRenditionSpec> audios;
  std::map<std::string, pipeline::FrameCaptureSpec> stills;
  for (const auto& d : settings.value("VideoDescriptions", json::array())) {
    if (d.value("CodecSettings", json::object()).contains("FrameCaptureSettings")) {
      stills[text(d, "Name")] = still_spec(d);
      continue;
    }
    std::string problem;
    if (auto v = video_spec(d, problem)) videos[v->name] = *v;
    else plan.alerts.push_back(problem);
  }
  for (const auto& d : settings.value("AudioDescriptions", json::array())) {
    std::string problem;
    if (auto a = audio_spec(d, problem)) audios[a->name] = *a;
    else plan.alerts.push_back(problem);
  }

  std::set<std::string> used_video, used_audio;
  bool any_emits = false;
  const auto& groups = settings.value("OutputGroups", json::array());
  for (size_t g = 0; g < groups.size(); ++g) {
    const json& group = groups[g];
    const json gs = group.value("OutputGroupSettings", json::object());
    std::string group_name = text(group, "Name", "group " + std::to_string(g));
    Delivery delivery;
    delivery.group_name = group_name;
    const json* dest = destination(channel, gs.contains("MediaPackageGroupSettings") ? gs["MediaPackageGroupSettings"]
                                            : gs.contains("HlsGroupSettings")       ? gs["HlsGroupSettings"]
                                            : gs.contains("ArchiveGroupSettings")   ? gs["ArchiveGroupSettings"]
                                            : gs.contains("FrameCaptureGroupSettings") ? gs["FrameCaptureGroupSettings"]
                                                                                    : json::object());
    const json urls = dest ? dest->value("Settings", json::array()) : json::array();
    const size_t pipeline = static_cast<size_t>(std::max(0, ctx.pipeline));
    if (!gs.contains("MediaPackageGroupSettings") && pipeline > 0 && urls.size() <= pipeline) {
      // A STANDARD channel's pipelines each deliver to their own URL (ML-UG channel-class).
      plan.alerts.push_back("output group '" + group_name + "': its destination has no URL for pipeline " +
                            std::to_string(pipeline) + ", so that pipeline does not deliver it");
      continue;
    }
    std::string url = urls.size() > pipeline ? text(urls[pipeline], "Url") : "";
    if (gs.contains("MediaPackageGroupSettings")) {
      const json mp = dest ? dest->value("MediaPackageSettings", json::array()) : json::array();
      if (mp.empty() || text(mp[0], "ChannelId").empty()) {
        plan.alerts.push_back("output group '" + group_name + "': its destination names no MediaPackage ChannelId");
        continue;
      }
      delivery.kind = Delivery::Kind::MediaPackage;
      delivery.mediapackage_channel_id = text(mp[0], "ChannelId");
      delivery.ingest_index = std::min(ctx.pipeline, 1);  // pipeline 0 -> the first ingest endpoint
      delivery.pause_on_input_loss = true;  // "the behavior is for MediaLive to pause delivery" (ML-UG)
    } else if (gs.contains("HlsGroupSettings")) {
      const json& hls = gs["HlsGroupSettings"];
      delivery.pause_on_input_loss = text(hls, "InputLossAction", "EMIT_OUTPUT") == "PAUSE_OUTPUT";
      if (auto ingest = ctx.mediapackage_ingest ? ctx.mediapackage_ingest(urls.size() > pipeline ? urls[pipeline] : json::object()) : std::nullopt) {
        if (!ingest->refused.empty()) {
          // What MediaLive meets over HTTP: MediaPackage answers 401 to every upload.
          plan.alerts.push_back("HLS output group '" + group_name + "': MediaPackage channel '" + ingest->channel_id +
                                "' refuses its uploads (HTTP 401): " + ingest->refused);
          continue;
        }
        delivery.kind = Delivery::Kind::MediaPackage;
        delivery.mediapackage_channel_id = ingest->channel_id;
        delivery.ingest_index = ingest->index;
      } else if (auto spec = s3_hls_spec(url, hls, group.value("Outputs", json::array()), group_name, ctx)) {
        delivery.kind = Delivery::Kind::Hls;
        delivery.hls = *spec;
      } else {
        plan.alerts.push_back("HLS output group '" + group_name + "' sends to '" + url +
                              "', which mediaemu does not serve: use a MediaPackage channel's ingest URL or s3://bucket/path");
        continue;
      }
    } else if (gs.contains("ArchiveGroupSettings")) {
      auto spec = s3_archive_spec(url, gs["ArchiveGroupSettings"], group.value("Outputs", json::array()), group_name, ctx);
      if (!spec) {
        plan.alerts.push_back("Archive output group '" + group_name + "' sends to '" + url +
                              "', which mediaemu does not serve: use s3://bucket/path/name");
        continue;
      }
      delivery.kind = Delivery::Kind::Archive;
      delivery.archive = *spec;
      // An archive records what the channel emits (filler too, when another group emits it), and
      // does not by itself turn on filler frames (Delivery::drops_filler).
      delivery.pause_on_input_loss = true;
    } else if (gs.contains("FrameCaptureGroupSettings")) {
      auto stills_delivery = frame_capture_delivery(url, group, group_name, stills, ctx, plan);
      if (!stills_delivery) {
        plan.alerts.push_back("FrameCapture output group '" + group_name + "' sends to '" + url +
                              "', which mediaemu does not serve: use s3://bucket/path/name");
      } else if (!stills_delivery->outputs.empty()) {
        plan.deliveries.push_back(std::move(*stills_delivery));
      }
      continue;  // its outputs are stills, not ladder outputs
    } else {
      std::string type = gs.empty() ? "an empty" : gs.begin().key();
      plan.alerts.push_back("output group '" + group_name + "' (" + type +
                            ") is not run by mediaemu; it runs MediaPackageGroupSettings, ArchiveGroupSettings, FrameCaptureGroupSettings and "
                            "HlsGroupSettings to a MediaPackage ingest URL or s3://");
      continue;
    }

    const auto& outputs = group.value("Outputs", json::array());
    for (size_t o = 0; o < outputs.size(); ++o) {
      const json& out = outputs[o];
      pipeline::OutputSpec spec;
      spec.name = output_name(group_name, out, o);
      std::string video = text(out, "VideoDescriptionName");
      if (!video.empty() && videos.count(video)) spec.video = video;
      for (const auto& a : out.value("AudioDescriptionNames", json::array()))
        if (audios.count(a.get<std::string>())) spec.audio.push_back(a.get<std::string>());
      if (spec.video.empty() && spec.audio.empty()) {
        plan.alerts.push_back("output '" + spec.name + "' has no video or audio mediaemu can encode; skipped");
        continue;
      }
      if (!spec.video.empty()) used_video.insert(spec.video);
      for (const auto& a : spec.audio) used_audio.insert(a);
      delivery.outputs.push_back(spec.name);
      plan.ladder.outputs.push_back(spec);
    }
    if (delivery.outputs.empty()) continue;
    any_emits |= !delivery.pause_on_input_loss;
    plan.deliveries.push_back(std::move(delivery));
  }

  // Encode only what a running output group uses, each rendition once.
  for (const auto& [name, v] : videos)
    if (used_video.count(name)) plan.ladder.video.push_back(v);
  for (const auto& [name, a] : audios)
    if (used_audio.count(name)) plan.ladder.audio.push_back(a);

  if (plan.ladder.outputs.empty() && !plan.ladder.captures.empty())
    plan.alerts.push_back("FrameCapture groups run alongside a streaming output group; this channel has none, so no "
                          "stills are made");

  // One transcoder feeds every group, so input loss follows the groups: filler frames if any
  // group emits output during loss; otherwise the output pauses and resumes with a discontinuity.
  auto& loss = plan.ladder.input_loss;
  loss.emit_output = any_emits;
  const json behavior = settings.value("GlobalConfiguration", json::object()).value("InputLossBehavior", json::object());
  loss.repeat_frame_ms = static_cast<int>(number(behavior, "RepeatFrameMsec", 1000));
  loss.black_frame_ms = static_cast<int>(number(behavior, "BlackFrameMsec", 0));
  if (text(behavior, "InputLossImageType", "COLOR") == "COLOR") {
    loss.color = text(behavior, "InputLossImageColor", "000000");
  } else {
    loss.color = "000000";  // until the slate is read, or if it cannot be
    loss.slate_image = still_location(behavior.value("InputLossImageSlate", json::object()), "InputLossImageSlate",
                                      ctx, plan.alerts);
  }
  const json blanking = settings.value("AvailBlanking", json::object());
  plan.ladder.avail_blanking = text(blanking, "State", "DISABLED") == "ENABLED";
  if (plan.ladder.avail_blanking && blanking.contains("AvailBlankingImage"))
    plan.ladder.avail_blanking_image = still_location(blanking["AvailBlankingImage"], "AvailBlankingImage", ctx,
                                                      plan.alerts);
  // AvailConfiguration.AvailSettings: the ad avail mode and its rules (pipeline/ads/avail_rules.hpp).
  const json avail = settings.value("AvailConfiguration", json::object()).value("AvailSettings", json::object());
  auto& rules = plan.ladder.avail_rules;
  const json* mode = nullptr;
  if (avail.contains("Scte35TimeSignalApos")) {
    rules.mode = pipeline::ads::AvailRules::Mode::TimeSignalApos;
    mode = &avail["Scte35TimeSignalApos"];
  } else if (avail.contains("Scte35SpliceInsert")) {
    mode = &avail["Scte35SpliceInsert"];
  } else if (avail.contains("Esam")) {
    plan.alerts.push_back("AvailSettings Esam (POIS signal conditioning) is not run by mediaemu: SCTE-35 is handled "
                          "in splice insert mode");
  }
  if (mode) {
    rules.ad_avail_offset_ms = static_cast<int>(number(*mode, "AdAvailOffset", 0));
    rules.follow_web_delivery_allowed = text(*mode, "WebDeliveryAllowedFlag", "FOLLOW") != "IGNORE";
    rules.follow_no_regional_blackout = text(*mode, "NoRegionalBlackoutFlag", "FOLLOW") != "IGNORE";
  }
  return plan;
}

}  // namespace mediaemu::media
