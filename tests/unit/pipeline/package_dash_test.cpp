// DASH endpoints, driven with real encoded media and checked with python3's XML parser (a
// strict MPD checker below), the fMP4 bytes (tfdt against S@t) and ffmpeg decoding.
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "pipeline/package/endpoint_packager.hpp"
#include "pipeline/package/media_file_source.hpp"
#include "tests/unit/pipeline/package_test_support.hpp"


using namespace mediaemu::pipeline;
using namespace package_test;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kDashEpochMs = 1700000000000;

// Checks one MPD; prints "SEG <period> <rep> <file> <t> <d>" per segment, "INIT <rep> <file>",
// "PERIOD <id> <start>", problems as "ERROR ...", and "OK" when there were none.
constexpr const char* kMpdChecker = R"PY(
import os, re, struct, sys, xml.etree.ElementTree as ET
path, expect_type, expect_format = sys.argv[1:4]
base = os.path.dirname(path)
NS = '{urn:mpeg:dash:schema:mpd:2011}'
errors = []
def err(m): errors.append(m)
def seconds(d):
    m = re.fullmatch(r'PT(\d+(?:\.\d+)?)S', d or '')
    if not m: err('bad duration %r' % d); return 0.0
    return float(m.group(1))
def tfdt(file):
    data = open(file, 'rb').read()
    i = data.find(b'tfdt')
    if i < 0: err('no tfdt in ' + file); return None
    version = data[i + 4]
    return struct.unpack('>Q', data[i + 8:i + 16])[0] if version == 1 else struct.unpack('>I', data[i + 8:i + 12])[0]
root = ET.parse(path).getroot()
if root.tag != NS + 'MPD': err('root is ' + root.tag)
if root.get('profiles') != 'urn:mpeg:dash:profile:isoff-live:2011': err('profiles')
if root.get('type') != expect_type: err('type %s' % root.get('type'))
required = ['availabilityStartTime', 'publishTime', 'minBufferTime']
required += ['minimumUpdatePeriod', 'suggestedPresentationDelay', 'timeShiftBufferDepth'] if expect_type == 'dynamic' else ['mediaPresentationDuration']
for a in required:
    if root.get(a) is None: err('MPD@' + a + ' missing')
if expect_type == 'static' and root.get('minimumUpdatePeriod') is not None: err('static MPD with minimumUpdatePeriod')
for a in ['minimumUpdatePeriod', 'minBufferTime', 'suggestedPresentationDelay', 'timeShiftBufferDepth', 'mediaPresentationDuration']:
    if root.get(a) is not None: seconds(root.get(a))
for a in ['availabilityStartTime', 'publishTime']:
    if not re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z', root.get(a, '')): err('bad ' + a)
