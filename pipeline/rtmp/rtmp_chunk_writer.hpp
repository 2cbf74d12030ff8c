// Splits outgoing RTMP messages into chunks (RTMP spec 5.3), and builds the protocol control,
// user control and command messages the server sends.
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/rtmp/amf0.hpp"
#include "pipeline/rtmp/rtmp_message.hpp"

namespace mediaemu::pipeline::rtmp {

class ChunkWriter {
 public:
  explicit ChunkWriter(uint32_t chunk_size = 128) : chunk_size_(chunk_size) {}

  // Takes effect for messages written after the Set Chunk Size message that announced it.
  void set_chunk_size(uint32_t size) { chunk_size_ = size; }
  uint32_t chunk_size() const { return chunk_size_; }

  // Appends `m` to `out` on chunk stream `csid` (2..65599): a type 0 chunk, then type 3 chunks.
  // Timestamps from 0xFFFFFF up go in the extended field, repeated on every type 3 chunk.
  void write(std::vector<uint8_t>& out, uint32_t csid, const RtmpMessage& m) const;

 private:
  uint32_t chunk_size_;
};

// Chunk stream 2 is reserved for protocol control messages (RTMP spec 5.4); commands use 3.
constexpr uint32_t kControlChunkStream = 2;
constexpr uint32_t kCommandChunkStream = 3;

RtmpMessage set_chunk_size_message(uint32_t size);
RtmpMessage window_ack_size_message(uint32_t size);
// limit_type: 0 hard, 1 soft, 2 dynamic (RTMP spec 5.4.5).
RtmpMessage set_peer_bandwidth_message(uint32_t size, uint8_t limit_type);
RtmpMessage acknowledgement_message(uint32_t sequence_number);
RtmpMessage user_control_message(UserControlEvent event, uint32_t value);
// An AMF0 command (type 20) or data (type 18) message made of `values`.
RtmpMessage command_message(uint32_t stream_id, const std::vector<Amf0Value>& values);
RtmpMessage data_message(uint32_t stream_id, const std::vector<Amf0Value>& values);

}  // namespace mediaemu::pipeline::rtmp
