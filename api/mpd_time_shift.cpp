// Time-shifted DASH manifests (api/time_shift.hpp, cut_mpd_window): MP-UG time-shifted.html
// gives DASH the same start/end semantics as HLS; a past window is a static MPD (ISO/IEC
// 23009-1 §5.4: type "static" carries mediaPresentationDuration and no minimumUpdatePeriod).
#include <pugixml.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

#include "api/manifest_xml.hpp"
#include "api/time_shift.hpp"
#include "api/timestamps.hpp"

namespace mediaemu::api {
namespace {

// xs:duration as the packagers write it ("PT12.345S", also with H and M parts); nullopt otherwise.
std::optional<double> parse_duration(const std::string& text) {
  if (text.rfind("PT", 0) != 0) return std::nullopt;
  double total = 0, value = 0;
  size_t at = 2;
  while (at < text.size()) {
    size_t used = 0;
    try {
      value = std::stod(text.substr(at), &used);
    } catch (...) {
      return std::nullopt;
    }
    at += used;
    if (at >= text.size()) return std::nullopt;
    const char unit = text[at++];
    total += unit == 'H' ? value * 3600 : unit == 'M' ? value * 60 : unit == 'S' ? value : NAN;
    if (std::isnan(total)) return std::nullopt;
  }
  return total;
}

std::string format_duration(double seconds) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "PT%.3fS", std::max(0.0, seconds));
  return buf;
}

struct Entry {
  int64_t t = 0, d = 0;
};

// Every segment of a SegmentTimeline, its @r expanded.
std::vector<Entry> timeline(pugi::xml_node segment_timeline) {
  std::vector<Entry> out;
  int64_t next = 0;
  for (auto s : segment_timeline.children("S")) {
    Entry e{s.attribute("t") ? s.attribute("t").as_llong() : next, s.attribute("d").as_llong()};
    for (long long r = 0; r <= std::max(0LL, s.attribute("r").as_llong()); ++r) {
      out.push_back(e);
      e.t += e.d;
    }
    next = e.t;
  }
  return out;
}

void set(pugi::xml_node node, const char* name, const std::string& value) {
  auto a = node.attribute(name);
  if (!a) a = node.append_attribute(name);
  a.set_value(value.c_str());
}

bool relative_url(const std::string& url) { return url.find("://") == std::string::npos && url.rfind("/", 0) != 0; }

// Relative SegmentTemplate URLs resolve one level up per path element of a path-style request.
void prefix_template_urls(pugi::xml_node mpd, const std::string& prefix) {
  if (prefix.empty()) return;
  for (auto period : mpd.children("Period"))
    for (auto set_node : period.children("AdaptationSet"))
      for (auto rep : set_node.children("Representation"))
        for (const char* url : {"media", "initialization"}) {
          auto tmpl = rep.child("SegmentTemplate");
          const std::string value = tmpl.attribute(url).as_string();
          if (!value.empty() && relative_url(value)) set(tmpl, url, prefix + value);
        }
}

}  // namespace

