#include "pipeline/transcode/codec_config.hpp"

#include <cstdio>
#include <stdexcept>

namespace mediaemu::pipeline {

namespace {

// Offset of the next start code at or after `from` (its first 0x00), or size when none.
size_t find_start_code(ByteView s, size_t from, size_t* code_len) {
  for (size_t i = from; i + 3 <= s.size(); ++i) {
    if (s[i] == 0 && s[i + 1] == 0 && s[i + 2] == 1) {
      *code_len = 3;
      return i;
    }
  }
  *code_len = 0;
  return s.size();
}

uint32_t read_be(const uint8_t* p, int n) {
  uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

std::vector<ByteView> split_annexb(ByteView s) {
  std::vector<ByteView> nals;
  size_t len = 0;
  size_t pos = find_start_code(s, 0, &len);
  while (pos < s.size()) {
    size_t begin = pos + len;
    size_t next_len = 0;
    size_t next = find_start_code(s, begin, &next_len);
    size_t end = next;
    // A 4-byte start code (or trailing_zero_8bits) leaves zeros before the next 0x000001.
    while (end > begin && s[end - 1] == 0) --end;
    if (end > begin) nals.push_back(s.subspan(begin, end - begin));
    pos = next;
    len = next_len;
  }
  return nals;
}

std::optional<std::vector<ByteView>> split_length_prefixed(ByteView s, int length_size) {
  if (length_size < 1 || length_size > 4) return std::nullopt;
  std::vector<ByteView> nals;
  size_t pos = 0;
  while (pos < s.size()) {
    if (pos + length_size > s.size()) return std::nullopt;
    uint32_t n = read_be(s.data() + pos, length_size);
    pos += length_size;
    if (n > s.size() - pos) return std::nullopt;
    if (n > 0) nals.push_back(s.subspan(pos, n));
    pos += n;
  }
  return nals;
}

bool starts_with_start_code(ByteView d) {
  return (d.size() >= 3 && d[0] == 0 && d[1] == 0 && d[2] == 1) ||
         (d.size() >= 4 && d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] == 1);
}

void append_length_prefixed(Bytes& out, ByteView nal) {
  uint32_t n = static_cast<uint32_t>(nal.size());
  out.push_back(n >> 24);
  out.push_back((n >> 16) & 0xff);
  out.push_back((n >> 8) & 0xff);
  out.push_back(n & 0xff);
  out.insert(out.end(), nal.begin(), nal.end());
}

std::optional<AvcConfig> parse_avcc(ByteView a) {
  // configurationVersion(8) profile(8) compat(8) level(8) '111111' lengthSizeMinusOne(2)
  // '111' numOfSequenceParameterSets(5) {u16 length, SPS}... numOfPictureParameterSets(8) ...
  if (a.size() < 7 || a[0] != 1) return std::nullopt;
  AvcConfig c;
  c.nal_length_size = (a[4] & 0x03) + 1;
  size_t pos = 5;
  auto read_sets = [&](int count, std::vector<Bytes>& into) {
    for (int i = 0; i < count; ++i) {
      if (pos + 2 > a.size()) return false;
      size_t n = read_be(a.data() + pos, 2);
      pos += 2;
      if (pos + n > a.size()) return false;
      into.emplace_back(a.begin() + pos, a.begin() + pos + n);
      pos += n;
    }
    return true;
  };
  if (!read_sets(a[pos++] & 0x1f, c.sps)) return std::nullopt;
  if (pos >= a.size()) return std::nullopt;
  if (!read_sets(a[pos++], c.pps)) return std::nullopt;
  if (c.sps.empty() || c.sps[0].size() < 4) return std::nullopt;
  return c;
}

Bytes build_avcc(const std::vector<Bytes>& sps, const std::vector<Bytes>& pps) {
  if (sps.empty() || pps.empty()) throw std::invalid_argument("avcC needs an SPS and a PPS");
  if (sps[0].size() < 4) throw std::invalid_argument("SPS too short for an avcC");
  if (sps.size() > 31 || pps.size() > 255) throw std::invalid_argument("too many parameter sets");
  const Bytes& s = sps[0];
  Bytes out{1, s[1], s[2], s[3], 0xff /* 4-byte lengths */,
            static_cast<uint8_t>(0xe0 | sps.size())};
  auto put_set = [&](const Bytes& set) {
    out.push_back(static_cast<uint8_t>(set.size() >> 8));
    out.push_back(static_cast<uint8_t>(set.size() & 0xff));
    out.insert(out.end(), set.begin(), set.end());
  };
  for (const auto& x : sps) put_set(x);
  out.push_back(static_cast<uint8_t>(pps.size()));
  for (const auto& x : pps) put_set(x);
  // §5.3.3.1.2: High profiles append chroma_format / bit depths. The pipeline only produces
  // and expects 8-bit 4:2:0, so these are constants.
  int profile = s[1];
  if (profile == 100 || profile == 110 || profile == 122 || profile == 144) {
    out.insert(out.end(), {0xfd /* chroma_format_idc 1 */, 0xf8, 0xf8, 0x00});
  }
  return out;
}

std::optional<Bytes> avcc_from_nal_units(const std::vector<ByteView>& nals) {
  std::vector<Bytes> sps, pps;
  for (auto nal : nals) {
    int type = h264_nal_type(nal[0]);
    if (type == kNalSps) sps.emplace_back(nal.begin(), nal.end());
    if (type == kNalPps) pps.emplace_back(nal.begin(), nal.end());
  }
  if (sps.empty() || pps.empty() || sps[0].size() < 4) return std::nullopt;
  return build_avcc(sps, pps);
}

std::string avc_codecs_string(ByteView avcc) {
  // The avcC header repeats the SPS's profile_idc, constraint_set flags and level_idc.
  if (avcc.size() < 4) return "avc1";
  char buf[16];
  std::snprintf(buf, sizeof buf, "avc1.%02x%02x%02x", avcc[1], avcc[2], avcc[3]);
  return buf;
}

std::optional<AdtsHeader> parse_adts(ByteView d) {
  // syncword(12) ID(1) layer(2) protection_absent(1) profile(2) sf_index(4) private(1)
  // channel_config(3) ... aac_frame_length(13) buffer_fullness(11) raw_blocks(2)
  if (d.size() < 7 || d[0] != 0xff || (d[1] & 0xf0) != 0xf0) return std::nullopt;
  AdtsHeader h;
  bool protection_absent = d[1] & 0x01;
  h.header_size = protection_absent ? 7 : 9;
  h.object_type = ((d[2] >> 6) & 0x03) + 1;
  h.sampling_index = (d[2] >> 2) & 0x0f;
  h.channel_config = ((d[2] & 0x01) << 2) | ((d[3] >> 6) & 0x03);
  h.frame_size = ((d[3] & 0x03) << 11) | (d[4] << 3) | ((d[5] >> 5) & 0x07);
  h.raw_blocks = (d[6] & 0x03) + 1;
  if (h.frame_size < h.header_size || aac_sample_rate(h.sampling_index) == 0) return std::nullopt;
  return h;
}

int aac_sample_rate(int index) {
  static constexpr int kRates[] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                   22050, 16000, 12000, 11025, 8000,  7350};
  return index >= 0 && index < 13 ? kRates[index] : 0;
}

Bytes asc_from_adts(const AdtsHeader& h) {
  // audioObjectType(5) samplingFrequencyIndex(4) channelConfiguration(4) GASpecificConfig(3)=0
  uint16_t v = static_cast<uint16_t>((h.object_type << 11) | (h.sampling_index << 7) |
                                     (h.channel_config << 3));
  return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v & 0xff)};
}

std::string aac_codecs_string(ByteView asc) {
  int aot = asc.empty() ? 2 : (asc[0] >> 3);
  if (aot == 0) aot = 2;
  return "mp4a.40." + std::to_string(aot);
}

}  // namespace mediaemu::pipeline
