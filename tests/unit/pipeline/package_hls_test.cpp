// HLS (TS) and CMAF endpoints, driven with real encoded media (ffmpeg lavfi, see
// package_support_test.cpp) and checked strictly: a playlist parser that rejects what RFC 8216
// forbids, the bytes of I-frame ranges, ffprobe on every segment and ffmpeg decoding the
// multivariant playlist.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <regex>
#include <sstream>

#include "pipeline/ads/ad_cue.hpp"
#include "pipeline/package/endpoint_packager.hpp"
#include "pipeline/package/media_file_source.hpp"
#include "tests/unit/pipeline/package_test_support.hpp"


using namespace mediaemu::pipeline;
using namespace package_test;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kHlsEpochMs = 1700000000000;  // 2023-11-14T22:13:20.000Z at pts 0

struct PlaylistSegment {
  int64_t sequence = 0, discontinuity_number = 0;
  double duration = 0;
  std::string uri, pdt;
  bool discontinuity = false;
  int64_t byte_length = -1, byte_offset = -1;
};

struct MediaPlaylist {
  int version = 0, target = -1;
  int64_t media_sequence = 0, discontinuity_sequence = 0;
  bool endlist = false, iframes_only = false, independent = false;
  std::string type, map_uri;
  std::vector<PlaylistSegment> segments;
  double total() const {
    double t = 0;
    for (const auto& s : segments) t += s.duration;
    return t;
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Attribute list (RFC 8216 §4.2) into a map; quoted values keep their content.
std::map<std::string, std::string> attributes(const std::string& list) {
  static const std::regex attr(R"(([A-Z0-9-]+)=("[^"]*"|[^,]*)(,|$))");
  std::map<std::string, std::string> out;
  size_t consumed = 0;
  for (std::sregex_iterator it(list.begin(), list.end(), attr), end; it != end; ++it) {
    CHECK(it->position() == static_cast<long>(consumed));  // nothing unparsable in between
    std::string v = (*it)[2];
    if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
    CHECK(out.count((*it)[1]) == 0);
    out[(*it)[1]] = v;
    consumed = it->position() + it->length();
  }
  CHECK(consumed == list.size());
  return out;
}

// Strict media playlist parser: unknown tags, malformed values and rule violations fail the test.
MediaPlaylist parse_media_playlist(const std::string& text) {
  INFO(text);
  const auto lines = lines_of(text);
  REQUIRE(!lines.empty());
  REQUIRE(lines[0] == "#EXTM3U");
  static const std::regex extinf(R"(#EXTINF:(\d+\.\d{3}),)");
  static const std::regex pdt(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  static const std::regex byterange(R"(#EXT-X-BYTERANGE:(\d+)@(\d+))");
  MediaPlaylist p;
  PlaylistSegment next;
  bool in_segment = false;
  int64_t discontinuities = 0;
  auto value = [](const std::string& line) { return line.substr(line.find(':') + 1); };
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    std::smatch m;
    REQUIRE_FALSE(p.endlist);  // nothing after EXT-X-ENDLIST
    REQUIRE_FALSE(l.empty());
    if (l.rfind("#EXT-X-VERSION:", 0) == 0) p.version = std::stoi(value(l));
    else if (l.rfind("#EXT-X-TARGETDURATION:", 0) == 0) p.target = std::stoi(value(l));
    else if (l.rfind("#EXT-X-MEDIA-SEQUENCE:", 0) == 0) p.media_sequence = std::stoll(value(l));
    else if (l.rfind("#EXT-X-DISCONTINUITY-SEQUENCE:", 0) == 0) p.discontinuity_sequence = std::stoll(value(l));
    else if (l.rfind("#EXT-X-PLAYLIST-TYPE:", 0) == 0) p.type = value(l);
    else if (l == "#EXT-X-I-FRAMES-ONLY") p.iframes_only = true;
    else if (l == "#EXT-X-INDEPENDENT-SEGMENTS") p.independent = true;
    else if (l.rfind("#EXT-X-MAP:", 0) == 0) p.map_uri = attributes(value(l)).at("URI");
    else if (l == "#EXT-X-ENDLIST") p.endlist = true;
    else if (l == "#EXT-X-DISCONTINUITY") next.discontinuity = true;
    else if (l.rfind("#EXT-X-PROGRAM-DATE-TIME:", 0) == 0) {
      next.pdt = value(l);
      CHECK(std::regex_match(next.pdt, pdt));
    } else if (std::regex_match(l, m, extinf)) {
      next.duration = std::stod(m[1]);
      in_segment = true;
    } else if (std::regex_match(l, m, byterange)) {
      next.byte_length = std::stoll(m[1]);
      next.byte_offset = std::stoll(m[2]);
    } else {
      REQUIRE(l[0] != '#');  // an unknown or malformed tag
      REQUIRE(in_segment);   // a URI needs its EXTINF
      next.uri = l;
      next.sequence = p.media_sequence + static_cast<int64_t>(p.segments.size());
      if (next.discontinuity) ++discontinuities;
      next.discontinuity_number = p.discontinuity_sequence + discontinuities;
      p.segments.push_back(next);
      next = {};
      in_segment = false;
    }
  }
  REQUIRE_FALSE(in_segment);
  REQUIRE(p.target > 0);
  REQUIRE_FALSE(p.segments.empty());
  for (const auto& s : p.segments) CHECK(std::lround(s.duration) <= p.target);  // §4.3.3.1
  if (p.iframes_only || !p.segments.front().uri.empty()) CHECK(p.version >= (p.iframes_only ? 4 : 3));
  if (!p.map_uri.empty() && !p.iframes_only) CHECK(p.version >= 6);  // §7
  return p;
}

struct Master {
  int version = 0;
  std::vector<std::map<std::string, std::string>> streams, media, iframes;  // "URI" included
};

Master parse_master(const std::string& text) {
  INFO(text);
  const auto lines = lines_of(text);
  REQUIRE(lines.at(0) == "#EXTM3U");
  Master m;
  bool independent = false;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    const std::string rest = l.substr(l.find(':') + 1);
    if (l.rfind("#EXT-X-VERSION:", 0) == 0) m.version = std::stoi(rest);
    else if (l == "#EXT-X-INDEPENDENT-SEGMENTS") independent = true;
    else if (l.rfind("#EXT-X-MEDIA:", 0) == 0) m.media.push_back(attributes(rest));
    else if (l.rfind("#EXT-X-I-FRAME-STREAM-INF:", 0) == 0) m.iframes.push_back(attributes(rest));
    else if (l.rfind("#EXT-X-STREAM-INF:", 0) == 0) {
      auto a = attributes(rest);
      REQUIRE(i + 1 < lines.size());
      a["URI"] = lines[++i];
      REQUIRE(a["URI"][0] != '#');
      m.streams.push_back(a);
    } else FAIL("unexpected master playlist line: " << l);
  }
  CHECK(independent);
  for (const auto& s : m.streams) {
    for (const char* key : {"BANDWIDTH", "AVERAGE-BANDWIDTH", "CODECS"}) CHECK(s.count(key));
    CHECK(std::stoll(s.at("BANDWIDTH")) >= std::stoll(s.at("AVERAGE-BANDWIDTH")));
    if (s.count("RESOLUTION")) {
      CHECK(std::regex_match(s.at("RESOLUTION"), std::regex(R"(\d+x\d+)")));
      CHECK(std::regex_match(s.at("FRAME-RATE"), std::regex(R"(\d+\.\d{3})")));
    }
  }
  return m;
}

// Successive versions of one live playlist: sequence numbers map to the same segment, the
// window slides forward and stays within one segment of PlaylistWindowSeconds.
void check_sliding(const std::vector<MediaPlaylist>& versions, double window, bool keeps_everything) {
  REQUIRE(versions.size() >= 2);
  std::map<int64_t, PlaylistSegment> known;
  int64_t last_media_sequence = 0, last_sequence = 0;
  bool slid = false;
  for (const auto& p : versions) {
    CHECK(p.media_sequence >= last_media_sequence);
    if (keeps_everything) CHECK(p.media_sequence == versions.front().media_sequence);
    slid = slid || p.media_sequence > versions.front().media_sequence;
    last_media_sequence = p.media_sequence;
    CHECK(p.segments.back().sequence >= last_sequence);
    last_sequence = p.segments.back().sequence;
    for (const auto& s : p.segments) {
      auto [it, fresh] = known.emplace(s.sequence, s);
      if (fresh) continue;
      CHECK(it->second.uri == s.uri);
      CHECK(it->second.duration == s.duration);
      CHECK(it->second.discontinuity_number == s.discontinuity_number);
    }
    if (slid && !keeps_everything && !p.endlist) {
      double longest = 0;
      for (const auto& s : p.segments) longest = std::max(longest, s.duration);
      CHECK(p.total() >= window - 1e-6);
      CHECK(p.total() - p.segments.front().duration < window);
      CHECK(std::abs(p.total() - window) <= longest + 1e-6);
    }
  }
  if (!keeps_everything) CHECK(slid);
}

// The byte range of an I-frame entry must start a TS packet whose PES carries an IDR.
void check_iframe_range(const fs::path& file, int64_t offset, int64_t length) {
  const std::string bytes = read_text(file);
  INFO(file << " " << length << "@" << offset);
  REQUIRE(offset % 188 == 0);
  REQUIRE(length % 188 == 0);
  REQUIRE(offset + length <= static_cast<int64_t>(bytes.size()));
  int video_pid = -1;
  bool saw_pat = false, saw_pat_first = false;
  std::string payload;
  for (int64_t at = offset; at < offset + length; at += 188) {
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data() + at);
    REQUIRE(p[0] == 0x47);
    const bool unit_start = p[1] & 0x40;
    const int pid = ((p[1] & 0x1f) << 8) | p[2];
    int start = 4;
    if (p[3] & 0x20) start += 1 + p[4];
    if (!(p[3] & 0x10) || start >= 188) continue;
    const std::string data(reinterpret_cast<const char*>(p) + start, 188 - start);
    saw_pat = saw_pat || pid == 0;
    if (video_pid < 0 && unit_start && data.compare(0, 4, std::string("\0\0\1\xe0", 4)) == 0) {
      video_pid = pid;
      saw_pat_first = saw_pat;
    }
    if (pid == video_pid) payload += data;
  }
  REQUIRE(video_pid >= 0);  // the range holds the start of a video PES, after a PAT
  CHECK(saw_pat_first);
  bool idr = false;
  for (size_t i = 0; i + 3 < payload.size() && !idr; ++i)
    idr = payload[i] == 0 && payload[i + 1] == 0 && payload[i + 2] == 1 && (payload[i + 3] & 0x1f) == 5;
  CHECK(idr);
}

