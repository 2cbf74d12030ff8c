// Byte-level codec helpers and picture placement used by the transcoder and the file source.
#include <catch2/catch.hpp>

#include "pipeline/transcode/codec_config.hpp"
#include "pipeline/transcode/picture.hpp"

using namespace mediaemu::pipeline;

namespace {

const Bytes kSps{0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9};  // High profile, level 3.1
const Bytes kPps{0x68, 0xeb, 0xe3, 0xcb};
const Bytes kIdr{0x65, 0x88, 0x84, 0x21};

}  // namespace

TEST_CASE("split_annexb handles 3- and 4-byte start codes and trailing zeros", "[transcode]") {
  Bytes stream{0, 0, 0, 1};
  stream.insert(stream.end(), kSps.begin(), kSps.end());
  stream.insert(stream.end(), {0, 0, 1});
  stream.insert(stream.end(), kPps.begin(), kPps.end());
  stream.insert(stream.end(), {0, 0, 0, 0, 1});
  stream.insert(stream.end(), kIdr.begin(), kIdr.end());
  auto nals = split_annexb(stream);
  REQUIRE(nals.size() == 3);
  CHECK(Bytes(nals[0].begin(), nals[0].end()) == kSps);
  CHECK(Bytes(nals[1].begin(), nals[1].end()) == kPps);
  CHECK(Bytes(nals[2].begin(), nals[2].end()) == kIdr);
  CHECK(split_annexb(Bytes{1, 2, 3}).empty());
}

TEST_CASE("length-prefixed samples round-trip and reject truncation", "[transcode]") {
  Bytes sample;
  append_length_prefixed(sample, kSps);
  append_length_prefixed(sample, kIdr);
  auto nals = split_length_prefixed(sample, 4);
  REQUIRE(nals);
  REQUIRE(nals->size() == 2);
  CHECK(Bytes((*nals)[1].begin(), (*nals)[1].end()) == kIdr);
  sample.pop_back();
  CHECK_FALSE(split_length_prefixed(sample, 4));
}

TEST_CASE("avcC is built from parameter sets and parses back", "[transcode]") {
  Bytes avcc = build_avcc({kSps}, {kPps});
  CHECK(avcc[0] == 1);
  CHECK(avc_codecs_string(avcc) == "avc1.64001f");
  auto parsed = parse_avcc(avcc);
  REQUIRE(parsed);
  CHECK(parsed->nal_length_size == 4);
  REQUIRE(parsed->sps.size() == 1);
  CHECK(parsed->sps[0] == kSps);
  REQUIRE(parsed->pps.size() == 1);
  CHECK(parsed->pps[0] == kPps);
  CHECK_THROWS_AS(build_avcc({}, {kPps}), std::invalid_argument);
  CHECK_FALSE(parse_avcc(Bytes{1, 2, 3}));
  CHECK_FALSE(avcc_from_nal_units({ByteView(kIdr)}));
}

TEST_CASE("ADTS headers give the AudioSpecificConfig", "[transcode]") {
  // AAC-LC, 48 kHz (index 3), stereo, frame length 0x100, no CRC.
  Bytes adts{0xff, 0xf1, 0x4c, 0x80, 0x20, 0x00, 0xfc};
  auto h = parse_adts(adts);
  REQUIRE(h);
  CHECK(h->object_type == 2);
  CHECK(aac_sample_rate(h->sampling_index) == 48000);
  CHECK(h->channel_config == 2);
  CHECK(h->header_size == 7);
  CHECK(h->frame_size == 0x100);
  Bytes asc = asc_from_adts(*h);
  CHECK(asc == Bytes{0x11, 0x90});
  CHECK(aac_codecs_string(asc) == "mp4a.40.2");
  CHECK_FALSE(parse_adts(Bytes{0x12, 0x34, 0, 0, 0, 0, 0}));
}

TEST_CASE("pictures keep their aspect ratio unless stretched", "[transcode]") {
  Placement same = place_picture(1280, 720, {1, 1}, 640, 360, false);
  CHECK((same.x == 0 && same.y == 0 && same.width == 640 && same.height == 360));
  Placement pillar = place_picture(640, 480, {1, 1}, 640, 360, false);  // 4:3 into 16:9
  CHECK(pillar.height == 360);
  CHECK(pillar.width == 480);
  CHECK(pillar.x == 80);
  Placement letter = place_picture(1280, 720, {1, 1}, 480, 480, false);  // 16:9 into 1:1
  CHECK(letter.width == 480);
  CHECK(letter.height == 270);
  CHECK(letter.y % 2 == 0);
  Placement stretched = place_picture(640, 480, {1, 1}, 640, 360, true);
  CHECK((stretched.width == 640 && stretched.height == 360 && stretched.x == 0));
}

TEST_CASE("loss colours convert to limited-range YUV", "[transcode]") {
  YuvColor black = yuv_from_rgb_hex("000000");
  CHECK((black.y == 16 && black.u == 128 && black.v == 128));
  YuvColor red = yuv_from_rgb_hex("FF0000");
  CHECK(red.y == 82);
  CHECK(red.v == 240);
  YuvColor bad = yuv_from_rgb_hex("nothex");
  CHECK(bad.y == 16);
}
