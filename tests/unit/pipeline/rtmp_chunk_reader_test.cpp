#include <catch2/catch.hpp>

#include "pipeline/rtmp/rtmp_chunk_reader.hpp"

using namespace mediaemu::pipeline::rtmp;

namespace {

using Bytes = std::vector<uint8_t>;

void append(Bytes& out, std::initializer_list<uint8_t> b) { out.insert(out.end(), b); }
void append(Bytes& out, const Bytes& b) { out.insert(out.end(), b.begin(), b.end()); }
void be24(Bytes& out, uint32_t v) { append(out, {uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}); }
void be32(Bytes& out, uint32_t v) { append(out, {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}); }

// Chunk headers written by hand (RTMP spec 5.3.1), one-byte chunk stream ids unless said.
void type0(Bytes& out, uint8_t csid, uint32_t ts, uint32_t length, uint8_t type, uint32_t stream_id) {
  out.push_back(csid);
  be24(out, ts >= 0xFFFFFF ? 0xFFFFFF : ts);
  be24(out, length);
  out.push_back(type);
  append(out, {uint8_t(stream_id), uint8_t(stream_id >> 8), uint8_t(stream_id >> 16), uint8_t(stream_id >> 24)});
  if (ts >= 0xFFFFFF) be32(out, ts);
}
void type1(Bytes& out, uint8_t csid, uint32_t delta, uint32_t length, uint8_t type) {
  out.push_back(0x40 | csid);
  be24(out, delta);
  be24(out, length);
  out.push_back(type);
}
void type2(Bytes& out, uint8_t csid, uint32_t delta) {
  out.push_back(0x80 | csid);
  be24(out, delta);
}
void type3(Bytes& out, uint8_t csid) { out.push_back(0xC0 | csid); }

Bytes filler(std::size_t n, uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i);
  return b;
}

std::vector<RtmpMessage> read_all(ChunkReader& r, const Bytes& bytes, bool byte_by_byte = false) {
  std::vector<RtmpMessage> out;
  auto drain = [&] {
    while (auto m = r.next()) out.push_back(std::move(*m));
  };
  if (byte_by_byte) {
    for (uint8_t b : bytes) {
      r.feed(&b, 1);
      drain();
    }
  } else {
    r.feed(bytes.data(), bytes.size());
    drain();
  }
  return out;
}

}  // namespace

TEST_CASE("chunk reader: type 0 message split into type 3 continuations at the default chunk size", "[rtmp][chunk]") {
  Bytes payload = filler(300, 1), wire;
  type0(wire, 6, 1000, 300, 9, 1);
  append(wire, Bytes(payload.begin(), payload.begin() + 128));
  type3(wire, 6);
  append(wire, Bytes(payload.begin() + 128, payload.begin() + 256));
  type3(wire, 6);
  append(wire, Bytes(payload.begin() + 256, payload.end()));

  for (bool byte_by_byte : {false, true}) {
    ChunkReader r;
    auto msgs = read_all(r, wire, byte_by_byte);
    REQUIRE(msgs.size() == 1);
    CHECK(msgs[0].type == 9);
    CHECK(msgs[0].stream_id == 1);
    CHECK(msgs[0].timestamp == 1000);
    CHECK(msgs[0].chunk_stream_id == 6);
    CHECK(msgs[0].payload == payload);
    CHECK(r.unparsed_bytes() == 0);
  }
}

TEST_CASE("chunk reader: type 1 and 2 deltas, and type 3 starting a message with the last delta", "[rtmp][chunk]") {
  Bytes wire;
  type0(wire, 4, 1000, 3, 8, 1);  // RTMP spec 5.3.2.1's example: audio every 33 ms
  append(wire, filler(3, 0));
  type1(wire, 4, 33, 5, 8);
  append(wire, filler(5, 0));
  type2(wire, 4, 40);
  append(wire, filler(5, 0));
  type3(wire, 4);  // a new message: same length, type, stream and delta (40)
  append(wire, filler(5, 0));

  ChunkReader r;
  auto msgs = read_all(r, wire);
  REQUIRE(msgs.size() == 4);
  CHECK(msgs[0].timestamp == 1000);
  CHECK(msgs[1].timestamp == 1033);
  CHECK(msgs[2].timestamp == 1073);
  CHECK(msgs[3].timestamp == 1113);
  CHECK(msgs[3].payload.size() == 5);
  CHECK(msgs[3].stream_id == 1);
  CHECK(msgs[3].type == 8);
}

