#include "pipeline/package/ts_scte35.hpp"

#include <algorithm>

namespace mediaemu::pipeline {

namespace {
constexpr uint8_t kScte35StreamType = 0x86;
constexpr uint8_t kCueIdentifierDescriptor = 0x8a;
constexpr uint8_t kAllCommands = 0x01;  // cue_stream_type (§8.2, table 20)

bool has_cuei(const std::vector<uint8_t>& descriptors) {
  for (size_t at = 0; at + 2 <= descriptors.size(); at += 2 + descriptors[at + 1])
    if (descriptors[at] == 0x05 && at + 6 <= descriptors.size() &&
        std::equal(descriptors.begin() + at + 2, descriptors.begin() + at + 6, "CUEI"))
      return true;
  return false;
}
}  // namespace

PmtRewriter::Edit scte35_pmt_edit(uint16_t pid) {
  return [pid](Pmt& pmt) {
    for (const auto& s : pmt.streams)
      if (s.pid == pid) return false;
    if (!has_cuei(pmt.program_info)) put_registration_descriptor(pmt.program_info, "CUEI");
    PmtStream stream;
    stream.stream_type = kScte35StreamType;
    stream.pid = pid;
    put_descriptor(stream.descriptors, kCueIdentifierDescriptor, {kAllCommands});
    pmt.streams.push_back(std::move(stream));
    return true;
  };
}

std::vector<uint8_t> ts_section_packets(uint16_t pid, std::span<const uint8_t> section, uint8_t& continuity) {
  std::vector<uint8_t> out;
  size_t at = 0;
  bool first = true;
  while (first || at < section.size()) {
    uint8_t header[4] = {0x47, static_cast<uint8_t>((first ? 0x40 : 0x00) | ((pid >> 8) & 0x1f)),
                         static_cast<uint8_t>(pid), static_cast<uint8_t>(0x10 | (continuity & 0x0f))};
    continuity = static_cast<uint8_t>((continuity + 1) & 0x0f);
    out.insert(out.end(), header, header + 4);
    size_t room = kTsPacketSize - 4;
    if (first) {
      out.push_back(0);  // pointer_field: the section starts right after it
      --room;
    }
    const size_t take = std::min(room, section.size() - at);
    out.insert(out.end(), section.begin() + static_cast<std::ptrdiff_t>(at),
               section.begin() + static_cast<std::ptrdiff_t>(at + take));
    out.insert(out.end(), room - take, 0xff);
    at += take;
    first = false;
  }
  return out;
}

}  // namespace mediaemu::pipeline