std::optional<std::string> cut_mpd_window(const std::string& archive, const ShiftWindow& window, double now,
                                          int path_depth, std::string& problem) {
  pugi::xml_document doc;
  if (!load_manifest_xml(doc, archive)) {
    problem = "The start-over archive cannot be read";
    return std::nullopt;
  }
  pugi::xml_node mpd = doc.child("MPD");
  const auto ast = parse_timestamp(mpd.attribute("availabilityStartTime").as_string());
  if (!ast) {
    problem = "The start-over archive has no availabilityStartTime";
    return std::nullopt;
  }
  std::string prefix;
  for (int i = 0; i < path_depth; ++i) prefix += "../";

  // Pass 1: each Period keeps the segments whose wall-clock start lies in the window.
  std::vector<pugi::xml_node> empty_periods;
  std::optional<double> first_start;  // MPD time of the window's first segment
  double last_end = 0;                // MPD time where the window's last segment ends
  for (auto period : mpd.children("Period")) {
    const double period_start = parse_duration(period.attribute("start").as_string()).value_or(0);
    bool kept_any = false;
    std::optional<double> period_first;  // MPD time of this Period's first kept segment
    for (auto set_node : period.children("AdaptationSet")) {
      for (auto rep : set_node.children("Representation")) {
        auto tmpl = rep.child("SegmentTemplate");
        auto line = tmpl.child("SegmentTimeline");
        if (!tmpl || !line) continue;  // the origin answers 501 for templates without a timeline
        const double timescale = std::max(1LL, tmpl.attribute("timescale").as_llong(1));
        const int64_t pto = tmpl.attribute("presentationTimeOffset").as_llong();
        const auto all = timeline(line);
        std::vector<Entry> kept;
        size_t first_index = 0;
        for (size_t i = 0; i < all.size(); ++i) {
          const double mpd_time = period_start + (all[i].t - pto) / timescale;
          const double wall = *ast + mpd_time;
          if (wall < window.start - 1e-3 || (window.end && wall >= *window.end - 1e-3)) continue;
          if (kept.empty()) first_index = i;
          kept.push_back(all[i]);
          period_first = std::min(period_first.value_or(mpd_time), mpd_time);
          last_end = std::max(last_end, period_start + (all[i].t + all[i].d - pto) / timescale);
        }
        while (line.first_child()) line.remove_child(line.first_child());
        for (const auto& e : kept) {
          auto s = line.append_child("S");
          s.append_attribute("t").set_value(static_cast<long long>(e.t));
          s.append_attribute("d").set_value(static_cast<long long>(e.d));
        }
        if (auto number = tmpl.attribute("startNumber"))
          number.set_value(number.as_llong() + static_cast<long long>(first_index));
        kept_any = kept_any || !kept.empty();
      }
    }
    if (!kept_any) {
      empty_periods.push_back(period);
    } else if (!first_start) {
      first_start = period_first;
      // The window's first Period starts at its first segment: presentationTimeOffset moves
      // with it so that every segment keeps its place on the timeline.
      const double moved = *period_first - period_start;
      for (auto set_node : period.children("AdaptationSet"))
        for (auto rep : set_node.children("Representation")) {
          auto tmpl = rep.child("SegmentTemplate");
          const double timescale = std::max(1LL, tmpl.attribute("timescale").as_llong(1));
          tmpl.attribute("presentationTimeOffset")
              .set_value(tmpl.attribute("presentationTimeOffset").as_llong() + std::llround(moved * timescale));
        }
      set(period, "start", format_duration(*period_first));
    }
  }
  for (auto period : empty_periods) mpd.remove_child(period);
  prefix_template_urls(mpd, prefix);
  if (!first_start) {
    problem = "No segment of this manifest lies in the requested window";
    return std::nullopt;
  }

  if (window.complete) {
    // A VOD presentation: its timeline starts at 0 with the window's first segment.
    for (auto period : mpd.children("Period"))
      set(period, "start", format_duration(parse_duration(period.attribute("start").as_string()).value_or(0) -
                                           *first_start));
    set(mpd, "type", "static");
    set(mpd, "mediaPresentationDuration", format_duration(last_end - *first_start));
    set(mpd, "availabilityStartTime", format_iso8601(*ast + *first_start));
    for (const char* live_only : {"minimumUpdatePeriod", "timeShiftBufferDepth", "suggestedPresentationDelay"})
      mpd.remove_attribute(live_only);
  } else {
    // Start-over: the live presentation, reaching back to the requested start.
    set(mpd, "timeShiftBufferDepth", format_duration(now - (*ast + *first_start)));
  }
  return manifest_xml_text(doc);
}

std::string prefix_mpd_urls(const std::string& mpd, int path_depth) {
  if (path_depth <= 0) return mpd;
  pugi::xml_document doc;
  if (!load_manifest_xml(doc, mpd)) return mpd;
  std::string prefix;
  for (int i = 0; i < path_depth; ++i) prefix += "../";
  prefix_template_urls(doc.child("MPD"), prefix);
  return manifest_xml_text(doc);
}

}  // namespace mediaemu::api
