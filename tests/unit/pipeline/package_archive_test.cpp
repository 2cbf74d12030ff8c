// MediaLive Archive output group files, written from real encoded media (package_support_test.cpp)
// and checked with ffprobe: MediaLive's names, files that roll at GOP boundaries after the
// rollover interval, nothing visible before it is closed, and no overwriting of earlier files.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "pipeline/ads/ad_cue.hpp"
#include "pipeline/ads/splice_decode.hpp"
#include "pipeline/file_source.hpp"
#include "pipeline/package/archive_writer.hpp"
#include "pipeline/package/media_file_source.hpp"
#include "tests/unit/pipeline/ingest_test_support.hpp"
#include "tests/unit/pipeline/package_test_support.hpp"

using namespace mediaemu::pipeline;
using namespace package_test;
namespace fs = std::filesystem;

namespace {

double probe_duration(const fs::path& file) {
  std::string out;
  REQUIRE(run_command("ffprobe -v error -show_entries format=duration -of csv=p=0 " + file.string(), &out) == 0);
  return std::stod(out);
}

std::string probe_codecs(const fs::path& file) {
  std::string out;
  REQUIRE(run_command("ffprobe -v error -show_entries stream=codec_name -of csv=p=0 " + file.string(), &out) == 0);
  return out;
}

}  // namespace

TEST_CASE("Archive: MPEG-TS files per output, rolled at GOP boundaries, named as MediaLive names them",
          "[package][archive]") {
  const auto rec = read_media_file(test_media(2), 0);  // 14 s, GOP 2 s, two video renditions + AAC
  REQUIRE(rec.layout.variants.size() == 2);
  const fs::path dir = scratch_dir("archive");
  std::ofstream(dir / "curling_hi.000007.m2ts") << "an earlier run's file";

  ArchiveSpec spec;
  spec.label = "test";
  spec.directory = dir;
  spec.base_name = "curling";
  spec.rollover_seconds = 4;
  spec.temp_prefix = ".tmp-";
  spec.outputs[rec.layout.variants[0].name] = {"_hi", "m2ts", std::nullopt};
  spec.outputs[rec.layout.variants[1].name] = {"_lo", "ts", std::nullopt};
  ArchiveWriter writer(spec);

  bool temp_seen = false;
  feed(writer, rec, [&] {
    for (const auto& e : fs::directory_iterator(dir)) temp_seen |= e.path().filename().string().rfind(".tmp-", 0) == 0;
  });
  writer.on_end();

  CHECK(temp_seen);  // a file grows under its temporary name until it is closed
  const std::vector<std::string> expected = {"curling_hi.000008.m2ts", "curling_lo.000008.ts", "curling_hi.000009.m2ts",
                                             "curling_lo.000009.ts",   "curling_hi.000010.m2ts", "curling_lo.000010.ts",
                                             "curling_hi.000011.m2ts", "curling_lo.000011.ts"};
  CHECK(writer.closed_files() == expected);  // counter continues after the earlier run's 000007
  for (const auto& e : fs::directory_iterator(dir)) CHECK(e.path().filename().string().rfind(".tmp-", 0) != 0);

  double total = 0;
  for (int n = 8; n <= 11; ++n) {
    const fs::path hi = dir / ("curling_hi.0000" + std::to_string(n / 10) + std::to_string(n % 10) + ".m2ts");
    REQUIRE(fs::exists(hi));
    double d = probe_duration(hi);
    INFO(hi.filename().string() << " lasts " << d << " s");
    if (n < 11) CHECK(d == Approx(4.0).margin(0.1));  // whole 2 s GOPs reaching the 4 s interval
    total += d;
    std::string codecs = probe_codecs(hi);
    CHECK(codecs.find("h264") != std::string::npos);
    CHECK(codecs.find("aac") != std::string::npos);
  }
  CHECK(total == Approx(14.0).margin(0.2));  // the last file is the shorter rest
}

TEST_CASE("Archive with M2tsSettings Scte35Control PASSTHROUGH: the cue's section on its PID", "[package][archive][ads]") {
  const auto rec = read_media_file(test_media(2), 0);
  const fs::path dir = scratch_dir("archive_scte35");
  ArchiveSpec spec;
  spec.label = "test";
  spec.directory = dir;
  spec.base_name = "show";
  spec.rollover_seconds = 300;  // one file per output
  spec.outputs[rec.layout.variants[0].name] = {"_hi", "ts", uint16_t{0x1f5}};
  spec.outputs[rec.layout.variants[1].name] = {"_lo", "ts", std::nullopt};
  ArchiveWriter writer(spec);
  ads::SpliceInfo info;
  info.event_id = 9;
  bool sent = false;
  feed(writer, rec, [&] {
    if (!std::exchange(sent, true)) writer.on_cue(ads::make_cue(info, 6'000'000, "break"));
  });
  writer.on_end();
  auto sections_in = [&](const std::string& name) {
    const auto bytes = read_bytes(dir / name);
    int n = 0;
    for (size_t at = 0; at + 188 <= bytes.size(); at += 188)
      n += ((((bytes[at + 1] & 0x1f) << 8) | bytes[at + 2]) == 0x1f5) && bytes[at + 5] == 0xfc;
    return n;
  };
  std::string hi, lo;
  for (const auto& name : writer.closed_files()) (name.rfind("show_hi", 0) == 0 ? hi : lo) = name;
  INFO(hi << " " << lo);
  REQUIRE(!hi.empty());
  REQUIRE(!lo.empty());
  CHECK(sections_in(hi) == 1);
  CHECK(sections_in(lo) == 0);  // that output does not pass SCTE-35 through
  std::string out;
  REQUIRE(run_command("ffprobe -v error -show_entries stream=codec_name,id -of csv=p=0 '" + (dir / hi).string() + "'",
                      &out) == 0);
  CHECK(out.find("scte_35,0x1f5") != std::string::npos);

  // Read back as an input (a TS_FILE, or the same bytes over UDP/RTP/SRT): the section becomes a
  // Cue event at its splice time on the delivered timeline, the keyframe the cue was put on.
  auto recorder = std::make_shared<test::Recorder>();
  FileSourceOptions options;
  options.url = (dir / hi).string();
  options.label = "scte35 input";
  FileSource source(options, recorder);
  source.start();
  source.wait();
  const auto events = recorder->events();
  std::vector<const IngestEvent*> cues;
  for (const auto& e : events)
    if (e.type == IngestEvent::Type::Cue) cues.push_back(&e);
  REQUIRE(cues.size() == 1);
  std::string why;
  auto splice = ads::decode_splice_info(cues[0]->data, why);
  REQUIRE(splice);
  CHECK(splice->info.event_id == 9);
  bool on_keyframe = false;
  for (const auto& e : events)
    if (e.type == IngestEvent::Type::Frame && e.kind == MediaKind::Video && e.keyframe &&
        std::abs(e.dts_ms + e.cts_ms - cues[0]->dts_ms) <= 1)
      on_keyframe = true;
  CHECK(on_keyframe);

  // InputSettings.Scte35Pid names the PID: another one finds no SCTE-35 there.
  auto elsewhere = std::make_shared<test::Recorder>();
  options.scte35_pid = 0x1f6;
  FileSource other(options, elsewhere);
  other.start();
  other.wait();
  const auto other_events = elsewhere->events();
  CHECK(std::none_of(other_events.begin(), other_events.end(),
                     [](const IngestEvent& e) { return e.type == IngestEvent::Type::Cue; }));
}
