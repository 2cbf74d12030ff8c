// Writes starting inputs for the fuzz targets (generated, so no binary files live in the repo):
//   rtmp_fuzz_seeds rtmp_chunk_fuzz <dir>   publisher sessions in the rtmp_chunk_fuzz layout
//   rtmp_fuzz_seeds amf0_fuzz <dir>         AMF0 command and metadata payloads
//   rtmp_fuzz_seeds rtp_fuzz <dir>          RTP/MPEG-TS datagram runs in the rtp_fuzz layout
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/rtmp/testing/rtmp_publisher_script.hpp"

using namespace mediaemu::pipeline::rtmp;
using testing::PublisherScript;

namespace {

Amf0Value s(const char* t) { return Amf0Value::make_string(t); }
Amf0Value n(double v) { return Amf0Value::make_number(v); }

void write(const std::string& dir, const std::string& name, uint8_t flags, const std::vector<uint8_t>& bytes) {
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out.put(static_cast<char>(flags));
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void write_raw(const std::string& dir, const std::string& name, const std::vector<uint8_t>& bytes) {
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// What ffmpeg sends after the handshake, in miniature.
PublisherScript publish_session(uint32_t chunk_size, uint32_t base_ts) {
  PublisherScript p;
  p.set_chunk_size(chunk_size).connect("live").publish("key");
  p.metadata({{"width", n(320)}, {"height", n(180)}, {"framerate", n(30)}, {"encoder", s("Lavf59.27.100")}});
  p.video(base_ts, PublisherScript::avc_sequence_header());
  p.audio(base_ts, PublisherScript::aac_sequence_header());
  for (uint32_t i = 0; i < 4; ++i) {
    p.video(base_ts + 33 * i, PublisherScript::avc_frame(i == 0, 66, std::vector<uint8_t>(200 + 50 * i, 0x65)));
    p.audio(base_ts + 23 * i, PublisherScript::aac_frame(std::vector<uint8_t>(120, 0x21)));
  }
  return p;
}

void chunk_seeds(const std::string& dir) {
  write(dir, "publish", 0x01, publish_session(4096, 0).bytes);
  write(dir, "publish_small_chunks", 0x01 | 0x02, publish_session(64, 0).bytes);
  write(dir, "publish_extended_ts", 0x01, publish_session(128, 0xFFFFFF00u).bytes);
  write(dir, "publish_refused", 0x01 | 0x04, publish_session(4096, 0).bytes);
  write(dir, "publish_byte_pieces", 0x01 | (2 << 3), publish_session(4096, 0).bytes);

  // Unpublish, then publish again on the same connection (a new publish after End).
  PublisherScript again = publish_session(4096, 0);
  again.command(0, {s("FCUnpublish"), n(6), Amf0Value::make_null(), s("key")});
  again.command(0, {s("deleteStream"), n(7), Amf0Value::make_null(), n(1)});
  again.command(0, {s("createStream"), n(8), Amf0Value::make_null()});
  again.command(2, {s("publish"), n(9), Amf0Value::make_null(), s("key2"), s("live")});
  again.video(5000, PublisherScript::avc_sequence_header());
  again.video(5000, PublisherScript::avc_frame(true, 0, {0x65, 7}));
  again.command(2, {s("closeStream"), n(0), Amf0Value::make_null()});
  write(dir, "republish", 0x01 | 0x02, again.bytes);

  PublisherScript digest;
  digest.handshake(true, 1);
  auto session = publish_session(4096, 0).bytes;
  digest.bytes.insert(digest.bytes.end(), session.begin(), session.end());
  write(dir, "digest_handshake", 0x00, digest.bytes);

  PublisherScript control;
  control.connect("live");
  control.message(2, 5, 0, 0, {0, 0, 0x10, 0});                    // Window Acknowledgement Size
  control.message(2, 6, 0, 0, {0, 0, 0x10, 0, 2});                 // Set Peer Bandwidth
  control.message(2, 4, 0, 0, {0, 6, 0, 0, 0, 9});                 // Ping Request
  control.message(2, 3, 0, 0, {0, 0, 0, 1});                       // Acknowledgement
  control.message(6, 9, 1, 0, std::vector<uint8_t>(300, 0x17));    // partly sent below...
  control.message(2, 2, 0, 0, {0, 0, 0, 6});                       // ...then Abort for chunk stream 6
  control.command(0, {s("getStreamLength"), n(7), Amf0Value::make_null(), s("key")});
  control.command(0, {s("FCUnpublish"), n(8), Amf0Value::make_null(), s("key")});
  control.command(0, {s("deleteStream"), n(9), Amf0Value::make_null(), n(1)});
  write(dir, "control_messages", 0x01, control.bytes);

  PublisherScript codecs;
  codecs.connect("live").publish("key");
  codecs.video(0, {0x90, 'h', 'v', 'c', '1', 1, 2, 3});
  codecs.audio(0, {0x9F, 'm', 'p', '4', 'a', 0x12, 0x10});
  codecs.video(0, {0xA3, 'a', 'v', 'c', '1', 0, 0, 0, 1, 0x41});
  write(dir, "enhanced_rtmp", 0x01, codecs.bytes);

  // An aggregate message (type 22) with one video and one audio sub-message.
  PublisherScript aggregate;
  aggregate.connect("live").publish("key");
  aggregate.video(0, PublisherScript::avc_sequence_header());
  aggregate.audio(0, PublisherScript::aac_sequence_header());
  std::vector<uint8_t> agg;
  auto sub = [&](uint8_t type, uint32_t ts, const std::vector<uint8_t>& body) {
    auto size = static_cast<uint32_t>(body.size());
    agg.insert(agg.end(), {type, uint8_t(size >> 16), uint8_t(size >> 8), uint8_t(size), uint8_t(ts >> 16),
                           uint8_t(ts >> 8), uint8_t(ts), uint8_t(ts >> 24), 0, 0, 0});
    agg.insert(agg.end(), body.begin(), body.end());
    uint32_t back = size + 11;
    agg.insert(agg.end(), {uint8_t(back >> 24), uint8_t(back >> 16), uint8_t(back >> 8), uint8_t(back)});
  };
  sub(9, 100, PublisherScript::avc_frame(true, 0, {0x65, 1}));
  sub(8, 110, PublisherScript::aac_frame({0x21}));
  aggregate.message(5, 22, 1, 100, agg);
  write(dir, "aggregate", 0x01, aggregate.bytes);
}

void amf0_seeds(const std::string& dir) {
  write_raw(dir, "connect", amf0_encode_all({s("connect"), n(1),
                                             Amf0Value::make_object({{"app", s("live")}, {"tcUrl", s("rtmp://h/live")},
                                                                     {"fpad", Amf0Value::make_boolean(false)},
                                                                     {"objectEncoding", n(0)}})}));
  write_raw(dir, "metadata", amf0_encode_all({s("@setDataFrame"), s("onMetaData"),
                                              Amf0Value::make_ecma_array({{"width", n(320)}, {"stereo", Amf0Value::make_boolean(true)}})}));
  Amf0Value typed;
  typed.type = Amf0Type::TypedObject;
  typed.text = "flash.Class";
  typed.properties = {{"x", Amf0Value::make_undefined()}};
  write_raw(dir, "misc", amf0_encode_all({Amf0Value::make_strict_array({n(1), s("a"), Amf0Value::make_null()}),
                                          Amf0Value::make_date(1.7e12), typed, Amf0Value::make_string(std::string(70000, 'x'))}));
}

// RTP (RFC 3550) carrying seven 188-byte TS packets (RFC 2250), as ffmpeg's rtp_mpegts sends:
// runs in order, reordered, with a gap, and with the 16-bit sequence number wrapping.
std::vector<uint8_t> rtp_datagram(uint16_t sequence, bool padded = false) {
  std::vector<uint8_t> d = {0x80, 33, static_cast<uint8_t>(sequence >> 8), static_cast<uint8_t>(sequence), 0, 0, 0, 0,
                            0x12, 0x34, 0x56, 0x78};
  if (padded) d[0] |= 0x20;
  for (int i = 0; i < 7; ++i) {
    d.push_back(0x47);
    d.insert(d.end(), {0x01, 0x00, static_cast<uint8_t>(0x10 | (i & 0x0f))});
    d.resize(d.size() + 184, 0xff);
  }
  if (padded) d.insert(d.end(), {0, 0, 3});
  return d;
}

void rtp_seeds(const std::string& dir) {
  auto run = [&](const std::string& name, std::initializer_list<int> sequences) {
    std::vector<uint8_t> bytes;
    for (int seq : sequences) {
      auto d = rtp_datagram(static_cast<uint16_t>(seq), seq % 5 == 4);
      bytes.push_back(static_cast<uint8_t>(d.size() >> 8));
      bytes.push_back(static_cast<uint8_t>(d.size()));
      bytes.insert(bytes.end(), d.begin(), d.end());
    }
    write_raw(dir, name, bytes);
  };
  run("in-order", {1, 2, 3, 4, 5, 6});
  run("reordered", {10, 12, 11, 14, 13, 15});
  run("gap", {20, 21, 40, 41, 42});
  run("wrap", {65533, 65534, 65535, 0, 1, 2});
  run("duplicates", {7, 7, 8, 8, 9});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s rtmp_chunk_fuzz|amf0_fuzz|rtp_fuzz <corpus-dir>\n", argv[0]);
    return 2;
  }
  std::string target = argv[1];
  if (target == "rtmp_chunk_fuzz") chunk_seeds(argv[2]);
  else if (target == "amf0_fuzz") amf0_seeds(argv[2]);
  else if (target == "rtp_fuzz") rtp_seeds(argv[2]);
  else return 2;
  return 0;
}
