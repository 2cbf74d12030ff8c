// The units that flow through a channel's media pipeline. Ingest produces IngestEvents; the
// transcoder turns them into MediaPackets of the encoded renditions; packagers consume those.
// Encoded packets are shared by reference (fan-out to every endpoint without copies).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/ads/ad_cue.hpp"
#include "pipeline/libav.hpp"

namespace mediaemu::pipeline {

enum class MediaKind { Video, Audio };

// ---- ingest sources (pipeline/ingest/) -> transcoder -------------------------------------

// Every IngestSource produces these units, whatever its transport. Stated once for all of them:
//   - timestamps (dts_ms, cts_ms) are in kIngestTimeBase, milliseconds: RTMP carries them so, and
//     sources with finer clocks (90 kHz MPEG-TS, a file's stream time base) rescale at the source;
//   - H.264 framing is what `h264_framing` says: AVCC (length-prefixed NAL units with an avcC
//     record as VideoConfig, as RTMP/FLV and MP4 carry it) or Annex B (start codes, parameter sets
//     in-band or as VideoConfig, as MPEG-TS carries it). The decoder takes either.
enum class H264Framing { Avcc, AnnexB };
inline constexpr int kIngestTimeBaseDen = 1000;  // ticks per second of dts_ms / cts_ms
inline constexpr int64_t kUs = 1'000'000;         // microseconds per second (the output timeline's unit)

struct IngestEvent {
  enum class Type {
    Metadata,     // @setDataFrame/onMetaData: `metadata` holds the values as text
    VideoConfig,  // `data` = avcC (AVCC framing) or SPS/PPS NAL units with start codes (Annex B)
    AudioConfig,  // `data` = AudioSpecificConfig
    Frame,        // `data` = one H.264 access unit in `h264_framing`, or one raw AAC frame
    End,          // the publisher went away (`reason` says why); a new publish may follow
    Cue,          // `data` = an SCTE-35 splice_info_section from the input that makes a cue
                  // (ads::decode_splice_info); `dts_ms` = its splice time on the input's timeline
                  // (the newest frame's for an immediate splice)
  };
  Type type = Type::Frame;
  MediaKind kind = MediaKind::Video;
  int64_t dts_ms = 0;  // in kIngestTimeBase (1/1000 s)
  int32_t cts_ms = 0;  // composition offset: pts = dts + cts
  bool keyframe = false;
  H264Framing h264_framing = H264Framing::Avcc;
  std::vector<uint8_t> data;
  std::map<std::string, std::string> metadata;
  std::string reason;
};

// What a publisher session feeds. offer() never blocks: it returns false when the consumer's
// bounded queue is full, and the caller keeps the event and retries later (the RTMP session
// stops reading its socket meanwhile, which pushes back on the encoder over TCP).
class IngestSink {
 public:
  virtual ~IngestSink() = default;
  virtual bool offer(IngestEvent& event) = 0;
  // False once nothing will consume this sender's media again (its channel stopped): the sender
  // is disconnected, as MediaLive drops an encoder's connection when the channel stops.
  virtual bool accepting() const { return true; }
};

// ---- transcoder -> packagers ---------------------------------------------------------------

using SharedPacket = std::shared_ptr<const AVPacket>;
inline SharedPacket share(PacketPtr p) { return SharedPacket(p.release(), [](const AVPacket* q) {
  AVPacket* m = const_cast<AVPacket*>(q);
  av_packet_free(&m);
}); }

struct TrackInfo {
  int id = 0;  // unique within one channel output, from 1
  MediaKind kind = MediaKind::Video;
  std::string name;  // the VideoDescription / AudioDescription name
  AVCodecID codec = AV_CODEC_ID_NONE;
  std::vector<uint8_t> extradata;  // avcC for H.264, AudioSpecificConfig for AAC
  AVRational time_base{1, 90000};  // of pts/dts/duration in this track's packets
  int width = 0, height = 0;       // video
  AVRational frame_rate{0, 1};     // video
  int sample_rate = 0, channels = 0;  // audio
  int64_t bitrate = 0;                // target bits per second
  std::string codecs;                 // RFC 6381, e.g. "avc1.64001f", "mp4a.40.2"
};

// One output of the channel: a video rendition and the audio that plays with it (a variant
// stream in HLS terms). An audio track may serve several variants.
struct Variant {
  std::string name;  // output name
  int video_track = 0;  // 0: audio-only
  std::vector<int> audio_tracks;
};

struct OutputLayout {
  std::vector<TrackInfo> tracks;
  std::vector<Variant> variants;
  int64_t epoch_ms_at_zero = 0;  // wall-clock time of pts 0 (for PROGRAM-DATE-TIME, availabilityStartTime)
  const TrackInfo* track(int id) const {
    for (const auto& t : tracks)
      if (t.id == id) return &t;
    return nullptr;
  }
};

struct MediaPacket {
  int track_id = 0;
  SharedPacket packet;  // pts/dts/duration in the track's time_base; AV_PKT_FLAG_KEY on IDR frames
};

// Receives a channel's encoded output, on the channel's worker thread, packets interleaved in
// time. Every video rendition has an IDR at the same pts at each GOP start, so segments cut
// on the first video track's keyframes line up across renditions.
class MediaSink {
 public:
  virtual ~MediaSink() = default;
  virtual void on_layout(const OutputLayout& layout) = 0;  // before the first packet
  virtual void on_packet(const MediaPacket& packet) = 0;
  // The timeline jumps ahead (output paused during input loss, then resumed): HLS marks
  // EXT-X-DISCONTINUITY, DASH starts a new Period.
  virtual void on_discontinuity() = 0;
  // An SCTE-35 cue at `cue.pts_us` on the output timeline, announced before the packets at that
  // time (the video renditions have an IDR there). Packagers cut a segment at it and write ad
  // markers; other outputs ignore it.
  virtual void on_cue(const ads::AdCue& cue) {}
  // The channel stopped: finish the current segment, write final manifests (EXT-X-ENDLIST, a
  // static MPD).
  virtual void on_end() = 0;
  // Input-loss filler (EMIT_OUTPUT) follows on the output timeline from `from_us` on, until
  // on_filler_end: real media again from `at_us`. The output groups that pause on input loss
  // instead (PAUSE_OUTPUT, MediaPackage; VariantFilter) drop it; other sinks ignore these calls.
  virtual void on_filler_start(int64_t from_us) {}
  virtual void on_filler_end(int64_t at_us) {}
  // A still picture (JPEG) of the frame-capture output `output`, at `t_us` on the output timeline.
  // Outside the packet stream: stills are sparse and must not hold packets back.
  virtual void on_still(const std::string& output, const std::vector<uint8_t>& jpeg, int64_t t_us) {}
};

}  // namespace mediaemu::pipeline
