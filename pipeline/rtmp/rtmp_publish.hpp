// What the RTMP ingest server asks of its owner (may this publisher publish, and where does its
// media go) and the limits it enforces per connection. Shared by the socket-free protocol logic
// (rtmp_connection.hpp) and the Asio server (rtmp_server.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "pipeline/media.hpp"

namespace mediaemu::pipeline::rtmp {

// A publisher asked to publish `stream_name` in application `app`
// (rtmp://host:port/<app>/<stream_name>). Any "?query" suffix is already stripped from both.
struct PublishRequest {
  std::string app;
  std::string stream_name;
  std::string peer_ip;
  uint16_t peer_port = 0;
};

// sink == nullptr refuses the publish; `refusal` then says why (sent to the client as the
// onStatus description and logged).
struct PublishDecision {
  std::shared_ptr<IngestSink> sink;
  std::string refusal;
};

// Called on a network thread, once per publish command; must be quick and thread-safe.
using PublishAuthorizer = std::function<PublishDecision(const PublishRequest&)>;

struct RtmpLimits {
  std::size_t max_connections = 64;
  // A message's length is a 24-bit field (RTMP spec 5.3.1.2.1), so 16 MiB is the format's own
  // ceiling; a lower value protects memory further.
  uint32_t max_message_bytes = 16 * 1024 * 1024;
  // Larger Set Chunk Size values close the connection. The spec (5.4.1) calls every size above
  // 0xFFFFFF equivalent, since no chunk is longer than one message.
  uint32_t max_chunk_size = 16 * 1024 * 1024;
  uint32_t out_chunk_size = 4096;         // announced with Set Chunk Size after connect
  uint32_t window_ack_size = 2'500'000;   // Window Acknowledgement Size / Set Peer Bandwidth we send
  uint32_t max_streams_per_connection = 8;  // createStream calls honoured per connection
  std::chrono::milliseconds handshake_timeout{5000};
  std::chrono::milliseconds read_timeout{10000};      // no byte from the peer for this long
  std::chrono::milliseconds backpressure_retry{5};    // re-offer interval while the sink is full
  std::chrono::milliseconds end_delivery_timeout{5000};  // how long End waits for a full sink
};

}  // namespace mediaemu::pipeline::rtmp
