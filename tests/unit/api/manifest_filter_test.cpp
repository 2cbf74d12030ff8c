#include <catch2/catch.hpp>

#include "api/manifest_filter.hpp"

using namespace mediaemu::api;

namespace {

ManifestFilter parsed(const std::string& query) {
  ManifestFilter f;
  auto error = parse_manifest_filter(query, f);
  INFO(query << ": " << error.value_or(""));
  REQUIRE_FALSE(error);
  return f;
}

// As HlsTsPackager writes them: three muxed variants and an I-frame playlist.
const std::string kMaster =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=1400000,RESOLUTION=640x360,CODECS=\"avc1.4d401e,mp4a.40.2\"\nindex_1.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=700000,RESOLUTION=416x234,CODECS=\"avc1.4d4015,mp4a.40.2\"\nindex_2.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=256x144,CODECS=\"avc1.4d400c,mp4a.40.2\"\nindex_3.m3u8\n"
    "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=120000,RESOLUTION=640x360,URI=\"index_1_iframe.m3u8\"\n";
const std::string kStreams =
    "index_1.m3u8 type=variant video_bitrate=1200000 video_height=360 video_framerate=30.000 video_codec=avc1.4d401e "
    "audio_bitrate=96000 audio_sample_rate=48000 audio_channels=2 audio_codec=mp4a.40.2 audio_language=und\n"
    "index_2.m3u8 type=variant video_bitrate=600000 video_height=234 video_framerate=30.000 video_codec=avc1.4d4015 "
    "audio_bitrate=96000 audio_sample_rate=48000 audio_channels=2 audio_codec=mp4a.40.2 audio_language=und\n"
    "index_3.m3u8 type=variant video_bitrate=250000 video_height=144 video_framerate=15.000 video_codec=avc1.4d400c "
    "audio_bitrate=96000 audio_sample_rate=48000 audio_channels=2 audio_codec=mp4a.40.2 audio_language=und\n"
    "index_1_iframe.m3u8 type=iframe trickplay_height=360 trickplay_type=iframe\n";

const std::string kMpd = R"(<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic">
  <Period id="1" start="PT0S">
    <AdaptationSet id="1" contentType="video" mimeType="video/mp4">
      <Representation id="1" bandwidth="1200000" codecs="avc1.4d401e" width="640" height="360" frameRate="30"/>
      <Representation id="2" bandwidth="250000" codecs="avc1.4d400c" width="256" height="144" frameRate="30000/1001"/>
    </AdaptationSet>
    <AdaptationSet id="2" contentType="audio" mimeType="audio/mp4" lang="und">
      <Representation id="3" bandwidth="96000" codecs="mp4a.40.2" audioSamplingRate="48000">
        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="2"/>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
)";

}  // namespace

TEST_CASE("manifest filter: the documented syntax") {
  auto f = parsed("m=1&aws.manifestfilter=audio_sample_rate%3A0-44100%3Bvideo_codec%3Ah264%3Bvideo_height:240-360,720-1080,1440");
  CHECK(f.terms.size() == 3);
  CHECK(f.terms["video_height"].size() == 3);
  CHECK(f.terms["video_height"][2].low == 1440);
  CHECK(f.terms["video_codec"][0].text == "h264");
  CHECK(parsed("AWS.ManifestFilter=VIDEO_FRAMERATE:23.976-30").terms["video_framerate"][0].low == Approx(23.976));
  CHECK(parsed("aws.manifestfilter=audio_language:fr,en-US, de").terms["audio_language"][1].text == "en-us");
  CHECK(parsed("").empty());
  CHECK(parsed("start=5").empty());
}

TEST_CASE("manifest filter: the documented 400s") {
  for (const std::string& query : std::vector<std::string>{
           "aws.manifestfilter=audio_sample_rate:0-48000&aws.manifestfilter=audio_sample_rate:0-48000",
        "aws.manifestfilter=donut_type:rhododendron", "aws.manifestfilter=audio_sample_rate:300-0",
        "aws.manifestfilter=audio_sample_rate:0-2147483648", "aws.manifestfilter=audio_sample_rate:is:0-44100",
        "aws.manifestfilter=audio_language:" + std::string(1100, 'a'),
        "aws.manifestfilter=video_height:360;video_height:720", "aws.manifestfilter=video_height:",
        "aws.manifestfilter=video_height:-5", "aws.manifestfilter=video_framerate:29.9701",
        "aws.manifestfilter=video_bitrate=0-1"}) {
    ManifestFilter f;
    CHECK(parse_manifest_filter(query, f));
  }
}

TEST_CASE("manifest filter: a multivariant playlist keeps the matching variants") {
  auto low = filter_hls_master(kMaster, kStreams, parsed("aws.manifestfilter=video_bitrate:0-700000"));
  REQUIRE(low);
  CHECK(low->find("index_1.m3u8") == std::string::npos);
  CHECK(low->find("index_2.m3u8") != std::string::npos);
  CHECK(low->find("index_3.m3u8") != std::string::npos);
  CHECK(low->find("index_1_iframe.m3u8") != std::string::npos);  // trick play has its own parameters
  auto smooth = filter_hls_master(kMaster, kStreams, parsed("aws.manifestfilter=video_framerate:25-60;video_codec:h264"));
  REQUIRE(smooth);
  CHECK(smooth->find("index_3.m3u8") == std::string::npos);
  auto no_trick = filter_hls_master(kMaster, kStreams, parsed("aws.manifestfilter=trickplay_height:720-1080"));
  CHECK(no_trick->find("iframe") == std::string::npos);
  // Muxed audio goes with its video (MP-UG: use rendition groups to avoid that).
  CHECK_FALSE(filter_hls_master(kMaster, kStreams, parsed("aws.manifestfilter=audio_sample_rate:0-44100")));
  CHECK_FALSE(filter_hls_master(kMaster, kStreams, parsed("aws.manifestfilter=video_codec:h265")));
}

