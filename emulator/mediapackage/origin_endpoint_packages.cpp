// The packages of a live origin endpoint (HlsPackage, DashPackage, CmafPackage, MssPackage):
// AWS's defaults, so Describe shows what the endpoint will really do, and the ranges AWS
// documents, so a setting the packager can't honour is refused at create time (422).
//
// Defaults, from the outputs in the AWS CLI examples (list-origin-endpoints, create- and
// update-origin-endpoint) and the model's member documentation:
//   HLS  SegmentDurationSeconds 6, PlaylistWindowSeconds 60, ProgramDateTimeIntervalSeconds 0,
//        AdMarkers NONE, IncludeIframeOnlyStream false, UseAudioRenditionGroup false,
//        StreamSelection {0, 2147483647, ORIGINAL}
//   DASH SegmentDurationSeconds 2, ManifestWindowSeconds 60, MinBufferTimeSeconds 30,
//        MinUpdatePeriodSeconds 15, SuggestedPresentationDelaySeconds 25, ManifestLayout FULL,
//        SegmentTemplateFormat NUMBER_WITH_TIMELINE, Profile NONE, PeriodTriggers []
//   CMAF SegmentDurationSeconds 6, SegmentPrefix = the channel id (model doc); each HlsManifests
//        entry's ManifestName defaults to the endpoint's (model doc) and gets its own Url.
//   MSS  SegmentDurationSeconds 2, ManifestWindowSeconds 60.
// PlaylistType: the CLI examples show EVENT on endpoints created with defaults, but no source
// states the API default; mediaemu uses NONE (no EXT-X-PLAYLIST-TYPE tag, RFC 8216 §4.3.3.5),
// the enum's neutral value. Change kDefaultPlaylistType if AWS is shown to differ.
#include "emulator/mediapackage/mediapackage.hpp"

#include <set>

#include "pipeline/crypto/speke_presets.hpp"

