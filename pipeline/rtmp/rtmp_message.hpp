// An RTMP message (RTMP spec 6.1) as reassembled from chunks, the message type ids, and the
// error raised for protocol violations (which close the one connection that made them).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace mediaemu::pipeline::rtmp {

class RtmpProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Message type ids: protocol control (RTMP spec 5.4), user control (6.2), and the RTMP command
// messages (7.1).
enum class MessageType : uint8_t {
  SetChunkSize = 1,
  Abort = 2,
  Acknowledgement = 3,
  UserControl = 4,
  WindowAckSize = 5,
  SetPeerBandwidth = 6,
  Audio = 8,
  Video = 9,
  DataAmf3 = 15,
  SharedObjectAmf3 = 16,
  CommandAmf3 = 17,
  DataAmf0 = 18,
  SharedObjectAmf0 = 19,
  CommandAmf0 = 20,
  Aggregate = 22,
};

// User control event types (RTMP spec 7.1.7).
enum class UserControlEvent : uint16_t {
  StreamBegin = 0,
  StreamEof = 1,
  StreamDry = 2,
  SetBufferLength = 3,
  StreamIsRecorded = 4,
  PingRequest = 6,
  PingResponse = 7,
};

struct RtmpMessage {
  uint8_t type = 0;
  uint32_t stream_id = 0;        // message stream id
  uint32_t timestamp = 0;        // milliseconds, 32 bits, wraps (RTMP spec 5.3.1.2)
  uint32_t chunk_stream_id = 0;  // the chunk stream it arrived on
  std::vector<uint8_t> payload;

  bool is(MessageType t) const { return type == static_cast<uint8_t>(t); }
};

// Big-endian helpers for payload fields; callers check sizes first.
inline uint32_t read_be24(const uint8_t* p) { return uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2]; }
inline uint32_t read_be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | read_be24(p + 1); }
inline uint16_t read_be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

}  // namespace mediaemu::pipeline::rtmp