periods = root.findall(NS + 'Period')
if not periods: err('no Period')
last_start = -1
for p in periods:
    start = seconds(p.get('start'))
    if start <= last_start: err('Period starts do not increase')
    last_start = start
    print('PERIOD', p.get('id'), start)
    for aset in p.findall(NS + 'AdaptationSet'):
        kind = aset.get('contentType')
        if aset.get('mimeType') != kind + '/mp4': err('mimeType')
        if aset.get('segmentAlignment') != 'true' or aset.get('startWithSAP') != '1': err('segmentAlignment/startWithSAP')
        if kind == 'audio' and not aset.get('lang'): err('audio lang')
        for rep in aset.findall(NS + 'Representation'):
            rid = rep.get('id')
            for a in ['bandwidth', 'codecs'] + (['width', 'height', 'frameRate'] if kind == 'video' else ['audioSamplingRate']):
                if rep.get(a) is None: err('Representation@%s missing (%s)' % (a, rid))
            if kind == 'audio' and rep.find(NS + 'AudioChannelConfiguration') is None: err('AudioChannelConfiguration')
            st = rep.find(NS + 'SegmentTemplate')
            timescale = int(st.get('timescale')); pto = int(st.get('presentationTimeOffset', '0'))
            init = os.path.join(base, st.get('initialization'))
            if not os.path.exists(init): err('missing ' + init)
            print('INIT', rid, init)
            media = st.get('media')
            timeline = st.find(NS + 'SegmentTimeline')
            segments = []
            if expect_format == 'duration':
                if timeline is not None: err('timeline with NUMBER_WITH_DURATION')
                if '$Number$' not in media or st.get('duration') is None or st.get('startNumber') is None: err('duration template')
                if expect_type == 'static':
                    d = int(st.get('duration'))
                    end = seconds(root.get('mediaPresentationDuration'))
                    n = int(st.get('startNumber'))
                    t = pto
                    while (t - pto) / timescale < end - start - 1e-3 and os.path.exists(os.path.join(base, media.replace('$Number$', str(n)))):
                        segments.append((n, t, d)); n += 1; t += d
                    if abs((t - pto) / timescale - (end - start)) > 0.5: err('duration template does not cover the period')
            else:
                if timeline is None: err('no SegmentTimeline'); continue
                number = int(st.get('startNumber', '1'))
                if ('$Time$' if expect_format == 'time' else '$Number$') not in media: err('media template ' + media)
                prev_end = None
                for s in timeline.findall(NS + 'S'):
                    t = int(s.get('t')) if s.get('t') is not None else prev_end
                    if t is None: err('first S without t'); break
                    if prev_end is not None and t != prev_end: err('timeline gap/overlap at t=%d (expected %d) rep %s' % (t, prev_end, rid))
                    d = int(s.get('d')); r = int(s.get('r', '0'))
                    for _ in range(r + 1):
                        segments.append((number, t, d)); number += 1; t += d
                    prev_end = t
                if segments and segments[0][1] < pto - timescale // 100: err('first segment before the period')
            for n, t, d in segments:
                f = os.path.join(base, media.replace('$Number$', str(n)).replace('$Time$', str(t)))
                if not os.path.exists(f): err('missing ' + f); continue
                # exact for timelines; without one, audio frames only approximate the grid
                slack = 0 if expect_format != 'duration' else timescale // 20
                if tfdt(f) is None or abs(tfdt(f) - t) > slack: err('tfdt %s != S@t %d in %s' % (tfdt(f), t, f))
                print('SEG', p.get('id'), rid, f, t, d)
utc = root.find(NS + 'UTCTiming')
if utc is not None: print('UTC', utc.get('schemeIdUri'), utc.get('value'))
for e in errors: print('ERROR', e)
print('OK' if not errors else 'FAILED')
)PY";

struct MpdSegment {
  std::string period, rep, file;
  int64_t t = 0, d = 0;
};
struct MpdView {
  std::vector<MpdSegment> segments;
  std::map<std::string, std::string> inits;  // rep -> file
  std::vector<std::pair<std::string, double>> periods;
  std::string utc;
  std::string raw;
};

MpdView check_mpd(const fs::path& mpd, const std::string& type, const std::string& format) {
  static const fs::path script = [] {
    const fs::path p = scratch_dir("mpd_checker") / "check_mpd.py";
    std::ofstream(p) << kMpdChecker;
    return p;
  }();
  MpdView view;
  std::string out;
  const int rc = run_command("python3 " + script.string() + " " + mpd.string() + " " + type + " " + format, &out);
  INFO(read_text(mpd));
  INFO(out);
  REQUIRE(rc == 0);
  REQUIRE(out.find("\nOK\n") != std::string::npos);
  std::istringstream in(out);
  for (std::string word; in >> word;) {
    if (word == "SEG") {
      MpdSegment s;
      in >> s.period >> s.rep >> s.file >> s.t >> s.d;
      view.segments.push_back(s);
    } else if (word == "INIT") {
      std::string rep, file;
      in >> rep >> file;
      view.inits[rep] = file;
    } else if (word == "PERIOD") {
      std::string id;
      double start;
      in >> id >> start;
      view.periods.emplace_back(id, start);
    } else if (word == "UTC") {
      std::getline(in, view.utc);
    }
  }
  view.raw = read_text(mpd);
  return view;
}

