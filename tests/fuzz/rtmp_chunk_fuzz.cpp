// libFuzzer target: the RTMP protocol logic without sockets. The input is what a peer sends
// after (optionally) a valid handshake; it goes through the chunk reader, command dispatch,
// publish authorization and FLV tag parsing into a sink that pushes back now and then.
//
// Input layout: byte 0 = flags, the rest = bytes from the peer.
//   bit 0: prepend a valid plain handshake (most interesting inputs want one)
//   bit 1: the sink refuses every other offer (backpressure path)
//   bit 2: the authorizer refuses publishes
//   bits 3-5: feed the bytes in pieces of 2^n (1..128) instead of all at once
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "pipeline/rtmp/rtmp_connection.hpp"
#include "pipeline/rtmp/testing/rtmp_publisher_script.hpp"

using namespace mediaemu::pipeline;
using namespace mediaemu::pipeline::rtmp;

namespace {

// Checks what the connection promises its sink: configs before frames, one End per publish,
// nothing after End until the next publish is authorized.
struct CheckingSink : IngestSink {
  bool push_back = false;
  bool toggle = false;
  bool ended = false;
  bool video_config = false, audio_config = false;

  void new_publish() { ended = video_config = audio_config = false; }

  bool offer(IngestEvent& e) override {
    if (push_back && (toggle = !toggle)) return false;
    if (ended) std::abort();  // an event after End
    switch (e.type) {
      case IngestEvent::Type::End: ended = true; break;
      case IngestEvent::Type::VideoConfig: video_config = true; break;
      case IngestEvent::Type::AudioConfig: audio_config = true; break;
      case IngestEvent::Type::Frame:
        if (!(e.kind == MediaKind::Video ? video_config : audio_config)) std::abort();  // frame before config
        if (e.data.empty()) std::abort();
        break;
      case IngestEvent::Type::Metadata: break;
    }
    return true;
  }
};

const std::vector<uint8_t>& plain_handshake() {
  static const std::vector<uint8_t> bytes = testing::PublisherScript().handshake().bytes;
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint8_t flags = data[0];
  const uint8_t* input = data + 1;
  std::size_t input_size = size - 1;
  std::size_t piece = std::size_t(1) << ((flags >> 3) & 7);

  auto sink = std::make_shared<CheckingSink>();
  sink->push_back = flags & 2;
  bool refuse = flags & 4;
  std::set<std::string> names;

  RtmpLimits limits;
  limits.max_message_bytes = 256 * 1024;  // keeps memory per input small
  limits.max_chunk_size = 64 * 1024;
  limits.window_ack_size = 4096;  // acknowledgements get exercised
  RtmpConnection::Hooks hooks;
  hooks.authorize = [&](const PublishRequest& r) -> PublishDecision {
    if (refuse || r.stream_name.empty()) return {nullptr, "refused"};
    sink->new_publish();
    return {sink, {}};
  };
  hooks.claim_stream = [&](const std::string& k) { return names.insert(k).second; };
  hooks.release_stream = [&](const std::string& k) {
    if (names.erase(k) != 1) std::abort();  // released a name it never claimed
  };

  {
    RtmpConnection conn("192.0.2.1", 1935, limits, hooks);
    bool closing = false;
    auto pump = [&] {
      for (;;) {
        auto status = conn.process();
        if (status == RtmpConnection::Status::Blocked) continue;  // the sink alternates: progress next time
        closing = status == RtmpConnection::Status::Closing;
        break;
      }
      conn.take_output();
    };
    if (flags & 1) {
      conn.feed(plain_handshake().data(), plain_handshake().size());
      pump();
    }
    for (std::size_t at = 0; at < input_size && !closing;) {
      std::size_t n = std::min(piece, input_size - at);
      conn.feed(input + at, n);
      at += n;
      pump();
    }
    conn.disconnect("fuzz input ended");
    bool delivered = false;  // the sink refuses at most every other offer
    for (int i = 0; i < 4 && !delivered; ++i) delivered = conn.deliver_pending();
    if (!delivered) std::abort();
    if (conn.publishing()) std::abort();
  }
  if (!names.empty()) std::abort();  // every claimed name was released
  return 0;
}
