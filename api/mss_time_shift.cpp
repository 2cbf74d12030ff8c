// Time-shifted Smooth Streaming manifests (api/time_shift.hpp, cut_mss_window). MP-UG
// time-shifted.html gives every packager the same start/end semantics (and names the path style
// for MSS); a past window is a finished presentation, which [MS-SSTR] §2.2.2.1 writes without
// IsLive and with a Duration.
#include <pugixml.hpp>

#include <cmath>
#include <sstream>
#include <vector>

#include "api/manifest_xml.hpp"
#include "api/time_shift.hpp"

namespace mediaemu::api {

std::optional<std::string> cut_mss_window(const std::string& archive, const ShiftWindow& window, double now,
                                          std::string& problem) {
  pugi::xml_document doc;
  auto root = load_manifest_xml(doc, archive) ? doc.child("SmoothStreamingMedia") : pugi::xml_node();
  if (!root) {
    problem = "The start-over archive of this manifest cannot be read";
    return std::nullopt;
  }
  const int64_t manifest_timescale = root.attribute("TimeScale").as_llong(10'000'000);
  std::optional<double> first_date;  // of the window's first video chunk
  double video_seconds = 0;
  for (auto index : root.children("StreamIndex")) {
    const double timescale = std::max(1LL, index.attribute("TimeScale").as_llong(manifest_timescale));
    const bool video = std::string(index.attribute("Type").as_string()) == "video";
    std::vector<pugi::xml_node> outside;
    long long kept = 0;
    for (auto c : index.children("c")) {
      // Each archived chunk carries its program date time (MssPackager), in epoch ms.
      auto dated = c.attribute("e");
      if (!dated) {
        problem = "The start-over archive of this manifest has an undated fragment";
        return std::nullopt;
      }
      const double date = dated.as_llong() / 1000.0;
      c.remove_attribute(dated);
      if (date < window.start - 1e-3 || (window.end && date >= *window.end - 1e-3)) {
        outside.push_back(c);
        continue;
      }
      ++kept;
      if (video) {
        first_date = std::min(first_date.value_or(date), date);
        video_seconds += c.attribute("d").as_llong() / timescale;
      }
    }
    for (auto c : outside) index.remove_child(c);
    index.attribute("Chunks").set_value(kept);
  }
  if (!first_date) {
    problem = "No fragment of this manifest lies in the requested window";
    return std::nullopt;
  }
  const bool archive_live = std::string(root.attribute("IsLive").as_string()) == "TRUE";
  auto set = [&](const char* name, long long value) {
    auto a = root.attribute(name) ? root.attribute(name) : root.append_attribute(name);
    a.set_value(value);
  };
  if (window.complete || !archive_live) {
    // A finished presentation of the window's fragments.
    for (const char* live_only : {"IsLive", "LookAheadFragmentCount", "DVRWindowLength"})
      root.remove_attribute(live_only);
    set("Duration", std::llround(video_seconds * manifest_timescale));
  } else {
    // Start-over: the live presentation, its DVR window reaching back to the requested start.
    set("DVRWindowLength", std::llround(std::max(0.0, now - *first_date) * manifest_timescale));
  }
  return manifest_xml_text(doc);
}

}  // namespace mediaemu::api
