// SPEKE v2.0 encryption contracts: which content keys an endpoint with an
// EncryptionContractConfiguration asks its key provider for, and which of them encrypts each track
// (MP-UG drm-content-speke-v2-presets, docs.aws.amazon.com/mediapackage/latest/ug/drm-content-speke-v2-presets.html;
// SPEKE API v2 encryption contract, docs.aws.amazon.com/speke/latest/documentation/encryption-contract-v2.html).
//
// Each key is named by its ContentKeyUsageRule@intendedTrackType ("SD", "HD", "STEREO_AUDIO", ...)
// and chosen for a video track by its resolution (pixels, the CPIX VideoFilter's minPixels /
// maxPixels) or for an audio track by its channel count (AudioFilter minChannels / maxChannels).
// SHARED asks for one key, "ALL", for every track, as SPEKE v1 does; UNENCRYPTED leaves that
// kind of track in the clear.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mediaemu::pipeline::crypto {

struct PresetKey {
  std::string track_type;  // ContentKeyUsageRule@intendedTrackType
  bool video = true;       // VideoFilter (pixels) or AudioFilter (channels)
  // The filter: tracks with min < pixels (or channels) <= max; 0 / nullopt: no bound.
  int64_t min_exclusive = 0;
  std::optional<int64_t> max_inclusive;
};


namespace speke_preset_detail {

// Resolution bounds of the presets' video keys, as pixel counts (MP-UG drm-content-speke-v2-presets).
inline constexpr int64_t kSd = 1024 * 576;     // SD:  up to 1024x576
inline constexpr int64_t kHd1 = 1280 * 720;    // HD1: up to 1280x720
inline constexpr int64_t kHd = 1920 * 1080;    // HD (and HD2): up to 1920x1080
inline constexpr int64_t kUhd1 = 4096 * 2160;  // UHD1: up to 4096x2160; UHD2 above

inline PresetKey video_key(const char* type, int64_t above, std::optional<int64_t> up_to = std::nullopt) {
  return {type, true, above, up_to};
}
inline PresetKey audio_key(const char* type, int64_t above, std::optional<int64_t> up_to = std::nullopt) {
  return {type, false, above, up_to};
}

inline const std::map<std::string, std::vector<PresetKey>>& video_presets() {
  static const std::map<std::string, std::vector<PresetKey>> presets = {
      {"PRESET-VIDEO-1", {video_key("VIDEO", 0)}},
      {"PRESET-VIDEO-2", {video_key("SD", 0, kSd), video_key("HD", kSd)}},
      {"PRESET-VIDEO-3", {video_key("SD", 0, kSd), video_key("HD", kSd, kHd), video_key("UHD", kHd)}},
      {"PRESET-VIDEO-4", {video_key("SD", 0, kSd), video_key("HD", kSd, kHd), video_key("UHD1", kHd, kUhd1), video_key("UHD2", kUhd1)}},
      {"PRESET-VIDEO-5",
       {video_key("SD", 0, kSd), video_key("HD1", kSd, kHd1), video_key("HD2", kHd1, kHd), video_key("UHD1", kHd, kUhd1), video_key("UHD2", kUhd1)}},
      {"PRESET-VIDEO-6", {video_key("SD", 0, kSd), video_key("HD1", kSd, kHd1), video_key("HD2", kHd1, kHd), video_key("UHD", kHd)}},
      {"PRESET-VIDEO-7", {video_key("SD+HD1", 0, kHd1), video_key("HD2", kHd1, kHd), video_key("UHD", kHd)}},
      {"PRESET-VIDEO-8", {video_key("SD+HD1", 0, kHd1), video_key("HD2", kHd1, kHd), video_key("UHD1", kHd, kUhd1), video_key("UHD2", kUhd1)}},
  };
  return presets;
}

inline const std::map<std::string, std::vector<PresetKey>>& audio_presets() {
  static const std::map<std::string, std::vector<PresetKey>> presets = {
      {"PRESET-AUDIO-1", {audio_key("AUDIO", 0)}},
      {"PRESET-AUDIO-2", {audio_key("STEREO_AUDIO", 0, 2), audio_key("MULTICHANNEL_AUDIO", 2)}},
      {"PRESET-AUDIO-3", {audio_key("STEREO_AUDIO", 0, 2), audio_key("MULTICHANNEL_AUDIO_3_6", 2, 6), audio_key("MULTICHANNEL_AUDIO_7", 6)}},
  };
  return presets;
}

inline bool preset_known(const std::map<std::string, std::vector<PresetKey>>& presets, const std::string& name) {
  return name == "SHARED" || name == "UNENCRYPTED" || presets.count(name);
}

inline bool key_covers(const PresetKey& k, int64_t value) {
  return value > k.min_exclusive && (!k.max_inclusive || value <= *k.max_inclusive);
}

}  // namespace speke_preset_detail

// Why AWS refuses the pair (MP-UG: UNENCRYPTED for both, UNENCRYPTED with SHARED, SHARED on one
// side only), or "" when it is valid.
inline std::string preset_pair_problem(const std::string& video_preset, const std::string& audio_preset) {
  if (!speke_preset_detail::preset_known(speke_preset_detail::video_presets(), video_preset)) return "PresetSpeke20Video " + video_preset + " is not a SPEKE v2.0 preset";
  if (!speke_preset_detail::preset_known(speke_preset_detail::audio_presets(), audio_preset)) return "PresetSpeke20Audio " + audio_preset + " is not a SPEKE v2.0 preset";
  if (video_preset == "UNENCRYPTED" && audio_preset == "UNENCRYPTED")
    return "PresetSpeke20Audio and PresetSpeke20Video cannot both be UNENCRYPTED: nothing would be encrypted";
  if ((video_preset == "SHARED") != (audio_preset == "SHARED")) {
    if (video_preset == "UNENCRYPTED" || audio_preset == "UNENCRYPTED")
      return "an UNENCRYPTED preset cannot be combined with a SHARED preset";
    return "the SHARED preset must be used for both PresetSpeke20Audio and PresetSpeke20Video";
  }
  return "";
}

// The keys a preset pair asks for, video keys first. Empty for an invalid pair.
inline std::vector<PresetKey> preset_keys(const std::string& video_preset, const std::string& audio_preset) {
  if (!preset_pair_problem(video_preset, audio_preset).empty()) return {};
  if (video_preset == "SHARED") return {PresetKey{"ALL", true, 0, std::nullopt}};
  std::vector<PresetKey> keys;
  if (auto v = speke_preset_detail::video_presets().find(video_preset); v != speke_preset_detail::video_presets().end()) keys = v->second;
  if (auto a = speke_preset_detail::audio_presets().find(audio_preset); a != speke_preset_detail::audio_presets().end())
    keys.insert(keys.end(), a->second.begin(), a->second.end());
  return keys;
}

// The intendedTrackType of the key that encrypts a track, or nullopt when the track stays clear
// (its kind's preset is UNENCRYPTED). `pixels` = width x height; `channels` for audio.
inline std::optional<std::string> preset_track_type(const std::string& video_preset, const std::string& audio_preset,
                                             bool is_video, int64_t pixels, int channels) {
  if (video_preset == "SHARED") return "ALL";
  if ((is_video ? video_preset : audio_preset) == "UNENCRYPTED") return std::nullopt;
  const int64_t value = is_video ? pixels : std::max(channels, 1);
  for (const PresetKey& k : preset_keys(video_preset, audio_preset))
    if (k.video == is_video && speke_preset_detail::key_covers(k, value)) return k.track_type;
  return std::nullopt;
}

}  // namespace mediaemu::pipeline::crypto