// "codec,width,height" of each stream, one line each (TS files list their streams twice in
// ffprobe's output, once under the program: duplicates and empty lines are dropped).
// Consecutive TS segments of one rendition: each starts with PSI tables, and every PID's
// continuity_counter (ISO/IEC 13818-1 §2.4.3.3) carries on from one segment into the next.
void check_ts_continuity(const std::vector<fs::path>& segments) {
  std::map<int, int> last_counter;
  for (const auto& file : segments) {
    const std::string bytes = read_text(file);
    INFO(file);
    REQUIRE(!bytes.empty());
    REQUIRE(bytes.size() % 188 == 0);
    bool pat_up_front = false;  // SDT, PAT, PMT open every segment
    for (size_t at = 0; at < std::min<size_t>(bytes.size(), 3 * 188); at += 188)
      pat_up_front = pat_up_front || (((bytes[at + 1] & 0x1f) << 8) | static_cast<uint8_t>(bytes[at + 2])) == 0;
    CHECK(pat_up_front);
    for (size_t at = 0; at < bytes.size(); at += 188) {
      const auto* p = reinterpret_cast<const uint8_t*>(bytes.data() + at);
      REQUIRE(p[0] == 0x47);
      const int pid = ((p[1] & 0x1f) << 8) | p[2];
      if (!(p[3] & 0x10) || pid == 0x1fff) continue;  // no payload: the counter does not advance
      const bool discontinuity = (p[3] & 0x20) && p[4] > 0 && (p[5] & 0x80);
      CHECK_FALSE(discontinuity);
      const int counter = p[3] & 0x0f;
      if (last_counter.count(pid)) CHECK(counter == (last_counter[pid] + 1) % 16);
      last_counter[pid] = counter;
    }
  }
}

