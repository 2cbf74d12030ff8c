// Semantic checks of a channel's Destinations and EncoderSettings, beyond what the model's
// types and required members say: only rules that make a channel unrunnable and that AWS is
// known to enforce, with AWS's status codes and, where known, its words.
//
// - Each destination carries exactly one kind of settings: 400 "Exactly one of settings,
//   MediaPackage settings, or Multiplex settings is required for destination <id>."
//   (hashicorp/terraform-provider-aws#30659, aws/aws-sdk-php#2087). A member the model does not
//   know (a newer SDK's settings kind, or the recipe's "S3Settings") counts as one kind.
// - Each output's OutputSettings holds exactly one property: 422 "OutputSettings must contain
//   exactly one property: ..." (terraform-provider-aws#39516).
// - A MediaPackage channel id has only letters, digits, '_' and '-': 422 "outputGroups[0].
//   outputGroupSettings.destination.channelId MediaPackage channel ID is invalid. ..."
//   (aws/aws-sdk-java#3162).
// - Names an output uses (video, audio and caption descriptions, destination ids) must exist,
//   or the channel could not run: 422.
#include <cctype>
#include <set>

#include "emulator/medialive/medialive.hpp"

namespace mediaemu::medialive {
namespace {

constexpr const char* kOutputSettingsProperties =
    "cmafIngestOutputSettings, hlsOutputSettings, rtmpOutputSettings, udpOutputSettings, msSmoothOutputSettings, "
    "archiveOutputSettings, frameCaptureOutputSettings, mediaPackageOutputSettings, multiplexOutputSettings, "
    "srtOutputSettings, mediaConnectRouterOutputSettings";

std::set<std::string> names_of(const json& list, const char* member) {
  std::set<std::string> out;
  for (const auto& item : list) out.insert(str(item, member));
  return out;
}

bool present(const json& object, const std::string& member) {
  auto it = object.find(member);
  return it != object.end() && !it->is_null() && !(it->is_array() && it->empty());
}

void check_destination_kinds(const json& destinations) {
  for (const auto& d : destinations) {
    int kinds = 0;
    for (auto it = d.begin(); it != d.end(); ++it) {
      if (it.key() == "Id" || it.key() == "LogicalInterfaceNames") continue;
      kinds += present(d, it.key());
    }
    if (kinds != 1) {
      throw api::bad_request("Exactly one of settings, MediaPackage settings, or Multiplex settings is required for "
                             "destination " + str(d, "Id") + ".");
    }
  }
}

bool valid_mediapackage_channel_id(const std::string& id) {
  if (id.empty()) return false;
  for (unsigned char c : id)
    if (!std::isalnum(c) && c != '_' && c != '-') return false;
  return true;
}

// Every {"Destination": {"DestinationRefId": ...}} under a group's or an output's settings.
void collect_destination_refs(const json& node, std::vector<std::string>& out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "Destination" && it->is_object() && it->contains("DestinationRefId")) {
        out.push_back(str(*it, "DestinationRefId"));
      } else {
        collect_destination_refs(*it, out);
      }
    }
  } else if (node.is_array()) {
    for (const auto& item : node) collect_destination_refs(item, out);
  }
}

void check_destination_refs(const json& settings, const std::set<std::string>& destination_ids,
                            const std::string& path) {
  std::vector<std::string> refs;
  collect_destination_refs(settings, refs);
  for (const auto& ref : refs) {
    if (!destination_ids.count(ref)) {
      throw api::unprocessable(path + ".destination.destinationRefId: \"" + ref +
                               "\" names no entry of destinations; add a destination with that id");
    }
  }
}

void check_mediapackage_ids(const json& destinations, const json& groups) {
  for (size_t g = 0; g < groups.size(); ++g) {
    const json& settings = groups[g].value("OutputGroupSettings", json::object());
    if (!settings.contains("MediaPackageGroupSettings")) continue;
    const std::string ref = str(settings["MediaPackageGroupSettings"].value("Destination", json::object()), "DestinationRefId");
    for (const auto& d : destinations) {
      if (str(d, "Id") != ref) continue;
      for (const auto& mp : d.value("MediaPackageSettings", json::array())) {
        // MediaPackage v2 destinations name a channel group and channel instead of a v1 id.
        if (!mp.contains("ChannelId") && mp.contains("ChannelName")) continue;
        if (!valid_mediapackage_channel_id(str(mp, "ChannelId"))) {
          throw api::unprocessable("outputGroups[" + std::to_string(g) +
                                   "].outputGroupSettings.destination.channelId MediaPackage channel ID is invalid. "
                                   "The ID can have numbers, letters, underscores, and dashes. The ID is case sensitive.");
        }
      }
    }
  }
}

void check_outputs(const json& encoder, const std::set<std::string>& destination_ids) {
  const auto videos = names_of(encoder.value("VideoDescriptions", json::array()), "Name");
  const auto audios = names_of(encoder.value("AudioDescriptions", json::array()), "Name");
  const auto captions = names_of(encoder.value("CaptionDescriptions", json::array()), "Name");
  const json& groups = encoder.value("OutputGroups", json::array());
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::string group_path = "outputGroups[" + std::to_string(g) + "]";
    check_destination_refs(groups[g].value("OutputGroupSettings", json::object()), destination_ids,
                           group_path + ".outputGroupSettings");
    const json& outputs = groups[g].value("Outputs", json::array());
    for (size_t o = 0; o < outputs.size(); ++o) {
      const json& out = outputs[o];
      const std::string path = group_path + ".outputs[" + std::to_string(o) + "]";
      const json& settings = out.value("OutputSettings", json::object());
      if (!settings.is_object() || settings.size() != 1) {
        throw api::unprocessable(std::string("OutputSettings must contain exactly one property: ") +
                                 kOutputSettingsProperties);
      }
      check_destination_refs(settings, destination_ids, path + ".outputSettings");
      if (out.contains("VideoDescriptionName") && !videos.count(str(out, "VideoDescriptionName"))) {
        throw api::unprocessable(path + ".videoDescriptionName: no video description is named \"" +
                                 str(out, "VideoDescriptionName") + "\"");
      }
      for (const auto& name : out.value("AudioDescriptionNames", json::array())) {
        if (!audios.count(name.get<std::string>())) {
          throw api::unprocessable(path + ".audioDescriptionNames: no audio description is named \"" +
                                   name.get<std::string>() + "\"");
        }
      }
      for (const auto& name : out.value("CaptionDescriptionNames", json::array())) {
        if (!captions.count(name.get<std::string>())) {
          throw api::unprocessable(path + ".captionDescriptionNames: no caption description is named \"" +
                                   name.get<std::string>() + "\"");
        }
      }
    }
  }
}

}  // namespace

void validate_channel_settings(const json& channel) {
  const json& destinations = channel.value("Destinations", json::array());
  check_destination_kinds(destinations);
  const json& encoder = channel.value("EncoderSettings", json::object());
  if (!encoder.is_object()) return;
  check_outputs(encoder, names_of(destinations, "Id"));
  check_mediapackage_ids(destinations, encoder.value("OutputGroups", json::array()));
}

}  // namespace mediaemu::medialive