TEST_CASE("chunk reader: 2- and 3-byte chunk stream ids", "[rtmp][chunk]") {
  Bytes wire;
  auto header = [&](std::initializer_list<uint8_t> basic) {
    append(wire, basic);
    be24(wire, 7);
    be24(wire, 1);
    wire.push_back(20);
    append(wire, {0, 0, 0, 0});
    wire.push_back(0xAA);
  };
  header({0x00, 0});         // 64
  header({0x00, 255});       // 319
  header({0x01, 0, 1});      // 64 + 0 + 256 = 320
  header({0x01, 255, 255});  // 65599
  ChunkReader r;
  auto msgs = read_all(r, wire);
  REQUIRE(msgs.size() == 4);
  CHECK(msgs[0].chunk_stream_id == 64);
  CHECK(msgs[1].chunk_stream_id == 319);
  CHECK(msgs[2].chunk_stream_id == 320);
  CHECK(msgs[3].chunk_stream_id == 65599);
}

TEST_CASE("chunk reader: extended timestamps, repeated or not on type 3 continuations", "[rtmp][chunk]") {
  const uint32_t ts = 0x01000000;  // above 0xFFFFFF
  Bytes payload = filler(200, 9);
  SECTION("repeated on the continuation (librtmp, ffmpeg)") {
    Bytes wire;
    type0(wire, 5, ts, 200, 9, 1);
    append(wire, Bytes(payload.begin(), payload.begin() + 128));
    type3(wire, 5);
    be32(wire, ts);
    append(wire, Bytes(payload.begin() + 128, payload.end()));
    ChunkReader r;
    auto msgs = read_all(r, wire, true);
    REQUIRE(msgs.size() == 1);
    CHECK(msgs[0].timestamp == ts);
    CHECK(msgs[0].payload == payload);
  }
  SECTION("left out of the continuation") {
    Bytes wire;
    type0(wire, 5, ts, 200, 9, 1);
    append(wire, Bytes(payload.begin(), payload.begin() + 128));
    type3(wire, 5);
    append(wire, Bytes(payload.begin() + 128, payload.end()));
    ChunkReader r;
    auto msgs = read_all(r, wire);
    REQUIRE(msgs.size() == 1);
    CHECK(msgs[0].payload == payload);
  }
  SECTION("a type 3 new message carries the extended delta") {
    Bytes wire;
    type0(wire, 5, ts, 1, 9, 1);
    wire.push_back(1);
    type3(wire, 5);
    be32(wire, ts);  // the delta of a type 0 is its timestamp (as ffmpeg and librtmp read it)
    wire.push_back(2);
    ChunkReader r;
    auto msgs = read_all(r, wire);
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[1].timestamp == 2 * ts);
    CHECK(msgs[1].payload == Bytes{2});
  }
  SECTION("timestamps wrap modulo 2^32 through deltas") {
    Bytes wire;
    type0(wire, 5, 0xFFFFFFF0u, 1, 9, 1);
    wire.push_back(1);
    type2(wire, 5, 0x20);
    wire.push_back(2);
    ChunkReader r;
    auto msgs = read_all(r, wire);
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0].timestamp == 0xFFFFFFF0u);
    CHECK(msgs[1].timestamp == 0x10u);
  }
}

TEST_CASE("chunk reader: interleaved chunk streams", "[rtmp][chunk]") {
  Bytes video = filler(250, 1), audio = filler(140, 100), wire;
  type0(wire, 6, 40, 250, 9, 1);
  append(wire, Bytes(video.begin(), video.begin() + 128));
  type0(wire, 4, 23, 140, 8, 1);
  append(wire, Bytes(audio.begin(), audio.begin() + 128));
  type3(wire, 6);
  append(wire, Bytes(video.begin() + 128, video.end()));
  type3(wire, 4);
  append(wire, Bytes(audio.begin() + 128, audio.end()));
  ChunkReader r;
  auto msgs = read_all(r, wire);
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0].type == 9);
  CHECK(msgs[0].payload == video);
  CHECK(msgs[0].timestamp == 40);
  CHECK(msgs[1].type == 8);
  CHECK(msgs[1].payload == audio);
  CHECK(msgs[1].timestamp == 23);
}

TEST_CASE("chunk reader: Set Chunk Size applies to the chunks after it", "[rtmp][chunk]") {
  Bytes payload = filler(5000, 3), wire;
  type0(wire, 2, 0, 4, 1, 0);
  be32(wire, 4096);
  type0(wire, 6, 0, 5000, 9, 1);
  append(wire, Bytes(payload.begin(), payload.begin() + 4096));
  type3(wire, 6);
  append(wire, Bytes(payload.begin() + 4096, payload.end()));
  ChunkReader r;
  auto msgs = read_all(r, wire);
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0].is(MessageType::SetChunkSize));
  CHECK(r.chunk_size() == 4096);
  CHECK(msgs[1].payload == payload);
}