std::string probe(const fs::path& file) {
  std::string out;
  CHECK(run_command("ffprobe -v error -show_entries stream=codec_name,width,height -of csv=p=0 " + file.string(), &out) == 0);
  std::string unique;
  for (const auto& line : lines_of(out))
    if (!line.empty() && unique.find(line + "\n") == std::string::npos) unique += line + "\n";
  return unique;
}


// Records every distinct version of a playlist file as the packager rewrites it.
struct Watcher {
  explicit Watcher(fs::path f) : file(std::move(f)) {}
  fs::path file;
  std::vector<MediaPlaylist> versions;
  std::string last;
  void operator()() {
    if (!fs::exists(file)) return;
    std::string text = read_text(file);
    if (text == last) return;
    last = text;
    versions.push_back(parse_media_playlist(text));
  }
};

}  // namespace

TEST_CASE("HLS TS: sliding window, PDT, I-frames, expiry, playable", "[package][hls]") {
  const auto rec = read_media_file(test_media(2), kHlsEpochMs);
  const fs::path dir = scratch_dir("hls_live");
  EndpointSpec spec = hls_spec(dir, 2);
  spec.hls.playlist.playlist_window_seconds = 6;
  spec.hls.playlist.program_date_time_interval_seconds = 4;
  spec.hls.playlist.include_iframe_only_stream = true;
  auto packager = make_endpoint_packager(spec);
  Watcher media{dir / "index_1.m3u8"}, low{dir / "index_2.m3u8"}, iframes{dir / "index_1_iframe.m3u8"};
  feed(*packager, rec, [&] { media(), low(), iframes(); });
  packager->on_end();
  media(), low(), iframes();

  check_sliding(media.versions, 6, false);
  check_sliding(low.versions, 6, false);
  const MediaPlaylist& final = media.versions.back();
  CHECK(final.endlist);
  CHECK(final.version == 3);
  CHECK(final.segments.back().sequence == 7);  // 14 s in 2 s segments
  for (const auto& s : final.segments) {
    CHECK(std::regex_match(s.uri, std::regex(R"(index_1_\d+\.ts)")));
    CHECK(s.duration == 2.0);
  }
  // PDT: on the first segment and every 4 s; from epoch_ms_at_zero + pts; increasing
  std::string previous;
  for (const auto& v : media.versions) {
    REQUIRE_FALSE(v.segments.front().pdt.empty());
    for (const auto& s : v.segments) {
      if (s.pdt.empty()) continue;
      CHECK(s.pdt > previous);
      previous = s.pdt;
    }
    previous.clear();
  }
  CHECK(media.versions.front().segments.front().pdt == "2023-11-14T22:13:20.000Z");

  // every listed segment is a TS with the rendition's video and the audio
  for (const auto& s : final.segments) CHECK(probe(dir / s.uri) == "h264,640,360\naac\n");
  for (const auto& s : low.versions.back().segments) CHECK(probe(dir / s.uri) == "h264,320,180\naac\n");
  std::vector<fs::path> files;
  for (const auto& s : final.segments) files.push_back(dir / s.uri);
  check_ts_continuity(files);
  // expired: window 6 s + grace 6 s behind the 14 s edge -> segments ending before 2 s
  CHECK_FALSE(fs::exists(dir / "index_1_1.ts"));
  CHECK(fs::exists(dir / "index_1_2.ts"));

  // I-frame playlist of the first rendition: one entry per IDR (GOP 2 s), ranges on IDRs
  const MediaPlaylist& iframe = iframes.versions.back();
  CHECK(iframe.iframes_only);
  CHECK(iframe.version == 4);
  for (const auto& s : iframe.segments) {
    CHECK(s.duration == 2.0);
    REQUIRE(s.byte_offset >= 0);
    check_iframe_range(dir / s.uri, s.byte_offset, s.byte_length);
  }

  const Master master = parse_master(read_text(dir / "index.m3u8"));
  CHECK(master.version == 3);
  REQUIRE(master.streams.size() == 2);
  CHECK(master.streams[0].at("RESOLUTION") == "640x360");
  CHECK(master.streams[0].at("FRAME-RATE") == "30.000");
  CHECK(master.streams[0].at("CODECS") == rec.layout.tracks[0].codecs + "," + rec.layout.tracks[2].codecs);
  CHECK(master.streams[0].at("URI") == "index_1.m3u8");
  CHECK(master.streams[1].at("RESOLUTION") == "320x180");
  REQUIRE(master.iframes.size() == 1);
  CHECK(master.iframes[0].at("URI") == "index_1_iframe.m3u8");
  CHECK(master.iframes[0].at("RESOLUTION") == "640x360");
  check_decodes(dir / "index.m3u8");
}

