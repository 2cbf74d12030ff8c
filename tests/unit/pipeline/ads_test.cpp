// SCTE-35 ad cues: the splice_info_section bytes, HLS ad marker lines per style and filter, the
// DASH EventStream, and segments cut at splice points.
#include <catch2/catch.hpp>

#include "pipeline/ads/avail_rules.hpp"
#include "pipeline/ads/hls_ad_markers.hpp"
#include "pipeline/ads/splice_decode.hpp"
#include "pipeline/ads/splice_xml.hpp"
#include "pipeline/bytes.hpp"
#include "pipeline/package/segmenter.hpp"

using namespace mediaemu::pipeline;
using namespace mediaemu::pipeline::ads;

namespace {

std::vector<uint8_t> bytes_of_hex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

SpliceInfo splice_out(uint32_t id, double seconds) {
  SpliceInfo info;
  info.event_id = id;
  info.break_duration_90k = static_cast<uint64_t>(seconds * 90000);
  return info;
}

SpliceInfo placement_opportunity(int type_id, bool restricted) {
  SpliceInfo info;
  info.command = SpliceInfo::Command::TimeSignal;
  SegmentationDescriptor d;
  d.event_id = 7;
  d.type_id = type_id;
  d.duration_90k = 20 * 90000;
  d.upid_type = 9;
  d.upid = {0xAB, 0xCD};
  if (restricted) d.restrictions = DeliveryRestrictions{false, false, true, 3};
  info.descriptors.push_back(d);
  return info;
}

OutputLayout cue_layout() {
  OutputLayout l;
  TrackInfo v;
  v.id = 1;
  v.kind = MediaKind::Video;
  v.time_base = {1, 90000};
  v.frame_rate = {30, 1};
  l.tracks.push_back(v);
  l.variants.push_back({"v", 1, {}});
  return l;
}

MediaPacket cue_packet(int64_t pts, bool key) {
  PacketPtr p = make_packet();
  p->pts = p->dts = pts;
  p->duration = 3000;
  if (key) p->flags |= AV_PKT_FLAG_KEY;
  return {1, share(std::move(p))};
}

}  // namespace

TEST_CASE("splice_insert encodes as SCTE 35 §9.7.3 with its CRC_32", "[ads]") {
  // A 30 s break, event 4002, splice time 0x20D009D0: the bytes of a published example
  // (/DAlAAAAAAAAAP/wFAUAAA+if+/+INAJ0P4AKTLgAAAAAAAA9UTkTA==).
  SpliceInfo info = splice_out(4002, 30);
  auto bytes = encode_splice_info(info, 0x20D009D0);
  CHECK(hex_upper(bytes) == "FC302500000000000000FFF0140500000FA27FEFFE20D009D0FE002932E0000000000000F544E44C");
  CHECK(base64(bytes) == "/DAlAAAAAAAAAP/wFAUAAA+if+/+INAJ0P4AKTLgAAAAAAAA9UTkTA==");
}

TEST_CASE("CRC-32/MPEG-2 of a published time_signal section", "[ads]") {
  // /DAnAAAAAAAAAP/wBQb+AA27oAARAg9DVUVJAAAAAX+HCQA0AAE0xUZn: its last four bytes are the CRC.
  auto section = bytes_of_hex("FC302700000000000000FFF00506FE000DBBA00011020F43554549000000017F87090034000134C54667");
  CHECK(crc32_mpeg2(std::span(section.data(), section.size() - 4)) == 0x34C54667u);
  CHECK(crc32_mpeg2(section) == 0u);  // a whole section checks to zero
}

TEST_CASE("time_signal carries the segmentation descriptor fields", "[ads]") {
  auto bytes = encode_splice_info(placement_opportunity(0x34, true), 900000);
  REQUIRE(bytes.size() > 30);
  CHECK(bytes[0] == 0xFC);
  CHECK(crc32_mpeg2(bytes) == 0u);
  CHECK(bytes[13] == 0x06);                                           // time_signal
  CHECK(hex_upper(std::span(bytes.data() + 14, 5)) == "FE000DBBA0");  // pts 900000
  const std::string all = hex_upper(bytes);
  CHECK(all.find("43554549" "00000007") != std::string::npos);  // CUEI, event 7
  // program_segmentation 1, duration 1, restricted: web 0, regional 0, archive 1, device 11
  CHECK(all.find("7F" "C7" "00001B7740" "09" "02" "ABCD" "34") != std::string::npos);
}