TEST_CASE("chunk reader: invalid or oversized chunk sizes close the connection", "[rtmp][chunk]") {
  auto try_size = [](uint32_t size, ChunkReaderLimits limits = {}) {
    Bytes wire;
    type0(wire, 2, 0, 4, 1, 0);
    be32(wire, size);
    ChunkReader r(limits);
    r.feed(wire.data(), wire.size());
    return r.next();
  };
  CHECK_THROWS_WITH(try_size(0), Catch::Contains("outside 1..2147483647"));
  CHECK_THROWS_WITH(try_size(0x80000000u), Catch::Contains("outside 1..2147483647"));
  ChunkReaderLimits small;
  small.max_chunk_size = 65536;
  CHECK_THROWS_WITH(try_size(65537, small), Catch::Contains("exceeds the limit of 65536"));
  CHECK(try_size(65536, small).has_value());
  CHECK(try_size(1).has_value());
}

TEST_CASE("chunk reader: Abort Message drops the partly received message", "[rtmp][chunk]") {
  Bytes wire;
  type0(wire, 6, 0, 200, 9, 1);
  append(wire, filler(128, 0));  // 72 bytes never come
  type0(wire, 2, 0, 4, 2, 0);    // Abort (type 2) for chunk stream 6
  be32(wire, 6);
  type0(wire, 6, 10, 3, 9, 1);  // the next message on 6 starts clean
  append(wire, {7, 8, 9});
  ChunkReader r;
  auto msgs = read_all(r, wire);
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0].is(MessageType::Abort));
  CHECK(msgs[1].payload == Bytes{7, 8, 9});
  CHECK(msgs[1].timestamp == 10);
}

TEST_CASE("chunk reader: protocol violations and limits", "[rtmp][chunk]") {
  SECTION("a message above the size limit is refused from its header") {
    ChunkReaderLimits limits;
    limits.max_message_bytes = 1000;
    Bytes wire;
    type0(wire, 6, 0, 1001, 9, 1);
    ChunkReader r(limits);
    r.feed(wire.data(), wire.size());
    CHECK_THROWS_WITH(r.next(), Catch::Contains("exceeds the 1000 byte limit"));
  }
  SECTION("type 2 and 3 cannot start a chunk stream") {
    for (uint8_t first : {uint8_t(0x80 | 5), uint8_t(0xC0 | 5)}) {
      Bytes wire = {first, 0, 0, 0};
      ChunkReader r;
      r.feed(wire.data(), wire.size());
      CHECK_THROWS_WITH(r.next(), Catch::Contains("never started"));
    }
  }
  SECTION("too many chunk streams") {
    ChunkReaderLimits limits;
    limits.max_chunk_streams = 3;
    Bytes wire;
    for (uint8_t csid = 3; csid < 7; ++csid) {
      type0(wire, csid, 0, 200, 9, 1);
      append(wire, filler(128, 0));
    }
    ChunkReader r(limits);
    r.feed(wire.data(), wire.size());
    CHECK_THROWS_WITH(r.next(), Catch::Contains("more than 3 chunk streams"));
  }
  SECTION("unfinished bytes across chunk streams are bounded") {
    ChunkReaderLimits limits;
    limits.max_unfinished_bytes = 300;
    Bytes wire;
    for (uint8_t csid = 3; csid < 6; ++csid) {
      type0(wire, csid, 0, 1000, 9, 1);
      append(wire, filler(128, 0));
    }
    ChunkReader r(limits);
    r.feed(wire.data(), wire.size());
    CHECK_THROWS_WITH(r.next(), Catch::Contains("unfinished"));
  }
  SECTION("a truncated chunk just waits for more bytes") {
    Bytes wire;
    type0(wire, 6, 0, 10, 9, 1);
    append(wire, {1, 2, 3});
    ChunkReader r;
    r.feed(wire.data(), wire.size() - 13);  // part of the header only
    CHECK_FALSE(r.next());
    r.feed(wire.data() + wire.size() - 13, 13);
    CHECK_FALSE(r.next());  // header plus 3 of 10 bytes
  }
}

TEST_CASE("chunk reader: zero-length messages", "[rtmp][chunk]") {
  Bytes wire;
  type0(wire, 4, 5, 0, 8, 1);
  type0(wire, 4, 6, 1, 8, 1);
  wire.push_back(0xAF);
  ChunkReader r;
  auto msgs = read_all(r, wire);
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0].payload.empty());
  CHECK(msgs[1].payload == Bytes{0xAF});
}
