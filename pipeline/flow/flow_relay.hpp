// One running flow's data plane: a UDP socket per relayable source on 127.0.0.1:<IngestPort>,
// the WhitelistCidr check, source selection (source_selector.hpp) and the send to every output
// and in-process tap. Everything runs on the relay's own thread (an io_context it owns), so
// flows never slow each other down. Built and destroyed by FlowRuntime's command thread only:
// the constructor binds the sockets and starts the thread, the destructor stops and joins it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/flow/cidr.hpp"
#include "pipeline/flow/flow_plan.hpp"
#include "pipeline/flow/flow_taps.hpp"
#include "pipeline/flow/source_selector.hpp"

namespace mediaemu::flow {

class FlowRelay {
 public:
  FlowRelay(const FlowPlan& plan, FlowTaps& taps);
  ~FlowRelay();
  FlowRelay(const FlowRelay&) = delete;
  FlowRelay& operator=(const FlowRelay&) = delete;

  // What this relay could not do (unsupported protocols, ports it could not bind), decided in
  // the constructor and fixed afterwards.
  const std::vector<std::string>& errors() const { return errors_; }
  // Datagrams sent to outputs (per output, the same count) and refused by whitelists, for tests
  // and logs.
  uint64_t forwarded() const { return forwarded_.load(); }
  uint64_t refused() const { return refused_.load(); }

 private:
  struct Source {
    SourcePlan plan;
    size_t index = 0;
    bool rtp = false;
    std::vector<Cidr> whitelist;  // empty: any sender
    std::unique_ptr<boost::asio::ip::udp::socket> socket;
    boost::asio::ip::udp::endpoint sender;
    std::array<uint8_t, 65536> buffer{};
    std::set<uint32_t> refused_logged;  // senders already logged as refused
  };
  struct Output {
    OutputPlan plan;
    bool rtp = false;
    boost::asio::ip::udp::endpoint endpoint;
    uint16_t sequence = 0;  // when wrapping udp sources in RTP
  };

  void receive(Source& source);
  void on_datagram(Source& source, size_t size);
  void send(const Source& source, std::span<const uint8_t> datagram);

  std::string flow_arn_;
  FlowTaps& taps_;
  std::vector<std::string> errors_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::ip::udp::socket> out_socket_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::vector<Output> outputs_;
  SourceSelector selector_;
  uint32_t ssrc_ = 0;
  std::vector<uint8_t> scratch_;
  std::atomic<uint64_t> forwarded_{0}, refused_{0};
  std::thread thread_;
};

}  // namespace mediaemu::flow