TEST_CASE("HLS TS: segment durations round up to whole GOPs", "[package][hls]") {
  const auto rec = read_media_file(test_media(2), kHlsEpochMs);
  for (auto [segment, expected] : {std::pair{6, 6.0}, std::pair{3, 4.0}}) {
    CAPTURE(segment);
    const fs::path dir = scratch_dir("hls_rounding_" + std::to_string(segment));
    auto packager = make_endpoint_packager(hls_spec(dir, segment));
    feed(*packager, rec);
    packager->on_end();
    const auto p = parse_media_playlist(read_text(dir / "index_1.m3u8"));
    REQUIRE(p.segments.size() >= 3);
    for (size_t i = 0; i + 1 < p.segments.size(); ++i) CHECK(p.segments[i].duration == expected);
    CHECK(p.target == static_cast<int>(expected));
    char extinf[32];
    std::snprintf(extinf, sizeof extinf, "#EXTINF:%.3f,", expected);
    CHECK(read_text(dir / "index_1.m3u8").find(extinf) != std::string::npos);
  }
}

TEST_CASE("HLS TS: audio rendition group and stream selection", "[package][hls]") {
  const auto rec = read_media_file(test_media(2), kHlsEpochMs);
  const fs::path dir = scratch_dir("hls_group");
  EndpointSpec spec = hls_spec(dir, 2);
  spec.hls.playlist.use_audio_rendition_group = true;
  spec.hls.playlist.playlist_type = HlsPlaylistSpec::PlaylistType::Event;
  spec.hls.playlist.playlist_window_seconds = 4;
  spec.hls.selection.order = StreamSelectionSpec::Order::VideoBitrateAscending;
  auto packager = make_endpoint_packager(spec);
  Watcher audio{dir / "index_3.m3u8"};
  feed(*packager, rec, [&] { audio(); });
  packager->on_end();
  audio();

  const Master master = parse_master(read_text(dir / "index.m3u8"));
  REQUIRE(master.streams.size() == 2);
  CHECK(master.streams[0].at("RESOLUTION") == "320x180");  // ascending video bitrate
  CHECK(master.streams[1].at("RESOLUTION") == "640x360");
  REQUIRE(master.media.size() == 1);
  CHECK(master.media[0].at("TYPE") == "AUDIO");
  CHECK(master.media[0].at("GROUP-ID") == "audio_aac");
  CHECK(master.media[0].at("URI") == "index_3.m3u8");
  CHECK(master.media[0].at("CHANNELS") == "2");
  for (const auto& s : master.streams) {
    CHECK(s.at("AUDIO") == "audio_aac");
    CHECK(s.at("CODECS").find("mp4a.40.2") != std::string::npos);
  }
  // EVENT: the playlist only grows (RFC 8216 §6.2.1), whatever the window
  check_sliding(audio.versions, 4, true);
  const auto audio_playlist = audio.versions.back();
  CHECK(audio_playlist.type == "EVENT");
  CHECK(audio_playlist.segments.size() == 7);
  CHECK(probe(dir / audio_playlist.segments[0].uri) == "aac\n");
  CHECK(probe(dir / "index_1_1.ts") == "h264,320,180\n");
  CHECK(fs::exists(dir / "index_1_1.ts"));  // EVENT playlists keep every segment
  check_decodes(dir / "index.m3u8");

  // StreamSelection bounds drop the high rendition
  const fs::path filtered = scratch_dir("hls_filtered");
  EndpointSpec low_only = hls_spec(filtered, 2);
  low_only.hls.selection.max_video_bitrate = 500000;
  auto second = make_endpoint_packager(low_only);
  feed(*second, rec);
  second->on_end();
  const Master m2 = parse_master(read_text(filtered / "index.m3u8"));
  REQUIRE(m2.streams.size() == 1);
  CHECK(m2.streams[0].at("RESOLUTION") == "320x180");
}

