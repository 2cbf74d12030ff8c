// For tests and fuzzers only: the bytes an RTMP publisher sends (handshake, commands, FLV media
// bodies), built without sockets, so RtmpConnection can be driven like ffmpeg or OBS drive it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/rtmp/amf0.hpp"
#include "pipeline/rtmp/rtmp_chunk_writer.hpp"
#include "pipeline/rtmp/rtmp_handshake.hpp"

namespace mediaemu::pipeline::rtmp::testing {

class PublisherScript {
 public:
  std::vector<uint8_t> bytes;

  // C0+C1 then C2. With `digest`, C1 carries an FP9 digest in the given schema (0 or 1).
  PublisherScript& handshake(bool digest = false, int schema = 0) {
    std::vector<uint8_t> c1(kHandshakeSize);
    uint32_t x = 0x12345678;
    for (auto& b : c1) {
      x = x * 1664525u + 1013904223u;
      b = static_cast<uint8_t>(x >> 24);
    }
    for (int i = 0; i < 4; ++i) c1[i] = 0;
    if (digest) {
      c1[4] = 9, c1[5] = 0, c1[6] = 124, c1[7] = 2;  // Flash Player 9.0.124.2, what ffmpeg claims
      std::size_t at = digest_offset(c1.data(), schema);
      Digest d = packet_digest(c1.data(), at, HandshakeKeys::player_full().data(), HandshakeKeys::kPlayerTextSize);
      std::copy(d.begin(), d.end(), c1.begin() + static_cast<std::ptrdiff_t>(at));
    } else {
      c1[4] = c1[5] = c1[6] = c1[7] = 0;
    }
    bytes.push_back(kRtmpVersion);
    bytes.insert(bytes.end(), c1.begin(), c1.end());
    bytes.insert(bytes.end(), kHandshakeSize, 0xC2);  // C2: no server looks at it
    return *this;
  }

  PublisherScript& message(uint32_t csid, uint8_t type, uint32_t stream_id, uint32_t timestamp,
                           std::vector<uint8_t> payload) {
    RtmpMessage m;
    m.type = type;
    m.stream_id = stream_id;
    m.timestamp = timestamp;
    m.payload = std::move(payload);
    writer_.write(bytes, csid, m);
    return *this;
  }

  PublisherScript& set_chunk_size(uint32_t size) {
    writer_.write(bytes, kControlChunkStream, set_chunk_size_message(size));
    writer_.set_chunk_size(size);
    return *this;
  }

  PublisherScript& command(uint32_t stream_id, const std::vector<Amf0Value>& values) {
    writer_.write(bytes, kCommandChunkStream, command_message(stream_id, values));
    return *this;
  }

  PublisherScript& connect(const std::string& app) {
    return command(0, {Amf0Value::make_string("connect"), Amf0Value::make_number(1),
                       Amf0Value::make_object({{"app", Amf0Value::make_string(app)},
                                               {"type", Amf0Value::make_string("nonprivate")},
                                               {"flashVer", Amf0Value::make_string("FMLE/3.0 (compatible; test)")},
                                               {"tcUrl", Amf0Value::make_string("rtmp://127.0.0.1/" + app)}})});
  }

  // releaseStream, FCPublish, createStream (transaction 4, answered with stream id 1), publish.
  PublisherScript& publish(const std::string& name) {
    auto s = [](const char* t) { return Amf0Value::make_string(t); };
    auto n = [](double v) { return Amf0Value::make_number(v); };
    command(0, {s("releaseStream"), n(2), Amf0Value::make_null(), Amf0Value::make_string(name)});
    command(0, {s("FCPublish"), n(3), Amf0Value::make_null(), Amf0Value::make_string(name)});
    command(0, {s("createStream"), n(4), Amf0Value::make_null()});
    return command(1, {s("publish"), n(5), Amf0Value::make_null(), Amf0Value::make_string(name), s("live")});
  }

  PublisherScript& metadata(std::vector<Amf0Property> props) {
    writer_.write(bytes, 4, data_message(1, {Amf0Value::make_string("@setDataFrame"), Amf0Value::make_string("onMetaData"),
                                             Amf0Value::make_ecma_array(std::move(props))}));
    return *this;
  }

  PublisherScript& video(uint32_t timestamp, std::vector<uint8_t> body) { return message(6, 9, 1, timestamp, std::move(body)); }
  PublisherScript& audio(uint32_t timestamp, std::vector<uint8_t> body) { return message(4, 8, 1, timestamp, std::move(body)); }

  // FLV video tag bodies (FLV spec E.4.3.1): AVC sequence header, and one frame of NAL units.
  static std::vector<uint8_t> avc_sequence_header() {
    return {0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1F, 0xFF, 0xE1, 0, 4, 0x67, 0x64, 0, 0x1F, 1, 0, 2, 0x68, 0xEE};
  }
  static std::vector<uint8_t> avc_frame(bool key, int32_t cts, std::vector<uint8_t> nal) {
    auto c = static_cast<uint32_t>(cts) & 0xFFFFFF;
    std::vector<uint8_t> body = {static_cast<uint8_t>(key ? 0x17 : 0x27), 1, static_cast<uint8_t>(c >> 16),
                                 static_cast<uint8_t>(c >> 8), static_cast<uint8_t>(c)};
    auto len = static_cast<uint32_t>(nal.size());
    for (int shift = 24; shift >= 0; shift -= 8) body.push_back(static_cast<uint8_t>(len >> shift));
    body.insert(body.end(), nal.begin(), nal.end());
    return body;
  }
  // FLV audio tag bodies (FLV spec E.4.2.1): AAC-LC 44.1 kHz stereo config, and a raw frame.
  static std::vector<uint8_t> aac_sequence_header() { return {0xAF, 0, 0x12, 0x10}; }
  static std::vector<uint8_t> aac_frame(std::vector<uint8_t> raw) {
    raw.insert(raw.begin(), {0xAF, 1});
    return raw;
  }

 private:
  ChunkWriter writer_;
};

}  // namespace mediaemu::pipeline::rtmp::testing
