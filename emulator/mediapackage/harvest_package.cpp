#include "emulator/mediapackage/harvest_package.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include "api/time_shift.hpp"
#include "pipeline/package/endpoint_status.hpp"

namespace mediaemu::mediapackage {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

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

}  // namespace

HarvestPackage harvest_hls(const HarvestRequest& request) {
  HarvestPackage package;
  auto fail = [&](std::string why) {
    package.objects.clear();
    package.failure = std::move(why);
    return package;
  };
  const std::string master = read_file(request.endpoint_dir / request.master);
  if (master.empty()) return fail("the origin endpoint has not published " + request.master + " yet");
  const std::string prefix = directory_of(request.manifest_key);
  const auto strip = [](const std::string& uri) { return without_query(uri); };

  api::ShiftWindow window;
  window.kind = api::ShiftWindow::Kind::Window;
  window.start = request.start;
  window.end = request.end;
  window.complete = true;

  std::set<std::string> copied;  // segments, and the media playlists (a rendition can be named twice)
  for (const auto& uri : uris_of(master)) {
    const std::string child = inside_endpoint("", uri);
    if (child.empty()) return fail("the multivariant playlist names " + uri + ", which is not the endpoint's own");
    if (!copied.insert(child).second) continue;
    const std::string archive =
        read_file(request.endpoint_dir / std::string(pipeline::kArchiveDirectory) / child);
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

}  // namespace mediaemu::mediapackage
