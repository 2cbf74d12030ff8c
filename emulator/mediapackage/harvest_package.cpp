#include "emulator/mediapackage/harvest_package.hpp"

#include <pugixml.hpp>

#include <set>
#include <sstream>

#include "api/read_file.hpp"
#include "api/time_shift.hpp"
#include "pipeline/package/endpoint_status.hpp"

namespace mediaemu::mediapackage {
namespace {

std::string without_query(const std::string& uri) { return uri.substr(0, uri.find('?')); }

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash + 1);
}

// `uri` resolved against `base` (a directory path ending in '/', or ""), when it stays inside the
// endpoint's directory; "" for absolute URLs and for paths that climb out of it.
std::string inside_endpoint(const std::string& base, const std::string& uri) {
  if (uri.empty() || uri.front() == '/' || uri.find(':') != std::string::npos) return "";
  const auto path = std::filesystem::path(base + without_query(uri)).lexically_normal().generic_string();
  if (path.empty() || path == "." || path.rfind("..", 0) == 0) return "";
  return path;
}

// Every URI a playlist names (lines and URI="..." attributes), in order.
std::vector<std::string> uris_of(const std::string& playlist) {
  std::vector<std::string> uris;
  api::rewrite_uris(playlist, [&](const std::string& uri) {
    uris.push_back(uri);
    return uri;
  });
  return uris;
}

// A harvested playlist never changes again: EXT-X-PLAYLIST-TYPE:VOD (RFC 8216 §4.3.3.5) in place
// of the endpoint's own type, right after EXT-X-TARGETDURATION.
std::string as_vod(const std::string& playlist) {
  std::istringstream in(playlist);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#EXT-X-PLAYLIST-TYPE:", 0) == 0) continue;
    out += line + "\n";
    if (line.rfind("#EXT-X-TARGETDURATION:", 0) == 0) out += "#EXT-X-PLAYLIST-TYPE:VOD\n";
  }
  return out;
}

// The harvest window, which the job has checked lies wholly in the past: a VOD cut.
api::ShiftWindow past_window(const HarvestRequest& request) {
  api::ShiftWindow window;
  window.kind = api::ShiftWindow::Kind::Window;
  window.start = request.start;
  window.end = request.end;
  window.complete = true;
  return window;
}

// A package that holds nothing but why.
HarvestPackage fail(std::string why) {
  HarvestPackage package;
  package.failure = std::move(why);
  return package;
}

}  // namespace

HarvestPackage harvest_hls(const HarvestRequest& request) {
  HarvestPackage package;
  const std::string master = api::read_file(request.endpoint_dir / request.master).value_or("");
  if (master.empty()) return fail("the origin endpoint has not published " + request.master + " yet");
  const std::string prefix = directory_of(request.manifest_key);
  const auto strip = [](const std::string& uri) { return without_query(uri); };

  const api::ShiftWindow window = past_window(request);

  std::set<std::string> copied;  // segments, and the media playlists (a rendition can be named twice)
  for (const auto& uri : uris_of(master)) {
    const std::string child = inside_endpoint("", uri);
    if (child.empty()) return fail("the multivariant playlist names " + uri + ", which is not the endpoint's own");
    if (!copied.insert(child).second) continue;
    const std::string archive =
        api::read_file(request.endpoint_dir / std::string(pipeline::kArchiveDirectory) / child).value_or("");
    if (archive.empty()) return fail("the endpoint keeps no start-over archive of " + child);
    auto cut = api::cut_hls_window(archive, window, request.dates, 0);
    if (!cut) return fail("no segment of " + child + " has a program date time in the harvest window");
    const std::string playlist = as_vod(api::rewrite_uris(*cut, strip));
    for (const auto& segment : uris_of(playlist)) {
      const std::string path = inside_endpoint(directory_of(child), segment);
      if (path.empty()) return fail(child + " names " + segment + ", which is not the endpoint's own");
      if (!copied.insert(path).second) continue;
      if (!std::filesystem::is_regular_file(request.endpoint_dir / path))
        return fail("segment " + path + " is no longer on disk");
      package.objects.push_back({prefix + path, {}, request.endpoint_dir / path});
    }
    package.objects.push_back({prefix + child, playlist, {}});
  }
  package.objects.push_back({request.manifest_key, api::rewrite_uris(master, strip), {}});
  return package;
}

namespace {

// A SegmentTemplate URL with its identifiers filled in (ISO/IEC 23009-1 §5.3.9.4.4; the
// packagers use $RepresentationID$, $Number$ and $Time$ without width formats).
std::string fill(std::string url, const std::string& id, long long number, long long time) {
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"$RepresentationID$", id},
                                 {"$Number$", std::to_string(number)},
                                 {"$Time$", std::to_string(time)}})
    for (size_t at = url.find(from); at != std::string::npos; at = url.find(from, at + to.size()))
      url.replace(at, from.size(), to);
  return url;
}

}  // namespace

HarvestPackage harvest_dash(const HarvestRequest& request) {
  HarvestPackage package;
  const std::string archive =
      api::read_file(request.endpoint_dir / std::string(pipeline::kArchiveDirectory) / request.master)
          .value_or("");
  if (archive.empty()) return fail("the endpoint keeps no start-over archive of " + request.master);
  if (!api::has_segment_timeline(archive))
    return fail("the endpoint's SegmentTemplateFormat has no timeline, which harvesting needs");
  const api::ShiftWindow window = past_window(request);
  std::string problem;
  auto mpd = api::cut_mpd_window(archive, window, request.end, 0, problem);
  if (!mpd) return fail("no segment of " + request.master + " starts in the harvest window (" + problem + ")");

  pugi::xml_document doc;
  if (!doc.load_string(mpd->c_str())) return fail("the cut MPD cannot be read");
  const std::string prefix = directory_of(request.manifest_key);
  std::set<std::string> copied;
  auto copy = [&](const std::string& url) -> bool {
    const std::string path = inside_endpoint("", url);
    if (path.empty()) return false;
    if (!copied.insert(path).second) return true;
    if (!std::filesystem::is_regular_file(request.endpoint_dir / path)) return false;
    package.objects.push_back({prefix + path, {}, request.endpoint_dir / path});
    return true;
  };
  for (auto period : doc.child("MPD").children("Period"))
    for (auto set : period.children("AdaptationSet"))
      for (auto rep : set.children("Representation")) {
        auto tmpl = rep.child("SegmentTemplate");
        const std::string id = rep.attribute("id").as_string();
        // The package plays from S3: no ?m= cache busters in its URLs.
        for (const char* attribute : {"media", "initialization"})
          if (auto a = tmpl.attribute(attribute)) a.set_value(without_query(a.as_string()).c_str());
        const std::string init = fill(tmpl.attribute("initialization").as_string(), id, 0, 0);
        if (!copy(init)) return fail("initialization segment " + init + " is not on disk or not the endpoint's own");
        long long number = tmpl.attribute("startNumber").as_llong(1);
        for (auto s : tmpl.child("SegmentTimeline").children("S")) {
          const std::string segment = fill(tmpl.attribute("media").as_string(), id, number++, s.attribute("t").as_llong());
          if (!copy(segment)) return fail("segment " + segment + " is no longer on disk or not the endpoint's own");
        }
      }
  std::ostringstream text;
  doc.save(text, "  ", pugi::format_default, pugi::encoding_utf8);
  package.objects.push_back({request.manifest_key, text.str(), {}});
  return package;
}

}  // namespace mediaemu::mediapackage
