#include "pipeline/rtmp/rtmp_chunk_reader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

namespace mediaemu::pipeline::rtmp {

namespace {

constexpr uint32_t kExtendedTimestampMarker = 0xFFFFFF;  // RTMP spec 5.3.1.3
constexpr std::size_t kMessageHeaderSize[4] = {11, 7, 3, 0};  // by fmt, RTMP spec 5.3.1.2

uint32_t read_le32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }

}  // namespace

ChunkReader::ChunkReader(ChunkReaderLimits limits) : limits_(limits) {}

void ChunkReader::feed(const uint8_t* data, std::size_t size) { buffer_.insert(buffer_.end(), data, data + size); }

std::optional<RtmpMessage> ChunkReader::next() {
  for (;;) {
    if (body_stream_) {
      ChunkStream& cs = *body_stream_;
      std::size_t take = std::min<std::size_t>(body_remaining_, buffer_.size() - pos_);
      if (unfinished_bytes_ + take > limits_.max_unfinished_bytes) {
        throw RtmpProtocolError("more than " + std::to_string(limits_.max_unfinished_bytes) +
                                " bytes of unfinished messages across chunk streams");
      }
      cs.payload.insert(cs.payload.end(), buffer_.begin() + static_cast<std::ptrdiff_t>(pos_),
                        buffer_.begin() + static_cast<std::ptrdiff_t>(pos_ + take));
      pos_ += take;
      unfinished_bytes_ += take;
      body_remaining_ -= static_cast<uint32_t>(take);
      if (body_remaining_ > 0) {
        compact();
        return std::nullopt;
      }
      body_stream_ = nullptr;
      if (cs.payload.size() == cs.length) return finish_message(body_csid_, cs);
      continue;
    }
    if (!parse_header()) {
      compact();
      return std::nullopt;
    }
    // A zero-length message is complete with its header.
    if (!body_stream_) return finish_message(body_csid_, streams_[body_csid_]);
  }
}

bool ChunkReader::parse_header() {
  const uint8_t* p = buffer_.data() + pos_;
  std::size_t available = buffer_.size() - pos_;
  if (available < 1) return false;

  // Basic header (RTMP spec 5.3.1.1): 2 bits fmt, then a 6-bit chunk stream id where 0 and 1
  // announce the 2- and 3-byte forms for ids 64..319 and 64..65599.
  unsigned fmt = p[0] >> 6;
  uint32_t csid = p[0] & 0x3F;
  std::size_t used = 1;
  if (csid == 0) {
    if (available < 2) return false;
    csid = 64u + p[1];
    used = 2;
  } else if (csid == 1) {
    if (available < 3) return false;
    csid = 64u + p[1] + 256u * p[2];
    used = 3;
  }
  if (available < used + kMessageHeaderSize[fmt]) return false;

  auto found = streams_.find(csid);
  if (found == streams_.end()) {
    // Type 0 starts a chunk stream (RTMP spec 5.3.1.2.1); type 1 carries everything but the
    // message stream id, which we take as 0. Types 2 and 3 have nothing to build on.
    if (fmt >= 2) {
      throw RtmpProtocolError("chunk stream " + std::to_string(csid) + " begins with a type " + std::to_string(fmt) +
                              " header, which continues a message that never started");
    }
    if (streams_.size() >= limits_.max_chunk_streams) {
      throw RtmpProtocolError("more than " + std::to_string(limits_.max_chunk_streams) + " chunk streams in use");
    }
  }
  const ChunkStream fresh;
  const ChunkStream& prev = found == streams_.end() ? fresh : found->second;

  const uint8_t* h = p + used;
  uint32_t ts_field = prev.delta;
  uint32_t length = prev.length;
  uint8_t type = prev.type;
  uint32_t stream_id = prev.stream_id;
  if (fmt <= 2) ts_field = read_be24(h);
  if (fmt <= 1) {
    length = read_be24(h + 3);
    type = h[6];
  }
  if (fmt == 0) stream_id = read_le32(h + 7);
  used += kMessageHeaderSize[fmt];

  bool continuation = fmt == 3 && prev.in_message;
  bool extended = fmt <= 2 ? ts_field == kExtendedTimestampMarker : prev.extended;
  if (extended) {
    if (available < used + 4) return false;
    uint32_t field = read_be32(p + used);
    if (!continuation) {
      ts_field = field;
      used += 4;
    } else if (field == prev.extended_field) {
      // Type 3 continuation chunks repeat the extended timestamp (what librtmp and ffmpeg
      // send); a peer that leaves it out has payload here instead, which we keep.
      used += 4;
    }
  }

  ChunkStream& cs = streams_[csid];
  if (!continuation) {
    if (cs.in_message) {
      spdlog::debug("rtmp: chunk stream {} starts a new message before finishing the last one; dropped {} bytes",
                    csid, cs.payload.size());
      drop_unfinished(cs);
    }
    if (length > limits_.max_message_bytes) {
      throw RtmpProtocolError("message of " + std::to_string(length) + " bytes (type " + std::to_string(type) +
                              ") exceeds the " + std::to_string(limits_.max_message_bytes) + " byte limit");
    }
    switch (fmt) {
      case 0: cs.timestamp = ts_field; break;  // absolute
      default: cs.timestamp += ts_field; break;  // a delta; type 3 reuses the last one (5.3.1.2.4)
    }
    cs.delta = ts_field;
    cs.length = length;
    cs.type = type;
    cs.stream_id = stream_id;
    if (fmt <= 2) {
      cs.extended = extended;
      cs.extended_field = ts_field;
    }
    cs.in_message = true;
    cs.payload.clear();
  }
  pos_ += used;
  body_csid_ = csid;
  body_remaining_ = std::min<uint32_t>(chunk_size_, cs.length - static_cast<uint32_t>(cs.payload.size()));
  body_stream_ = body_remaining_ > 0 ? &cs : nullptr;
  return true;
}

