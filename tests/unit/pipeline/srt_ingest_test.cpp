// SrtListenerSource: the input security group applies to SRT callers by source address (its UDP
// relay drops what the whitelist leaves out), and an admitted caller's MPEG-TS arrives as the
// same units every source delivers. ffmpeg is the caller.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "pipeline/ingest/srt/srt_listener_source.hpp"
#include "tests/unit/pipeline/ingest_test_support.hpp"

using namespace mediaemu::pipeline;
using namespace mediaemu::pipeline::test;
using Clock = std::chrono::steady_clock;

namespace {

int free_udp_port() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

srt::SrtListenerSpec spec_on(int port, AddressFilter allowed) {
  srt::SrtListenerSpec spec;
  spec.label = "test srt input";
  spec.host = "127.0.0.1";
  spec.ports = {port};
  spec.allowed = std::move(allowed);
  spec.srt_options = {{"latency", "120000"}};
  return spec;
}

// ffmpeg calls srt://127.0.0.1:<port> with 2 s of lavfi media in MPEG-TS, in the background.
void call_with_ffmpeg(int port) {
  std::string cmd =
      "ffmpeg -nostdin -v quiet -re -f lavfi -i testsrc2=size=320x180:rate=30 -f lavfi -i sine=frequency=440 -t 2 "
      "-c:v libx264 -preset ultrafast -g 30 -c:a aac -f mpegts 'srt://127.0.0.1:" +
      std::to_string(port) + "?mode=caller&latency=120000' >/dev/null 2>&1 &";
  REQUIRE(std::system(cmd.c_str()) == 0);
}

}  // namespace

TEST_CASE("an SRT listener input refuses callers outside its whitelist", "[srt]") {
  const int port = free_udp_port();
  auto recorder = std::make_shared<Recorder>();
  srt::SrtListenerSource source(spec_on(port, AddressFilter::only({*Ipv4Range::parse("10.0.0.0/8")})));
  CHECK(source.transport() == "SRT_LISTENER");
  source.start(recorder);
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const char handshake_like[64] = {char(0x80)};  // a control packet's first bit; content does not matter
  for (int i = 0; i < 3; ++i) ::sendto(fd, handshake_like, sizeof handshake_like, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  ::close(fd);
  auto deadline = Clock::now() + std::chrono::seconds(2);
  while (Clock::now() < deadline && source.status().refused < 3) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(source.status().refused == 3);
  CHECK_FALSE(source.status().receiving);
  source.stop();
  CHECK(count(recorder->events(), IngestEvent::Type::Frame, MediaKind::Video) == 0);
}

TEST_CASE("an SRT listener input receives an admitted caller's MPEG-TS", "[srt][media]") {
  const int port = free_udp_port();
  auto recorder = std::make_shared<Recorder>();
  srt::SrtListenerSource source(spec_on(port, AddressFilter::only({*Ipv4Range::parse("127.0.0.0/8")})));
  source.start(recorder);
  call_with_ffmpeg(port);
  auto deadline = Clock::now() + std::chrono::seconds(8);
  bool seen_receiving = false;
  while (Clock::now() < deadline && recorder->newest_video_dts() < 1500) {
    auto status = source.status();
    if (status.receiving) {
      seen_receiving = true;
      CHECK(status.sender == "127.0.0.1");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(seen_receiving);
  CHECK(recorder->newest_video_dts() >= 1500);  // milliseconds of media from the caller
  source.stop();
  auto events = recorder->events();
  CHECK(count(events, IngestEvent::Type::VideoConfig, MediaKind::Video) >= 1);
  CHECK(count(events, IngestEvent::Type::AudioConfig, MediaKind::Audio) >= 1);
  CHECK(source.status().refused == 0);
}
