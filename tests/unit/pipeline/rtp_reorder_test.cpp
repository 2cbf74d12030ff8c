// The RTP receiver of MPEG-TS push inputs: header parsing, reordering, loss and wrap-around.
#include <catch2/catch.hpp>

#include "pipeline/ingest/ts/rtp_reorder.hpp"

using mediaemu::pipeline::ts::RtpReorder;

namespace {

std::vector<uint8_t> rtp(uint16_t seq, uint8_t payload, uint8_t first = 0x80) {
  return {first, 33, static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq), 0, 0, 0, 0, 1, 2, 3, 4, payload};
}

struct Receiver {
  std::vector<int> got;
  RtpReorder reorder{[this](std::span<const uint8_t> p) { got.push_back(p.empty() ? -1 : p[0]); }, 4};
  void push(const std::vector<uint8_t>& d) { reorder.push(d); }
};

}  // namespace

TEST_CASE("RTP payloads come out in order", "[rtp]") {
  Receiver r;
  for (uint16_t s : {10, 11, 12}) r.push(rtp(s, static_cast<uint8_t>(s)));
  CHECK(r.got == std::vector<int>{10, 11, 12});
  CHECK(r.reorder.stats().lost == 0);
}

TEST_CASE("RTP packets that arrive out of order are put back in order", "[rtp]") {
  Receiver r;
  for (uint16_t s : {1, 3, 2, 4}) r.push(rtp(s, static_cast<uint8_t>(s)));
  CHECK(r.got == std::vector<int>{1, 2, 3, 4});
  CHECK(r.reorder.stats().reordered == 1);
  CHECK(r.reorder.stats().lost == 0);
}

TEST_CASE("a lost RTP packet is given up once the window fills, and counted", "[rtp]") {
  Receiver r;
  r.push(rtp(1, 1));
  for (uint16_t s = 3; s <= 7; ++s) r.push(rtp(s, static_cast<uint8_t>(s)));  // 2 never comes
  CHECK(r.got == std::vector<int>{1, 3, 4, 5, 6, 7});
  CHECK(r.reorder.stats().lost == 1);
  r.push(rtp(2, 2));  // too late now
  CHECK(r.reorder.stats().late == 1);
  CHECK(r.got.size() == 6);
}

TEST_CASE("RTP sequence numbers wrap around without a gap", "[rtp]") {
  Receiver r;
  for (uint16_t s : {65534, 65535, 0, 1}) r.push(rtp(s, static_cast<uint8_t>(s & 0xFF)));
  CHECK(r.got == std::vector<int>{0xFE, 0xFF, 0, 1});
  CHECK(r.reorder.stats().lost == 0);
}

TEST_CASE("CSRCs, header extensions and padding are stripped, garbage is refused", "[rtp]") {
  Receiver r;
  // One CSRC (CC=1), then the payload.
  r.push({0x81, 33, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9, 42});
  // An extension of one 32-bit word.
  r.push({0x90, 33, 0, 2, 0, 0, 0, 0, 1, 2, 3, 4, 0xBE, 0xDE, 0, 1, 7, 7, 7, 7, 43});
  // Two octets of padding.
  r.push({0xA0, 33, 0, 3, 0, 0, 0, 0, 1, 2, 3, 4, 44, 0, 2});
  CHECK(r.got == std::vector<int>{42, 43, 44});
  r.push({0x40, 33, 0, 4});                                       // version 1, short
  r.push({0x8F, 33, 0, 5, 0, 0, 0, 0, 1, 2, 3, 4});               // 15 CSRCs announced, none there
  r.push({0x90, 33, 0, 6, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0xFF, 0xFF});  // extension longer than the packet
  r.push({0xA0, 33, 0, 7, 0, 0, 0, 0, 1, 2, 3, 4, 200});          // padding longer than the packet
  CHECK(r.reorder.stats().malformed == 4);
  CHECK(r.got.size() == 3);
}