TEST_CASE("HLS TS: discontinuity, time delay and status", "[package][hls]") {
  const auto rec = read_media_file(test_media(2), kHlsEpochMs);
  const fs::path dir = scratch_dir("hls_discontinuity");
  EndpointSpec spec = hls_spec(dir, 2);
  spec.hls.playlist.playlist_window_seconds = 4;
  spec.hls.playlist.program_date_time_interval_seconds = 1;
  spec.time_delay_seconds = 2;
  spec.status = std::make_shared<EndpointStatus>();
  auto packager = make_endpoint_packager(spec);
  Watcher media{dir / "index_1.m3u8"};
  feed(*packager, rec, [&] { media(); }, 8.0, 100.0);

  // Before the end: 6 segments done (the 7th is open); with a 2 s delay, 5 published.
  const auto live = parse_media_playlist(read_text(dir / "index_1.m3u8"));
  CHECK(live.segments.back().sequence == 5);
  CHECK_FALSE(live.endlist);
  CHECK(fs::exists(dir / "index_1_6.ts"));
  const auto status = spec.status->snapshot();
  CHECK(status.last_sequence == 5);
  CHECK(status.last_updated_epoch_ms == kHlsEpochMs + 108000);  // segment 5 starts at 8 s + the 100 s jump
  packager->on_end();
  media();
  CHECK(spec.status->snapshot().ended);

  check_sliding(media.versions, 4, false);
  // The segment after the cut at 8 s carries the tag, and a PDT 100 s later on.
  bool saw_tag = false, saw_sequence = false;
  for (const auto& v : media.versions) {
    for (const auto& s : v.segments) {
      if (!s.discontinuity) continue;
      saw_tag = true;
      CHECK(s.sequence == 5);
      CHECK(s.pdt == "2023-11-14T22:15:08.000Z");  // 8 s + 100 s
    }
    saw_sequence = saw_sequence || v.discontinuity_sequence == 1;
  }
  CHECK(saw_tag);
  CHECK(saw_sequence);  // once the tagged segment left the window
  CHECK(media.versions.back().endlist);
  check_decodes(dir / "index.m3u8");
}

