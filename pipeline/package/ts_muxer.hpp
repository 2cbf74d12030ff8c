// MPEG-TS segments (ISO/IEC 13818-1) for HLS, through libavformat's mpegts muxer writing into
// memory (custom AVIO; no temporary files). One muxer lives as long as the packager, so the
// continuity counters carry on from segment to segment the way a player expects of one stream;
// PAT/PMT are re-sent at the start of every segment so each segment can be decoded on its own
// (RFC 8216 §3.2: each TS segment must contain PAT and PMT, or the player must be told via
// EXT-X-MAP), and before every IDR, so that each I-frame range (EXT-X-BYTERANGE of an
// I-frame playlist) starts with them. initial_discontinuity stays off.
// With `sample_aes`, the samples of each segment that carries a key are encrypted before they are
// muxed (HLS SAMPLE-AES, pipeline/crypto/sample_aes.hpp) and the PMT says so (ts_sample_aes_pmt.hpp).
// With `scte35_pid`, the PMT lists an SCTE-35 stream on that PID and each segment's cues
// (Segment::cues) are written on it as splice_info_sections right after the segment's PAT/PMT
// (ts_scte35.hpp), their splice times on the muxer's timeline.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "pipeline/media.hpp"
#include "pipeline/package/segmenter.hpp"
#include "pipeline/package/ts_pmt.hpp"

namespace mediaemu::pipeline {

class TsMuxer {
 public:
  // The tracks that go into this muxer's segments: a variant's video and its audio, or one
  // audio rendition.
  explicit TsMuxer(std::vector<const TrackInfo*> tracks, bool sample_aes = false,
                   std::optional<uint16_t> scte35_pid = std::nullopt);
  ~TsMuxer();
  TsMuxer(const TsMuxer&) = delete;
  TsMuxer& operator=(const TsMuxer&) = delete;

  struct KeyframeRange {
    int64_t offset = 0;  // in the segment: the PAT/PMT sent before the IDR's PES
    int64_t length = 0;  // to the end of that PES
    double pts_seconds = 0;
  };
  struct Output {
    std::vector<uint8_t> bytes;
    std::vector<KeyframeRange> keyframes;  // of the video track
  };
  // Muxes this muxer's tracks of `segment`. Empty bytes when none of them has a packet.
  Output mux(const Segment& segment);

 private:
  struct ContextDeleter {
    void operator()(AVFormatContext* c) const;
  };
  static int write_callback(void* opaque, uint8_t* buf, int size);
  void open();
  // The packet as it goes into the muxer: `packet` itself, or its SAMPLE-AES encrypted copy.
  const AVPacket* sample_aes_packet(size_t stream, const AVPacket* packet, const Segment& segment);
  // Puts `segment`'s cues on the SCTE-35 PID into `out`, after its first PMT.
  void insert_cues(const Segment& segment, Output& out);

  std::vector<const TrackInfo*> tracks_;
  std::unique_ptr<AVFormatContext, ContextDeleter> context_;
  std::vector<uint8_t> pending_;  // bytes written by the muxer since the last segment was taken
  std::map<size_t, int64_t> last_dts_us_;  // by stream index
  bool sample_aes_ = false;
  PmtRewriter pmt_;                       // SAMPLE-AES and SCTE-35 signalling
  std::optional<uint16_t> scte35_pid_;
  uint8_t scte35_continuity_ = 0;
  std::vector<int> nal_length_sizes_;  // by stream index: the avcC's, 0 for Annex B (H.264 only)
  PacketPtr encrypted_;                // scratch for sample_aes_packet
};

}  // namespace mediaemu::pipeline
