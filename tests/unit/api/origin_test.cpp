#include <catch2/catch.hpp>

#include <filesystem>
#include <ctime>
#include <fstream>
#include <functional>
#include <sstream>

#include "api/origin.hpp"

using namespace mediaemu::api;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  fs::path root = fs::temp_directory_path() / ("origin-test-" + std::to_string(::getpid()));
  Origin origin{[this](const std::string& hash) -> std::optional<OriginTarget> {
    if (hash != "abc") return std::nullopt;
    OriginTarget t;
    t.root = root / "abc";
    t.segment_duration_seconds = 4;
    t.endpoint_id = "ep-1";
    t.region = "us-east-1";
    t.channel_id = "live";
    if (tweak) tweak(t);
    return t;
  }};
  std::function<void(OriginTarget&)> tweak;
  Fixture() {
    fs::create_directories(root / "abc" / "sub");
    std::ofstream(root / "abc" / "index.m3u8") << "#EXTM3U\n";
    std::ofstream(root / "abc" / "seg.ts") << "0123456789";
    std::ofstream(root / "secret.txt") << "outside";
  }
  ~Fixture() { fs::remove_all(root); }
  HttpResponse get(const std::string& target, std::string method = "GET", std::string range = "",
                   std::vector<std::pair<std::string, std::string>> headers = {}, std::string peer = "127.0.0.1") {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.peer = peer;
    if (!range.empty()) r.headers.emplace_back("range", range);
    for (auto& h : headers) r.headers.push_back(h);
    return origin.handle(r);
  }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "origin serves manifests and segments with the right headers") {
  auto m = get("/out/v1/abc/index.m3u8?m=123");
  CHECK(m.status == 200);
  CHECK(m.body == "#EXTM3U\n");
  CHECK(m.header("Content-Type") == "application/vnd.apple.mpegurl");
  CHECK(m.header("Cache-Control") == "max-age=2");
  CHECK(m.header("Access-Control-Allow-Origin") == "*");
  auto s = get("/out/v1/abc/seg.ts");
  CHECK(s.header("Content-Type") == "video/MP2T");
  CHECK(s.header("Cache-Control") == "max-age=1209600");
  auto h = get("/out/v1/abc/seg.ts", "HEAD");
  CHECK(h.status == 200);
  CHECK(h.body.empty());
  CHECK(h.header("Content-Length") == "10");
}

TEST_CASE_METHOD(Fixture, "origin answers byte ranges") {
  auto r = get("/out/v1/abc/seg.ts", "GET", "bytes=2-4");
  CHECK(r.status == 206);
  CHECK(r.body == "234");
  CHECK(r.header("Content-Range") == "bytes 2-4/10");
  CHECK(get("/out/v1/abc/seg.ts", "GET", "bytes=7-").body == "789");
  CHECK(get("/out/v1/abc/seg.ts", "GET", "bytes=-3").body == "789");
  auto bad = get("/out/v1/abc/seg.ts", "GET", "bytes=50-60");
  CHECK(bad.status == 416);
  CHECK(bad.header("Content-Range") == "bytes */10");
}

TEST_CASE_METHOD(Fixture, "origin never leaves the endpoint directory and 404s the unknown") {
  CHECK(get("/out/v1/abc/../secret.txt").status == 404);
  CHECK(get("/out/v1/abc/%2e%2e/secret.txt").status == 404);
  CHECK(get("/out/v1/abc/sub/../../secret.txt").status == 404);
  CHECK(get("/out/v1/abc//etc/passwd").status == 404);
  CHECK(get("/out/v1/abc/missing.ts").status == 404);
  CHECK(get("/out/v1/zzz/index.m3u8").status == 404);
  CHECK(get("/out/v1/abc/sub").status == 404);  // a directory is not a file
  CHECK(get("/out/v1/abc/index.m3u8", "POST").status == 405);
  CHECK(get("/out/v1/abc/index.m3u8", "OPTIONS").status == 204);
}

TEST_CASE_METHOD(Fixture, "origin aggregates requests, bytes and times per endpoint and status range") {
  get("/out/v1/abc/seg.ts");
  get("/out/v1/abc/seg.ts", "GET", "bytes=0-3");
  get("/out/v1/abc/missing.ts");
  get("/out/v1/zzz/index.m3u8");  // no endpoint: not counted
  auto samples = origin.take_samples();
  REQUIRE(samples.size() == 2);
  const auto& ok = samples[0].status_range == "2xx" ? samples[0] : samples[1];
  const auto& missing = samples[0].status_range == "4xx" ? samples[0] : samples[1];
  CHECK(ok.endpoint_id == "ep-1");
  CHECK(ok.requests == 2);
  CHECK(ok.bytes.count == 2);
  CHECK(ok.bytes.sum == 14);  // the whole 10-byte segment, then 4 bytes of it
  CHECK(ok.bytes.min == 4);
  CHECK(ok.bytes.max == 10);
  CHECK(ok.response_ms.count == 2);
  CHECK(missing.requests == 1);
  CHECK(missing.bytes.count == 0);  // EgressBytes counts what was sent successfully
  CHECK(origin.take_samples().empty());  // drained
}

