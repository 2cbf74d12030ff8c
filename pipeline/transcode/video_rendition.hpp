// One rung of the video ladder: scale the decoded source once to the rendition's size, convert
// to the rendition's frame rate on a fixed output grid, and encode with libx264 with IDR frames
// at every GOP boundary of that grid, so all renditions cut at the same instants.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "pipeline/media.hpp"
#include "pipeline/transcode/codec_config.hpp"
#include "pipeline/transcode/ladder_spec.hpp"
#include "pipeline/transcode/packet_interleaver.hpp"
#include "pipeline/transcode/picture.hpp"

namespace mediaemu::pipeline {

// What input-loss filler shows (MediaLive InputLossBehavior: repeat, then black, then colour).
enum class FillerPicture { LastPicture, Black, Color };

struct VideoEncoderSettings {
  std::string preset = "veryfast";
  int threads = 0;
  YuvColor loss_color;
};

class VideoRendition {
 public:
  static constexpr AVRational kTimeBase{1, 90000};

  VideoRendition(VideoRenditionSpec spec, int track_id, VideoEncoderSettings settings,
                 PacketInterleaver& out);

  // Fixes the output size and frame rate from the first source picture (for the dimensions
  // the spec leaves at 0) and opens the encoder. Throws when libx264 rejects the settings.
  void open(int src_width, int src_height, AVRational src_sar, AVRational src_fps);
  bool is_open() const { return scaler_.has_value(); }
  TrackInfo track_info() const;

  // A decoded source picture at output time t_us: encoded on the output slot nearest to t,
  // after repeating the previous picture over any slots the source skipped; dropped when its
  // slot was already filled (source faster than the output rate).
  void push(const AVFrame* source, int64_t t_us);
  // The still shown instead of the loss colour (InputLossImageSlate), owned by the caller, which
  // outlives the rendition; null: the colour.
  void set_loss_slate(const AVFrame* slate) { loss_slate_ = slate; }
  // Input-loss filler for every slot before until_us; `pick` chooses by the slot's time.
  void fill(int64_t until_us, const std::function<FillerPicture(int64_t t_us)>& pick);

  int64_t next_time_us() const { return slot_time_us(next_slot_); }
  // After a pause, the next frame goes on the first slot at or after t_us.
  void skip_to(int64_t t_us);
  // The time of this rendition's first output slot at or after t_us.
  int64_t slot_time_at_or_after(int64_t t_us) const { return slot_time_us(first_slot_at_or_after(t_us)); }
  // The frame on the first slot at or after t_us is an IDR (an SCTE-35 splice point), besides
  // the GOP grid's.
  void force_idr_at(int64_t t_us) { forced_slots_.insert(first_slot_at_or_after(t_us)); }
  // The first GOP boundary of this rendition's output grid at or after t_us.
  int64_t next_gop_start_us(int64_t t_us) const;
  // Flushes the encoder (all packets out); the next frame opens a fresh one with an IDR.
  void drain();

  struct Stats {
    int64_t frames_out = 0, dropped = 0, duplicated = 0;
  };
  const Stats& stats() const { return stats_; }
  const std::string& name() const { return spec_.name; }

 private:
  void open_encoder();
  void encode(AVFrame* picture, int64_t slot);
  void receive_packets();
  void emit(PacketPtr packet);
  int64_t slot_time_us(int64_t slot) const;
  int64_t nearest_slot(int64_t t_us) const;
  int64_t first_slot_at_or_after(int64_t t_us) const;
  AVFrame* filler(FillerPicture which);

  VideoRenditionSpec spec_;
  int track_id_;
  VideoEncoderSettings settings_;
  PacketInterleaver& out_;

  int width_ = 0, height_ = 0;
  AVRational fps_{0, 1};
  std::set<int64_t> forced_slots_;  // force_idr_at, not yet encoded
  int64_t gop_frames_ = 0;
  std::optional<PictureScaler> scaler_;
  CodecContextPtr encoder_;
  Bytes avcc_;
  PacketPtr packet_ = make_packet();

  int64_t next_slot_ = 0;
  bool force_idr_ = true;
  FramePtr last_, black_, color_;
  const AVFrame* loss_slate_ = nullptr;
  Stats stats_;
};

}  // namespace mediaemu::pipeline
