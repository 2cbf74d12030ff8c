#include "pipeline/rtmp/rtmp_connection.hpp"

#include <spdlog/spdlog.h>

#include <random>

#include "pipeline/rtmp/flv_tags.hpp"
#include "pipeline/rtmp/rtmp_handshake.hpp"

namespace mediaemu::pipeline::rtmp {

namespace {

ChunkReaderLimits reader_limits(const RtmpLimits& l) {
  ChunkReaderLimits r;
  r.max_message_bytes = l.max_message_bytes;
  r.max_chunk_size = l.max_chunk_size;
  r.max_unfinished_bytes = 2 * std::size_t(l.max_message_bytes);
  return r;
}

// "live?token=x" -> "live"; "/live/" -> "live". Query strings carry client options or tokens that
// are no part of the name a publisher is known by.
std::string strip_name(std::string name) {
  if (auto q = name.find('?'); q != std::string::npos) name.resize(q);
  while (!name.empty() && name.back() == '/') name.pop_back();
  while (!name.empty() && name.front() == '/') name.erase(name.begin());
  return name;
}

Amf0Property prop(std::string name, Amf0Value v) { return {std::move(name), std::move(v)}; }
Amf0Value str(std::string s) { return Amf0Value::make_string(std::move(s)); }
Amf0Value num(double v) { return Amf0Value::make_number(v); }

}  // namespace

RtmpConnection::RtmpConnection(std::string peer_ip, uint16_t peer_port, const RtmpLimits& limits, Hooks hooks)
    : peer_ip_(std::move(peer_ip)),
      peer_port_(peer_port),
      peer_(peer_ip_ + ":" + std::to_string(peer_port_)),
      limits_(limits),
      hooks_(std::move(hooks)),
      reader_(reader_limits(limits)),
      ack_window_(limits.window_ack_size) {}

RtmpConnection::~RtmpConnection() {
  // A session always calls disconnect() first; this only guards the name reservation.
  if (publishing_ && hooks_.release_stream) hooks_.release_stream(publish_key_);
}

void RtmpConnection::feed(const uint8_t* data, std::size_t size) {
  bytes_received_ += size;
  if (phase_ != Phase::Messages) {
    handshake_bytes_.insert(handshake_bytes_.end(), data, data + size);
    return;
  }
  reader_.feed(data, size);
  // RTMP spec 5.4.3: acknowledge once the peer has sent a window's worth since the last ack.
  // The sequence number is the byte count so far, modulo 2^32.
  if (ack_window_ > 0 && !closing_ && bytes_received_ - bytes_acknowledged_ >= ack_window_) {
    bytes_acknowledged_ = bytes_received_;
    send(acknowledgement_message(static_cast<uint32_t>(bytes_received_)));
  }
}

RtmpConnection::Status RtmpConnection::process() {
  try {
    while (!closing_) {
      if (!deliver_pending()) return Status::Blocked;
      if (sink_ && !sink_->accepting()) {
        close("the input stopped taking media (its channel stopped)");
        break;
      }
      if (phase_ != Phase::Messages) {
        if (!advance_handshake()) return closing_ ? Status::Closing : Status::NeedData;
        continue;
      }
      std::optional<RtmpMessage> m = reader_.next();
      if (!m) return Status::NeedData;
      handle(*m);
    }
  } catch (const RtmpProtocolError& e) {
    close(std::string("protocol error: ") + e.what());
  } catch (const Amf0Error& e) {
    close(std::string("malformed command: ") + e.what());
  } catch (const std::exception& e) {
    close(std::string("internal error: ") + e.what());
  }
  try {
    deliver_pending();  // the End, if the sink has room; the session retries otherwise
  } catch (const std::exception& e) {
    spdlog::warn("rtmp {}: ingest sink failed: {}", peer_, e.what());
  }
  return Status::Closing;
}

bool RtmpConnection::advance_handshake() {
  if (phase_ == Phase::AwaitC0C1) {
    if (handshake_bytes_.empty()) return false;
    // Fail on the first byte, so a stray HTTP request or TLS hello is turned away at once.
    uint8_t version = handshake_bytes_[0];
    if (version != kRtmpVersion) {
      std::string what = "bad handshake version " + std::to_string(version) + " (expected 3)";
      if (version == 6 || version == 8 || version == 9) what += ": encrypted RTMP (RTMPE) is not supported";
      if (version == 'G' || version == 'P' || version == 'H') what += ": this looks like HTTP, not RTMP";
      if (version == 0x16) what += ": this looks like TLS; mediaemu serves plain rtmp://";
      close(what);
      return false;
    }
    if (handshake_bytes_.size() < 1 + kHandshakeSize) return false;
    // S1/S2 filler: it only has to differ between connections, not be secret (xorshift64).
    std::vector<uint8_t> random(2 * kHandshakeSize);
    uint64_t x = (uint64_t(std::random_device{}()) << 32 | bytes_received_) | 1;
    for (auto& b : random) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      b = static_cast<uint8_t>(x >> 24);
    }
    ServerHello hello = answer_client_hello(handshake_bytes_.data() + 1, random);
    output_.insert(output_.end(), hello.s0s1s2.begin(), hello.s0s1s2.end());
    handshake_description_ = hello.description;
    handshake_bytes_.erase(handshake_bytes_.begin(), handshake_bytes_.begin() + 1 + kHandshakeSize);
    phase_ = Phase::AwaitC2;
  }
  // C2 echoes S1 (plain) or is signed from our digest; no client depends on us checking it.
  if (handshake_bytes_.size() < kHandshakeSize) return false;
  phase_ = Phase::Messages;
  spdlog::debug("rtmp {}: handshake done ({})", peer_, handshake_description_);
  std::vector<uint8_t> rest(handshake_bytes_.begin() + kHandshakeSize, handshake_bytes_.end());
  handshake_bytes_ = {};
  bytes_received_ -= rest.size();  // feed() counts them again
  feed(rest.data(), rest.size());
  return true;
}

