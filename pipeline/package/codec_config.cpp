#include "pipeline/package/codec_config.hpp"

#include <cstdio>

#include "pipeline/transcode/codec_config.hpp"

namespace mediaemu::pipeline {

namespace {

void put_u16(std::vector<uint8_t>& out, size_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

}  // namespace

bool is_avcc_extradata(const std::vector<uint8_t>& extradata) {
  return extradata.size() >= 7 && extradata[0] == 1;
}

std::vector<uint8_t> avcc_record(const std::vector<uint8_t>& extradata) {
  if (is_avcc_extradata(extradata)) return extradata;
  std::vector<ByteView> sps, pps;
  for (ByteView nal : split_annexb(ByteView(extradata))) {
    const int type = nal[0] & 0x1f;
    if (type == 7 && nal.size() >= 4) sps.push_back(nal);
    if (type == 8) pps.push_back(nal);
  }
  if (sps.empty() || pps.empty()) return {};
  // ISO/IEC 14496-15 §5.3.3.1.2 AVCDecoderConfigurationRecord, 4-byte NAL lengths.
  std::vector<uint8_t> out{1, sps[0][1], sps[0][2], sps[0][3], 0xff, static_cast<uint8_t>(0xe0 | sps.size())};
  for (ByteView nal : sps) {
    put_u16(out, nal.size());
    out.insert(out.end(), nal.begin(), nal.end());
  }
  out.push_back(static_cast<uint8_t>(pps.size()));
  for (ByteView nal : pps) {
    put_u16(out, nal.size());
    out.insert(out.end(), nal.begin(), nal.end());
  }
  return out;
}

std::vector<uint8_t> to_length_prefixed(const uint8_t* data, size_t size, bool annexb) {
  if (!annexb) return std::vector<uint8_t>(data, data + size);
  std::vector<uint8_t> out;
  out.reserve(size + 16);
  for (ByteView nal : split_annexb(ByteView(data, size))) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(nal.size() >> shift));
    out.insert(out.end(), nal.begin(), nal.end());
  }
  return out;
}

std::string codecs_string(const TrackInfo& track) {
  if (!track.codecs.empty()) return track.codecs;
  char buf[32];
  if (track.codec == AV_CODEC_ID_H264) {
    // RFC 6381 §3.3: avc1.<profile_idc><constraint flags><level_idc> in hex.
    const auto avcc = avcc_record(track.extradata);
    if (avcc.size() >= 4) {
      std::snprintf(buf, sizeof buf, "avc1.%02x%02x%02x", avcc[1], avcc[2], avcc[3]);
      return buf;
    }
    return "avc1.64001f";
  }
  if (track.codec == AV_CODEC_ID_AAC) {
    // RFC 6381 §3.3: mp4a.40.<audioObjectType> (ISO/IEC 14496-3 AudioSpecificConfig, 5 bits).
    const int aot = track.extradata.empty() ? 2 : (track.extradata[0] >> 3);
    std::snprintf(buf, sizeof buf, "mp4a.40.%d", aot > 0 ? aot : 2);
    return buf;
  }
  if (track.codec == AV_CODEC_ID_HEVC) return "hvc1.1.6.L93.B0";
  return avcodec_get_name(track.codec);
}

}  // namespace mediaemu::pipeline
