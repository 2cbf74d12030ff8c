// Reassembles RTMP messages from the chunk stream (RTMP spec 5.3), fed bytes as they arrive from
// the socket. No I/O here, so it can be unit-tested and fuzzed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "pipeline/rtmp/rtmp_message.hpp"

namespace mediaemu::pipeline::rtmp {

struct ChunkReaderLimits {
  uint32_t max_message_bytes = 16 * 1024 * 1024;
  uint32_t max_chunk_size = 16 * 1024 * 1024;
  std::size_t max_chunk_streams = 64;  // distinct chunk stream ids one peer may use
  // Bytes of messages started but not finished, over all chunk streams together.
  std::size_t max_unfinished_bytes = 32 * 1024 * 1024;
};

class ChunkReader {
 public:
  static constexpr uint32_t kDefaultChunkSize = 128;  // RTMP spec 5.4.1

  explicit ChunkReader(ChunkReaderLimits limits = {});

  void feed(const uint8_t* data, std::size_t size);

  // The next complete message, or nullopt when more bytes are needed. Throws RtmpProtocolError
  // on input that breaks the protocol or the limits. Set Chunk Size and Abort Message take
  // effect here, before any later chunk is parsed, and are returned like any other message.
  std::optional<RtmpMessage> next();

  uint32_t chunk_size() const { return chunk_size_; }
  std::size_t unparsed_bytes() const { return buffer_.size() - pos_; }

 private:
  // What a chunk stream remembers from its previous chunks (RTMP spec 5.3.1.2: later headers
  // omit fields that did not change).
  struct ChunkStream {
    uint32_t timestamp = 0;   // of the current (or last) message
    uint32_t delta = 0;       // the last timestamp field: a delta, or the absolute time after type 0
    uint32_t length = 0;
    uint8_t type = 0;
    uint32_t stream_id = 0;
    bool extended = false;        // the last type 0/1/2 header carried an extended timestamp
    uint32_t extended_field = 0;  // ...and this was its value
    bool in_message = false;      // a message is partly received
    std::vector<uint8_t> payload;
  };

  bool parse_header();  // false: not enough bytes yet (nothing consumed)
  RtmpMessage finish_message(uint32_t csid, ChunkStream& cs);
  void drop_unfinished(ChunkStream& cs);
  void apply_control(const RtmpMessage& m);
  void compact();

  ChunkReaderLimits limits_;
  uint32_t chunk_size_ = kDefaultChunkSize;
  std::vector<uint8_t> buffer_;
  std::size_t pos_ = 0;
  std::unordered_map<uint32_t, ChunkStream> streams_;
  std::size_t unfinished_bytes_ = 0;
  // Inside a chunk's data: which chunk stream, and how many bytes of this chunk are still due.
  uint32_t body_csid_ = 0;
  ChunkStream* body_stream_ = nullptr;
  uint32_t body_remaining_ = 0;
};

}  // namespace mediaemu::pipeline::rtmp