void RtmpConnection::handle(const RtmpMessage& m) {
  switch (static_cast<MessageType>(m.type)) {
    case MessageType::SetChunkSize:
      spdlog::debug("rtmp {}: peer chunk size is now {}", peer_, reader_.chunk_size());
      return;
    case MessageType::WindowAckSize:
      if (m.payload.size() >= 4) ack_window_ = read_be32(m.payload.data());
      return;
    case MessageType::UserControl:
      return handle_user_control(m);
    case MessageType::CommandAmf0:
      return handle_command(m, 0);
    case MessageType::CommandAmf3:
      // AMF3 command messages start with a format selector byte, 0 meaning the rest is AMF0
      // (the only form encoders send).
      if (!m.payload.empty()) handle_command(m, 1);
      return;
    case MessageType::DataAmf0:
      return handle_data(m, 0);
    case MessageType::DataAmf3:
      if (!m.payload.empty()) handle_data(m, 1);
      return;
    case MessageType::Audio:
    case MessageType::Video:
      return handle_media(m);
    case MessageType::Aggregate:
      return handle_aggregate(m);
    case MessageType::Abort:             // applied by the chunk reader
    case MessageType::Acknowledgement:   // the peer acknowledging our few bytes
    case MessageType::SetPeerBandwidth:  // limits what we send; we send little
    case MessageType::SharedObjectAmf0:
    case MessageType::SharedObjectAmf3:
      return;
  }
  spdlog::debug("rtmp {}: ignoring message type {} ({} bytes)", peer_, m.type, m.payload.size());
}

void RtmpConnection::handle_user_control(const RtmpMessage& m) {
  if (m.payload.size() < 2) return;
  auto event = static_cast<UserControlEvent>(read_be16(m.payload.data()));
  // RTMP spec 7.1.7: a ping request is answered with its own timestamp.
  if (event == UserControlEvent::PingRequest && m.payload.size() >= 6) {
    send(user_control_message(UserControlEvent::PingResponse, read_be32(m.payload.data() + 2)));
  }
}

