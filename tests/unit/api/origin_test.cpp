#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

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
    return t;
  }};
  Fixture() {
    fs::create_directories(root / "abc" / "sub");
    std::ofstream(root / "abc" / "index.m3u8") << "#EXTM3U\n";
    std::ofstream(root / "abc" / "seg.ts") << "0123456789";
    std::ofstream(root / "secret.txt") << "outside";
  }
  ~Fixture() { fs::remove_all(root); }
  HttpResponse get(const std::string& target, std::string method = "GET", std::string range = "") {
    HttpRequest r;
    r.method = method;
    r.target = target;
    if (!range.empty()) r.headers.emplace_back("range", range);
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