namespace mediaemu::mediapackage {
namespace {

constexpr const char* kDefaultPlaylistType = "NONE";

json stream_selection(const json& requested, const std::string& path) {
  json s = requested.is_object() ? requested : json::object();
  default_member(s, "MinVideoBitsPerSecond", 0);
  default_member(s, "MaxVideoBitsPerSecond", 2147483647);
  default_member(s, "StreamOrder", "ORIGINAL");
  check_range(s, "MinVideoBitsPerSecond", 0, INT32_MAX, path);
  check_range(s, "MaxVideoBitsPerSecond", 0, INT32_MAX, path);
  if (s["MinVideoBitsPerSecond"].get<int64_t>() > s["MaxVideoBitsPerSecond"].get<int64_t>()) {
    throw api::unprocessable(path + ": MinVideoBitsPerSecond must not exceed MaxVideoBitsPerSecond");
  }
  return s;
}

// SpekeKeyProvider.EncryptionContractConfiguration (SPEKE v2.0 presets). The mediapackage model:
// it "can be used for DASH or CMAF endpoints that use SPEKE 2.0 ... You must disable key rotation
// for this endpoint by setting keyRotationIntervalSeconds to 0"; MP-UG drm-content-speke-v2-presets
// for the pairs that are refused.
void encryption_contract(const json& encryption, const std::string& package) {
  const json speke = encryption.value("SpekeKeyProvider", json::object());
  if (!speke.is_object() || !speke.contains("EncryptionContractConfiguration")) return;
  const json& contract = speke["EncryptionContractConfiguration"];
  const std::string path = package + ".Encryption.SpekeKeyProvider.EncryptionContractConfiguration";
  if (package != "DashPackage" && package != "CmafPackage")
    throw api::unprocessable(path + " can be used for DASH or CMAF endpoints that use SPEKE 2.0 only");
  const std::string problem = pipeline::crypto::preset_pair_problem(contract.value("PresetSpeke20Video", ""),
                                                                    contract.value("PresetSpeke20Audio", ""));
  if (!problem.empty()) throw api::unprocessable(path + ": " + problem);
  if (encryption["KeyRotationIntervalSeconds"].get<int64_t>() != 0)
    throw api::unprocessable(package + ".Encryption.KeyRotationIntervalSeconds must be 0 with an "
                             "EncryptionContractConfiguration: SPEKE 2.0 endpoints do not rotate keys");
}

// The encryption block is echoed; only the key rotation default is filled in (60 s, MP-UG
// drm-content-key-rotation).
void encryption_defaults(json& package, const std::string& name) {
  if (!package.contains("Encryption")) return;
  default_member(package["Encryption"], "KeyRotationIntervalSeconds", 60);
  check_range(package["Encryption"], "KeyRotationIntervalSeconds", 0, INT32_MAX, "Encryption");
  encryption_contract(package["Encryption"], name);
  // "A 128-bit, 16-byte hex value represented by a 32-character string" (CloudFormation
  // AWS::MediaPackage::OriginEndpoint HlsEncryption): the packager writes it as IV=0x...
  const json& iv = package["Encryption"].value("ConstantInitializationVector", json());
  if (!iv.is_null() && (!iv.is_string() || iv.get<std::string>().size() != 32 ||
                        iv.get<std::string>().find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)) {
    throw api::unprocessable("Encryption.ConstantInitializationVector must be 32 hexadecimal characters");
  }
}

// A window (playlist or manifest) must hold at least one segment.
void check_window(const json& object, const char* member, int segment_seconds, const std::string& path) {
  int window = object[member].get<int>();
  if (window < segment_seconds) {
    throw api::unprocessable(path + "." + member + " (" + std::to_string(window) +
                             ") must be at least the segment duration (" + std::to_string(segment_seconds) + " s)");
  }
}

int segment_duration(json& package, int fallback, const std::string& path) {
  default_member(package, "SegmentDurationSeconds", fallback);
  check_range(package, "SegmentDurationSeconds", 1, kMaxSegmentSeconds, path);
  return package["SegmentDurationSeconds"].get<int>();
}

// The playlist settings HlsPackage and each CMAF HlsManifests entry share.
void hls_playlist(json& p, int segment_seconds, const std::string& path) {
  default_member(p, "AdMarkers", "NONE");
  default_member(p, "IncludeIframeOnlyStream", false);
  default_member(p, "PlaylistType", kDefaultPlaylistType);
  default_member(p, "PlaylistWindowSeconds", 60);
  default_member(p, "ProgramDateTimeIntervalSeconds", 0);
  check_window(p, "PlaylistWindowSeconds", segment_seconds, path);
  check_range(p, "ProgramDateTimeIntervalSeconds", 0, INT32_MAX, path);
  // Model doc (AdMarkers): DATERANGE needs a programDateTimeIntervalSeconds greater than 0.
  if (p["AdMarkers"] == "DATERANGE" && p["ProgramDateTimeIntervalSeconds"].get<int>() == 0) {
    throw api::unprocessable(path + ".AdMarkers DATERANGE needs ProgramDateTimeIntervalSeconds greater than 0");
  }
}

json hls_package(json p) {
  int segment = segment_duration(p, 6, "HlsPackage");
  hls_playlist(p, segment, "HlsPackage");
  default_member(p, "UseAudioRenditionGroup", false);
  p["StreamSelection"] = stream_selection(p.value("StreamSelection", json::object()), "HlsPackage.StreamSelection");
  if (p.contains("Encryption")) default_member(p["Encryption"], "RepeatExtXKey", false);
  encryption_defaults(p, "HlsPackage");
  return p;
}

json dash_package(json p) {
  int segment = segment_duration(p, 2, "DashPackage");
  default_member(p, "ManifestWindowSeconds", 60);
  default_member(p, "MinBufferTimeSeconds", 30);
  default_member(p, "MinUpdatePeriodSeconds", 15);
  default_member(p, "SuggestedPresentationDelaySeconds", 25);
  default_member(p, "ManifestLayout", "FULL");
  default_member(p, "SegmentTemplateFormat", "NUMBER_WITH_TIMELINE");
  default_member(p, "Profile", "NONE");
  default_member(p, "PeriodTriggers", json::array());
  check_window(p, "ManifestWindowSeconds", segment, "DashPackage");
  check_range(p, "MinBufferTimeSeconds", 0, INT32_MAX, "DashPackage");
  check_range(p, "MinUpdatePeriodSeconds", 0, INT32_MAX, "DashPackage");
  check_range(p, "SuggestedPresentationDelaySeconds", 0, INT32_MAX, "DashPackage");
  p["StreamSelection"] = stream_selection(p.value("StreamSelection", json::object()), "DashPackage.StreamSelection");
  encryption_defaults(p, "DashPackage");
  return p;
}

json cmaf_package(json p, const std::string& channel_id, const std::string& manifest_name,
                  const std::string& url_prefix) {
  int segment = segment_duration(p, 6, "CmafPackage");
  default_member(p, "SegmentPrefix", channel_id);
  p["StreamSelection"] = stream_selection(p.value("StreamSelection", json::object()), "CmafPackage.StreamSelection");
  encryption_defaults(p, "CmafPackage");
  json manifests = json::array();
  std::set<std::string> ids;
  for (json m : p.value("HlsManifests", json::array())) {
    const std::string id = str(m, "Id");
    const std::string path = "CmafPackage.HlsManifests[" + id + "]";
    check_resource_id(id, "HLS manifest");
    // Model doc: "The ID must be unique within the OriginEndpoint".
    if (!ids.insert(id).second) throw api::unprocessable("CmafPackage.HlsManifests: the ID '" + id + "' is used twice");
    default_member(m, "ManifestName", manifest_name);
    hls_playlist(m, segment, path);
    m["Url"] = url_prefix + "/" + id + "/" + m["ManifestName"].get<std::string>() + ".m3u8";
    manifests.push_back(std::move(m));
  }
  p["HlsManifests"] = manifests;
  return p;
}

json mss_package(json p) {
  int segment = segment_duration(p, 2, "MssPackage");
  default_member(p, "ManifestWindowSeconds", 60);
  check_window(p, "ManifestWindowSeconds", segment, "MssPackage");
  p["StreamSelection"] = stream_selection(p.value("StreamSelection", json::object()), "MssPackage.StreamSelection");
  if (p.contains("Encryption")) encryption_contract(p["Encryption"], "MssPackage");
  return p;
}

}  // namespace

json live_package(const std::string& member, const json& requested, const std::string& channel_id,
                  const std::string& manifest_name, const std::string& url_prefix) {
  json p = requested.is_object() ? requested : json::object();
  if (member == "HlsPackage") return hls_package(std::move(p));
  if (member == "DashPackage") return dash_package(std::move(p));
  if (member == "CmafPackage") return cmaf_package(std::move(p), channel_id, manifest_name, url_prefix);
  return mss_package(std::move(p));
}

// "<prefix>/<ManifestName>.m3u8" | ".mpd" | ".ism/Manifest" (CLI-ex list-origin-endpoints,
// MP-UG time-shifted); the extension is always appended to the ManifestName as given.
std::string live_package_url(const std::string& member, const std::string& manifest_name,
                             const std::string& url_prefix) {
  if (member == "HlsPackage") return url_prefix + "/" + manifest_name + ".m3u8";
  if (member == "DashPackage") return url_prefix + "/" + manifest_name + ".mpd";
  if (member == "MssPackage") return url_prefix + "/" + manifest_name + ".ism/Manifest";
  return "";
}

}  // namespace mediaemu::mediapackage