void RtmpConnection::handle_command(const RtmpMessage& m, std::size_t amf_offset) {
  std::vector<Amf0Value> values = amf0_decode_all(m.payload.data() + amf_offset, m.payload.size() - amf_offset, amf_limits_);
  if (values.empty() || !values[0].is_string()) throw RtmpProtocolError("command message does not start with a name");
  const std::string& name = values[0].text;
  double txn = values.size() > 1 && values[1].is_number() ? values[1].number : 0;
  const Amf0Value* command_object = values.size() > 2 ? &values[2] : nullptr;
  std::vector<Amf0Value> args(values.size() > 3 ? values.begin() + 3 : values.end(), values.end());

  if (name == "connect") return on_connect(txn, command_object);
  if (!connected_) throw RtmpProtocolError("command '" + name + "' before connect");
  if (name == "createStream") return on_create_stream(txn);
  if (name == "publish") return on_publish(m.stream_id, args);
  if (name == "releaseStream" || name == "FCPublish") {
    // Flash Media Live Encoder conventions, sent before publish by OBS, ffmpeg and librtmp.
    std::string stream = !args.empty() && args[0].is_string() ? strip_name(args[0].text) : std::string();
    if (name == "FCPublish") {
      send(command_message(0, {str("onFCPublish"), num(0), Amf0Value::make_null(),
                               Amf0Value::make_object({prop("code", str("NetStream.Publish.Start")),
                                                       prop("description", str(stream))})}));
    }
    if (txn > 0) send_result(txn, Amf0Value::make_undefined());
    return;
  }
  if (name == "FCUnpublish" || name == "deleteStream" || name == "closeStream") {
    if (publishing_) {
      send_status(publish_stream_id_, "status", "NetStream.Unpublish.Success", publish_key_ + " is now unpublished.");
      end_publish("publisher unpublished (" + name + ")");
    }
    if (name == "FCUnpublish" && txn > 0) send_result(txn, Amf0Value::make_undefined());
    return;
  }
  // Replies to calls we never make, and bandwidth-check chatter: nothing to answer.
  if (name == "_result" || name == "_error" || name == "onStatus" || name == "onBWDone") return;
  if (txn > 0) {
    send_error(txn, "mediaemu does not support the '" + name + "' command (it accepts publishers only)");
  } else {
    spdlog::debug("rtmp {}: ignoring command '{}'", peer_, name);
  }
}

void RtmpConnection::on_connect(double txn, const Amf0Value* command_object) {
  if (connected_) {
    spdlog::debug("rtmp {}: ignoring a second connect", peer_);
    return;
  }
  Amf0Value empty = Amf0Value::make_object({});
  const Amf0Value& obj = command_object && command_object->has_properties() ? *command_object : empty;
  app_ = strip_name(obj.get_string("app"));
  spdlog::debug("rtmp {}: connect app='{}' tcUrl='{}' flashVer='{}'", peer_, app_, obj.get_string("tcUrl"),
                obj.get_string("flashVer"));
  // The usual server answer (RTMP spec 7.2.1.1): window sizes, our chunk size, then _result.
  send(window_ack_size_message(limits_.window_ack_size));
  send(set_peer_bandwidth_message(limits_.window_ack_size, 2));
  send(set_chunk_size_message(limits_.out_chunk_size));
  writer_.set_chunk_size(limits_.out_chunk_size);
  send(command_message(0, {str("_result"), num(txn),
                           Amf0Value::make_object({prop("fmsVer", str("FMS/3,5,7,7009")), prop("capabilities", num(31)),
                                                   prop("mode", num(1))}),
                           Amf0Value::make_object({prop("level", str("status")),
                                                   prop("code", str("NetConnection.Connect.Success")),
                                                   prop("description", str("Connection succeeded.")),
                                                   prop("objectEncoding", num(0))})}));
  connected_ = true;
}

void RtmpConnection::on_create_stream(double txn) {
  if (streams_created_ >= limits_.max_streams_per_connection) {
    send_error(txn, "too many streams on one connection (limit " + std::to_string(limits_.max_streams_per_connection) + ")");
    return;
  }
  ++streams_created_;
  send_result(txn, num(streams_created_));  // message stream ids 1, 2, ...
}

