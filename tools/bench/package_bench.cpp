// tools/bench/package_bench: the CPU one recorded ABR ladder costs to package into N endpoints of
// a kind, clear and encrypted, in this process: the packagers alone (no transcode, no server, no
// network), which tools/bench/drm's whole-server runs cannot tell apart from the transcode.
//
// Usage: package_bench <ladder file> <endpoints> <rounds> <scratch dir>
// For each kind (HLS clear / AES-128 / SAMPLE-AES, DASH clear / CENC, CMAF clear / cbcs) it builds
// N endpoints writing under the scratch dir, hands them every packet of the file as a channel's
// output would, ends them, and prints the process's CPU seconds (user + system) per media second,
// the best of the rounds, and each encrypted kind next to its clear anchor. Keys come from a fixed
// key provider on the endpoints' key threads, as a local SPEKE server's would (one key: a key
// rotation costs one fetch, off the packaging thread).
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/package/endpoint_packager.hpp"
#include "pipeline/package/media_file_source.hpp"

namespace fs = std::filesystem;
using namespace mediaemu::pipeline;

namespace {

struct FixedKeys : crypto::KeyProvider {
  std::atomic<int> calls{0};
  crypto::KeyFetch fetch(int64_t period) override {
    ++calls;
    crypto::ContentKey k;
    k.period = period;
    k.key.fill(0x3c);
    k.kid.fill(0x5a);
    k.uri = "https://keys.example/bench";
    return {k, ""};
  }
  std::string describe() const override { return "fixed bench keys"; }
};

struct Kind {
  const char* name;
  EndpointSpec::Kind kind;
  std::optional<crypto::EncryptionSpec::Method> method;
  const char* anchor;  // the clear kind it is compared with ("" for a clear kind)
};

const Kind kKinds[] = {
    {"hls clear", EndpointSpec::Kind::Hls, std::nullopt, ""},
    {"hls aes-128", EndpointSpec::Kind::Hls, crypto::EncryptionSpec::Method::Aes128, "hls clear"},
    {"hls sample-aes", EndpointSpec::Kind::Hls, crypto::EncryptionSpec::Method::SampleAes, "hls clear"},
    {"dash clear", EndpointSpec::Kind::Dash, std::nullopt, ""},
    {"dash cenc", EndpointSpec::Kind::Dash, crypto::EncryptionSpec::Method::Cenc, "dash clear"},
    {"cmaf clear", EndpointSpec::Kind::Cmaf, std::nullopt, ""},
    {"cmaf cbcs", EndpointSpec::Kind::Cmaf, crypto::EncryptionSpec::Method::Cbcs, "cmaf clear"},
};

EndpointSpec spec_of(const Kind& kind, const fs::path& dir, const std::shared_ptr<FixedKeys>& keys) {
  EndpointSpec spec;
  spec.label = kind.name;
  spec.directory = dir;
  spec.kind = kind.kind;
  spec.hls.segment_duration_seconds = 2;
  spec.hls.playlist.playlist_window_seconds = 60;
  spec.dash.segment_duration_seconds = 2;
  spec.dash.manifest_window_seconds = 60;
  spec.cmaf.segment_duration_seconds = 2;
  CmafManifestSpec manifest;
  manifest.id = "hls";
  manifest.playlist.playlist_window_seconds = 60;
  spec.cmaf.manifests = {manifest};
  if (kind.method) {
    crypto::EncryptionSpec e;
    e.method = *kind.method;
    e.key_rotation_interval_seconds = 0;
    e.system_ids = {"1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"};  // W3C common PSSH (DASH, CMAF)
    e.hls_manifests = kind.kind == EndpointSpec::Kind::Cmaf;
    e.keys = keys;
    spec.encryption = e;
  }
  return spec;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// CPU seconds of packaging `rec` into `count` endpoints of `kind`, from the first packet to the end.
double package(const RecordedOutput& rec, const Kind& kind, int count, const fs::path& scratch) {
  auto keys = std::make_shared<FixedKeys>();
  std::vector<std::unique_ptr<MediaSink>> endpoints;
  for (int i = 0; i < count; ++i) {
    const fs::path dir = scratch / (std::string(kind.name) + "-" + std::to_string(i));
    fs::remove_all(dir);
    fs::create_directories(dir);
    endpoints.push_back(make_endpoint_packager(spec_of(kind, dir, keys)));
  }
  // An encrypted endpoint has its first key before media arrives, as a live one does.
  for (int i = 0; kind.method && i < 5000 && keys->calls < count; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const double before = cpu_seconds();
  for (auto& e : endpoints) e->on_layout(rec.layout);
  for (const auto& p : rec.packets)
    for (auto& e : endpoints) e->on_packet(p);
  for (auto& e : endpoints) e->on_end();
  const double spent = cpu_seconds() - before;
  endpoints.clear();
  return spent;
}

double media_seconds(const RecordedOutput& rec) {
  double end = 0;
  for (const auto& p : rec.packets) {
    const TrackInfo* t = rec.layout.track(p.track_id);
    end = std::max(end, (p.packet->pts + p.packet->duration) * av_q2d(t->time_base));
  }
  return end;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s <ladder file> <endpoints> <rounds> <scratch dir>\n", argv[0]);
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);  // each endpoint's start and end lines are not the result
  const RecordedOutput rec = read_media_file(argv[1], 1700000000000);
  const int count = std::max(1, std::atoi(argv[2]));
  const int rounds = std::max(1, std::atoi(argv[3]));
  const fs::path scratch = argv[4];
  const double seconds = media_seconds(rec);
  std::map<std::string, double> best;
  for (int r = 0; r < rounds; ++r)
    for (const Kind& kind : kKinds) {
      const double per_media_second = package(rec, kind, count, scratch) / seconds;
      auto [it, fresh] = best.emplace(kind.name, per_media_second);
      if (!fresh) it->second = std::min(it->second, per_media_second);
    }
  std::printf("packaging %.1f s of a %zu-variant ladder into %d endpoints of each kind, best of %d\n", seconds,
              rec.layout.variants.size(), count, rounds);
  std::printf("%-16s %16s %22s\n", "kind", "CPU-s/media-s", "vs clear (target <= 5%)");
  for (const Kind& kind : kKinds) {
    const double cpu = best[kind.name];
    if (!*kind.anchor) {
      std::printf("%-16s %16.4f %22s\n", kind.name, cpu, "(anchor)");
      continue;
    }
    const double extra = 100 * (cpu / best[kind.anchor] - 1);
    std::printf("%-16s %16.4f %14s%+6.1f %%\n", kind.name, cpu, extra <= 5 ? "met " : "MISSED ", extra);
  }
  return 0;
}
