// RtmpConnection driven without sockets: the byte stream a publisher sends goes in, replies and
// IngestEvents come out.
#include <catch2/catch.hpp>
#include <optional>
#include <set>

#include "pipeline/rtmp/rtmp_connection.hpp"
#include "pipeline/rtmp/rtmp_handshake.hpp"
#include "pipeline/rtmp/testing/rtmp_publisher_script.hpp"

using namespace mediaemu::pipeline;
using namespace mediaemu::pipeline::rtmp;
using mediaemu::pipeline::rtmp::testing::PublisherScript;

namespace {

// Accepts everything, or refuses the next `refuse_next` offers (a full queue).
struct RtmpRecordingSink : IngestSink {
  std::vector<IngestEvent> events;
  int refuse_next = 0;
  int refusals = 0;
  bool open = true;  // false: the consumer is gone for good (its channel stopped)
  bool accepting() const override { return open; }
  bool offer(IngestEvent& e) override {
    if (refuse_next > 0) {
      --refuse_next;
      ++refusals;
      return false;
    }
    events.push_back(std::move(e));
    return true;
  }
};

struct Harness {
  std::shared_ptr<RtmpRecordingSink> sink = std::make_shared<RtmpRecordingSink>();
  std::vector<PublishRequest> requests;
  std::string refusal;           // non-empty: the authorizer refuses with it
  std::set<std::string> taken;   // names another connection publishes
  RtmpLimits limits;
  std::unique_ptr<RtmpConnection> conn;
  std::vector<uint8_t> output;

  RtmpConnection& connection() {
    if (!conn) {
      RtmpConnection::Hooks hooks;
      hooks.authorize = [this](const PublishRequest& r) {
        requests.push_back(r);
        return refusal.empty() ? PublishDecision{sink, {}} : PublishDecision{nullptr, refusal};
      };
      hooks.claim_stream = [this](const std::string& k) { return taken.insert(k).second; };
      hooks.release_stream = [this](const std::string& k) { taken.erase(k); };
      conn = std::make_unique<RtmpConnection>("10.1.2.3", 50000, limits, hooks);
    }
    return *conn;
  }

  RtmpConnection::Status run(const std::vector<uint8_t>& bytes) {
    auto& c = connection();
    c.feed(bytes.data(), bytes.size());
    auto status = c.process();
    auto out = c.take_output();
    output.insert(output.end(), out.begin(), out.end());
    return status;
  }

  // What the server sent after S0+S1+S2, as messages.
  std::vector<RtmpMessage> replies() const {
    constexpr std::size_t hello = 1 + 2 * kHandshakeSize;
    std::vector<RtmpMessage> out;
    if (output.size() <= hello) return out;
    ChunkReader reader;
    reader.feed(output.data() + hello, output.size() - hello);
    while (auto m = reader.next()) out.push_back(std::move(*m));
    return out;
  }

  // The commands among the replies, decoded.
  std::vector<std::vector<Amf0Value>> commands() const {
    std::vector<std::vector<Amf0Value>> out;
    for (const auto& m : replies())
      if (m.is(MessageType::CommandAmf0)) out.push_back(amf0_decode_all(m.payload.data(), m.payload.size()));
    return out;
  }

  std::optional<std::vector<Amf0Value>> find_command(const std::string& name) const {
    for (auto& c : commands())
      if (!c.empty() && c[0].text == name) return c;
    return std::nullopt;
  }
};

std::vector<uint8_t> publish_session(bool digest = false) {
  PublisherScript s;
  s.handshake(digest).set_chunk_size(4096).connect("live").publish("key");
  s.metadata({{"width", Amf0Value::make_number(320)}, {"encoder", Amf0Value::make_string("Lavf59")}});
  s.video(0, PublisherScript::avc_sequence_header());
  s.audio(0, PublisherScript::aac_sequence_header());
  s.video(0, PublisherScript::avc_frame(true, 67, {0x65, 1, 2, 3}));
  s.audio(23, PublisherScript::aac_frame({0x21, 0x10}));
  s.video(33, PublisherScript::avc_frame(false, -33, {0x41, 9}));
  return s.bytes;
}

}  // namespace

