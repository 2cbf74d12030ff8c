// The RTMP ingest server: accepts publishers (ffmpeg, OBS, GStreamer, hardware encoders) on
// Asio, asks the owner's PublishAuthorizer whether each publish may go ahead and where its media
// goes, and feeds the IngestSink it gets back. Each connection runs on its own strand; a bad or
// slow peer only ever closes its own connection.
//
//   RtmpServer server(io, {make_address("127.0.0.1"), 1935}, [&](const PublishRequest& r) {
//     if (auto sink = channels.sink_for(r.app, r.stream_name)) return PublishDecision{sink, {}};
//     return PublishDecision{nullptr, "no running channel has an input with stream key " + r.stream_name};
//   });
//   server.start();
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "pipeline/rtmp/rtmp_publish.hpp"

namespace mediaemu::pipeline::rtmp {

struct RtmpServerState;  // shared by the server and its connections (rtmp_server.cpp)

class RtmpServer {
 public:
  // Binds and listens at once, so a port clash fails at startup (throws boost::system::system_error).
  RtmpServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint, PublishAuthorizer authorize,
             RtmpLimits limits = {});
  ~RtmpServer();
  RtmpServer(const RtmpServer&) = delete;
  RtmpServer& operator=(const RtmpServer&) = delete;

  void start();
  // Stops accepting and closes every connection; publishers' sinks get IngestEvent::End with
  // reason "server stopping". Asynchronous: the io_context must keep running to finish it.
  void stop();
  uint16_t port() const;
  std::size_t active_sessions() const;

 private:
  std::shared_ptr<RtmpServerState> impl_;
};

}  // namespace mediaemu::pipeline::rtmp
