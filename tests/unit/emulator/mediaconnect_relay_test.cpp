// The flows' data plane: source selection (failover, merge), CIDRs, RTP framing, and real relays
// on loopback UDP: a datagram sent to a source's port reaches the output socket; the output
// keeps flowing from the backup when the primary goes silent and returns to the primary when it
// is back; a sender outside the WhitelistCidr is refused (127.0.0.2 is a loopback address too).
#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/flow/cidr.hpp"
#include "pipeline/flow/flow_runtime.hpp"
#include "pipeline/flow/rtp.hpp"
#include "pipeline/flow/source_selector.hpp"

using namespace mediaemu::flow;

namespace {

std::vector<uint8_t> rtp_packet(uint16_t seq, const std::string& payload) {
  std::vector<uint8_t> out;
  wrap_rtp({reinterpret_cast<const uint8_t*>(payload.data()), payload.size()}, seq, 0, 1234, out);
  return out;
}

FlowPlan two_sources(FailoverMode mode, const std::string& primary = "primary") {
  FlowPlan plan;
  plan.flow_arn = "arn:aws:mediaconnect:us-east-1:123456789012:flow:1-a-b:test";
  plan.sources = {{"primary", "rtp", "127.0.0.1", 0, ""}, {"backup", "rtp", "127.0.0.1", 0, ""}};
  plan.failover_enabled = true;
  plan.mode = mode;
  plan.recovery_window_ms = 200;
  plan.primary_source = primary;
  return plan;
}

// A UDP socket on 127.0.0.x:<any port>, closed at the end of the test.
struct Udp {
  explicit Udp(const char* host = "127.0.0.1") {
    fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, host, &a.sin_addr);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Udp() { ::close(fd); }
  void send_to(uint16_t to, const std::vector<uint8_t>& data) const {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(to);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    ::sendto(fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  // The next datagram within `ms`, or empty.
  std::vector<uint8_t> receive(int ms = 1000) const {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, ms) != 1) return {};
    std::vector<uint8_t> buf(2048);
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return buf;
  }
  void drain() const {
    while (!receive(50).empty()) {
    }
  }
  int fd = -1;
  uint16_t port = 0;
};

// A free UDP port on loopback (bound, then released for the relay).
uint16_t free_port() { return Udp().port; }

std::string payload_of(const std::vector<uint8_t>& datagram) {
  auto rtp = parse_rtp(datagram);
  return rtp ? std::string(rtp->payload.begin(), rtp->payload.end()) : std::string(datagram.begin(), datagram.end());
}

}  // namespace

TEST_CASE("CIDR blocks", "[mediaconnect][relay]") {
  auto c = parse_cidr("10.24.34.0/23");
  REQUIRE(c);
  CHECK(c->contains(*parse_ipv4("10.24.35.200")));
  CHECK_FALSE(c->contains(*parse_ipv4("10.24.36.1")));
  CHECK(parse_cidr("0.0.0.0/0")->contains(*parse_ipv4("8.8.8.8")));
  CHECK(parse_cidr("127.0.0.1")->contains(*parse_ipv4("127.0.0.1")));
  CHECK_FALSE(parse_cidr("127.0.0.1")->contains(*parse_ipv4("127.0.0.2")));
  CHECK_FALSE(parse_cidr("10.0.0.0/33"));
  CHECK_FALSE(parse_cidr("10.0.0/8"));
  CHECK_FALSE(parse_cidr("10.0.0.0/"));
}

TEST_CASE("RTP framing round-trips", "[mediaconnect][relay]") {
  auto packet = rtp_packet(65535, "hello");
  auto view = parse_rtp(packet);
  REQUIRE(view);
  CHECK(view->sequence == 65535);
  CHECK(std::string(view->payload.begin(), view->payload.end()) == "hello");
  std::vector<uint8_t> not_rtp = {0x47, 0, 0, 0};
  CHECK_FALSE(parse_rtp(not_rtp));
}

TEST_CASE("RTP headers longer than the datagram are refused, padding or not", "[mediaconnect][relay]") {
  // Version 2, padding, 15 CSRCs (a 72-byte header) in 40 bytes whose last byte "pads" 200:
  // once a payload of about 2^64 bytes (found by garbage sent to a flow in suite 27).
  std::vector<uint8_t> d(40, 0);
  d[0] = 0x80 | 0x20 | 0x0f;
  d.back() = 200;
  CHECK_FALSE(parse_rtp(d));
  d[0] = 0x80 | 0x0f;  // no padding
  CHECK_FALSE(parse_rtp(d));
  d[0] = 0x80 | 0x20 | 0x10;  // an extension claiming 0xffff words, then padding
  d[14] = 0xff, d[15] = 0xff;
  CHECK_FALSE(parse_rtp(d));
  for (int first = 0; first < 256; ++first) {  // whatever the first byte, the payload stays inside
    d[0] = static_cast<uint8_t>(first);
    for (int last : {0, 1, 12, 39, 40, 255}) {
      d.back() = static_cast<uint8_t>(last);
      if (auto view = parse_rtp(d)) {
        CHECK(view->payload.data() >= d.data());
        CHECK(view->payload.data() + view->payload.size() <= d.data() + d.size());
      }
    }
  }
}

