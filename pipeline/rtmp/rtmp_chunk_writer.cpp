#include "pipeline/rtmp/rtmp_chunk_writer.hpp"

#include <algorithm>

namespace mediaemu::pipeline::rtmp {

namespace {

void put_be(std::vector<uint8_t>& out, uint32_t v, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void put_basic_header(std::vector<uint8_t>& out, unsigned fmt, uint32_t csid) {
  auto first = static_cast<uint8_t>(fmt << 6);
  if (csid < 64) {
    out.push_back(static_cast<uint8_t>(first | csid));
  } else if (csid < 320) {
    out.push_back(first);
    out.push_back(static_cast<uint8_t>(csid - 64));
  } else {
    out.push_back(static_cast<uint8_t>(first | 1));
    out.push_back(static_cast<uint8_t>((csid - 64) & 0xFF));
    out.push_back(static_cast<uint8_t>((csid - 64) >> 8));
  }
}

RtmpMessage control_message(MessageType type, std::vector<uint8_t> payload) {
  RtmpMessage m;
  m.type = static_cast<uint8_t>(type);
  m.payload = std::move(payload);
  return m;
}

std::vector<uint8_t> be32(uint32_t v) {
  std::vector<uint8_t> out;
  put_be(out, v, 4);
  return out;
}

}  // namespace

void ChunkWriter::write(std::vector<uint8_t>& out, uint32_t csid, const RtmpMessage& m) const {
  bool extended = m.timestamp >= 0xFFFFFF;
  put_basic_header(out, 0, csid);
  put_be(out, extended ? 0xFFFFFF : m.timestamp, 3);
  put_be(out, static_cast<uint32_t>(m.payload.size()), 3);
  out.push_back(m.type);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(m.stream_id >> (8 * i)));  // little endian
  if (extended) put_be(out, m.timestamp, 4);
  std::size_t sent = 0;
  for (;;) {
    std::size_t n = std::min<std::size_t>(chunk_size_, m.payload.size() - sent);
    out.insert(out.end(), m.payload.begin() + static_cast<std::ptrdiff_t>(sent),
               m.payload.begin() + static_cast<std::ptrdiff_t>(sent + n));
    sent += n;
    if (sent >= m.payload.size()) break;
    put_basic_header(out, 3, csid);
    if (extended) put_be(out, m.timestamp, 4);
  }
}

RtmpMessage set_chunk_size_message(uint32_t size) { return control_message(MessageType::SetChunkSize, be32(size)); }

RtmpMessage window_ack_size_message(uint32_t size) { return control_message(MessageType::WindowAckSize, be32(size)); }

RtmpMessage set_peer_bandwidth_message(uint32_t size, uint8_t limit_type) {
  auto payload = be32(size);
  payload.push_back(limit_type);
  return control_message(MessageType::SetPeerBandwidth, std::move(payload));
}

RtmpMessage acknowledgement_message(uint32_t sequence_number) {
  return control_message(MessageType::Acknowledgement, be32(sequence_number));
}

RtmpMessage user_control_message(UserControlEvent event, uint32_t value) {
  std::vector<uint8_t> payload;
  put_be(payload, static_cast<uint16_t>(event), 2);
  put_be(payload, value, 4);
  return control_message(MessageType::UserControl, std::move(payload));
}

RtmpMessage command_message(uint32_t stream_id, const std::vector<Amf0Value>& values) {
  RtmpMessage m = control_message(MessageType::CommandAmf0, amf0_encode_all(values));
  m.stream_id = stream_id;
  return m;
}

RtmpMessage data_message(uint32_t stream_id, const std::vector<Amf0Value>& values) {
  RtmpMessage m = control_message(MessageType::DataAmf0, amf0_encode_all(values));
  m.stream_id = stream_id;
  return m;
}

}  // namespace mediaemu::pipeline::rtmp
