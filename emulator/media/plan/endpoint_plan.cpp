#include "emulator/media/plan/endpoint_plan.hpp"

#include <algorithm>

#include "emulator/media/plan/json_fields.hpp"
#include "pipeline/crypto/system_ids.hpp"

namespace mediaemu::media {
namespace {

using json = nlohmann::json;


pipeline::StreamSelectionSpec selection(const json& package) {
  const json s = package.value("StreamSelection", json::object());
  pipeline::StreamSelectionSpec out;
  out.min_video_bitrate = integer(s, "MinVideoBitsPerSecond", 0);
  out.max_video_bitrate = integer(s, "MaxVideoBitsPerSecond", 2147483647);
  std::string order = text(s, "StreamOrder", "ORIGINAL");
  out.order = order == "VIDEO_BITRATE_ASCENDING"    ? pipeline::StreamSelectionSpec::Order::VideoBitrateAscending
              : order == "VIDEO_BITRATE_DESCENDING" ? pipeline::StreamSelectionSpec::Order::VideoBitrateDescending
                                                    : pipeline::StreamSelectionSpec::Order::Original;
  return out;
}

// AdTriggers and AdsOnDeliveryRestrictions, which HlsPackage, HlsManifests[] and DashPackage share.
// Absent AdTriggers: MediaPackage's default list (MP-UG scte); present and empty: no cue counts.
pipeline::ads::AdMarkerSpec ad_triggers(const json& p) {
  pipeline::ads::AdMarkerSpec out;
  if (p.contains("AdTriggers") && p["AdTriggers"].is_array()) {
    out.triggers.clear();
    for (const auto& t : p["AdTriggers"])
      if (t.is_string()) out.triggers.insert(t.get<std::string>());
  }
  using R = pipeline::ads::AdMarkerSpec::Restrictions;
  const std::string r = text(p, "AdsOnDeliveryRestrictions", "RESTRICTED");
  out.on_restrictions = r == "NONE" ? R::None : r == "UNRESTRICTED" ? R::Unrestricted : r == "BOTH" ? R::Both : R::Restricted;
  return out;
}

// HLS AdMarkers. PASSTHROUGH copies the markers of the HLS MediaPackage ingests; in mediaemu a
// MediaLive channel delivers in-process, and its MediaPackage output group writes SCTE-35
// enhanced markers (ELEMENTAL_SCTE35), so PASSTHROUGH writes those.
pipeline::ads::AdMarkerSpec hls_ad_markers(const json& p) {
  pipeline::ads::AdMarkerSpec out = ad_triggers(p);
  using S = pipeline::ads::AdMarkerSpec::Style;
  const std::string style = text(p, "AdMarkers", "NONE");
  out.style = style == "SCTE35_ENHANCED" || style == "PASSTHROUGH" ? S::Scte35Enhanced
              : style == "DATERANGE"                               ? S::Daterange
                                                                   : S::None;
  return out;
}

pipeline::HlsPlaylistSpec playlist(const json& p, const std::string& manifest_name) {
  pipeline::HlsPlaylistSpec out;
  out.manifest_name = manifest_name;
  out.playlist_window_seconds = integer(p, "PlaylistWindowSeconds", 60);
  std::string type = text(p, "PlaylistType", "NONE");
  out.playlist_type = type == "EVENT" ? pipeline::HlsPlaylistSpec::PlaylistType::Event
                      : type == "VOD" ? pipeline::HlsPlaylistSpec::PlaylistType::Vod
                                      : pipeline::HlsPlaylistSpec::PlaylistType::None;
  out.program_date_time_interval_seconds = integer(p, "ProgramDateTimeIntervalSeconds", 0);
  out.include_iframe_only_stream = p.value("IncludeIframeOnlyStream", false);
  out.use_audio_rendition_group = p.value("UseAudioRenditionGroup", false);
  out.ad_markers = hls_ad_markers(p);
  return out;
}

// SpekeKeyProvider and KeyRotationIntervalSeconds, which every package's Encryption has.
pipeline::crypto::EncryptionSpec speke_encryption(const json& e, pipeline::crypto::EncryptionSpec::Method method) {
  pipeline::crypto::EncryptionSpec out;
  out.method = method;
  out.key_rotation_interval_seconds = integer(e, "KeyRotationIntervalSeconds", 60);
  const json speke = e.value("SpekeKeyProvider", json::object());
  out.speke_url = text(speke, "Url");
  out.resource_id = text(speke, "ResourceId");
  out.role_arn = text(speke, "RoleArn");
  for (const auto& id : speke.value("SystemIds", json::array()))
    if (id.is_string()) out.system_ids.push_back(id.get<std::string>());
  // SPEKE v2.0 presets (refused at create time where mediaemu does not package them, and with a
  // KeyRotationIntervalSeconds other than 0).
  const json contract = speke.value("EncryptionContractConfiguration", json::object());
  if (contract.is_object() && contract.contains("PresetSpeke20Video")) {
    out.preset_video = text(contract, "PresetSpeke20Video");
    out.preset_audio = text(contract, "PresetSpeke20Audio");
  }
  return out;
}

const json* encryption_of(const json& package) {
  auto it = package.find("Encryption");
  return it != package.end() && it->is_object() ? &*it : nullptr;
}

// HlsPackage.Encryption: EncryptionMethod AES_128 (whole segments; the model's default) or
// SAMPLE_AES (Apple's sample encryption of the TS's H.264 and AAC, pipeline/crypto/sample_aes.hpp).
std::optional<pipeline::crypto::EncryptionSpec> hls_encryption(const json& package) {
  const json* e = encryption_of(package);
  if (!e) return std::nullopt;
  const bool sample_aes = text(*e, "EncryptionMethod", "AES_128") == "SAMPLE_AES";
  auto out = speke_encryption(*e, sample_aes ? pipeline::crypto::EncryptionSpec::Method::SampleAes
                                             : pipeline::crypto::EncryptionSpec::Method::Aes128);
  out.constant_iv_hex = text(*e, "ConstantInitializationVector");
  out.repeat_ext_x_key = e->value("RepeatExtXKey", false);
  return out;
}

// DashPackage.Encryption: 'cenc' (ISO/IEC 23001-7 AES-CTR), the one scheme MediaPackage v1 uses
// for DASH. Keys rotate every KeyRotationIntervalSeconds (default 60, 0: one key) as for HLS and
// CMAF: the init segments and the MPD name the first key, and each later key is named in-band by
// the fragments it encrypts (fmp4_encryption.hpp: a 'seig' sample group and that key's pssh in
// the moof, ISO/IEC 23001-7 §6, DASH-IF IOP key rotation).
std::optional<pipeline::crypto::EncryptionSpec> dash_encryption(const json& package) {
  const json* e = encryption_of(package);
  if (!e) return std::nullopt;
  return speke_encryption(*e, pipeline::crypto::EncryptionSpec::Method::Cenc);
}

// CmafPackage.Encryption (botocore mediapackage model, CmafEncryption: EncryptionMethod
// SAMPLE_AES | AES_CTR, ConstantInitializationVector, KeyRotationIntervalSeconds, SpekeKeyProvider;
// no RepeatExtXKey). MediaPackage calls the CMAF methods CBCS and CENC (MP-UG endpoints-encryption:
// "The valid encryption methods for CMAF container types are: CENC, CBCS"):
//   SAMPLE_AES -> ISO/IEC 23001-7 'cbcs', whose constant IV is ConstantInitializationVector, or
//                 one MediaPackage "creates" when it is absent (crypto::derived_constant_iv);
//   AES_CTR    -> 'cenc', with per-sample IVs: 'cenc' forbids a constant IV (ISO/IEC 23001-7
//                 §9.1 allows constant IVs for 'cbcs' only), so ConstantInitializationVector is not
//                 used there (AWS does not document what it does with one).
// The model gives EncryptionMethod no default and AWS documents none; mediaemu takes SAMPLE_AES,
// assuming it is what CmafEncryption did before EncryptionMethod was added to it (the Rust SDK's
// CmafEncryption of 0.9.0, docs.rs, has no encryption_method) since 'cbcs' is the scheme every DRM
// system MediaPackage's CMAF offers accepts (FairPlay needs it).
// Keys rotate every KeyRotationIntervalSeconds (default 60, 0: one key), as for HLS.
std::optional<pipeline::crypto::EncryptionSpec> cmaf_encryption(const json& package) {
  const json* e = encryption_of(package);
  if (!e) return std::nullopt;
  const bool ctr = text(*e, "EncryptionMethod", "SAMPLE_AES") == "AES_CTR";
  auto out = speke_encryption(*e, ctr ? pipeline::crypto::EncryptionSpec::Method::Cenc
                                      : pipeline::crypto::EncryptionSpec::Method::Cbcs);
  if (!ctr) out.constant_iv_hex = text(*e, "ConstantInitializationVector");
  out.hls_manifests = true;
  return out;
}

}  // namespace

std::optional<pipeline::EndpointSpec> plan_endpoint(const json& endpoint, const std::filesystem::path& directory,
                                                    std::string& problem) {
  pipeline::EndpointSpec spec;
  spec.label = "endpoint " + text(endpoint, "Id");
  spec.directory = directory;
  spec.time_delay_seconds = integer(endpoint, "TimeDelaySeconds", 0);
  spec.startover_window_seconds = integer(endpoint, "StartoverWindowSeconds", 0);
  spec.origin_files = true;
  const std::string manifest = text(endpoint, "ManifestName", "index");
  if (endpoint.contains("HlsPackage")) {
    const json& p = endpoint["HlsPackage"];
    spec.kind = pipeline::EndpointSpec::Kind::Hls;
    spec.hls.segment_duration_seconds = integer(p, "SegmentDurationSeconds", 6);
    spec.hls.playlist = playlist(p, manifest);
    spec.hls.selection = selection(p);
    spec.encryption = hls_encryption(p);
  } else if (endpoint.contains("DashPackage")) {
    const json& p = endpoint["DashPackage"];
    spec.kind = pipeline::EndpointSpec::Kind::Dash;
    auto& d = spec.dash;
    d.manifest_name = manifest;
    d.segment_duration_seconds = integer(p, "SegmentDurationSeconds", 2);
    d.manifest_window_seconds = integer(p, "ManifestWindowSeconds", 60);
    d.min_buffer_time_seconds = integer(p, "MinBufferTimeSeconds", 30);
    d.min_update_period_seconds = integer(p, "MinUpdatePeriodSeconds", 15);
    d.suggested_presentation_delay_seconds = integer(p, "SuggestedPresentationDelaySeconds", 25);
    std::string format = text(p, "SegmentTemplateFormat", "NUMBER_WITH_TIMELINE");
    d.format = format == "TIME_WITH_TIMELINE"     ? pipeline::DashSpec::TemplateFormat::TimeWithTimeline
               : format == "NUMBER_WITH_DURATION" ? pipeline::DashSpec::TemplateFormat::NumberWithDuration
                                                  : pipeline::DashSpec::TemplateFormat::NumberWithTimeline;
    std::string utc = text(p, "UtcTiming", "NONE");
    if (utc != "NONE") {
      d.utc_timing_scheme = utc;
      d.utc_timing_uri = text(p, "UtcTimingUri");
    }
    d.selection = selection(p);
    for (const auto& trigger : p.value("PeriodTriggers", json::array())) d.periods_on_ads |= trigger == "ADS";
    d.ad_triggers = ad_triggers(p);
    spec.encryption = dash_encryption(p);
  } else if (endpoint.contains("CmafPackage")) {
    const json& p = endpoint["CmafPackage"];
    spec.kind = pipeline::EndpointSpec::Kind::Cmaf;
    auto& c = spec.cmaf;
    c.segment_duration_seconds = integer(p, "SegmentDurationSeconds", 6);
    c.segment_prefix = text(p, "SegmentPrefix", text(endpoint, "ChannelId", "index"));
    for (const auto& m : p.value("HlsManifests", json::array())) {
      c.manifests.push_back({text(m, "Id"), playlist(m, text(m, "ManifestName", "index"))});
    }
    c.selection = selection(p);
    spec.encryption = cmaf_encryption(p);
  } else if (endpoint.contains("MssPackage")) {
    const json& p = endpoint["MssPackage"];
    spec.kind = pipeline::EndpointSpec::Kind::Mss;
    if (const json* e = encryption_of(p)) {
      // MssEncryption has a SpekeKeyProvider alone: 'cenc' with one key (no rotation: a Smooth
      // manifest names one), signalled by PlayReady's header (MP-UG: PlayReady is the DRM system
      // for MSS), so SystemIds must ask for PlayReady.
      auto encryption = speke_encryption(*e, pipeline::crypto::EncryptionSpec::Method::Cenc);
      encryption.key_rotation_interval_seconds = 0;
      const bool playready = std::any_of(encryption.system_ids.begin(), encryption.system_ids.end(), [](const auto& id) {
        return pipeline::crypto::normalized_system_id(id) == pipeline::crypto::kPlayReadySystemId;
      });
      if (!playready) {
        problem = "MssPackage.Encryption's SystemIds do not name PlayReady (" +
                  std::string(pipeline::crypto::kPlayReadySystemId) +
                  "), whose header a Smooth manifest signals its key with: the endpoint serves nothing";
        return std::nullopt;
      }
      spec.encryption = std::move(encryption);
    }
    spec.mss.manifest_name = manifest;
    spec.mss.segment_duration_seconds = integer(p, "SegmentDurationSeconds", 2);
    spec.mss.manifest_window_seconds = integer(p, "ManifestWindowSeconds", 60);
    spec.mss.selection = selection(p);
  } else {
    problem = "the endpoint has no package";
    return std::nullopt;
  }
  return spec;
}

EndpointPlan plan_origin_endpoint(const std::string& region, const json& endpoint,
                                  const std::filesystem::path& directory) {
  EndpointPlan plan;
  plan.region = region;
  plan.id = text(endpoint, "Id");
  plan.mediapackage_channel_id = text(endpoint, "ChannelId");
  plan.spec = plan_endpoint(endpoint, directory, plan.problem);
  return plan;
}

}  // namespace mediaemu::media
