#include "pipeline/flow/flow_relay.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <algorithm>
#include <chrono>
#include <random>

#include "pipeline/flow/rtp.hpp"

namespace mediaemu::flow {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {
int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

bool relayable_protocol(const std::string& p) { return p == "rtp" || p == "rtp-fec" || p == "udp"; }
bool rtp_framed(const std::string& p) { return p == "rtp" || p == "rtp-fec"; }

FlowRelay::FlowRelay(const FlowPlan& plan, FlowTaps& taps) : flow_arn_(plan.flow_arn), taps_(taps), selector_(plan) {
  ssrc_ = std::random_device{}();
  for (size_t i = 0; i < plan.sources.size(); ++i) {
    const SourcePlan& sp = plan.sources[i];
    if (!relayable_protocol(sp.protocol)) {
      errors_.push_back("Source " + sp.name + " uses protocol " + sp.protocol +
                        ", which the mediaemu data plane does not carry (it relays rtp, rtp-fec and udp); "
                        "nothing listens for it");
      continue;
    }
    auto source = std::make_unique<Source>();
    source->plan = sp;
    source->index = i;
    source->rtp = rtp_framed(sp.protocol);
    for (size_t at = 0; at < sp.whitelist_cidr.size();) {
      size_t comma = std::min(sp.whitelist_cidr.find(',', at), sp.whitelist_cidr.size());
      if (auto cidr = parse_cidr(sp.whitelist_cidr.substr(at, comma - at))) source->whitelist.push_back(*cidr);
      at = comma + 1;
    }
    boost::system::error_code ec;
    auto address = asio::ip::make_address(sp.bind_host, ec);
    auto socket = std::make_unique<udp::socket>(io_);
    if (!ec) socket->open(udp::v4(), ec);
    if (!ec) socket->set_option(asio::socket_base::receive_buffer_size(4 << 20), ec);
    if (!ec) socket->bind(udp::endpoint(address, sp.port), ec);
    if (ec) {
      errors_.push_back("Source " + sp.name + " cannot listen on " + sp.bind_host + ":" + std::to_string(sp.port) +
                        ": " + ec.message());
      continue;
    }
    source->socket = std::move(socket);
    sources_.push_back(std::move(source));
  }
  out_socket_ = std::make_unique<udp::socket>(io_);
  boost::system::error_code ec;
  out_socket_->open(udp::v4(), ec);
  for (const OutputPlan& op : plan.outputs) {
    if (!op.enabled) continue;
    if (!relayable_protocol(op.protocol)) {
      errors_.push_back("Output " + op.name + " uses protocol " + op.protocol +
                        ", which the mediaemu data plane does not send (it sends rtp, rtp-fec and udp); it gets nothing");
      continue;
    }
    auto address = asio::ip::make_address_v4(op.destination, ec);
    if (ec) {
      errors_.push_back("Output " + op.name + " has destination " + op.destination + ", which is not an IPv4 address");
      continue;
    }
    outputs_.push_back(Output{op, rtp_framed(op.protocol), udp::endpoint(address, op.port)});
  }
  for (const auto& e : errors_) spdlog::warn("mediaconnect: flow {}: {}", flow_arn_, e);
  for (auto& s : sources_) receive(*s);
  thread_ = std::thread([this] { io_.run(); });
  spdlog::info("mediaconnect: flow {} relays {} source(s) to {} output(s)", flow_arn_, sources_.size(), outputs_.size());
}

FlowRelay::~FlowRelay() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
  spdlog::info("mediaconnect: flow {} stopped relaying after {} packet(s) ({} refused)", flow_arn_, forwarded_.load(),
               refused_.load());
}

void FlowRelay::receive(Source& source) {
  source.socket->async_receive_from(asio::buffer(source.buffer), source.sender,
                                    [this, &source](const boost::system::error_code& ec, size_t size) {
                                      if (ec == asio::error::operation_aborted) return;
                                      if (!ec) on_datagram(source, size);
                                      receive(source);
                                    });
}

void FlowRelay::on_datagram(Source& source, size_t size) {
  const auto sender = source.sender.address();
  if (!source.whitelist.empty()) {
    const uint32_t from = sender.is_v4() ? sender.to_v4().to_uint() : 0;
    const bool allowed = std::any_of(source.whitelist.begin(), source.whitelist.end(),
                                     [from](const Cidr& c) { return c.contains(from); });
    if (!sender.is_v4() || !allowed) {
      ++refused_;
      if (source.refused_logged.insert(from).second) {
        spdlog::warn("mediaconnect: flow {} source {} refuses packets from {}: not in its WhitelistCidr {}", flow_arn_,
                     source.plan.name, sender.to_string(), source.plan.whitelist_cidr);
      }
      return;
    }
  }
  std::span<const uint8_t> datagram(source.buffer.data(), size);
  if (!selector_.accept(source.index, steady_ms(), datagram, source.rtp)) return;
  send(source, datagram);
}

void FlowRelay::send(const Source& source, std::span<const uint8_t> datagram) {
  std::span<const uint8_t> payload = datagram;
  if (source.rtp) {
    auto rtp = parse_rtp(datagram);
    if (!rtp) return;  // not RTP on an RTP source: nothing a receiver could use
    payload = rtp->payload;
  }
  ++forwarded_;
  boost::system::error_code ec;
  for (Output& out : outputs_) {
    if (out.rtp == source.rtp) {
      out_socket_->send_to(asio::buffer(datagram.data(), datagram.size()), out.endpoint, 0, ec);
    } else if (out.rtp) {
      // An udp source into an rtp output: RTP around the TS, 90 kHz timestamps (RFC 2250).
      wrap_rtp(payload, out.sequence++, static_cast<uint32_t>(steady_ms() * 90), ssrc_, scratch_);
      out_socket_->send_to(asio::buffer(scratch_), out.endpoint, 0, ec);
    } else {
      out_socket_->send_to(asio::buffer(payload.data(), payload.size()), out.endpoint, 0, ec);
    }
    // A receiver that is not there (ECONNREFUSED from an earlier send) is the receiver's business.
  }
  taps_.publish(flow_arn_, FlowPacket{datagram, payload, source.rtp, source.plan.name});
}

}  // namespace mediaemu::flow