EndpointSpec dash_spec(const fs::path& dir, DashSpec::TemplateFormat format) {
  EndpointSpec spec;
  spec.label = "test";
  spec.directory = dir;
  spec.kind = EndpointSpec::Kind::Dash;
  spec.dash.segment_duration_seconds = 2;
  spec.dash.format = format;
  return spec;
}


// init + the representation's segments (of one period), in order, decode without errors.
void check_concatenation_decodes(const MpdView& view, const std::string& rep, const std::string& period,
                                 const fs::path& out) {
  {
    std::ofstream file(out, std::ios::binary);
    file << read_text(view.inits.at(rep));
    for (const auto& s : view.segments)
      if (s.rep == rep && s.period == period) file << read_text(s.file);
  }
  std::string log;
  const int rc = run_command("ffmpeg -nostdin -v error -i " + out.string() + " -f null -", &log);
  INFO(log);
  CHECK(rc == 0);
  CHECK(log.empty());
}

}  // namespace

TEST_CASE("DASH NUMBER_WITH_TIMELINE: live window, continuity, static at the end", "[package][dash]") {
  const auto rec = read_media_file(test_media(2), kDashEpochMs);
  const fs::path dir = scratch_dir("dash_number");
  EndpointSpec spec = dash_spec(dir, DashSpec::TemplateFormat::NumberWithTimeline);
  spec.dash.manifest_window_seconds = 6;
  spec.dash.utc_timing_scheme = "HTTP-ISO";
  spec.dash.utc_timing_uri = "https://time.akamai.com/?iso";
  auto packager = make_endpoint_packager(spec);
  std::string last;
  int versions = 0;
  feed(*packager, rec, [&] {
    const fs::path mpd = dir / "index.mpd";
    if (!fs::exists(mpd) || read_text(mpd) == last) return;
    last = read_text(mpd);
    ++versions;
    const MpdView v = check_mpd(mpd, "dynamic", "number");
    CHECK(v.raw.find("timeShiftBufferDepth=\"PT6S\"") != std::string::npos);
    CHECK(v.raw.find("availabilityStartTime=\"2023-11-14T22:13:20.000Z\"") != std::string::npos);
  });
  packager->on_end();
  CHECK(versions >= 5);

  const MpdView v = check_mpd(dir / "index.mpd", "static", "number");
  CHECK(v.raw.find("mediaPresentationDuration=\"PT14S\"") != std::string::npos);
  REQUIRE(v.periods.size() == 1);
  CHECK(v.periods[0].second == 0.0);
  CHECK(v.utc == " urn:mpeg:dash:utc:http-iso:2014 https://time.akamai.com/?iso");
  CHECK(v.inits.size() == 3);  // two video Representations and one audio
  CHECK(v.inits.at("1") == (dir / "index_video_1_0_init.mp4").string());
  CHECK(v.inits.at("3") == (dir / "index_audio_3_0_init.mp4").string());
  int video_segments = 0;
  for (const auto& s : v.segments) {
    if (s.rep != "1") continue;
    ++video_segments;
    CHECK(s.d == 2 * 15360);  // 2 s at the MP4's 15360 Hz timescale
    CHECK(s.file.find("index_video_1_0_") != std::string::npos);
  }
  CHECK(video_segments == 3);  // exactly the 6 s window
  CHECK_FALSE(fs::exists(dir / "index_video_1_0_1.mp4"));  // expired
  for (const char* rep : {"1", "2", "3"}) check_concatenation_decodes(v, rep, "1", dir / (std::string(rep) + ".mp4"));
}