TEST_CASE("CMAF: shared fMP4 segments, one playlist set per manifest, playable", "[package][cmaf]") {
  const auto rec = read_media_file(test_media(2), kHlsEpochMs);
  const fs::path dir = scratch_dir("cmaf");
  EndpointSpec spec;
  spec.label = "test";
  spec.directory = dir;
  spec.kind = EndpointSpec::Kind::Cmaf;
  spec.cmaf.segment_duration_seconds = 4;
  spec.cmaf.segment_prefix = "cmafseg";
  CmafManifestSpec live{"live", {}};
  live.playlist.playlist_window_seconds = 8;
  live.playlist.include_iframe_only_stream = true;
  live.playlist.program_date_time_interval_seconds = 4;
  CmafManifestSpec event{"event", {}};
  event.playlist.manifest_name = "all";
  event.playlist.playlist_type = HlsPlaylistSpec::PlaylistType::Event;
  spec.cmaf.manifests = {live, event};
  auto packager = make_endpoint_packager(spec);
  Watcher video{dir / "live/index_1.m3u8"};
  feed(*packager, rec, [&] { video(); });
  packager->on_end();
  video();

  check_sliding(video.versions, 8, false);
  for (const auto& file : {"cmafseg_video_1_init.mp4", "cmafseg_video_2_init.mp4", "cmafseg_audio_3_init.mp4"})
    CHECK(fs::exists(dir / file));
  for (const auto& [id, name, count] : {std::tuple{"live", "index", 3}, std::tuple{"event", "all", 4}}) {
    CAPTURE(id);
    const Master master = parse_master(read_text(dir / id / (std::string(name) + ".m3u8")));
    REQUIRE(master.streams.size() == 2);
    REQUIRE(master.media.size() == 1);  // CMAF always separates audio
    CHECK(master.media[0].at("URI") == std::string(name) + "_3.m3u8");
    for (const auto& s : master.streams) CHECK(s.at("AUDIO") == "audio_aac");
    for (int n : {1, 2, 3}) {
      const auto p = parse_media_playlist(read_text(dir / id / (std::string(name) + "_" + std::to_string(n) + ".m3u8")));
      CHECK(p.version == 6);
      CHECK(p.independent);
      CHECK(p.endlist);
      CHECK(p.map_uri == "../cmafseg_" + std::string(n == 3 ? "audio_" : "video_") + std::to_string(n) + "_init.mp4");
      CHECK(static_cast<int>(p.segments.size()) == count);
      for (const auto& s : p.segments) {
        CHECK(s.uri.rfind("../cmafseg_", 0) == 0);
        CHECK(fs::exists(dir / id / s.uri));
      }
    }
    check_decodes(dir / id / (std::string(name) + ".m3u8"));
  }
  // init + media segment is a playable MP4 with the track
  const fs::path joined = dir / "joined.mp4";
  {
    std::ofstream out(joined, std::ios::binary);
    out << read_text(dir / "cmafseg_video_2_init.mp4") << read_text(dir / "cmafseg_video_2_3.mp4");
  }
  CHECK(probe(joined) == "h264,320,180\n");
  // I-frame entries cover styp + moof + the IDR sample of each segment
  const auto iframes = parse_media_playlist(read_text(dir / "live/index_1_iframe.m3u8"));
  CHECK(iframes.iframes_only);
  for (const auto& s : iframes.segments) {
    const std::string bytes = read_text(dir / "live" / s.uri);
    REQUIRE(s.byte_offset == 0);
    REQUIRE(s.byte_length < static_cast<int64_t>(bytes.size()));
    CHECK(bytes.substr(4, 4) == "styp");
    CHECK(bytes.find("moof") < bytes.find("mdat"));
    CHECK(bytes.find("mdat") + 4 + 4 < static_cast<size_t>(s.byte_length));  // (size, type) + 4-byte NAL length
  }
}

