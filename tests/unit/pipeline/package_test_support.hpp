// Helpers shared by the package_* tests, defined in package_support_test.cpp: running the
// ffmpeg/ffprobe/python3 CLIs, a scratch directory removed when the test run ends, small test media
// generated with ffmpeg's lavfi sources on first use, and feeding a recording to a packager.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/crypto/content_key.hpp"
#include "pipeline/media.hpp"
#include "pipeline/package/media_file_source.hpp"
#include "pipeline/package/package_spec.hpp"

namespace package_test {

int run_command(const std::string& command, std::string* output);
std::filesystem::path scratch_dir(const std::string& name);
std::string read_text(const std::filesystem::path& path);
std::vector<uint8_t> read_bytes(const std::filesystem::path& path);
std::filesystem::path test_media(int gop_seconds);
// ffmpeg decodes the whole manifest (playlist or MPD) without a word on stderr.
void check_decodes(const std::filesystem::path& manifest);

// Feeds the recording; `observe` runs after every packet. `split_at` seconds: before packets with
// pts from there on, a discontinuity, and the rest shifted by `jump` seconds.
void feed(mediaemu::pipeline::MediaSink& sink, const mediaemu::pipeline::RecordedOutput& rec,
          const std::function<void()>& observe = {}, double split_at = std::numeric_limits<double>::infinity(),
          double jump = 0);

// A key provider answering one fixed key for every key period, counting its calls.
struct FixedKeyProvider : mediaemu::pipeline::crypto::KeyProvider {
  mediaemu::pipeline::crypto::Block key{}, kid{};
  std::string uri;
  std::atomic<int> calls{0};
  mediaemu::pipeline::crypto::KeyFetch fetch(int64_t period) override {
    ++calls;
    mediaemu::pipeline::crypto::ContentKey k;
    k.period = period;
    k.key = key;
    k.kid = kid;
    k.uri = uri;
    return {k, ""};
  }
  std::string describe() const override { return "fixed"; }
};

// The packager for `spec`; when `provider_calls` is given, once its key provider answered and the
// key stage has the first key (as a live endpoint has by the time media arrives).
std::unique_ptr<mediaemu::pipeline::MediaSink> start_packager(const mediaemu::pipeline::EndpointSpec& spec,
                                                              const std::atomic<int>* provider_calls);
inline std::unique_ptr<mediaemu::pipeline::MediaSink> start_packager(const mediaemu::pipeline::EndpointSpec& spec,
                                                                     const FixedKeyProvider* provider) {
  return start_packager(spec, provider ? &provider->calls : nullptr);
}

// A clear HLS endpoint writing `segment_seconds` segments into `dir`.
mediaemu::pipeline::EndpointSpec hls_spec(const std::filesystem::path& dir, int segment_seconds);

// A DASH endpoint (2 s segments, a 600 s window) encrypted with 'cenc' by keys from `keys`, for
// the W3C ClearKey system; keys rotate every `rotation_seconds` (0: one key).
mediaemu::pipeline::EndpointSpec dash_cenc_spec(const std::filesystem::path& dir,
                                                std::shared_ptr<mediaemu::pipeline::crypto::KeyProvider> keys,
                                                int rotation_seconds = 0);

}  // namespace package_test
