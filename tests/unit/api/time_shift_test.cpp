#include <catch2/catch.hpp>

#include <sstream>

#include "api/time_shift.hpp"

using namespace mediaemu::api;

namespace {

constexpr double kT0 = 1700000000;  // 2023-11-14T22:13:20Z

std::string iso(double t) {
  std::time_t s = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}

// An archive as PackagerBase writes it: ten 6 s segments from kT0, each dated, the 6th after a
// discontinuity, a key rotation at the 4th.
std::string archive(bool ended = false) {
  std::ostringstream a;
  a << "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:100\n"
       "#EXT-X-DISCONTINUITY-SEQUENCE:2\n";
  for (int i = 0; i < 10; ++i) {
    if (i == 0) a << "#EXT-X-KEY:METHOD=AES-128,URI=\"keys/k1\"\n";
    if (i == 3) a << "#EXT-X-KEY:METHOD=AES-128,URI=\"keys/k2\"\n";
    if (i == 5) a << "#EXT-X-DISCONTINUITY\n";
    a << "#EXT-X-PROGRAM-DATE-TIME:" << iso(kT0 + 6 * i) << "\n#EXTINF:6.000,\nindex_1_" << 100 + i << ".ts\n";
  }
  if (ended) a << "#EXT-X-ENDLIST\n";
  return a.str();
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

ShiftWindow window(double start, std::optional<double> end, bool complete) {
  ShiftWindow w;
  w.kind = ShiftWindow::Kind::Window;
  w.start = start;
  w.end = end;
  w.complete = complete;
  return w;
}

}  // namespace

TEST_CASE("time shift: start and end from the query or the path, ISO 8601 or epoch seconds") {
  std::string relative = "index_1.m3u8";
  TimeShift shift;
  REQUIRE_FALSE(parse_time_shift(relative, "m=1&start=1700000000&end=2023-11-14T22:14:20%2B00:00", shift));
  CHECK(*shift.start == kT0);
  CHECK(*shift.end == kT0 + 60);
  CHECK(shift.query == "start=1700000000&end=2023-11-14T22:14:20%2B00:00");
  CHECK(shift.path_depth == 0);

  std::string path = "cmaf/start/2023-11-14T22:13:20Z/end/1700000060/index.m3u8";
  TimeShift p;
  REQUIRE_FALSE(parse_time_shift(path, "", p));
  CHECK(path == "cmaf/index.m3u8");
  CHECK(p.path_depth == 4);
  CHECK(*p.start == kT0);
  CHECK(*p.end == kT0 + 60);

  std::string plus = "i.m3u8";  // a form-encoded '+' of the offset arrives as a space
  TimeShift q;
  REQUIRE_FALSE(parse_time_shift(plus, "start=2023-11-14T23:13:20%2001:00", q));
  CHECK(*q.start == kT0);

  std::string untouched = "index_1.m3u8";
  TimeShift none;
  REQUIRE_FALSE(parse_time_shift(untouched, "m=5", none));
  CHECK_FALSE(none.start);
  CHECK_FALSE(none.end);
}

TEST_CASE("time shift: malformed or repeated times are errors") {
  for (std::string query : {"start=yesterday", "start=", "start=inf", "start=-5", "end=2023-13-01T00:00:00Z",
                            "start=1&start=2"}) {
    std::string relative = "index.m3u8";
    TimeShift shift;
    CHECK(parse_time_shift(relative, query, shift));
  }
  std::string relative = "start/1/start/2/index.m3u8";
  TimeShift shift;
  CHECK(parse_time_shift(relative, "", shift));
}

TEST_CASE("time shift: the window a request asks for") {
  const double now = kT0 + 3600;
  auto at = [&](std::optional<double> start, std::optional<double> end, int startover = 3600) {
    TimeShift s;
    s.start = start;
    s.end = end;
    return decide_window(s, now, startover);
  };
  CHECK(at(std::nullopt, now - 60).kind == ShiftWindow::Kind::Live);  // end alone: live
  CHECK(at(now + 60, std::nullopt).kind == ShiftWindow::Kind::Live);  // start to come: live
  auto vod = at(now - 120, now - 60);
  CHECK(vod.kind == ShiftWindow::Kind::Window);
  CHECK(vod.complete);
  auto growing = at(now - 120, std::nullopt);
  CHECK(growing.kind == ShiftWindow::Kind::Window);
  CHECK_FALSE(growing.complete);
  CHECK_FALSE(at(now - 120, now + 60).complete);
  CHECK(at(now - 3700, now - 60).kind == ShiftWindow::Kind::OutOfWindow);
  CHECK(at(now - 120, now - 60, 0).kind == ShiftWindow::Kind::OutOfWindow);
  CHECK(at(now - 60, now - 120).kind == ShiftWindow::Kind::OutOfWindow);
  CHECK(at(now - 3000, now + 90000, 100000).kind == ShiftWindow::Kind::TooLong);
}

TEST_CASE("time shift: a past window is a VOD playlist of exactly the segments dated in it") {
  auto text = cut_hls_window(archive(), window(kT0 + 12, kT0 + 36, true), true, 0);
  REQUIRE(text);
  CHECK(count(*text, "#EXTINF") == 4);  // 12, 18, 24, 30
  CHECK(text->find("index_1_102.ts") != std::string::npos);
  CHECK(text->find("index_1_105.ts") != std::string::npos);
  CHECK(text->find("index_1_106.ts") == std::string::npos);
  CHECK(text->find("#EXT-X-MEDIA-SEQUENCE:102\n") != std::string::npos);
  CHECK(text->find("#EXT-X-DISCONTINUITY-SEQUENCE:2\n") != std::string::npos);
  CHECK(text->find("#EXT-X-ENDLIST") != std::string::npos);
  // The key in force at the first segment (k1) is repeated before it; k2 follows where it starts.
  CHECK(text->find("URI=\"keys/k1\"") < text->find("index_1_102.ts"));
  CHECK(text->find("URI=\"keys/k2\"") < text->find("index_1_103.ts"));
  CHECK(count(*text, "#EXT-X-PROGRAM-DATE-TIME") == 4);
}

TEST_CASE("time shift: a growing window, dates removed, path levels and discontinuities counted") {
  auto text = cut_hls_window(archive(), window(kT0 + 40, std::nullopt, false), false, 4);
  REQUIRE(text);
  CHECK(count(*text, "#EXTINF") == 3);  // 42, 48, 54
  CHECK(text->find("#EXT-X-ENDLIST") == std::string::npos);
  CHECK(text->find("#EXT-X-PROGRAM-DATE-TIME") == std::string::npos);
  CHECK(text->find("#EXT-X-DISCONTINUITY-SEQUENCE:3\n") != std::string::npos);  // one dropped
  CHECK(text->find("\n../../../../index_1_107.ts\n") != std::string::npos);
  CHECK(text->find("URI=\"../../../../keys/k2\"") != std::string::npos);
  // Once the archive ended, a window that reaches its end ends too.
  auto ended = cut_hls_window(archive(true), window(kT0 + 40, std::nullopt, false), false, 0);
  CHECK(ended->find("#EXT-X-ENDLIST") != std::string::npos);
}

TEST_CASE("time shift: a window without segments, or an undated archive, is nothing") {
  CHECK_FALSE(cut_hls_window(archive(), window(kT0 + 100, kT0 + 160, true), true, 0));
  CHECK_FALSE(cut_hls_window("#EXTM3U\n#EXTINF:6.000,\na.ts\n", window(kT0, std::nullopt, false), true, 0));
  CHECK_FALSE(cut_hls_window("not a playlist", window(kT0, std::nullopt, false), true, 0));
}

TEST_CASE("time shift: a multivariant playlist passes the query to its children") {
  std::string master =
      "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",URI=\"index_3.m3u8\"\n#EXT-X-STREAM-INF:BANDWIDTH=1\n"
      "index_1.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\nindex_2.m3u8?x=1\n";
  auto out = propagate_query(master, "start=5");
  CHECK(out.find("URI=\"index_3.m3u8?start=5\"") != std::string::npos);
  CHECK(out.find("\nindex_1.m3u8?start=5\n") != std::string::npos);
  CHECK(out.find("\nindex_2.m3u8?x=1&start=5\n") != std::string::npos);
  CHECK(prefix_relative_uris("#EXTINF:6,\na.ts\nhttp://h/b.ts\n", 2) == "#EXTINF:6,\n../../a.ts\nhttp://h/b.ts\n");
}

namespace {

// A DASH start-over archive as DashPackager writes it: AST kT0 - 100 s, Period 1 from 100 s with
// ten 2 s video segments (timescale 90000, presentationTimeOffset 900000 = 10 s) numbered from 50.
std::string mpd_archive() {
  std::ostringstream a;
  a << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
       "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\" availabilityStartTime=\""
    << iso(kT0 - 100)
    << "\" minimumUpdatePeriod=\"PT2S\" timeShiftBufferDepth=\"PT20S\" suggestedPresentationDelay=\"PT6S\">\n"
       "  <Period id=\"1\" start=\"PT100S\">\n    <AdaptationSet contentType=\"video\">\n"
       "      <Representation id=\"1\" bandwidth=\"1000\" width=\"640\" height=\"360\">\n"
       "        <SegmentTemplate timescale=\"90000\" presentationTimeOffset=\"900000\" startNumber=\"50\""
       " initialization=\"v_init.mp4\" media=\"v_$Number$.mp4\">\n"
       "          <SegmentTimeline>\n            <S t=\"900000\" d=\"180000\" r=\"9\"/>\n"
       "          </SegmentTimeline>\n        </SegmentTemplate>\n      </Representation>\n"
       "    </AdaptationSet>\n  </Period>\n</MPD>\n";
  return a.str();
}

}  // namespace

TEST_CASE("time shift: a past window of a DASH archive is a static MPD of exactly its segments") {
  const ShiftWindow w = window(kT0 + 4, kT0 + 10, true);  // segments start at kT0, kT0 + 2, ...: the 3rd to the 5th
  std::string problem;
  auto mpd = cut_mpd_window(mpd_archive(), w, kT0 + 60, 0, problem);
  REQUIRE(mpd);
  CHECK(mpd->find("type=\"static\"") != std::string::npos);
  CHECK(mpd->find("minimumUpdatePeriod") == std::string::npos);
  CHECK(mpd->find("mediaPresentationDuration=\"PT6.000S\"") != std::string::npos);
  CHECK(count(*mpd, "<S ") == 3);
  CHECK(mpd->find("<S t=\"1260000\" d=\"180000\"") != std::string::npos);
  CHECK(mpd->find("startNumber=\"52\"") != std::string::npos);
  CHECK(mpd->find("presentationTimeOffset=\"1260000\"") != std::string::npos);  // the Period starts with it
  CHECK(mpd->find("start=\"PT0.000S\"") != std::string::npos);
}

TEST_CASE("time shift: start only keeps a dynamic DASH MPD from the start on; path style goes up") {
  ShiftWindow w = window(kT0 + 14, std::nullopt, false);
  std::string problem;
  auto mpd = cut_mpd_window(mpd_archive(), w, kT0 + 30, 4, problem);
  REQUIRE(mpd);
  CHECK(mpd->find("type=\"dynamic\"") != std::string::npos);
  CHECK(count(*mpd, "<S ") == 3);
  CHECK(mpd->find("timeShiftBufferDepth=\"PT16.000S\"") != std::string::npos);
  CHECK(mpd->find("media=\"../../../../v_$Number$.mp4\"") != std::string::npos);

  w.start = kT0 + 40;  // after the last segment
  CHECK_FALSE(cut_mpd_window(mpd_archive(), w, kT0 + 60, 0, problem));
  CHECK_FALSE(problem.empty());
  CHECK_FALSE(cut_mpd_window("<MPD", w, kT0 + 60, 0, problem));
}

TEST_CASE("time shift: a live MPD asked for in the path style resolves its templates up") {
  const std::string mpd = prefix_mpd_urls(mpd_archive(), 2);
  CHECK(mpd.find("initialization=\"../../v_init.mp4\"") != std::string::npos);
  CHECK(prefix_mpd_urls(mpd_archive(), 0) == mpd_archive());
}

namespace {

// A Smooth Streaming start-over archive: 2 s video chunks (timescale 90000) and audio chunks
// (48000) from kT0 on, each dated in epoch ms. MssPackager counts every StreamIndex in 100 ns;
// other timescales show the cut reads each StreamIndex's own.
std::string mss_archive(bool live) {
  std::ostringstream a;
  a << "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<SmoothStreamingMedia MajorVersion=\"2\" MinorVersion=\"2\" "
       "TimeScale=\"10000000\" "
    << (live ? "Duration=\"0\" IsLive=\"TRUE\" LookAheadFragmentCount=\"1\" DVRWindowLength=\"3000000000\""
             : "Duration=\"200000000\"")
    << ">\n  <StreamIndex Type=\"video\" Name=\"video\" Chunks=\"10\" QualityLevels=\"1\" TimeScale=\"90000\" "
       "Url=\"QualityLevels({bitrate})/Fragments(video={start time})\">\n"
       "    <QualityLevel Index=\"0\" Bitrate=\"600000\" FourCC=\"H264\" MaxWidth=\"416\" MaxHeight=\"234\"/>\n";
  for (int i = 0; i < 10; ++i)
    a << "    <c t=\"" << 180000 * i << "\" d=\"180000\" e=\"" << static_cast<int64_t>(kT0 * 1000) + 2000 * i << "\"/>\n";
  a << "  </StreamIndex>\n  <StreamIndex Type=\"audio\" Name=\"audio\" Chunks=\"10\" QualityLevels=\"1\" "
       "TimeScale=\"48000\" Url=\"QualityLevels({bitrate})/Fragments(audio={start time})\">\n"
       "    <QualityLevel Index=\"0\" Bitrate=\"96000\" FourCC=\"AACL\"/>\n";
  for (int i = 0; i < 10; ++i)
    a << "    <c t=\"" << 96000 * i << "\" d=\"96000\" e=\"" << static_cast<int64_t>(kT0 * 1000) + 2000 * i << "\"/>\n";
  a << "  </StreamIndex>\n</SmoothStreamingMedia>\n";
  return a.str();
}

}  // namespace

TEST_CASE("time shift: a past window of a Smooth Streaming archive is a finished presentation of its fragments") {
  const ShiftWindow w = window(kT0 + 4, kT0 + 10, true);  // fragments start at kT0, kT0 + 2, ...: the 3rd to the 5th
  std::string problem;
  auto manifest = cut_mss_window(mss_archive(true), w, kT0 + 60, problem);
  REQUIRE(manifest);
  INFO(*manifest);
  CHECK(manifest->find("IsLive") == std::string::npos);
  CHECK(manifest->find("DVRWindowLength") == std::string::npos);
  CHECK(manifest->find("Duration=\"60000000\"") != std::string::npos);  // 6 s in 100 ns units
  CHECK(count(*manifest, "<c ") == 6);                                  // 3 video, 3 audio
  CHECK(manifest->find("<c t=\"360000\" d=\"180000\" />") != std::string::npos);
  CHECK(manifest->find("<c t=\"192000\" d=\"96000\" />") != std::string::npos);
  CHECK(manifest->find(" e=\"") == std::string::npos);  // the dates stay in the archive
  CHECK(count(*manifest, "Chunks=\"3\"") == 2);
}

TEST_CASE("time shift: start only keeps a live Smooth presentation reaching back to the start") {
  ShiftWindow w = window(kT0 + 14, std::nullopt, false);
  std::string problem;
  auto manifest = cut_mss_window(mss_archive(true), w, kT0 + 30, problem);
  REQUIRE(manifest);
  CHECK(manifest->find("IsLive=\"TRUE\"") != std::string::npos);
  CHECK(manifest->find("DVRWindowLength=\"160000000\"") != std::string::npos);  // now - kT0 - 14 s
  CHECK(count(*manifest, "<c ") == 6);
  // The channel ended: whatever the window, a finished presentation.
  auto ended = cut_mss_window(mss_archive(false), w, kT0 + 30, problem);
  REQUIRE(ended);
  CHECK(ended->find("IsLive") == std::string::npos);
  CHECK(ended->find("Duration=\"60000000\"") != std::string::npos);

  w.start = kT0 + 40;  // after the last fragment
  CHECK_FALSE(cut_mss_window(mss_archive(true), w, kT0 + 60, problem));
  CHECK(problem == "No fragment of this manifest lies in the requested window");
  CHECK_FALSE(cut_mss_window("<SmoothStreamingMedia", w, kT0 + 60, problem));
  std::string undated = mss_archive(true);
  undated.replace(undated.find(" e=\""), 4, " x=\"");
  w.start = kT0;
  CHECK_FALSE(cut_mss_window(undated, w, kT0 + 60, problem));
}