TEST_CASE("HLS TS: a timeline that restarts at 0 after a discontinuity", "[package][hls]") {
  const auto rec = read_media_file(test_media(2), kHlsEpochMs);
  const fs::path dir = scratch_dir("hls_restart");
  EndpointSpec spec = hls_spec(dir, 2);
  spec.hls.playlist.playlist_type = HlsPlaylistSpec::PlaylistType::Event;
  auto packager = make_endpoint_packager(spec);
  feed(*packager, rec, {}, 8.0, -8.0);  // the encoder restarted: pts from 0 again
  packager->on_end();
  const auto p = parse_media_playlist(read_text(dir / "index_1.m3u8"));
  REQUIRE(p.segments.size() == 7);
  for (const auto& s : p.segments) {
    CHECK(s.discontinuity == (s.sequence == 5));
    CHECK(s.duration == 2.0);
    CHECK(probe(dir / s.uri) == "h264,640,360\naac\n");
  }
  check_decodes(dir / "index.m3u8");
}

TEST_CASE("HLS TS with SCTE-35 passthrough: every PMT lists the PID, the cue's section opens its segment",
          "[package][hls][ads]") {
  const auto rec = read_media_file(test_media(2), kHlsEpochMs);
  const fs::path dir = scratch_dir("hls_scte35");
  EndpointSpec spec = hls_spec(dir, 2);
  spec.hls.scte35_pid = 500;
  spec.hls.playlist.include_iframe_only_stream = true;  // its byte ranges allow for the packets put in
  auto packager = make_endpoint_packager(spec);
  ads::SpliceInfo info;
  info.event_id = 42;
  info.break_duration_90k = 4 * 90000;
  bool sent = false;
  feed(*packager, rec, [&] {
    if (!std::exchange(sent, true)) packager->on_cue(ads::make_cue(info, 4'000'000, "break"));
  });
  packager->on_end();

  // The splice time as the TS carries pts: the muxer's 1.4 s offset on (2 × max_delay).
  const std::vector<uint8_t> expected = ads::encode_splice_info(info, 4 * 90000 + 126000);
  std::map<std::string, int> sections;  // segment file -> SCTE-35 sections found
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".ts") continue;
    const auto bytes = read_bytes(entry.path());
    for (size_t at = 0; at + 188 <= bytes.size(); at += 188) {
      const uint8_t* p = bytes.data() + at;
      if ((((p[1] & 0x1f) << 8) | p[2]) != 500) continue;
      REQUIRE((p[1] & 0x40));  // payload_unit_start_indicator
      REQUIRE(p[4] == 0);      // pointer_field
      CHECK(std::vector<uint8_t>(p + 5, p + 5 + expected.size()) == expected);
      ++sections[entry.path().filename().string()];
    }
  }
  // Segment 3 starts at 4 s, the splice point (2 s segments from 0).
  CHECK(sections == std::map<std::string, int>{{"index_1_3.ts", 1}, {"index_2_3.ts", 1}});
  std::string out;
  REQUIRE(run_command("ffprobe -v error -show_entries stream=codec_name,id -of csv=p=0 '" +
                          (dir / "index_1_1.ts").string() + "'",
                      &out) == 0);
  INFO(out);
  CHECK(out.find("scte_35,0x1f4") != std::string::npos);  // a segment without a cue lists it too
  check_decodes(dir / "index.m3u8");
  const MediaPlaylist iframes = parse_media_playlist(read_text(dir / "index_1_iframe.m3u8"));
  REQUIRE(iframes.segments.size() >= 3);
  for (const auto& s : iframes.segments) check_iframe_range(dir / s.uri, s.byte_offset, s.byte_length);
}

