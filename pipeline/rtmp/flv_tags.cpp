#include "pipeline/rtmp/flv_tags.hpp"

#include <cctype>

namespace mediaemu::pipeline::rtmp {

namespace {

constexpr unsigned kCodecAvc = 7;           // FLV spec E.4.3.1 CodecID
constexpr unsigned kSoundFormatAac = 10;    // FLV spec E.4.2.1 SoundFormat
constexpr unsigned kSoundFormatExHeader = 9;  // enhanced-rtmp v2: extended audio header
constexpr unsigned kFrameTypeKey = 1;
constexpr unsigned kFrameTypeCommand = 5;   // video info/command frame: no picture

std::string fourcc_text(const uint8_t* p) {
  std::string s;
  for (int i = 0; i < 4; ++i) s += std::isprint(p[i]) ? static_cast<char>(p[i]) : '?';
  return s;
}

std::string video_fourcc_name(const std::string& fourcc) {
  if (fourcc == "hvc1") return "HEVC (hvc1)";
  if (fourcc == "av01") return "AV1 (av01)";
  if (fourcc == "vp09") return "VP9 (vp09)";
  if (fourcc == "vp08") return "VP8 (vp08)";
  return "'" + fourcc + "'";
}

std::string legacy_video_codec_name(unsigned id) {
  switch (id) {
    case 1: return "JPEG (FLV codec id 1)";
    case 2: return "Sorenson H.263 (FLV codec id 2)";
    case 3: return "Screen video (FLV codec id 3)";
    case 4: return "On2 VP6 (FLV codec id 4)";
    case 5: return "On2 VP6 with alpha (FLV codec id 5)";
    case 6: return "Screen video v2 (FLV codec id 6)";
    case 12: return "HEVC (FLV codec id 12)";
    default: return "FLV video codec id " + std::to_string(id);
  }
}

std::string legacy_sound_format_name(unsigned id) {
  switch (id) {
    case 0: return "linear PCM (FLV sound format 0)";
    case 1: return "ADPCM (FLV sound format 1)";
    case 2: return "MP3 (FLV sound format 2)";
    case 3: return "linear PCM little endian (FLV sound format 3)";
    case 4:
    case 5:
    case 6: return "Nellymoser (FLV sound format " + std::to_string(id) + ")";
    case 7: return "G.711 A-law (FLV sound format 7)";
    case 8: return "G.711 mu-law (FLV sound format 8)";
    case 11: return "Speex (FLV sound format 11)";
    case 13: return "Opus (FLV sound format 13)";
    case 14: return "MP3 8 kHz (FLV sound format 14)";
    default: return "FLV sound format " + std::to_string(id);
  }
}

TagResult skip(std::string why) { return {TagResult::Kind::Skip, {}, std::move(why)}; }
TagResult unsupported(std::string codec) { return {TagResult::Kind::Unsupported, {}, std::move(codec)}; }
TagResult malformed(std::string why) { return {TagResult::Kind::Malformed, {}, std::move(why)}; }

TagResult event(IngestEvent::Type type, MediaKind kind, const std::vector<uint8_t>& body, std::size_t data_at,
                bool keyframe = false, int32_t cts = 0) {
  TagResult r;
  r.kind = TagResult::Kind::Event;
  r.event.type = type;
  r.event.kind = kind;
  r.event.keyframe = keyframe;
  r.event.cts_ms = cts;
  r.event.data.assign(body.begin() + static_cast<std::ptrdiff_t>(data_at), body.end());
  return r;
}

// SI24 composition time offset (FLV spec E.4.3.2), sign-extended.
int32_t read_si24(const uint8_t* p) {
  auto v = static_cast<int32_t>(uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2]);
  return (v & 0x800000) ? v - 0x1000000 : v;
}

// An avcC must at least hold its fixed fields (ISO/IEC 14496-15 5.3.3.1) and say version 1.
bool plausible_avcc(const std::vector<uint8_t>& body, std::size_t at) {
  return body.size() >= at + 7 && body[at] == 1;
}

TagResult avc_packet(const std::vector<uint8_t>& body, unsigned packet_type, bool keyframe, std::size_t data_at,
                     int32_t cts) {
  switch (packet_type) {
    case 0:  // sequence header: AVCDecoderConfigurationRecord
      if (!plausible_avcc(body, data_at)) return malformed("AVC sequence header is not an AVCDecoderConfigurationRecord");
      return event(IngestEvent::Type::VideoConfig, MediaKind::Video, body, data_at);
    case 1:  // NAL units, each with a length prefix
      if (body.size() <= data_at) return skip("empty AVC frame");
      return event(IngestEvent::Type::Frame, MediaKind::Video, body, data_at, keyframe, cts);
    case 2:
      return skip("AVC end of sequence");
    default:
      return malformed("AVC packet type " + std::to_string(packet_type));
  }
}

// Enhanced RTMP v1 video: [1|FrameType:3|PacketType:4] [FourCC:4] then per packet type.
TagResult enhanced_video(const std::vector<uint8_t>& body) {
  unsigned frame_type = (body[0] >> 4) & 0x07;
  unsigned packet_type = body[0] & 0x0F;
  // A command frame carries a one-byte VideoCommand where others carry the FourCC (enhanced-rtmp
  // v2, ExVideoTagHeader), and no picture.
  if (frame_type == kFrameTypeCommand && packet_type != 4) return skip("video command frame");
  if (packet_type == 6 || packet_type == 7) {
    return unsupported("enhanced-RTMP " + std::string(packet_type == 6 ? "multitrack" : "ModEx") + " video");
  }
  if (body.size() < 5) return malformed("enhanced-RTMP video header shorter than 5 bytes");
  std::string fourcc = fourcc_text(body.data() + 1);
  if (fourcc != "avc1") return unsupported(video_fourcc_name(fourcc));
  bool keyframe = frame_type == kFrameTypeKey;
  switch (packet_type) {
    case 0: return avc_packet(body, 0, keyframe, 5, 0);  // SequenceStart
    case 1:                                           // CodedFrames: SI24 composition time first
      if (body.size() < 8) return malformed("enhanced-RTMP coded frame shorter than 8 bytes");
      return avc_packet(body, 1, keyframe, 8, read_si24(body.data() + 5));
    case 2: return skip("AVC end of sequence");       // SequenceEnd
    case 3: return avc_packet(body, 1, keyframe, 5, 0);  // CodedFramesX: composition time 0
    case 4: return skip("enhanced-RTMP video metadata");
    default: return unsupported("enhanced-RTMP video packet type " + std::to_string(packet_type));
  }
}

TagResult aac_packet(const std::vector<uint8_t>& body, unsigned packet_type, std::size_t data_at) {
  if (packet_type == 0) {
    // AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) is at least 2 bytes.
    if (body.size() < data_at + 2) return malformed("AAC sequence header shorter than an AudioSpecificConfig");
    return event(IngestEvent::Type::AudioConfig, MediaKind::Audio, body, data_at);
  }
  if (packet_type == 1) {
    if (body.size() <= data_at) return skip("empty AAC frame");
    // Every AAC frame decodes on its own; packagers may cut anywhere.
    return event(IngestEvent::Type::Frame, MediaKind::Audio, body, data_at, true);
  }
  return malformed("AAC packet type " + std::to_string(packet_type));
}

}  // namespace

