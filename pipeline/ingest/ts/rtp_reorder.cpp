#include "pipeline/ingest/ts/rtp_reorder.hpp"

namespace mediaemu::pipeline::ts {

void RtpReorder::push(std::span<const uint8_t> d) {
  // Fixed header, RFC 3550 5.1: V(2) P X CC(4) | M PT(7) | sequence(16) | timestamp | SSRC.
  if (d.size() < 12 || (d[0] >> 6) != 2) {
    ++stats_.malformed;
    return;
  }
  size_t offset = 12 + 4 * static_cast<size_t>(d[0] & 0x0F);
  if ((d[0] & 0x10) && offset + 4 <= d.size()) {  // header extension: 16-bit profile, 16-bit length in words
    offset += 4 + 4 * ((static_cast<size_t>(d[offset + 2]) << 8) | d[offset + 3]);
  } else if (d[0] & 0x10) {
    offset = d.size() + 1;
  }
  size_t end = d.size();
  if (d[0] & 0x20) {  // padding: the last octet counts the padding octets, itself included
    size_t pad = d.back();
    end = pad == 0 || pad > end ? 0 : end - pad;
  }
  if (offset > end) {
    ++stats_.malformed;
    return;
  }
  ++stats_.received;
  const uint16_t seq = static_cast<uint16_t>((d[2] << 8) | d[3]);
  // Extend the 16-bit number to the one nearest the highest seen, so wrap-around is seamless.
  int64_t extended = seq;
  if (!started_) {
    started_ = true;
    next_ = highest_ = extended;
  } else {
    int64_t base = highest_ & ~int64_t{0xFFFF};
    extended = base + seq;
    if (extended - highest_ > 0x8000) extended -= 0x10000;
    else if (highest_ - extended > 0x8000) extended += 0x10000;
  }
  if (extended < next_) {
    ++stats_.late;  // its gap was already given up (or it is a duplicate of a delivered one)
    return;
  }
  if (held_.count(extended)) {
    ++stats_.duplicates;
    return;
  }
  if (extended < highest_) ++stats_.reordered;
  highest_ = std::max(highest_, extended);
  held_.emplace(extended, std::vector<uint8_t>(d.begin() + static_cast<long>(offset), d.begin() + static_cast<long>(end)));
  release();
}

void RtpReorder::release() {
  while (!held_.empty()) {
    auto first = held_.begin();
    if (first->first != next_) {
      if (held_.size() <= window_) return;  // wait a little longer for the missing one
      stats_.lost += first->first - next_;
      next_ = first->first;
    }
    deliver_(first->second);
    held_.erase(first);
    ++next_;
  }
}

void RtpReorder::flush() {
  while (!held_.empty()) {
    auto first = held_.begin();
    stats_.lost += first->first - next_;
    next_ = first->first + 1;
    deliver_(first->second);
    held_.erase(first);
  }
}

}  // namespace mediaemu::pipeline::ts