TEST_CASE("HLS TS with MediaLive's names: <base><NameModifier>.m3u8 and <base><NameModifier>_00001.ts",
          "[package][hls]") {
  const auto rec = read_media_file(test_media(2), kHlsEpochMs);
  REQUIRE(rec.layout.variants.size() == 2);
  const fs::path dir = scratch_dir("hls_medialive_names");
  EndpointSpec spec = hls_spec(dir, 2);
  spec.hls.playlist.manifest_name = "curling";
  spec.hls.playlist.name_modifiers = {{rec.layout.variants[0].name, "-high"}, {rec.layout.variants[1].name, "-low"}};
  auto packager = make_endpoint_packager(spec);
  feed(*packager, rec);
  packager->on_end();
  const Master master = parse_master(read_text(dir / "curling.m3u8"));
  REQUIRE(master.streams.size() == 2);
  CHECK(master.streams[0].at("URI") == "curling-high.m3u8");
  CHECK(master.streams[1].at("URI") == "curling-low.m3u8");
  const MediaPlaylist high = parse_media_playlist(read_text(dir / "curling-high.m3u8"));
  REQUIRE(high.segments.size() >= 2);
  CHECK(high.segments[0].uri == "curling-high_00001.ts");
  CHECK(high.segments[1].uri == "curling-high_00002.ts");
  CHECK(fs::exists(dir / "curling-low_00001.ts"));
  check_decodes(dir / "curling.m3u8");
}
