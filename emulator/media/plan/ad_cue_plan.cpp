#include "emulator/media/plan/ad_cue_plan.hpp"

#include <algorithm>
#include <cctype>

#include "emulator/media/plan/json_fields.hpp"
#include "emulator/media/plan/schedule_start.hpp"

namespace mediaemu::media {
namespace {

using json = nlohmann::json;
namespace ads = pipeline::ads;

int64_t whole(const json& o, const char* k, int64_t fallback = 0) {
  auto it = o.find(k);
  return it != o.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

// SegmentationUpid: "the hexadecimal representation of the characters that make up the SCTE-35
// segmentation_upid value. Must contain an even number of hex characters" (model doc).
std::optional<std::vector<uint8_t>> upid_bytes(const std::string& hex) {
  if (hex.size() % 2 || hex.size() > 510) return std::nullopt;
  std::vector<uint8_t> out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (!std::isxdigit(static_cast<unsigned char>(hex[i])) || !std::isxdigit(static_cast<unsigned char>(hex[i + 1])))
      return std::nullopt;
    out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

const json& descriptor_settings(const json& descriptor) {
  static const json kNone = json::object();
  auto s = descriptor.find("Scte35DescriptorSettings");
  if (s == descriptor.end() || !s->is_object()) return kNone;
  auto d = s->find("SegmentationDescriptorScte35DescriptorSettings");
  return d != s->end() && d->is_object() ? *d : kNone;
}

ads::SegmentationDescriptor segmentation_of(const json& d) {
  ads::SegmentationDescriptor out;
  out.event_id = static_cast<uint32_t>(whole(d, "SegmentationEventId"));
  out.cancel = text(d, "SegmentationCancelIndicator") == "SEGMENTATION_EVENT_CANCELED";
  if (d.contains("SegmentationDuration")) out.duration_90k = static_cast<uint64_t>(whole(d, "SegmentationDuration"));
  // "To declare that there are no restrictions, omit this element" (model doc, DeliveryRestrictions).
  if (d.contains("DeliveryRestrictions") && d["DeliveryRestrictions"].is_object()) {
    const json& r = d["DeliveryRestrictions"];
    ads::DeliveryRestrictions flags;
    flags.web_delivery_allowed = text(r, "WebDeliveryAllowedFlag") == "WEB_DELIVERY_ALLOWED";
    flags.no_regional_blackout = text(r, "NoRegionalBlackoutFlag") == "NO_REGIONAL_BLACKOUT";
    flags.archive_allowed = text(r, "ArchiveAllowedFlag") == "ARCHIVE_ALLOWED";
    const std::string device = text(r, "DeviceRestrictions", "NONE");  // SCTE 35 Table 21: 11 = none
    flags.device_restrictions = device == "RESTRICT_GROUP0" ? 0 : device == "RESTRICT_GROUP1" ? 1
                                : device == "RESTRICT_GROUP2" ? 2 : 3;
    out.restrictions = flags;
  }
  out.upid_type = static_cast<int>(whole(d, "SegmentationUpidType"));
  out.upid = upid_bytes(text(d, "SegmentationUpid")).value_or(std::vector<uint8_t>{});
  out.type_id = static_cast<int>(whole(d, "SegmentationTypeId"));
  out.segment_num = static_cast<int>(whole(d, "SegmentNum"));
  out.segments_expected = static_cast<int>(whole(d, "SegmentsExpected"));
  out.sub_segment_num = static_cast<int>(whole(d, "SubSegmentNum"));
  out.sub_segments_expected = static_cast<int>(whole(d, "SubSegmentsExpected"));
  return out;
}

// The cue an action inserts, or nullopt for other actions.
std::optional<ads::SpliceInfo> splice_of(const json& settings) {
  ads::SpliceInfo info;
  if (auto it = settings.find("Scte35SpliceInsertSettings"); it != settings.end() && it->is_object()) {
    info.event_id = static_cast<uint32_t>(whole(*it, "SpliceEventId"));
    if (int64_t d = whole(*it, "Duration"); d > 0) info.break_duration_90k = static_cast<uint64_t>(d);
    return info;
  }
  if (auto it = settings.find("Scte35ReturnToNetworkSettings"); it != settings.end() && it->is_object()) {
    info.event_id = static_cast<uint32_t>(whole(*it, "SpliceEventId"));
    info.out_of_network = false;
    return info;
  }
  if (auto it = settings.find("Scte35TimeSignalSettings"); it != settings.end() && it->is_object()) {
    info.command = ads::SpliceInfo::Command::TimeSignal;
    for (const auto& d : it->value("Scte35Descriptors", json::array()))
      info.descriptors.push_back(segmentation_of(descriptor_settings(d)));
    return info;
  }
  return std::nullopt;
}

std::optional<std::string> out_of_range(const json& o, const char* member, int64_t max) {
  auto it = o.find(member);
  if (it == o.end()) return std::nullopt;
  if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > max)
    return std::string(member) + " must be an integer from 0 to " + std::to_string(max) + " (its SCTE-35 field's range)";
  return std::nullopt;
}

bool is_input_switch(const json& actions, const std::string& name) {
  for (const auto& action : actions)
    if (text(action, "ActionName") == name)
      return action.value("ScheduleActionSettings", json::object()).contains("InputSwitchSettings");
  return false;
}

}  // namespace

AdCuePlan plan_ad_cues(const json& actions) {
  AdCuePlan plan;
  std::vector<ads::CueRequest> fixed, immediate;
  for (const auto& action : actions.is_array() ? actions : json::array()) {
    auto info = splice_of(action.value("ScheduleActionSettings", json::object()));
    if (!info) continue;
    ads::CueRequest cue{text(action, "ActionName"), std::move(*info), std::nullopt, std::nullopt};
    const ScheduleStart start = schedule_start(action);
    if (start.mode == ScheduleStart::Mode::Fixed) {
      cue.at_epoch_ms = start.at_epoch_ms;
      fixed.push_back(std::move(cue));
    } else if (start.mode == ScheduleStart::Mode::Immediate) {
      immediate.push_back(std::move(cue));
    } else if (start.mode == ScheduleStart::Mode::Follow && is_input_switch(actions, start.follows)) {
      plan.following.push_back({std::move(cue), start.follows, start.follows_start});
    } else {
      plan.alerts.push_back("schedule action " + cue.name + ": an SCTE-35 action in follow mode runs after an input " +
                            "switch; \"" + start.follows + "\" is none, so it is not run");
    }
  }
  std::stable_sort(fixed.begin(), fixed.end(), [](const auto& a, const auto& b) { return *a.at_epoch_ms < *b.at_epoch_ms; });
  plan.cues = std::move(fixed);
  for (auto& c : immediate) plan.cues.push_back(std::move(c));
  return plan;
}

std::optional<std::string> scte35_settings_problem(const json& settings) {
  constexpr int64_t k32 = 4294967295, k33 = 8589934591, k40 = 1099511627775, k8 = 255;
  for (const char* kind : {"Scte35SpliceInsertSettings", "Scte35ReturnToNetworkSettings"}) {
    auto it = settings.find(kind);
    if (it == settings.end() || !it->is_object()) continue;
    if (auto p = out_of_range(*it, "SpliceEventId", k32)) return std::string(kind) + "." + *p;
    if (auto p = out_of_range(*it, "Duration", k33)) return std::string(kind) + "." + *p;
  }
  auto it = settings.find("Scte35TimeSignalSettings");
  if (it == settings.end() || !it->is_object()) return std::nullopt;
  const json descriptors = it->value("Scte35Descriptors", json::array());
  if (!descriptors.is_array() || descriptors.empty())
    return std::string("Scte35TimeSignalSettings.Scte35Descriptors must list at least one descriptor");
  for (const auto& descriptor : descriptors) {
    const json& d = descriptor_settings(descriptor);
    const std::string at = "Scte35TimeSignalSettings.Scte35Descriptors[].";
    if (d.empty()) return at + "Scte35DescriptorSettings.SegmentationDescriptorScte35DescriptorSettings is required";
    for (auto [member, max] : {std::pair{"SegmentationEventId", k32}, {"SegmentationDuration", k40},
                               {"SegmentationTypeId", k8}, {"SegmentationUpidType", k8}, {"SegmentNum", k8},
                               {"SegmentsExpected", k8}, {"SubSegmentNum", k8}, {"SubSegmentsExpected", k8}})
      if (auto p = out_of_range(d, member, max)) return at + *p;
    if (!upid_bytes(text(d, "SegmentationUpid")))
      return at + "SegmentationUpid must be an even number of hexadecimal digits (at most 255 bytes)";
  }
  return std::nullopt;
}

}  // namespace mediaemu::media