TagResult parse_video_tag(const std::vector<uint8_t>& body) {
  if (body.empty()) return skip("empty video message");
  if (body[0] & 0x80) return enhanced_video(body);
  unsigned frame_type = body[0] >> 4;
  unsigned codec = body[0] & 0x0F;
  if (codec != kCodecAvc) return unsupported(legacy_video_codec_name(codec));
  if (frame_type == kFrameTypeCommand) return skip("video info/command frame");
  if (body.size() < 5) return malformed("AVC video tag shorter than 5 bytes");
  return avc_packet(body, body[1], frame_type == kFrameTypeKey, 5, read_si24(body.data() + 2));
}

TagResult parse_audio_tag(const std::vector<uint8_t>& body) {
  if (body.empty()) return skip("empty audio message");
  unsigned format = body[0] >> 4;
  if (format == kSoundFormatExHeader) {
    // Enhanced RTMP v2 audio: [9:4|AudioPacketType:4] [FourCC:4] ...
    unsigned packet_type = body[0] & 0x0F;
    if (packet_type == 5 || packet_type == 7) {
      return unsupported("enhanced-RTMP " + std::string(packet_type == 5 ? "multitrack" : "ModEx") + " audio");
    }
    if (body.size() < 5) return malformed("enhanced-RTMP audio header shorter than 5 bytes");
    std::string fourcc = fourcc_text(body.data() + 1);
    if (fourcc != "mp4a") return unsupported("audio '" + fourcc + "'");
    if (packet_type == 2) return skip("AAC end of sequence");
    if (packet_type > 1) return skip("enhanced-RTMP audio packet type " + std::to_string(packet_type));
    return aac_packet(body, packet_type, 5);
  }
  if (format != kSoundFormatAac) return unsupported(legacy_sound_format_name(format));
  if (body.size() < 2) return malformed("AAC audio tag shorter than 2 bytes");
  return aac_packet(body, body[1], 2);
}

std::string unsupported_codec_text(const std::string& codec) {
  return "codec " + codec + " is not supported; mediaemu ingests H.264 video and AAC audio";
}

}  // namespace mediaemu::pipeline::rtmp