RtmpMessage ChunkReader::finish_message(uint32_t csid, ChunkStream& cs) {
  RtmpMessage m;
  m.type = cs.type;
  m.stream_id = cs.stream_id;
  m.timestamp = cs.timestamp;
  m.chunk_stream_id = csid;
  m.payload = std::move(cs.payload);
  unfinished_bytes_ -= m.payload.size();
  cs.payload = {};
  cs.in_message = false;
  apply_control(m);
  return m;
}

void ChunkReader::drop_unfinished(ChunkStream& cs) {
  unfinished_bytes_ -= cs.payload.size();
  cs.payload = {};
  cs.in_message = false;
}

void ChunkReader::apply_control(const RtmpMessage& m) {
  if (m.is(MessageType::SetChunkSize)) {
    if (m.payload.size() < 4) throw RtmpProtocolError("Set Chunk Size message of " + std::to_string(m.payload.size()) + " bytes");
    uint32_t size = read_be32(m.payload.data());
    // RTMP spec 5.4.1: the first bit must be zero; sizes run from 1 to 0x7FFFFFFF.
    if (size == 0 || size > 0x7FFFFFFF) {
      throw RtmpProtocolError("Set Chunk Size " + std::to_string(size) + " is outside 1..2147483647 (RTMP spec 5.4.1)");
    }
    if (size > limits_.max_chunk_size) {
      throw RtmpProtocolError("Set Chunk Size " + std::to_string(size) + " exceeds the limit of " +
                              std::to_string(limits_.max_chunk_size));
    }
    chunk_size_ = size;
  } else if (m.is(MessageType::Abort)) {
    // RTMP spec 5.4.2: discard the partly received message of that chunk stream.
    if (m.payload.size() < 4) throw RtmpProtocolError("Abort message of " + std::to_string(m.payload.size()) + " bytes");
    auto it = streams_.find(read_be32(m.payload.data()));
    if (it != streams_.end() && it->second.in_message) drop_unfinished(it->second);
  }
}

void ChunkReader::compact() {
  // Drop parsed bytes once they dominate, so the buffer stays about one read long.
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  } else if (pos_ > 64 * 1024 && pos_ * 2 > buffer_.size()) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
}

}  // namespace mediaemu::pipeline::rtmp
