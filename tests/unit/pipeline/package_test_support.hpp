// Helpers shared by the package_* tests, defined in package_support_test.cpp: running the
// ffmpeg/ffprobe/python3 CLIs, a scratch directory removed when the test run ends, small test media
// generated with ffmpeg's lavfi sources on first use, and feeding a recording to a packager.
#pragma once

#include <filesystem>
#include <functional>
#include <limits>
#include <string>

#include "pipeline/media.hpp"
#include "pipeline/package/media_file_source.hpp"

namespace package_test {

int run_command(const std::string& command, std::string* output);
std::filesystem::path scratch_dir(const std::string& name);
std::string read_text(const std::filesystem::path& path);
std::filesystem::path test_media(int gop_seconds);
// ffmpeg decodes the whole manifest (playlist or MPD) without a word on stderr.
void check_decodes(const std::filesystem::path& manifest);

// Feeds the recording; `observe` runs after every packet. `split_at` seconds: before packets with
// pts from there on, a discontinuity, and the rest shifted by `jump` seconds.
void feed(mediaemu::pipeline::MediaSink& sink, const mediaemu::pipeline::RecordedOutput& rec,
          const std::function<void()>& observe = {}, double split_at = std::numeric_limits<double>::infinity(),
          double jump = 0);

}  // namespace package_test
