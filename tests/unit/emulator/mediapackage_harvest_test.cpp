// Harvest packages: exactly the archived segments whose program date time falls in the window,
// as VOD playlists beside the multivariant one, and the job's failure reasons.
#include <catch2/catch.hpp>

#include <fstream>
#include <unistd.h>

#include "emulator/mediapackage/harvest_package.hpp"

using namespace mediaemu::mediapackage;
namespace fs = std::filesystem;

namespace {

struct Endpoint {
  fs::path dir = fs::temp_directory_path() / ("harvest-test-" + std::to_string(::getpid()));
  Endpoint() { fs::create_directories(dir / ".startover"); }
  ~Endpoint() { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
  }
};

// Three 6 s segments dated 1000 s, 1006 s and 1012 s after the epoch, with MediaPackage's ?m= query.
const char* kArchive =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:7\n"
    "#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:16:40.000Z\n#EXTINF:6.000,\nindex_1_7.ts?m=99\n"
    "#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:16:46.000Z\n#EXTINF:6.000,\nindex_1_8.ts?m=99\n"
    "#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:16:52.000Z\n#EXTINF:6.000,\nindex_1_9.ts?m=99\n";

HarvestRequest request(const Endpoint& e, double start, double end) {
  HarvestRequest r;
  r.endpoint_dir = e.dir;
  r.master = "index.m3u8";
  r.manifest_key = "vod/show/index.m3u8";
  r.start = start;
  r.end = end;
  return r;
}

}  // namespace

TEST_CASE("harvest: the window's segments, VOD playlists and the master under ManifestKey", "[mediapackage]") {
  Endpoint e;
  e.write("index.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nindex_1.m3u8?m=99\n");
  e.write(".startover/index_1.m3u8", kArchive);
  for (int n : {7, 8, 9}) e.write("index_1_" + std::to_string(n) + ".ts", "ts" + std::to_string(n));

  auto package = harvest_hls(request(e, 1006, 1018));
  REQUIRE(package.failure.empty());
  REQUIRE(package.objects.size() == 4);
  CHECK(package.objects[0].key == "vod/show/index_1_8.ts");
  CHECK(package.objects[0].source == e.dir / "index_1_8.ts");
  CHECK(package.objects[1].key == "vod/show/index_1_9.ts");
  CHECK(package.objects[2].key == "vod/show/index_1.m3u8");
  const std::string& media = package.objects[2].body;
  CHECK(media.find("#EXT-X-PLAYLIST-TYPE:VOD\n") != std::string::npos);
  CHECK(media.find("#EXT-X-MEDIA-SEQUENCE:8\n") != std::string::npos);
  CHECK(media.find("#EXT-X-ENDLIST") != std::string::npos);
  CHECK(media.find("index_1_7") == std::string::npos);
  CHECK(media.find("?m=") == std::string::npos);
  CHECK(media.find("PROGRAM-DATE-TIME") == std::string::npos);  // the endpoint writes none
  CHECK(package.objects[3].key == "vod/show/index.m3u8");
  CHECK(package.objects[3].body.find("\nindex_1.m3u8\n") != std::string::npos);

  auto dated = request(e, 1000, 1006);
  dated.dates = true;
  dated.manifest_key = "top.m3u8";
  package = harvest_hls(dated);
  REQUIRE(package.failure.empty());
  CHECK(package.objects[0].key == "index_1_7.ts");
  CHECK(package.objects[1].body.find("#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:16:40.000Z") != std::string::npos);
}

TEST_CASE("harvest: failures name what is missing", "[mediapackage]") {
  Endpoint e;
  CHECK(harvest_hls(request(e, 1000, 1010)).failure.find("has not published index.m3u8") != std::string::npos);
  e.write("index.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nindex_1.m3u8\n");
  CHECK(harvest_hls(request(e, 1000, 1010)).failure.find("no start-over archive of index_1.m3u8") != std::string::npos);
  e.write(".startover/index_1.m3u8", kArchive);
  auto outside = harvest_hls(request(e, 2000, 2010));
  CHECK(outside.failure.find("no segment of index_1.m3u8") != std::string::npos);
  CHECK(outside.objects.empty());
  CHECK(harvest_hls(request(e, 1000, 1010)).failure.find("segment index_1_7.ts is no longer on disk") !=
        std::string::npos);
  e.write("index.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n../other/index_1.m3u8\n");
  CHECK(harvest_hls(request(e, 1000, 1010)).failure.find("not the endpoint's own") != std::string::npos);
}

TEST_CASE("harvest: a DASH window is a static MPD and the segments it names", "[mediapackage]") {
  Endpoint e;
  // AST 1000 s after the epoch, one Period from 0 with three 2 s segments numbered from 5.
  e.write(".startover/stream.mpd",
          "<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\" "
          "availabilityStartTime=\"1970-01-01T00:16:40.000Z\" minimumUpdatePeriod=\"PT2S\">\n"
          " <Period id=\"1\" start=\"PT0S\"><AdaptationSet contentType=\"video\"><Representation id=\"1\">"
          "<SegmentTemplate timescale=\"1000\" presentationTimeOffset=\"0\" startNumber=\"5\" "
          "initialization=\"v$RepresentationID$_init.mp4?m=9\" media=\"v$RepresentationID$_$Number$.mp4?m=9\">"
          "<SegmentTimeline><S t=\"0\" d=\"2000\" r=\"2\"/></SegmentTimeline></SegmentTemplate>"
          "</Representation></AdaptationSet></Period>\n</MPD>\n");
  for (const char* name : {"v1_init.mp4", "v1_5.mp4", "v1_6.mp4", "v1_7.mp4"}) e.write(name, name);
  auto r = request(e, 1002, 1006);
  r.master = "stream.mpd";
  r.manifest_key = "vod/stream.mpd";
  auto package = harvest_dash(r);
  REQUIRE(package.failure.empty());
  REQUIRE(package.objects.size() == 4);
  CHECK(package.objects[0].key == "vod/v1_init.mp4");
  CHECK(package.objects[1].key == "vod/v1_6.mp4");
  CHECK(package.objects[2].key == "vod/v1_7.mp4");
  CHECK(package.objects[3].key == "vod/stream.mpd");
  const std::string& mpd = package.objects[3].body;
  CHECK(mpd.find("type=\"static\"") != std::string::npos);
  CHECK(mpd.find("startNumber=\"6\"") != std::string::npos);
  CHECK(mpd.find("?m=") == std::string::npos);

  fs::remove(e.dir / "v1_7.mp4");
  CHECK(harvest_dash(r).failure.find("v1_7.mp4") != std::string::npos);
  r.start = 2000;
  r.end = 2010;
  CHECK(harvest_dash(r).failure.find("no segment of stream.mpd") != std::string::npos);
}