TEST_CASE("connection: a publisher's session becomes IngestEvents", "[rtmp][connection]") {
  for (bool digest : {false, true}) {
    INFO("digest handshake: " << digest);
    Harness h;
    CHECK(h.run(publish_session(digest)) == RtmpConnection::Status::NeedData);
    CHECK(h.connection().handshake_description() == (digest ? "digest (schema 0, client version 9.0.124.2)" : "plain"));

    REQUIRE(h.requests.size() == 1);
    CHECK(h.requests[0].app == "live");
    CHECK(h.requests[0].stream_name == "key");
    CHECK(h.requests[0].peer_ip == "10.1.2.3");
    CHECK(h.requests[0].peer_port == 50000);
    CHECK(h.taken.count("live/key") == 1);

    // connect -> window size, bandwidth, chunk size, _result; createStream -> stream 1;
    // publish -> Stream Begin + NetStream.Publish.Start.
    auto replies = h.replies();
    REQUIRE(replies.size() >= 4);
    CHECK(replies[0].is(MessageType::WindowAckSize));
    CHECK(replies[1].is(MessageType::SetPeerBandwidth));
    CHECK(replies[2].is(MessageType::SetChunkSize));
    auto connected = h.find_command("_result");
    REQUIRE(connected);
    CHECK((*connected)[3].get_string("code") == "NetConnection.Connect.Success");
    bool stream_id_one = false, started = false;
    for (const auto& c : h.commands()) {
      if (c[0].text == "_result" && c[1].number == 4) stream_id_one = c[3].number == 1;
      if (c[0].text == "onStatus") started = c[3].get_string("code") == "NetStream.Publish.Start";
    }
    CHECK(stream_id_one);
    CHECK(started);

    auto& ev = h.sink->events;
    REQUIRE(ev.size() == 6);
    CHECK(ev[0].type == IngestEvent::Type::Metadata);
    CHECK(ev[0].metadata.at("width") == "320");
    CHECK(ev[0].metadata.at("encoder") == "Lavf59");
    CHECK(ev[1].type == IngestEvent::Type::VideoConfig);
    auto avcc = PublisherScript::avc_sequence_header();
    CHECK(ev[1].data == std::vector<uint8_t>(avcc.begin() + 5, avcc.end()));
    CHECK(ev[2].type == IngestEvent::Type::AudioConfig);
    CHECK(ev[2].data == std::vector<uint8_t>{0x12, 0x10});
    CHECK(ev[3].type == IngestEvent::Type::Frame);
    CHECK(ev[3].kind == MediaKind::Video);
    CHECK(ev[3].keyframe);
    CHECK(ev[3].cts_ms == 67);
    CHECK(ev[3].data == std::vector<uint8_t>{0, 0, 0, 4, 0x65, 1, 2, 3});
    CHECK(ev[4].kind == MediaKind::Audio);
    CHECK(ev[4].dts_ms == 23);
    CHECK(ev[4].data == std::vector<uint8_t>{0x21, 0x10});
    CHECK_FALSE(ev[5].keyframe);
    CHECK(ev[5].cts_ms == -33);
    CHECK(ev[5].dts_ms == 33);

    // FCUnpublish ends the publish; the name is free again.
    PublisherScript bye;
    bye.command(0, {Amf0Value::make_string("FCUnpublish"), Amf0Value::make_number(6), Amf0Value::make_null(),
                    Amf0Value::make_string("key")});
    h.run(bye.bytes);
    REQUIRE(ev.size() == 7);
    CHECK(ev[6].type == IngestEvent::Type::End);
    CHECK_THAT(ev[6].reason, Catch::Contains("FCUnpublish"));
    CHECK(h.taken.empty());
    h.connection().disconnect("peer closed the connection");
    CHECK(ev.size() == 7);  // one End per publish
  }
}

TEST_CASE("connection: the sink pushing back blocks, then resumes in order", "[rtmp][connection]") {
  Harness h;
  h.sink->refuse_next = 3;
  auto bytes = publish_session();
  h.connection().feed(bytes.data(), bytes.size());
  int blocked = 0;
  RtmpConnection::Status status;
  while ((status = h.connection().process()) == RtmpConnection::Status::Blocked) ++blocked;
  CHECK(status == RtmpConnection::Status::NeedData);
  CHECK(blocked == 3);
  REQUIRE(h.sink->events.size() == 6);
  CHECK(h.sink->events[0].type == IngestEvent::Type::Metadata);
  CHECK(h.sink->events[5].dts_ms == 33);
}

TEST_CASE("connection: a refused publish answers BadName with the reason, then closes", "[rtmp][connection]") {
  Harness h;
  h.refusal = "no RUNNING channel has an input with stream key 'key'";
  PublisherScript s;
  s.handshake().connect("live").publish("key?token=1");
  CHECK(h.run(s.bytes) == RtmpConnection::Status::Closing);
  REQUIRE(h.requests.size() == 1);
  CHECK(h.requests[0].stream_name == "key");  // the query is not part of the name
  auto status = h.find_command("onStatus");
  REQUIRE(status);
  CHECK((*status)[3].get_string("level") == "error");
  CHECK((*status)[3].get_string("code") == "NetStream.Publish.BadName");
  CHECK((*status)[3].get_string("description") == h.refusal);
  CHECK(h.connection().close_logged());
  CHECK(h.taken.empty());
  CHECK(h.sink->events.empty());
}