void RtmpConnection::on_publish(uint32_t stream_id, const std::vector<Amf0Value>& args) {
  // publish(name, type) (RTMP spec 7.2.2.6): type is live, record or append; we take them alike.
  std::string stream = !args.empty() && args[0].is_string() ? strip_name(args[0].text) : std::string();
  std::string target = app_ + "/" + stream;
  if (publishing_) return refuse_publish(stream_id, target, "this connection already publishes " + publish_key_);
  if (stream.empty()) return refuse_publish(stream_id, target, "publish needs a stream name (the stream key)");
  if (hooks_.claim_stream && !hooks_.claim_stream(target)) {
    return refuse_publish(stream_id, target, "stream " + target + " is already being published");
  }
  PublishDecision decision;
  try {
    if (hooks_.authorize) decision = hooks_.authorize(PublishRequest{app_, stream, peer_ip_, peer_port_});
  } catch (const std::exception& e) {
    decision = {nullptr, std::string("authorization failed: ") + e.what()};
  }
  if (!decision.sink) {
    if (hooks_.release_stream) hooks_.release_stream(target);
    return refuse_publish(stream_id, target, decision.refusal.empty() ? "publish refused" : decision.refusal);
  }
  publishing_ = true;
  publish_key_ = target;
  publish_stream_id_ = stream_id;
  sink_ = std::move(decision.sink);
  have_video_config_ = have_audio_config_ = false;
  warned_frame_before_config_ = warned_malformed_ = false;
  timestamps_started_ = false;
  video_frames_ = audio_frames_ = 0;
  send(user_control_message(UserControlEvent::StreamBegin, stream_id));
  send_status(stream_id, "status", "NetStream.Publish.Start", target + " is now published.");
  spdlog::info("rtmp {}: publishing {} (handshake {})", peer_, target, handshake_description_);
}

void RtmpConnection::refuse_publish(uint32_t stream_id, const std::string& target, const std::string& reason) {
  send_status(stream_id, "error", "NetStream.Publish.BadName", reason);
  spdlog::warn("rtmp {}: refused publish of {}: {}", peer_, target, reason);
  close("publish refused: " + reason, true);
}

void RtmpConnection::end_publish(const std::string& reason) {
  if (!publishing_) return;
  IngestEvent end;
  end.type = IngestEvent::Type::End;
  end.reason = reason;
  end.dts_ms = unwrapped_timestamp_;
  queue_event(std::move(end));
  if (hooks_.release_stream) hooks_.release_stream(publish_key_);
  publishing_ = false;
  sink_.reset();
  spdlog::info("rtmp {}: publish of {} ended after {} video and {} audio frames: {}", peer_, publish_key_,
               video_frames_, audio_frames_, reason);
}

void RtmpConnection::handle_data(const RtmpMessage& m, std::size_t amf_offset) {
  if (!publishing_) return;
  std::vector<Amf0Value> values;
  try {
    values = amf0_decode_all(m.payload.data() + amf_offset, m.payload.size() - amf_offset, amf_limits_);
  } catch (const Amf0Error& e) {
    spdlog::warn("rtmp {}: ignoring a malformed data message: {}", peer_, e.what());
    return;
  }
  // @setDataFrame("onMetaData", {...}) from encoders, or a bare onMetaData({...}).
  std::size_t i = !values.empty() && values[0].is_string() && values[0].text == "@setDataFrame" ? 1 : 0;
  if (values.size() < i + 2 || !values[i].is_string() || values[i].text != "onMetaData" ||
      !values[i + 1].has_properties()) {
    spdlog::debug("rtmp {}: ignoring data message '{}'", peer_, values.empty() ? "" : values[0].to_text());
    return;
  }
  IngestEvent event;
  event.type = IngestEvent::Type::Metadata;
  event.dts_ms = unwrap_timestamp(m.timestamp);
  for (const auto& p : values[i + 1].properties) event.metadata[p.name] = p.value.to_text();
  queue_event(std::move(event));
}

void RtmpConnection::handle_media(const RtmpMessage& m) {
  if (!publishing_) return;
  bool video = m.is(MessageType::Video);
  TagResult tag = video ? parse_video_tag(m.payload) : parse_audio_tag(m.payload);
  switch (tag.kind) {
    case TagResult::Kind::Skip:
      return;
    case TagResult::Kind::Malformed:
      if (!warned_malformed_) spdlog::warn("rtmp {}: dropping malformed {} data: {}", peer_, video ? "video" : "audio", tag.detail);
      warned_malformed_ = true;
      return;
    case TagResult::Kind::Unsupported: {
      std::string text = unsupported_codec_text(tag.detail);
      spdlog::warn("rtmp {}: {}; closing the publish of {}", peer_, text, publish_key_);
      send_status(publish_stream_id_, "error", "NetStream.Failed", text);
      close(text, true);
      return;
    }
    case TagResult::Kind::Event:
      break;
  }
  IngestEvent& event = tag.event;
  event.dts_ms = unwrap_timestamp(m.timestamp);
  bool& configured = video ? have_video_config_ : have_audio_config_;
  if (event.type != IngestEvent::Type::Frame) {
    configured = true;
  } else if (!configured) {
    // A decoder cannot start without the sequence header; frames before it are useless.
    if (!warned_frame_before_config_) {
      spdlog::info("rtmp {}: dropping {} frames until its sequence header arrives", peer_, video ? "video" : "audio");
    }
    warned_frame_before_config_ = true;
    return;
  } else {
    ++(video ? video_frames_ : audio_frames_);
  }
  queue_event(std::move(event));
}