TEST_CASE("FAILOVER switches after the recovery window and back to the primary", "[mediaconnect][relay]") {
  SourceSelector s(two_sources(FailoverMode::Failover));
  auto p = rtp_packet(1, "x");
  CHECK(s.accept(0, 0, p, true));       // primary first
  CHECK_FALSE(s.accept(1, 10, p, true));  // backup waits while the primary sends
  CHECK(s.accept(0, 100, p, true));
  CHECK_FALSE(s.accept(1, 300, p, true));  // primary silent 200 ms: not longer than the window yet
  CHECK(s.accept(1, 301, p, true));        // silent longer than 200 ms: switch
  CHECK(s.active() == 1);
  CHECK(s.accept(1, 320, p, true));
  CHECK(s.accept(0, 330, p, true));  // the primary is back: always preferred
  CHECK(s.active() == 0);
  CHECK_FALSE(s.accept(1, 340, p, true));
  CHECK(s.switches() == 2);
}

TEST_CASE("FAILOVER with equal priority stays on the source that works", "[mediaconnect][relay]") {
  SourceSelector s(two_sources(FailoverMode::Failover, ""));
  auto p = rtp_packet(1, "x");
  CHECK(s.accept(1, 0, p, true));  // whoever sends first
  CHECK_FALSE(s.accept(0, 50, p, true));
  CHECK(s.accept(0, 500, p, true));  // backup silent: switch
  CHECK(s.accept(0, 510, p, true));
  CHECK_FALSE(s.accept(1, 520, p, true));  // no preference: no switch back while source 0 sends
}

TEST_CASE("MERGE sends each RTP sequence number once", "[mediaconnect][relay]") {
  SourceSelector s(two_sources(FailoverMode::Merge));
  CHECK(s.accept(0, 0, rtp_packet(10, "a"), true));
  CHECK_FALSE(s.accept(1, 1, rtp_packet(10, "a"), true));
  CHECK(s.accept(1, 2, rtp_packet(11, "b"), true));  // the primary lost 11: the backup's copy goes
  CHECK_FALSE(s.accept(0, 3, rtp_packet(11, "b"), true));
  // Sequence numbers wrap: after half the space an old number is new again.
  for (uint32_t seq = 12; seq < 12 + 40000; ++seq) s.accept(0, 4, rtp_packet(static_cast<uint16_t>(seq), ""), true);
  CHECK(s.accept(1, 5, rtp_packet(10, "again"), true));
}

TEST_CASE("failover DISABLED uses the first source only", "[mediaconnect][relay]") {
  FlowPlan plan = two_sources(FailoverMode::Failover);
  plan.failover_enabled = false;
  SourceSelector s(plan);
  auto p = rtp_packet(1, "x");
  CHECK(s.accept(0, 0, p, true));
  CHECK_FALSE(s.accept(1, 1000, p, true));
}

