// One RTMP peer's protocol state, without sockets: the handshake, the chunk stream, commands
// (RTMP spec 7.2), and the publisher's media turned into IngestEvents. The Asio session
// (rtmp_server.cpp) feeds it bytes and writes out what it produces; tests and fuzzers drive it
// directly.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/rtmp/amf0.hpp"
#include "pipeline/rtmp/rtmp_chunk_reader.hpp"
#include "pipeline/rtmp/rtmp_chunk_writer.hpp"
#include "pipeline/rtmp/rtmp_publish.hpp"

namespace mediaemu::pipeline::rtmp {

class RtmpConnection {
 public:
  struct Hooks {
    PublishAuthorizer authorize;
    // Reserve "<app>/<stream>" for this connection; false when another publisher has it.
    // Either may be empty (no reservation across connections).
    std::function<bool(const std::string& key)> claim_stream;
    std::function<void(const std::string& key)> release_stream;
  };

  enum class Status {
    NeedData,  // feed more bytes
    Blocked,   // the sink is full: call process() again a little later, read nothing meanwhile
    Closing,   // write out what is left, then close the socket; see close_reason()
  };

  RtmpConnection(std::string peer_ip, uint16_t peer_port, const RtmpLimits& limits, Hooks hooks);
  ~RtmpConnection();
  RtmpConnection(const RtmpConnection&) = delete;
  RtmpConnection& operator=(const RtmpConnection&) = delete;

  void feed(const uint8_t* data, std::size_t size);
  // Works through the fed bytes until it needs more, the sink refuses an event, or the
  // connection must close. Never throws: protocol errors become Closing with a reason.
  Status process();

  bool has_output() const { return !output_.empty(); }
  std::size_t output_size() const { return output_.size(); }
  std::vector<uint8_t> take_output() { return std::exchange(output_, {}); }

  // The socket is gone (peer left, timeout, server stopping): ends a publish with `reason`.
  void disconnect(const std::string& reason);
  // Offers queued events to their sink; true when none are left.
  bool deliver_pending();

  bool handshake_done() const { return phase_ == Phase::Messages; }
  bool closing() const { return closing_; }
  const std::string& close_reason() const { return close_reason_; }
  bool close_logged() const { return close_logged_; }  // the reason was already logged
  const std::string& peer() const { return peer_; }
  const std::string& handshake_description() const { return handshake_description_; }
  uint64_t bytes_received() const { return bytes_received_; }
  bool publishing() const { return publishing_; }

 private:
  enum class Phase { AwaitC0C1, AwaitC2, Messages };

  bool advance_handshake();  // false: needs more bytes (or closed)
  void handle(const RtmpMessage& m);
  void handle_user_control(const RtmpMessage& m);
  void handle_command(const RtmpMessage& m, std::size_t amf_offset);
  void handle_data(const RtmpMessage& m, std::size_t amf_offset);
  void handle_media(const RtmpMessage& m);
  void handle_aggregate(const RtmpMessage& m);

  void on_connect(double txn, const Amf0Value* command_object);
  void on_create_stream(double txn);
  void on_publish(uint32_t stream_id, const std::vector<Amf0Value>& args);
  void refuse_publish(uint32_t stream_id, const std::string& target, const std::string& reason);
  void end_publish(const std::string& reason);

  void send(const RtmpMessage& m);
  void send_result(double txn, Amf0Value info);
  void send_error(double txn, const std::string& description);
  void send_status(uint32_t stream_id, const char* level, const char* code, const std::string& description);
  void queue_event(IngestEvent event);
  void close(const std::string& reason, bool logged = false);
  int64_t unwrap_timestamp(uint32_t ts);

  std::string peer_ip_;
  uint16_t peer_port_;
  std::string peer_;  // "ip:port" for log lines
  RtmpLimits limits_;
  Hooks hooks_;
  Amf0Limits amf_limits_;

  Phase phase_ = Phase::AwaitC0C1;
  std::vector<uint8_t> handshake_bytes_;
  std::string handshake_description_;
  ChunkReader reader_;
  ChunkWriter writer_;
  std::vector<uint8_t> output_;

  uint64_t bytes_received_ = 0;
  uint64_t bytes_acknowledged_ = 0;
  uint32_t ack_window_;  // the peer's Window Acknowledgement Size, ours until it sends one

  bool connected_ = false;
  std::string app_;
  uint32_t streams_created_ = 0;

  // The current publish.
  bool publishing_ = false;
  std::string publish_key_;  // "<app>/<stream>", reserved through the hooks
  uint32_t publish_stream_id_ = 0;
  std::shared_ptr<IngestSink> sink_;
  bool have_video_config_ = false, have_audio_config_ = false;
  bool warned_frame_before_config_ = false, warned_malformed_ = false;
  bool timestamps_started_ = false;
  uint32_t last_timestamp_ = 0;
  int64_t unwrapped_timestamp_ = 0;
  uint64_t video_frames_ = 0, audio_frames_ = 0;

  std::deque<std::pair<std::shared_ptr<IngestSink>, IngestEvent>> pending_;
  bool closing_ = false;
  bool close_logged_ = false;
  std::string close_reason_;
};

}  // namespace mediaemu::pipeline::rtmp