TEST_CASE("manifest filter: audio renditions and the variants of an emptied group") {
  const std::string master =
      "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"a\",URI=\"index_3.m3u8\"\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO=\"audio\"\nindex_1.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2,AUDIO=\"audio\"\nindex_2.m3u8\n";
  const std::string streams =
      "index_1.m3u8 type=variant video_bitrate=1000 video_height=360 video_codec=avc1.4d401e\n"
      "index_2.m3u8 type=variant video_bitrate=2000 video_height=720 video_codec=avc1.4d401f\n"
      "index_3.m3u8 type=audio audio_bitrate=96000 audio_sample_rate=48000 audio_codec=mp4a.40.2\n";
  auto tall = filter_hls_master(master, streams, parsed("aws.manifestfilter=video_height:720;audio_codec:AACL"));
  REQUIRE(tall);
  CHECK(tall->find("index_1.m3u8") == std::string::npos);
  CHECK(tall->find("index_3.m3u8") != std::string::npos);
  CHECK_FALSE(filter_hls_master(master, streams, parsed("aws.manifestfilter=audio_codec:ec-3")));
}

TEST_CASE("manifest filter: an MPD keeps the matching Representations") {
  auto small = filter_mpd(kMpd, parsed("aws.manifestfilter=video_height:0-200"));
  REQUIRE(small);
  CHECK(small->find("Representation id=\"1\"") == std::string::npos);
  CHECK(small->find("Representation id=\"2\"") != std::string::npos);
  CHECK(small->find("Representation id=\"3\"") != std::string::npos);
  CHECK(small->find("<?xml") == 0);
  auto ntsc = filter_mpd(kMpd, parsed("aws.manifestfilter=video_framerate:29.97"));
  REQUIRE(ntsc);
  CHECK(ntsc->find("Representation id=\"1\"") == std::string::npos);
  // No audio left: its AdaptationSet goes, the video stays.
  auto silent = filter_mpd(kMpd, parsed("aws.manifestfilter=audio_language:dahlia"));
  REQUIRE(silent);
  CHECK(silent->find("contentType=\"audio\"") == std::string::npos);
  CHECK_FALSE(filter_mpd(kMpd, parsed("aws.manifestfilter=audio_language:dahlia;video_bitrate:0-1")));
  CHECK_FALSE(filter_mpd("<not an mpd", parsed("aws.manifestfilter=video_height:0-200")));
}

TEST_CASE("manifest filter: a Smooth manifest keeps the matching QualityLevels") {
  const std::string manifest =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<SmoothStreamingMedia MajorVersion=\"2\" MinorVersion=\"2\">\n"
      "  <StreamIndex Type=\"video\" Name=\"video\" Chunks=\"1\" QualityLevels=\"2\">\n"
      "    <QualityLevel Index=\"0\" Bitrate=\"1200000\" FourCC=\"H264\" MaxHeight=\"360\"/>\n"
      "    <QualityLevel Index=\"1\" Bitrate=\"250000\" FourCC=\"H264\" MaxHeight=\"144\"/>\n"
      "    <c t=\"0\" d=\"180000\"/>\n  </StreamIndex>\n"
      "  <StreamIndex Type=\"audio\" Name=\"audio\" Chunks=\"1\" QualityLevels=\"1\">\n"
      "    <QualityLevel Index=\"0\" Bitrate=\"96000\" FourCC=\"AACL\"/>\n"
      "    <c t=\"0\" d=\"96000\"/>\n  </StreamIndex>\n</SmoothStreamingMedia>\n";
  const std::string streams =
      "video/1200000 type=variant video_bitrate=1200000 video_height=360 video_framerate=30.000 video_codec=avc1.4d401e\n"
      "video/250000 type=variant video_bitrate=250000 video_height=144 video_framerate=15.000 video_codec=avc1.4d400c\n"
      "audio/96000 type=audio audio_bitrate=96000 audio_sample_rate=48000 audio_channels=2 audio_codec=mp4a.40.2\n";
  auto small = filter_mss(manifest, streams, parsed("aws.manifestfilter=video_framerate:0-20"));
  REQUIRE(small);
  INFO(*small);
  CHECK(small->find("Bitrate=\"1200000\"") == std::string::npos);
  CHECK(small->find("<QualityLevel Index=\"0\" Bitrate=\"250000\"") != std::string::npos);  // renumbered
  CHECK(small->find("Name=\"video\" Chunks=\"1\" QualityLevels=\"1\"") != std::string::npos);
  CHECK(small->find("Bitrate=\"96000\"") != std::string::npos);  // a video filter keeps the audio
  // No audio left: its StreamIndex goes, the video stays; nothing left at all is nullopt.
  auto silent = filter_mss(manifest, streams, parsed("aws.manifestfilter=audio_sample_rate:44100"));
  REQUIRE(silent);
  CHECK(silent->find("Type=\"audio\"") == std::string::npos);
  CHECK_FALSE(filter_mss(manifest, streams, parsed("aws.manifestfilter=audio_sample_rate:44100;video_height:1000-2000")));
  CHECK_FALSE(filter_mss("<SmoothStreamingMedia", streams, parsed("aws.manifestfilter=video_height:0-200")));
}