TEST_CASE_METHOD(Fixture, "origin hides the packager's own files and reports what was published last") {
  std::ofstream(root / "abc" / ".status") << "42 1700000000123\n";
  std::ofstream(root / "abc" / ".index.m3u8.tmp") << "half";
  CHECK(get("/out/v1/abc/.status").status == 404);
  CHECK(get("/out/v1/abc/.index.m3u8.tmp").status == 404);
  auto m = get("/out/v1/abc/index.m3u8");
  CHECK(m.header("X-MediaPackage-Manifest-Last-Sequence") == "42");
  CHECK(m.header("X-MediaPackage-Manifest-Last-Updated") == "1700000000123");
  CHECK(get("/out/v1/abc/seg.ts").header("X-MediaPackage-Manifest-Last-Sequence").empty());
}

TEST_CASE_METHOD(Fixture, "origin access control: Origination DENY, Whitelist and CDN authorisation") {
  tweak = [](OriginTarget& t) { t.origination_denied = true; };
  CHECK(get("/out/v1/abc/index.m3u8").status == 403);
  tweak = [](OriginTarget& t) { t.peer_allowed = [](const std::string& peer) { return peer == "10.0.0.1"; }; };
  CHECK(get("/out/v1/abc/index.m3u8", "GET", "", {}, "10.0.0.1").status == 200);
  CHECK(get("/out/v1/abc/index.m3u8", "GET", "", {}, "10.0.0.2").status == 403);
  tweak = [](OriginTarget& t) { t.cdn_identifier = "9efd4b2b-9f2b-4d2a-8c5e-1a2b3c4d5e6f"; };
  CHECK(get("/out/v1/abc/index.m3u8").status == 403);
  CHECK(get("/out/v1/abc/index.m3u8", "GET", "", {{"x-mediapackage-cdnidentifier", "wrong"}}).status == 403);
  CHECK(get("/out/v1/abc/seg.ts", "GET", "",
            {{"x-mediapackage-cdnidentifier", "9efd4b2b-9f2b-4d2a-8c5e-1a2b3c4d5e6f"}})
            .status == 200);
  tweak = [](OriginTarget& t) { t.cdn_identifier = ""; };  // the secret could not be read
  CHECK(get("/out/v1/abc/index.m3u8", "GET", "", {{"x-mediapackage-cdnidentifier", ""}}).status == 403);
}

TEST_CASE_METHOD(Fixture, "origin time-shifts HLS from the start-over archive") {
  const long now = static_cast<long>(std::time(nullptr));
  auto date = [](long t) {
    std::time_t s = t;
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    return std::string(buf);
  };
  std::ostringstream a;
  a << "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:1\n";
  for (int i = 0; i < 20; ++i)
    a << "#EXT-X-PROGRAM-DATE-TIME:" << date(now - 120 + 6 * i) << "\n#EXTINF:6.000,\nindex_1_" << 1 + i << ".ts\n";
  fs::create_directories(root / "abc" / ".startover");
  std::ofstream(root / "abc" / ".startover" / "index_1.m3u8") << a.str();
  std::ofstream(root / "abc" / "index_1.m3u8") << "#EXTM3U\n#EXTINF:6.000,\nindex_1_20.ts\n";
  std::ofstream(root / "abc" / "index.m3u8") << "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nindex_1.m3u8\n";
  tweak = [](OriginTarget& t) { t.startover_window_seconds = 300; };
  const std::string window = "start=" + std::to_string(now - 60) + "&end=" + std::to_string(now - 30);

  auto vod = get("/out/v1/abc/index_1.m3u8?" + window);
  REQUIRE(vod.status == 200);
  CHECK(vod.body.find("#EXT-X-ENDLIST") != std::string::npos);
  CHECK(vod.body.find("#EXT-X-MEDIA-SEQUENCE:11\n") != std::string::npos);
  auto master = get("/out/v1/abc/index.m3u8?" + window);
  CHECK(master.body.find("index_1.m3u8?" + window) != std::string::npos);
  auto path = get("/out/v1/abc/start/" + std::to_string(now - 60) + "/index_1.m3u8");
  REQUIRE(path.status == 200);
  CHECK(path.body.find("\n../../index_1_11.ts\n") != std::string::npos);
  CHECK(path.body.find("#EXT-X-ENDLIST") == std::string::npos);
  CHECK(get("/out/v1/abc/index_1.m3u8?start=" + std::to_string(now - 600)).status == 404);  // out of window
  CHECK(get("/out/v1/abc/index_1.m3u8?start=" + std::to_string(now + 60)).body.find("index_1_20.ts") !=
        std::string::npos);  // still to come: live
  CHECK(get("/out/v1/abc/index_1.m3u8?start=soon").status == 400);
  CHECK(get("/out/v1/abc/index.mpd?start=" + std::to_string(now - 60)).status == 404);  // no such file
  tweak = nullptr;  // no start-over window: nothing to shift into
  CHECK(get("/out/v1/abc/index_1.m3u8?" + window).status == 404);
}