TEST_CASE("splice_info sections read back: splice_insert, time_signal with its descriptor, and what makes no cue", "[ads]") {
  std::string why;
  // The published splice_insert example above: event 4002, out, 30 s, at 0x20D009D0.
  auto out = decode_splice_info(bytes_of_hex("FC302500000000000000FFF0140500000FA27FEFFE20D009D0FE002932E0000000000000F544E44C"), why);
  REQUIRE(out);
  CHECK(out->info.command == SpliceInfo::Command::SpliceInsert);
  CHECK(out->info.event_id == 4002);
  CHECK(out->info.out_of_network);
  CHECK(out->info.break_duration_90k == 30 * 90000);
  CHECK(out->pts_90k == 0x20D009D0);
  // The published time_signal: placement opportunity... read as the values it encodes.
  auto ts = decode_splice_info(bytes_of_hex("FC302700000000000000FFF00506FE000DBBA00011020F43554549000000017F87090034000134C54667"), why);
  REQUIRE(ts);
  CHECK(ts->info.command == SpliceInfo::Command::TimeSignal);
  CHECK(ts->pts_90k == 900000);
  REQUIRE(ts->info.descriptors.size() == 1);
  CHECK(ts->info.descriptors[0].event_id == 1);
  CHECK(ts->info.descriptors[0].type_id == 0x34);
  // Round trip of what mediaemu writes: duration, restrictions, UPID.
  const SpliceInfo po = placement_opportunity(0x34, true);
  auto again = decode_splice_info(encode_splice_info(po, 123456), why);
  REQUIRE(again);
  const auto& d = again->info.descriptors.at(0);
  const auto& written = po.descriptors.at(0);
  CHECK(d.event_id == written.event_id);
  CHECK(d.duration_90k == written.duration_90k);
  CHECK(d.upid == written.upid);
  REQUIRE(d.restrictions);
  CHECK(d.restrictions->archive_allowed == written.restrictions->archive_allowed);
  CHECK(again->pts_90k == 123456);
  // pts_adjustment is added (33 bits): the example with pts_adjustment 0x1FFFFFFFF wraps around.
  auto adjusted = bytes_of_hex("FC302500000000000000FFF0140500000FA27FEFFE20D009D0FE002932E0000000000000F544E44C");
  adjusted[4] = 0x01, adjusted[5] = 0xFF, adjusted[6] = 0xFF, adjusted[7] = 0xFF, adjusted[8] = 0xFF;
  const uint32_t crc = crc32_mpeg2(std::span(adjusted.data(), adjusted.size() - 4));
  for (int i = 0; i < 4; ++i) adjusted[adjusted.size() - 4 + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  auto wrapped = decode_splice_info(adjusted, why);
  REQUIRE(wrapped);
  CHECK(wrapped->pts_90k == 0x20D009D0 - 1);

  // No cue: a bad CRC, a truncated section, splice_null, another table.
  auto bad = bytes_of_hex("FC302500000000000000FFF0140500000FA27FEFFE20D009D0FE002932E0000000000000F544E44D");
  CHECK_FALSE(decode_splice_info(bad, why));
  CHECK(why == "CRC_32 mismatch");
  CHECK_FALSE(decode_splice_info(std::span(bad.data(), 20), why));
  CHECK(why == "truncated section");
  auto null_command = bytes_of_hex("FC301100000000000000FFF0000000007A4FBFFF");  // splice_null heartbeat
  CHECK_FALSE(decode_splice_info(null_command, why));
  CHECK(why == "splice command type 0 makes no cue");
  CHECK_FALSE(decode_splice_info(bytes_of_hex("0200B0"), why));
}

TEST_CASE("SCTE35_ENHANCED: CUE-OUT, CUE-OUT-CONT on each segment of the break, CUE-IN at its end", "[ads]") {
  AdMarkerSpec spec;
  spec.style = AdMarkerSpec::Style::Scte35Enhanced;
  HlsAdMarkers markers(spec);
  const AdCue out = make_cue(splice_out(1, 10), 12'000'000, "break");
  CHECK(markers.tags({}, 6, 0).empty());
  auto first = markers.tags({out}, 12, 0);
  REQUIRE(first.size() == 2);
  CHECK(first[0] == "#EXT-OATCLS-SCTE35:" + base64(out.binary));
  CHECK(first[1] == "#EXT-X-CUE-OUT:10.000");
  auto middle = markers.tags({}, 18, 0);
  REQUIRE(middle.size() == 1);
  CHECK(middle[0] == "#EXT-X-CUE-OUT-CONT:ElapsedTime=6.000,Duration=10,SCTE35=" + base64(out.binary));
  CHECK(markers.tags({}, 22, 0) == std::vector<std::string>{"#EXT-X-CUE-IN"});
  CHECK(markers.tags({}, 28, 0).empty());
}

TEST_CASE("DATERANGE: SCTE35-OUT at the start, END-DATE and DURATION at an explicit return", "[ads]") {
  AdMarkerSpec spec;
  spec.style = AdMarkerSpec::Style::Daterange;
  HlsAdMarkers markers(spec);
  SpliceInfo open_ended;  // no duration: the break lasts until the return to network
  open_ended.event_id = 99;
  const AdCue out = make_cue(open_ended, 6'000'000, "out");
  SpliceInfo back = open_ended;
  back.out_of_network = false;
  const AdCue in = make_cue(back, 18'000'000, "in");
  auto start = markers.tags({out}, 6, 1'700'000'006'000);
  REQUIRE(start.size() == 1);
  CHECK(start[0] == "#EXT-X-DATERANGE:ID=\"99\",START-DATE=\"2023-11-14T22:13:26.000Z\",SCTE35-OUT=0x" +
                        hex_upper(out.binary));
  CHECK(markers.tags({}, 12, 1'700'000'012'000).empty());
  auto end = markers.tags({in}, 18, 1'700'000'018'000);
  REQUIRE(end.size() == 1);
  CHECK(end[0] == "#EXT-X-DATERANGE:ID=\"99\",START-DATE=\"2023-11-14T22:13:26.000Z\",END-DATE=\"2023-11-14T22:13:38.000Z\","
                  "DURATION=12.000,SCTE35-IN=0x" + hex_upper(in.binary));
}

TEST_CASE("AdTriggers and AdsOnDeliveryRestrictions decide which cues are ads", "[ads]") {
  AdMarkerSpec spec;  // MediaPackage's defaults: RESTRICTED, splice insert and ads / placement opportunities
  const AdCue restricted = make_cue(placement_opportunity(0x34, true), 0, "po");
  const AdCue unrestricted = make_cue(placement_opportunity(0x34, false), 0, "po");
  const AdCue overlay = make_cue(placement_opportunity(0x38, true), 0, "overlay");
  const AdCue program = make_cue(placement_opportunity(0x10, true), 0, "program start");
  CHECK(spec.signals_ad(make_cue(splice_out(1, 5), 0, "si")));
  CHECK(spec.signals_ad(restricted));
  CHECK_FALSE(spec.signals_ad(unrestricted));
  CHECK_FALSE(spec.signals_ad(overlay));  // not in the default AdTriggers
  CHECK_FALSE(spec.signals_ad(program));  // not an ad type at all
  spec.on_restrictions = AdMarkerSpec::Restrictions::Unrestricted;
  CHECK(spec.signals_ad(unrestricted));
  CHECK_FALSE(spec.signals_ad(restricted));
  spec.on_restrictions = AdMarkerSpec::Restrictions::None;
  CHECK_FALSE(spec.signals_ad(unrestricted));
  CHECK(spec.signals_ad(make_cue(splice_out(1, 5), 0, "si")));  // splice inserts carry no restriction flags
  spec.triggers.clear();
  CHECK_FALSE(spec.signals_ad(make_cue(splice_out(1, 5), 0, "si")));
  CHECK(make_cue(placement_opportunity(0x35, true), 0, "end").edge() == AdCue::Edge::In);
  CHECK(restricted.upid() == std::vector<uint8_t>{0xAB, 0xCD});
}

TEST_CASE("AvailConfiguration decides which cues MediaLive blanks: the avail mode and the restriction flags", "[ads]") {
  AvailRules rules;  // Scte35SpliceInsert mode, both flags FOLLOW: MediaLive's defaults
  std::string why;
  const AdCue splice = make_cue(splice_out(1, 5), 0, "si");
  const AdCue restricted_po = make_cue(placement_opportunity(0x34, true), 0, "po");
  const AdCue unrestricted_po = make_cue(placement_opportunity(0x34, false), 0, "po");
  const AdCue advertisement = make_cue(placement_opportunity(0x30, true), 0, "ad");
  const AdCue program = make_cue(placement_opportunity(0x10, true), 0, "program");
  CHECK(blanks_avail(splice, rules, why));  // no flags: both considered false
  CHECK(blanks_avail(restricted_po, rules, why));
  CHECK(blanks_avail(unrestricted_po, rules, why));  // delivery_not_restricted: the flags are absent, so false
  CHECK(blanks_avail(advertisement, rules, why));
  CHECK_FALSE(blanks_avail(program, rules, why));
  CHECK(why == "segmentation type 16 is no avail in Scte35SpliceInsert mode");

  AdCue allowed = make_cue(placement_opportunity(0x34, true), 0, "po");
  allowed.info.descriptors[0].restrictions = DeliveryRestrictions{true, true, true, 3};
  CHECK_FALSE(blanks_avail(allowed, rules, why));
  CHECK(why == "its web_delivery_allowed and no_regional_blackout flags allow the content");
  allowed.info.descriptors[0].restrictions->no_regional_blackout = false;  // one false flag wins
  CHECK(blanks_avail(allowed, rules, why));
  rules.follow_no_regional_blackout = false;  // NoRegionalBlackoutFlag IGNORE
  CHECK_FALSE(blanks_avail(allowed, rules, why));
  CHECK(why == "AvailConfiguration ignores the restriction flags that would blank it");
  rules.follow_web_delivery_allowed = false;
  CHECK_FALSE(blanks_avail(splice, rules, why));  // both IGNORE: nothing blanks

  rules = AvailRules{};
  rules.mode = AvailRules::Mode::TimeSignalApos;
  CHECK_FALSE(blanks_avail(splice, rules, why));
  CHECK(why == "a splice_insert is no avail in Scte35TimeSignalApos mode");
  CHECK(blanks_avail(restricted_po, rules, why));
  CHECK(blanks_avail(make_cue(placement_opportunity(0x22, true), 0, "break"), rules, why));
  CHECK_FALSE(blanks_avail(advertisement, rules, why));  // provider advertisements are not APOS triggers
}

TEST_CASE("the DASH EventStream holds the cue as SCTE 35 XML", "[ads]") {
  const std::string xml = dash_event_stream(make_cue(splice_out(5, 30), 10'000'000, "b"), "");
  CHECK(xml.find("<EventStream schemeIdUri=\"urn:scte:scte35:2013:xml\" timescale=\"90000\" "
                 "presentationTimeOffset=\"900000\">") == 0);
  CHECK(xml.find("<Event presentationTime=\"900000\" duration=\"2700000\" id=\"5\">") != std::string::npos);
  CHECK(xml.find("<scte35:SpliceInsert spliceEventId=\"5\"") != std::string::npos);
  CHECK(xml.find("outOfNetworkIndicator=\"true\"") != std::string::npos);
  CHECK(xml.find("<scte35:BreakDuration autoReturn=\"true\" duration=\"2700000\"/>") != std::string::npos);
}

TEST_CASE("a segment starts at a splice point and at the break's planned end", "[ads][package][segmenter]") {
  const OutputLayout l = cue_layout();
  Segmenter s(l, 6);
  // GOP 2 s; the transcoder adds IDRs at the splice (11 s) and its return (16 s, on the grid).
  s.splice(make_cue(splice_out(1, 5), 11'000'000, "break"));
  std::vector<Segment> done;
  for (int f = 0; f < 30 * 30; ++f) {
    auto v = s.push(cue_packet(f * 3000, f % 60 == 0 || f == 330));
    done.insert(done.end(), v.begin(), v.end());
  }
  REQUIRE(done.size() >= 4);
  CHECK(done[0].start_seconds() == Approx(0));
  CHECK(done[1].start_seconds() == Approx(6));
  CHECK(done[1].duration_seconds() == Approx(5));  // ends at the splice point
  CHECK(done[2].start_seconds() == Approx(11));
  CHECK(done[2].duration_seconds() == Approx(5));  // the break, to its return
  CHECK(done[3].start_seconds() == Approx(16));
  CHECK(done[3].duration_seconds() == Approx(6));  // the cadence goes on from there
  CHECK(done[1].cues.empty());
  REQUIRE(done[2].cues.size() == 1);
  CHECK(done[2].cues[0].name == "break");
  CHECK(done[3].cues.empty());
}

TEST_CASE("a splice point just after a GOP boundary extends the segment instead of cutting a sliver", "[ads][package][segmenter]") {
  const OutputLayout l = cue_layout();
  Segmenter s(l, 2);
  // GOP 2 s, 2 s segments; the splice is one frame after the boundary at 10 s.
  s.splice(make_cue(splice_out(1, 4), 10'033'333, "break"));
  std::vector<Segment> done;
  for (int f = 0; f < 20 * 30; ++f) {
    auto v = s.push(cue_packet(f * 3000, f % 60 == 0 || f == 301));
    done.insert(done.end(), v.begin(), v.end());
  }
  REQUIRE(done.size() >= 6);
  CHECK(done[4].start_seconds() == Approx(8));
  CHECK(done[4].duration_seconds() == Approx(2.0 + 1.0 / 30));  // to the splice, no 33 ms segment
  CHECK(done[5].start_seconds() == Approx(10.0 + 1.0 / 30));
  CHECK(done[5].cues.size() == 1);
}