TEST_CASE("connection: a name already being published is refused", "[rtmp][connection]") {
  Harness h;
  h.taken.insert("live/key");
  PublisherScript s;
  s.handshake().connect("live").publish("key");
  CHECK(h.run(s.bytes) == RtmpConnection::Status::Closing);
  CHECK(h.requests.empty());  // refused before asking the authorizer
  auto status = h.find_command("onStatus");
  REQUIRE(status);
  CHECK((*status)[3].get_string("code") == "NetStream.Publish.BadName");
  CHECK_THAT((*status)[3].get_string("description"), Catch::Contains("already being published"));
  CHECK(h.taken.count("live/key") == 1);  // still the other publisher's
}

TEST_CASE("connection: codecs other than H.264 and AAC close the publish with a clear reason", "[rtmp][connection]") {
  struct Case {
    bool video;
    std::vector<uint8_t> body;
    const char* codec;
  };
  std::vector<Case> cases = {
      {true, {0x90, 'h', 'v', 'c', '1', 0, 0, 0}, "HEVC (hvc1)"},  // enhanced RTMP sequence start
      {true, {0x91, 'a', 'v', '0', '1'}, "AV1 (av01)"},
      {true, {0x12, 0, 0}, "Sorenson H.263"},
      {false, {0x2F, 0xFF, 0xFB}, "MP3"},
  };
  for (const auto& c : cases) {
    INFO(c.codec);
    Harness h;
    PublisherScript s;
    s.handshake().connect("live").publish("key");
    if (c.video) s.video(0, c.body);
    else s.audio(0, c.body);
    CHECK(h.run(s.bytes) == RtmpConnection::Status::Closing);
    CHECK_THAT(h.connection().close_reason(), Catch::Contains(std::string("codec ") + c.codec));
    CHECK_THAT(h.connection().close_reason(),
               Catch::Contains("is not supported; mediaemu ingests H.264 video and AAC audio"));
    REQUIRE(h.sink->events.size() == 1);
    CHECK(h.sink->events[0].type == IngestEvent::Type::End);
    CHECK(h.sink->events[0].reason == h.connection().close_reason());
  }
}

TEST_CASE("connection: H.264 in enhanced-RTMP (avc1 fourcc) is accepted", "[rtmp][connection]") {
  Harness h;
  PublisherScript s;
  s.handshake().connect("live").publish("key");
  auto config = PublisherScript::avc_sequence_header();
  std::vector<uint8_t> start = {0x90, 'a', 'v', 'c', '1'};
  start.insert(start.end(), config.begin() + 5, config.end());
  s.video(0, start);
  s.video(40, {0xA3, 'a', 'v', 'c', '1', 0, 0, 0, 1, 0x41});  // CodedFramesX, inter frame
  s.video(40, {0xD0, 0x00});  // a command frame (VideoCommand StartSeek): no FourCC, no picture
  CHECK(h.run(s.bytes) == RtmpConnection::Status::NeedData);
  REQUIRE(h.sink->events.size() == 2);
  CHECK(h.sink->events[0].type == IngestEvent::Type::VideoConfig);
  CHECK(h.sink->events[1].dts_ms == 40);
  CHECK_FALSE(h.sink->events[1].keyframe);
}

TEST_CASE("connection: a sink that stops accepting disconnects the publisher", "[rtmp][connection]") {
  Harness h;
  PublisherScript s;
  s.handshake().connect("live").publish("key");
  s.video(0, PublisherScript::avc_sequence_header());
  CHECK(h.run(s.bytes) == RtmpConnection::Status::NeedData);
  h.sink->open = false;  // the channel stopped
  PublisherScript more;
  more.video(33, PublisherScript::avc_frame(true, 0, {0x65}));
  CHECK(h.run(more.bytes) == RtmpConnection::Status::Closing);
  CHECK_THAT(h.connection().close_reason(), Catch::Contains("its channel stopped"));
  CHECK(h.sink->events.back().type == IngestEvent::Type::End);
}