TEST_CASE("DASH TIME_WITH_TIMELINE names segments by S@t", "[package][dash]") {
  const auto rec = read_media_file(test_media(2), kDashEpochMs);
  const fs::path dir = scratch_dir("dash_time");
  EndpointSpec spec = dash_spec(dir, DashSpec::TemplateFormat::TimeWithTimeline);
  spec.dash.segment_duration_seconds = 3;  // GOP 2 s -> 4 s segments
  auto packager = make_endpoint_packager(spec);
  feed(*packager, rec);
  packager->on_end();
  const MpdView v = check_mpd(dir / "index.mpd", "static", "time");
  REQUIRE(v.segments.size() == 3 * 4);
  for (const auto& s : v.segments) {
    std::string name_suffix = "_";
    name_suffix += std::to_string(s.t);
    CHECK(s.file.find(name_suffix + ".mp4") != std::string::npos);
    if (s.rep == "1" && s.t < 12 * 15360) CHECK(s.d == 4 * 15360);
  }
  CHECK(v.raw.find("$Time$") != std::string::npos);
  std::string log;
  CHECK(run_command("ffmpeg -nostdin -v error -i " + (dir / "index.mpd").string() + " -f null -", &log) == 0);
  CHECK(log.empty());
}

TEST_CASE("DASH NUMBER_WITH_DURATION has no timeline", "[package][dash]") {
  const auto rec = read_media_file(test_media(2), kDashEpochMs);
  const fs::path dir = scratch_dir("dash_duration");
  auto packager = make_endpoint_packager(dash_spec(dir, DashSpec::TemplateFormat::NumberWithDuration));
  std::string last;
  feed(*packager, rec, [&] {
    if (!fs::exists(dir / "index.mpd") || read_text(dir / "index.mpd") == last) return;
    last = read_text(dir / "index.mpd");
    check_mpd(dir / "index.mpd", "dynamic", "duration");
  });
  packager->on_end();
  const MpdView v = check_mpd(dir / "index.mpd", "static", "duration");
  CHECK(v.raw.find("duration=\"30720\" startNumber=\"1\"") != std::string::npos);
  CHECK(v.segments.size() == 3 * 7);
  check_concatenation_decodes(v, "2", "1", dir / "joined.mp4");
}

TEST_CASE("DASH: a discontinuity opens a new Period", "[package][dash]") {
  const auto rec = read_media_file(test_media(2), kDashEpochMs);
  const fs::path dir = scratch_dir("dash_periods");
  EndpointSpec spec = dash_spec(dir, DashSpec::TemplateFormat::NumberWithTimeline);
  spec.time_delay_seconds = 2;
  auto packager = make_endpoint_packager(spec);
  feed(*packager, rec, {}, 8.0, 100.0);
  const MpdView live = check_mpd(dir / "index.mpd", "dynamic", "number");
  // a 2 s delay moves availabilityStartTime and holds back the newest segment
  CHECK(live.raw.find("availabilityStartTime=\"2023-11-14T22:13:22.000Z\"") != std::string::npos);
  packager->on_end();
  const MpdView v = check_mpd(dir / "index.mpd", "static", "number");
  REQUIRE(v.periods.size() == 2);
  CHECK(v.periods[0] == std::pair<std::string, double>{"1", 0.0});
  CHECK(v.periods[1] == std::pair<std::string, double>{"2", 108.0});  // wall-clock offset of its first segment
  int second_period = 0;
  for (const auto& s : v.segments)
    if (s.period == "2" && s.rep == "1") {
      ++second_period;
      CHECK(s.t >= 108 * 15360);
    }
  CHECK(second_period == 3);
  CHECK(v.raw.find("presentationTimeOffset=\"1658880\"") != std::string::npos);  // 108 s at 15360 Hz
  check_concatenation_decodes(v, "1", "2", dir / "period2.mp4");
}

TEST_CASE("DASH: a timeline that restarts at 0 continues in a Period after the last one", "[package][dash]") {
  const auto rec = read_media_file(test_media(2), kDashEpochMs);
  const fs::path dir = scratch_dir("dash_restart");
  auto packager = make_endpoint_packager(dash_spec(dir, DashSpec::TemplateFormat::TimeWithTimeline));
  feed(*packager, rec, {}, 8.0, -8.0);
  packager->on_end();
  const MpdView v = check_mpd(dir / "index.mpd", "static", "time");
  REQUIRE(v.periods.size() == 2);
  CHECK(v.periods[1].second == 8.0);  // never before the previous period's end
  CHECK(v.raw.find("mediaPresentationDuration=\"PT14S\"") != std::string::npos);
  check_concatenation_decodes(v, "1", "2", dir / "period2.mp4");
}