void RtmpConnection::handle_aggregate(const RtmpMessage& m) {
  // An aggregate message (RTMP spec 6.1.1, type 22) holds FLV-tag-like sub-messages:
  // type(1) size(3) timestamp(3) timestamp-high(1) stream id(3), body, back pointer(4). Their
  // timestamps are relative to the first one, which equals the aggregate's.
  const auto& p = m.payload;
  std::size_t at = 0;
  bool first = true;
  uint32_t base = 0;
  while (p.size() - at >= 11) {
    uint8_t type = p[at];
    uint32_t size = read_be24(&p[at + 1]);
    uint32_t ts = read_be24(&p[at + 4]) | uint32_t(p[at + 7]) << 24;
    if (p.size() - at - 11 < size) throw RtmpProtocolError("aggregate sub-message overruns its message");
    if (first) base = ts;
    first = false;
    RtmpMessage sub;
    sub.type = type;
    sub.stream_id = m.stream_id;
    sub.timestamp = m.timestamp + (ts - base);
    sub.payload.assign(p.begin() + static_cast<std::ptrdiff_t>(at + 11),
                       p.begin() + static_cast<std::ptrdiff_t>(at + 11 + size));
    if (sub.is(MessageType::Audio) || sub.is(MessageType::Video)) handle_media(sub);
    else if (sub.is(MessageType::DataAmf0)) handle_data(sub, 0);
    if (closing_) return;
    at += 11 + std::size_t(size) + std::min<std::size_t>(4, p.size() - at - 11 - size);
  }
}

int64_t RtmpConnection::unwrap_timestamp(uint32_t ts) {
  // RTMP timestamps are 32-bit milliseconds that wrap after ~49.7 days (RTMP spec 5.3.1.2);
  // following the signed difference keeps the timeline continuous across the wrap.
  if (!timestamps_started_) {
    timestamps_started_ = true;
    unwrapped_timestamp_ = ts;
  } else {
    unwrapped_timestamp_ += static_cast<int32_t>(ts - last_timestamp_);
  }
  last_timestamp_ = ts;
  return unwrapped_timestamp_;
}

void RtmpConnection::queue_event(IngestEvent event) { pending_.emplace_back(sink_, std::move(event)); }

bool RtmpConnection::deliver_pending() {
  while (!pending_.empty()) {
    auto& [sink, event] = pending_.front();
    if (sink && !sink->offer(event)) return false;
    pending_.pop_front();
  }
  return true;
}

void RtmpConnection::disconnect(const std::string& reason) { close(reason); }

void RtmpConnection::close(const std::string& reason, bool logged) {
  if (closing_) return;
  closing_ = true;
  close_logged_ = logged;
  close_reason_ = reason;
  end_publish(reason);
}

void RtmpConnection::send(const RtmpMessage& m) {
  bool control = m.type <= static_cast<uint8_t>(MessageType::SetPeerBandwidth);
  writer_.write(output_, control ? kControlChunkStream : kCommandChunkStream, m);
}

void RtmpConnection::send_result(double txn, Amf0Value info) {
  send(command_message(0, {str("_result"), num(txn), Amf0Value::make_null(), std::move(info)}));
}

void RtmpConnection::send_error(double txn, const std::string& description) {
  send(command_message(0, {str("_error"), num(txn), Amf0Value::make_null(),
                           Amf0Value::make_object({prop("level", str("error")),
                                                   prop("code", str("NetConnection.Call.Failed")),
                                                   prop("description", str(description))})}));
}

void RtmpConnection::send_status(uint32_t stream_id, const char* level, const char* code, const std::string& description) {
  send(command_message(stream_id, {str("onStatus"), num(0), Amf0Value::make_null(),
                                   Amf0Value::make_object({prop("level", str(level)), prop("code", str(code)),
                                                           prop("description", str(description))})}));
}

}  // namespace mediaemu::pipeline::rtmp