TEST_CASE("connection: frames before their sequence header are dropped", "[rtmp][connection]") {
  Harness h;
  PublisherScript s;
  s.handshake().connect("live").publish("key");
  s.video(0, PublisherScript::avc_frame(true, 0, {0x65}));
  s.video(0, PublisherScript::avc_sequence_header());
  s.video(33, PublisherScript::avc_frame(true, 0, {0x65}));
  h.run(s.bytes);
  REQUIRE(h.sink->events.size() == 2);
  CHECK(h.sink->events[0].type == IngestEvent::Type::VideoConfig);
  CHECK(h.sink->events[1].dts_ms == 33);
}

TEST_CASE("connection: timestamps keep growing across the 32-bit wrap", "[rtmp][connection]") {
  Harness h;
  PublisherScript s;
  s.handshake().connect("live").publish("key");
  s.audio(0xFFFFFFE0u, PublisherScript::aac_sequence_header());
  s.audio(0xFFFFFFF7u, PublisherScript::aac_frame({1}));
  s.audio(0x0000000Eu, PublisherScript::aac_frame({2}));  // wrapped
  h.run(s.bytes);
  REQUIRE(h.sink->events.size() == 3);
  CHECK(h.sink->events[1].dts_ms == 0xFFFFFFF7LL);
  CHECK(h.sink->events[2].dts_ms == 0x10000000ELL);
}

TEST_CASE("connection: acknowledgements, pings and unknown commands", "[rtmp][connection]") {
  Harness h;
  h.limits.window_ack_size = 3100;  // just above the handshake's 3073 bytes
  PublisherScript s;
  s.handshake().connect("live");
  s.message(2, 4, 0, 0, {0, 6, 0, 0, 0x12, 0x34});  // User Control: Ping Request
  s.command(0, {Amf0Value::make_string("getStreamLength"), Amf0Value::make_number(9), Amf0Value::make_null()});
  s.command(0, {Amf0Value::make_string("someNotification"), Amf0Value::make_number(0), Amf0Value::make_null()});
  CHECK(h.run(s.bytes) == RtmpConnection::Status::NeedData);
  bool ack = false, pong = false;
  for (const auto& m : h.replies()) {
    if (m.is(MessageType::Acknowledgement)) ack = read_be32(m.payload.data()) == h.connection().bytes_received();
    if (m.is(MessageType::UserControl)) pong = m.payload == std::vector<uint8_t>{0, 7, 0, 0, 0x12, 0x34};
  }
  CHECK(ack);
  CHECK(pong);
  auto error = h.find_command("_error");
  REQUIRE(error);
  CHECK((*error)[1].number == 9);
  CHECK_THAT((*error)[3].get_string("description"), Catch::Contains("getStreamLength"));
  CHECK(h.commands().size() == 2);  // _result for connect, _error; the notification got nothing
}

TEST_CASE("connection: garbage and protocol errors close with a reason", "[rtmp][connection]") {
  SECTION("bad handshake version") {
    Harness h;
    std::string http = "GET / HTTP/1.1\r\n\r\n";
    CHECK(h.run(std::vector<uint8_t>(http.begin(), http.end())) == RtmpConnection::Status::Closing);
    CHECK_THAT(h.connection().close_reason(), Catch::Contains("bad handshake version 71") && Catch::Contains("HTTP"));
  }
  SECTION("RTMPE") {
    Harness h;
    CHECK(h.run({6}) == RtmpConnection::Status::Closing);
    CHECK_THAT(h.connection().close_reason(), Catch::Contains("RTMPE"));
  }
  SECTION("a command before connect") {
    Harness h;
    PublisherScript s;
    s.handshake().publish("key");
    CHECK(h.run(s.bytes) == RtmpConnection::Status::Closing);
    CHECK_THAT(h.connection().close_reason(), Catch::Contains("before connect"));
  }
  SECTION("a message over the limit") {
    Harness h;
    h.limits.max_message_bytes = 1000;
    PublisherScript s;
    s.handshake().connect("live").publish("key");
    s.video(0, std::vector<uint8_t>(1001, 0x17));
    CHECK(h.run(s.bytes) == RtmpConnection::Status::Closing);
    CHECK_THAT(h.connection().close_reason(), Catch::Contains("exceeds the 1000 byte limit"));
    REQUIRE(h.sink->events.size() == 1);  // the publish ends
    CHECK(h.sink->events[0].type == IngestEvent::Type::End);
  }
  SECTION("a malformed command") {
    Harness h;
    PublisherScript s;
    s.handshake();
    s.message(3, 20, 0, 0, {0x02, 0x00, 0x40, 'c'});
    CHECK(h.run(s.bytes) == RtmpConnection::Status::Closing);
    CHECK_THAT(h.connection().close_reason(), Catch::Contains("malformed command"));
  }
}