TEST_CASE("a running relay sends the active source to its outputs, fails over and returns", "[mediaconnect][relay]") {
  Udp output;
  Udp udp_output;
  Udp primary_sender, backup_sender;
  FlowPlan plan = two_sources(FailoverMode::Failover);
  plan.sources[0].port = free_port();
  plan.sources[1].port = free_port();
  plan.sources[0].whitelist_cidr = "127.0.0.1/32";
  plan.outputs = {{"rtp-out", "rtp", "127.0.0.1", output.port, true}, {"udp-out", "udp", "127.0.0.1", udp_output.port, true}};
  plan.order = 1;

  FlowRuntime runtime;
  std::vector<std::string> tapped;
  auto subscription = runtime.taps().subscribe(plan.flow_arn, [&tapped](const FlowPacket& p) {
    tapped.emplace_back(p.payload.begin(), p.payload.end());
  });
  runtime.start(plan);
  runtime.wait_idle();
  REQUIRE(runtime.running(plan.flow_arn));
  CHECK(runtime.errors(plan.flow_arn).empty());

  primary_sender.send_to(plan.sources[0].port, rtp_packet(1, "P1"));
  CHECK(payload_of(output.receive()) == "P1");
  // The udp output gets the TS payload without the RTP header.
  auto raw = udp_output.receive();
  CHECK(std::string(raw.begin(), raw.end()) == "P1");

  backup_sender.send_to(plan.sources[1].port, rtp_packet(100, "B-early"));  // primary healthy: dropped
  CHECK(output.receive(150).empty());

  // The primary goes silent for longer than the window; the backup takes over.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  backup_sender.send_to(plan.sources[1].port, rtp_packet(101, "B1"));
  CHECK(payload_of(output.receive()) == "B1");
  backup_sender.send_to(plan.sources[1].port, rtp_packet(102, "B2"));
  CHECK(payload_of(output.receive()) == "B2");
  // The primary is back: preferred again.
  primary_sender.send_to(plan.sources[0].port, rtp_packet(2, "P2"));
  CHECK(payload_of(output.receive()) == "P2");
  backup_sender.send_to(plan.sources[1].port, rtp_packet(103, "B3"));
  CHECK(output.receive(150).empty());
  CHECK(runtime.forwarded(plan.flow_arn) == 4);
  CHECK(tapped == std::vector<std::string>{"P1", "B1", "B2", "P2"});

  runtime.stop(plan.flow_arn, 2);
  runtime.wait_idle();
  CHECK_FALSE(runtime.running(plan.flow_arn));
  // An out-of-date start (an order below the stop's) is dropped.
  plan.order = 1;
  runtime.start(plan);
  runtime.wait_idle();
  CHECK_FALSE(runtime.running(plan.flow_arn));
}

TEST_CASE("a sender outside the WhitelistCidr is refused", "[mediaconnect][relay]") {
  Udp output;
  Udp allowed("127.0.0.1");
  Udp outsider("127.0.0.2");
  FlowPlan plan;
  plan.flow_arn = "arn:aws:mediaconnect:us-east-1:123456789012:flow:1-c-d:whitelist";
  plan.sources = {{"in", "udp", "127.0.0.1", free_port(), "127.0.0.1/32"}};
  plan.outputs = {{"out", "udp", "127.0.0.1", output.port, true}};
  FlowRuntime runtime;
  runtime.start(plan);
  runtime.wait_idle();
  outsider.send_to(plan.sources[0].port, {'n', 'o'});
  outsider.send_to(plan.sources[0].port, {'n', 'o'});
  CHECK(output.receive(200).empty());
  allowed.send_to(plan.sources[0].port, {'o', 'k'});
  auto got = output.receive();
  CHECK(std::string(got.begin(), got.end()) == "ok");
}

TEST_CASE("a udp source into an rtp output is wrapped in RTP", "[mediaconnect][relay]") {
  Udp output, sender;
  FlowPlan plan;
  plan.flow_arn = "arn:aws:mediaconnect:us-east-1:123456789012:flow:1-e-f:wrap";
  plan.sources = {{"in", "udp", "127.0.0.1", free_port(), ""}};
  plan.outputs = {{"out", "rtp", "127.0.0.1", output.port, true}};
  FlowRuntime runtime;
  runtime.start(plan);
  runtime.wait_idle();
  sender.send_to(plan.sources[0].port, {'t', 's'});
  sender.send_to(plan.sources[0].port, {'t', 's'});
  const auto first_datagram = output.receive();  // kept: the views below point into them
  const auto second_datagram = output.receive();
  auto first = parse_rtp(first_datagram);
  auto second = parse_rtp(second_datagram);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(std::string(first->payload.begin(), first->payload.end()) == "ts");
  CHECK(static_cast<uint16_t>(second->sequence - first->sequence) == 1);
}

TEST_CASE("protocols the relay does not carry and taken ports are reported, not faked", "[mediaconnect][relay]") {
  Udp taken;
  FlowPlan plan;
  plan.flow_arn = "arn:aws:mediaconnect:us-east-1:123456789012:flow:1-g-h:errors";
  plan.sources = {{"zixi", "zixi-push", "127.0.0.1", 2088, ""}, {"busy", "rtp", "127.0.0.1", taken.port, ""}};
  plan.outputs = {{"cdi", "cdi", "", 0, true}};
  FlowRuntime runtime;
  runtime.start(plan);
  runtime.wait_idle();
  auto errors = runtime.errors(plan.flow_arn);
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].find("zixi-push") != std::string::npos);
  CHECK(errors[1].find("cannot listen") != std::string::npos);
  CHECK(errors[2].find("protocol cdi") != std::string::npos);
}
