#include "pipeline/package/fmp4.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "pipeline/package/codec_config.hpp"

namespace mediaemu::pipeline {

namespace {

void unity_matrix(BoxWriter& w) {
  for (uint32_t v : {0x00010000u, 0u, 0u, 0u, 0x00010000u, 0u, 0u, 0u, 0x40000000u}) w.u32(v);
}

void brands(BoxWriter& w, const char* type, const char* major, std::initializer_list<const char*> compatible) {
  const size_t box = w.begin(type);
  w.fourcc(major);
  w.u32(0);
  for (const char* c : compatible) w.fourcc(c);
  w.end(box);
}

// ISO/IEC 14496-1 §8.3.3 expandable size: 4 bytes, so the descriptor size never changes layout.
void descriptor(BoxWriter& w, uint8_t tag, size_t size) {
  w.u8(tag);
  w.u8(0x80 | ((size >> 21) & 0x7f));
  w.u8(0x80 | ((size >> 14) & 0x7f));
  w.u8(0x80 | ((size >> 7) & 0x7f));
  w.u8(size & 0x7f);
}

void avc1_entry(BoxWriter& w, const TrackInfo& t, const Fmp4Protection* protection) {
  const auto avcc = avcc_record(t.extradata);
  if (avcc.empty()) throw std::runtime_error("track " + t.name + ": H.264 without SPS/PPS cannot be put in MP4");
  const size_t entry = w.begin(protection ? "encv" : "avc1");  // ISO/IEC 14496-12 §12.1.3 VisualSampleEntry
  w.zeros(6);
  w.u16(1);  // data_reference_index
  w.zeros(16);
  w.u16(t.width);
  w.u16(t.height);
  w.u32(0x00480000);  // 72 dpi
  w.u32(0x00480000);
  w.u32(0);
  w.u16(1);  // frame_count
  w.zeros(32);  // compressorname
  w.u16(0x0018);
  w.u16(0xffff);
  const size_t c = w.begin("avcC");  // ISO/IEC 14496-15 §5.4.2.1
  w.bytes(avcc);
  w.end(c);
  if (protection) write_sinf(w, "avc1", *protection, true);
  w.end(entry);
}

void mp4a_entry(BoxWriter& w, const TrackInfo& t, const Fmp4Protection* protection) {
  const size_t entry = w.begin(protection ? "enca" : "mp4a");  // ISO/IEC 14496-12 §12.2.3 AudioSampleEntry
  w.zeros(6);
  w.u16(1);
  w.zeros(8);
  w.u16(t.channels > 0 ? t.channels : 2);
  w.u16(16);
  w.u32(0);
  w.u32(static_cast<uint32_t>(std::min(t.sample_rate, 65535)) << 16);
  // ISO/IEC 14496-14 §5.6 esds: ES_Descriptor > DecoderConfigDescriptor > DecoderSpecificInfo.
  const size_t esds = w.begin_full("esds", 0, 0);
  const size_t asc = t.extradata.size();
  const size_t dec_config = 13 + 5 + asc;
  descriptor(w, 0x03, 3 + 5 + dec_config + 5 + 1);
  w.u16(1);  // ES_ID
  w.u8(0);
  descriptor(w, 0x04, dec_config);
  w.u8(0x40);  // objectTypeIndication: Audio ISO/IEC 14496-3
  w.u8(0x15);  // streamType audio (5) << 2 | reserved 1
  w.u24(0);
  w.u32(static_cast<uint32_t>(t.bitrate));
  w.u32(static_cast<uint32_t>(t.bitrate));
  descriptor(w, 0x05, asc);
  w.bytes(t.extradata);
  descriptor(w, 0x06, 1);
  w.u8(0x02);  // SLConfigDescriptor predefined = 2 (MP4)
  w.end(esds);
  if (protection) write_sinf(w, "mp4a", *protection, false);
  w.end(entry);
}

std::vector<uint8_t> build_init(const TrackInfo& t, uint32_t timescale, const Fmp4Protection* protection) {
  const bool video = t.kind == MediaKind::Video;
  BoxWriter w;
  brands(w, "ftyp", "iso6", {"iso6", "cmfc", "dash", "mp41"});
  const size_t moov = w.begin("moov");
  const size_t mvhd = w.begin_full("mvhd", 0, 0);
  w.u32(0), w.u32(0), w.u32(1000), w.u32(0);
  w.u32(0x00010000), w.u16(0x0100), w.zeros(10);
  unity_matrix(w);
  w.zeros(24);
  w.u32(2);  // next_track_ID
  w.end(mvhd);

  const size_t trak = w.begin("trak");
  const size_t tkhd = w.begin_full("tkhd", 0, 0x3);  // enabled | in_movie
  w.u32(0), w.u32(0), w.u32(1), w.u32(0), w.u32(0);
  w.zeros(8);
  w.u16(0), w.u16(0), w.u16(video ? 0 : 0x0100), w.u16(0);
  unity_matrix(w);
  w.u32(video ? static_cast<uint32_t>(t.width) << 16 : 0);
  w.u32(video ? static_cast<uint32_t>(t.height) << 16 : 0);
  w.end(tkhd);
  const size_t mdia = w.begin("mdia");
  const size_t mdhd = w.begin_full("mdhd", 0, 0);
  w.u32(0), w.u32(0), w.u32(timescale), w.u32(0);
  w.u16(0x55c4);  // ISO-639-2 "und"
  w.u16(0);
  w.end(mdhd);
  const size_t hdlr = w.begin_full("hdlr", 0, 0);
  w.u32(0);
  w.fourcc(video ? "vide" : "soun");
  w.zeros(12);
  const std::string name = video ? "VideoHandler" : "SoundHandler";
  w.bytes(reinterpret_cast<const uint8_t*>(name.c_str()), name.size() + 1);
  w.end(hdlr);
  const size_t minf = w.begin("minf");
  if (video) {
    const size_t vmhd = w.begin_full("vmhd", 0, 1);
    w.zeros(8);
    w.end(vmhd);
  } else {
    const size_t smhd = w.begin_full("smhd", 0, 0);
    w.zeros(4);
    w.end(smhd);
  }
  const size_t dinf = w.begin("dinf");
  const size_t dref = w.begin_full("dref", 0, 0);
  w.u32(1);
  const size_t url = w.begin_full("url ", 0, 1);  // media data in the same file
  w.end(url);
  w.end(dref);
  w.end(dinf);
  const size_t stbl = w.begin("stbl");
  const size_t stsd = w.begin_full("stsd", 0, 0);
  w.u32(1);
  if (t.codec == AV_CODEC_ID_H264) avc1_entry(w, t, protection);
  else if (t.codec == AV_CODEC_ID_AAC) mp4a_entry(w, t, protection);
  else throw std::runtime_error(std::string("fMP4 packaging supports H.264 and AAC, not ") + avcodec_get_name(t.codec));
  w.end(stsd);
  // Sample tables are empty: every sample lives in a movie fragment (§8.8).
  for (const char* box : {"stts", "stsc", "stco"}) {
    const size_t b = w.begin_full(box, 0, 0);
    w.u32(0);
    w.end(b);
  }
  const size_t stsz = w.begin_full("stsz", 0, 0);
  w.u32(0), w.u32(0);
  w.end(stsz);
  w.end(stbl);
  w.end(minf);
  w.end(mdia);
  w.end(trak);

  const size_t mvex = w.begin("mvex");
  const size_t trex = w.begin_full("trex", 0, 0);
  w.u32(1), w.u32(1), w.u32(0), w.u32(0), w.u32(0);
  w.end(trex);
  w.end(mvex);
  if (protection)
    for (const auto& pssh : protection->pssh_boxes) w.bytes(pssh);
  w.end(moov);
  return std::move(w.data());
}

struct Sample {
  int64_t decode_time;
  int64_t duration;
  int64_t composition_offset;
  bool sync;
  std::vector<uint8_t> data;
};

// MS-SSTR §2.2.4.4 / §2.2.4.5: the extended type of TfxdBox and TfrfBox; both are version 1
// full boxes (64-bit times) inside a 'uuid' box.
constexpr uint8_t kTfxdUuid[16] = {0x6d, 0x1d, 0x9b, 0x05, 0x42, 0xd5, 0x44, 0xe6,
                                   0x80, 0xe2, 0x14, 0x1d, 0xaf, 0xf7, 0x57, 0xb2};
constexpr uint8_t kTfrfUuid[16] = {0xd4, 0x80, 0x7e, 0xf2, 0xca, 0x39, 0x46, 0x95,
                                   0x8e, 0x54, 0x26, 0xcb, 0x9e, 0x46, 0xa7, 0x9f};

size_t begin_smooth_uuid(BoxWriter& w, const uint8_t (&uuid)[16]) {
  const size_t at = w.begin("uuid");
  w.bytes(uuid, 16);
  w.u8(1);  // version
  w.u24(0);
  return at;
}

uint32_t read_u32(const std::vector<uint8_t>& b, size_t at) {
  return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
}
void write_u32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

// The offset of the first child box of `type` in [from, to), or npos.
size_t find_box(const std::vector<uint8_t>& b, size_t from, size_t to, const char* type) {
  for (size_t at = from; at + 8 <= to;) {
    const uint32_t size = read_u32(b, at);
    if (size < 8 || at + size > to) return std::string::npos;
    if (std::equal(type, type + 4, b.begin() + at + 4)) return at;
    at += size;
  }
  return std::string::npos;
}

}  // namespace

void add_smooth_lookahead(std::vector<uint8_t>& fragment, int64_t time, int64_t duration) {
  const size_t moof = find_box(fragment, 0, fragment.size(), "moof");
  if (moof == std::string::npos) throw std::invalid_argument("Smooth Streaming fragment without moof");
  const size_t moof_end = moof + read_u32(fragment, moof);
  const size_t traf = find_box(fragment, moof + 8, moof_end, "traf");
  if (traf == std::string::npos) throw std::invalid_argument("Smooth Streaming fragment without traf");
  const size_t traf_end = traf + read_u32(fragment, traf);
  const size_t trun = find_box(fragment, traf + 8, traf_end, "trun");
  BoxWriter w;
  const size_t tfrf = begin_smooth_uuid(w, kTfrfUuid);
  w.u8(1);  // fragment_count
  w.u64(static_cast<uint64_t>(time));
  w.u64(static_cast<uint64_t>(duration));
  w.end(tfrf);
  const uint32_t added = static_cast<uint32_t>(w.size());
  fragment.insert(fragment.begin() + static_cast<std::ptrdiff_t>(traf_end), w.data().begin(), w.data().end());
  write_u32(fragment, moof, read_u32(fragment, moof) + added);
  write_u32(fragment, traf, read_u32(fragment, traf) + added);
  // The samples moved by as much: trun's data_offset (relative to the moof, default-base-is-moof)
  // follows its sample_count.
  if (trun != std::string::npos) write_u32(fragment, trun + 16, read_u32(fragment, trun + 16) + added);
}

Fmp4TrackMuxer::Fmp4TrackMuxer(const TrackInfo& track) : track_(track) {
  const AVRational tb = track.time_base;
  if (tb.num == 1 && tb.den >= 1000) timescale_ = static_cast<uint32_t>(tb.den);
  else if (track.kind == MediaKind::Audio && track.sample_rate > 0) timescale_ = static_cast<uint32_t>(track.sample_rate);
  else timescale_ = 90000;
  annexb_ = track.codec == AV_CODEC_ID_H264 && !is_avcc_extradata(track.extradata);
  init_ = build_init(track, timescale_, nullptr);
}

void Fmp4TrackMuxer::smooth_streaming() {
  smooth_ = true;
  timescale_ = 10'000'000;
  init_ = build_init(track_, timescale_, nullptr);
}

void Fmp4TrackMuxer::protect(const Fmp4Protection& protection) {
  protection_ = protection;
  init_ = build_init(track_, timescale_, &*protection_);
}

std::optional<Fmp4Fragment> Fmp4TrackMuxer::fragment(const SegmentTrack& data, uint32_t sequence_number,
                                                     const crypto::SegmentKey* key) {
  if (data.packets.empty()) return std::nullopt;
  const AVRational ts{1, static_cast<int>(timescale_)};
  const bool video = track_.kind == MediaKind::Video;
  auto rescale = [&](int64_t v) { return av_rescale_q(v, track_.time_base, ts); };

  std::vector<Sample> samples;
  samples.reserve(data.packets.size());
  for (const auto& p : data.packets) {
    const int64_t dts = rescale(p->dts != AV_NOPTS_VALUE ? p->dts : p->pts);
    const int64_t pts = rescale(p->pts != AV_NOPTS_VALUE ? p->pts : p->dts);
    const bool key = !video || (p->flags & AV_PKT_FLAG_KEY);
    if (!reorder_delay_ && key) reorder_delay_ = std::max<int64_t>(0, pts - dts);
    const int64_t decode_time = dts + reorder_delay_.value_or(0);
    Sample s{decode_time, 0, pts - decode_time, key, {}};
    if (video) {
      s.data = to_length_prefixed(p->data, p->size, annexb_);
    } else {
      size_t skip = 0;  // raw AAC belongs in MP4; drop an ADTS header if one came along
      if (p->size >= 7 && p->data[0] == 0xff && (p->data[1] & 0xf6) == 0xf0) skip = (p->data[1] & 1) ? 7 : 9;
      s.data.assign(p->data + skip, p->data + p->size);
    }
    samples.push_back(std::move(s));
  }
  for (size_t i = 0; i + 1 < samples.size(); ++i)
    samples[i].duration = std::max<int64_t>(0, samples[i + 1].decode_time - samples[i].decode_time);
  // The last sample lasts until the track's next packet when it has arrived, so consecutive
  // segments are gapless: next tfdt = this tfdt + this duration, exactly.
  Sample& last = samples.back();
  const AVPacket& last_packet = *data.packets.back();
  if (data.next_dts) last.duration = rescale(*data.next_dts) + reorder_delay_.value_or(0) - last.decode_time;
  else if (last_packet.duration > 0) last.duration = rescale(last_packet.duration);
  else if (samples.size() > 1) last.duration = samples[samples.size() - 2].duration;
  else last.duration = last_duration_;
  last.duration = std::max<int64_t>(0, last.duration);
  last_duration_ = last.duration;

  std::optional<Fmp4FragmentEncryption> encryption;
  if (key) {
    if (!protection_) throw std::logic_error("track " + track_.name + ": encrypted fragment without a protected init segment");
    std::vector<std::vector<uint8_t>*> sample_data;
    for (auto& s : samples) sample_data.push_back(&s.data);
    encryption = encrypt_fragment_samples(*protection_, *key, track_, sequence_number, sample_data);
  }

  BoxWriter w;
  if (!smooth_) brands(w, "styp", "msdh", {"msdh", "cmfs"});
  const size_t moof_at = w.size();
  const size_t moof = w.begin("moof");
  const size_t mfhd = w.begin_full("mfhd", 0, 0);
  w.u32(sequence_number);
  w.end(mfhd);
  if (encryption) write_moof_pssh(w, *encryption);
  const size_t traf = w.begin("traf");
  const size_t tfhd = w.begin_full("tfhd", 0, 0x020000);  // default-base-is-moof
  w.u32(1);
  w.end(tfhd);
  if (!smooth_) {
    // A Smooth traf has no tfdt (MS-SSTR §2.2.4.3 lists tfxd, tfhd, trun, sdtp and uuid boxes):
    // players place the fragment by the manifest's time, which for a start-over window dash.js
    // rebases to zero and only applies when the fragment carries no tfdt of its own.
    const size_t tfdt = w.begin_full("tfdt", 1, 0);
    w.u64(static_cast<uint64_t>(samples.front().decode_time));
    w.end(tfdt);
  }
  // data-offset | sample-duration | sample-size [| sample-flags | sample-composition-time-offset]
  const uint32_t flags = 0x000001 | 0x000100 | 0x000200 | (video ? 0x000400 | 0x000800 : 0);
  const size_t trun = w.begin_full("trun", video ? 1 : 0, flags);
  w.u32(static_cast<uint32_t>(samples.size()));
  const size_t data_offset_at = w.size();
  w.u32(0);
  for (const auto& s : samples) {
    w.u32(static_cast<uint32_t>(s.duration));
    w.u32(static_cast<uint32_t>(s.data.size()));
    if (video) {
      // §8.8.3.1 sample flags: sync = depends on nothing; others depend on others, non-sync.
      w.u32(s.sync ? 0x02000000u : 0x01010000u);
      w.u32(static_cast<uint32_t>(static_cast<int32_t>(s.composition_offset)));
    }
  }
  w.end(trun);
  if (encryption && smooth_) write_piff_sample_encryption(w, *encryption);
  else if (encryption) write_traf_encryption(w, moof_at, *encryption);
  if (smooth_) {
    int64_t total = 0;
    for (const auto& s : samples) total += s.duration;
    const size_t tfxd = begin_smooth_uuid(w, kTfxdUuid);
    w.u64(static_cast<uint64_t>(samples.front().decode_time));  // fragment_absolute_time
    w.u64(static_cast<uint64_t>(total));                        // fragment_duration
    w.end(tfxd);
  }
  w.end(traf);
  w.end(moof);
  w.patch_u32(data_offset_at, static_cast<uint32_t>(w.size() - moof_at + 8));
  const size_t mdat_header = w.size();
  const size_t mdat = w.begin("mdat");
  for (const auto& s : samples) w.bytes(s.data);
  w.end(mdat);

  Fmp4Fragment out;
  out.start = samples.front().decode_time;
  for (const auto& s : samples) out.duration += s.duration;
  out.first_sample_bytes = static_cast<int64_t>(samples.front().data.size());
  out.first_sample_end = static_cast<int64_t>(mdat_header + 8) + out.first_sample_bytes;
  out.bytes = std::move(w.data());
  return out;
}

}  // namespace mediaemu::pipeline
