// The media work of one LiveTranscoder, on its worker thread only: decode the ingest once, map
// input timestamps onto one continuous output timeline, feed every rendition, detect input loss
// and emit filler or pause, and hand the interleaved packets to the MediaSink.
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/media.hpp"
#include "pipeline/transcode/audio_rendition.hpp"
#include "pipeline/transcode/frame_capturer.hpp"
#include "pipeline/transcode/ladder_spec.hpp"
#include "pipeline/transcode/packet_interleaver.hpp"
#include "pipeline/transcode/picture.hpp"
#include "pipeline/transcode/stream_decoder.hpp"
#include "pipeline/transcode/video_rendition.hpp"

namespace mediaemu::pipeline {

class LadderEngine {
 public:
  using Clock = std::chrono::steady_clock;

  // Opens the audio encoders; throws std::invalid_argument when outputs name renditions the
  // spec does not define.
  LadderEngine(const LadderSpec& spec, MediaSink& sink);

  // Reads the stills the spec names (AvailBlankingImage, InputLossImageSlate): on the worker, before
  // its first event, as they may be URLs. One that cannot be read is logged and black (or the
  // loss colour) is shown instead.
  void load_stills();
  void handle(IngestEvent& event, Clock::time_point now);
  // Input-loss detection and filler; returns how long the worker may wait for input before
  // calling again.
  std::chrono::milliseconds tick(Clock::time_point now);
  // An SCTE-35 cue to insert at `at_epoch_ms` (wall clock), or as soon as possible (nullopt, or a
  // time already passed). Placed once output has started: the splice point is snapped to the
  // first output frame at or after that time, every video rendition gets an IDR there (and at
  // the break's planned end), then MediaSink::on_cue announces it.
  void insert_cue(ads::CueRequest cue);
  // End of the channel: every buffered frame encoded, packets out, then MediaSink::on_end().
  void finish();

  struct Stats {
    int64_t video_frames_in = 0, audio_frames_in = 0, decode_errors = 0, frames_without_config = 0;
    int64_t video_frames_out = 0, audio_frames_out = 0, dropped = 0, duplicated = 0;
    int64_t losses = 0;
  };
  Stats stats() const;
  // Input frames received and not encoded (corrupt, or without a decoder configuration).
  int64_t dropped_input_frames() const { return stats_.decode_errors + stats_.frames_without_config; }
  // How long the current fill period has lasted at `now` (0 unless filling after an input loss).
  int64_t fill_ms(Clock::time_point now) const;
  // Output has started and is not paused for input loss.
  bool producing() const;
  // The brightest pixel / loudest sample decoded since the last call (content_levels.hpp), -1
  // each when none was decoded; resets both.
  std::pair<int, int> take_peaks() { return {std::exchange(peak_luma_, -1), std::exchange(peak_audio_, -1)}; }

 private:
  enum class InputState { Waiting, Live, LostFilling, LostPaused };

  void on_frame(IngestEvent& event, Clock::time_point now);
  void on_video_picture(AVFrame* picture);
  void on_audio_samples(AVFrame* samples);
  void open_decoder(std::optional<StreamDecoder>& decoder, AVCodecID codec, const Bytes& config);
  void drain_decoders();
  void open_video_renditions(const AVFrame* first_picture);
  void maybe_start_output();
  void rebase(int64_t anchor_ms, Clock::time_point now);
  void enter_loss(Clock::time_point now);
  void leave_loss(Clock::time_point now);
  void fill_until(Clock::time_point now);
  FillerPicture filler_at(int64_t t_us) const;
  int64_t timeline_end_us() const;
  int64_t output_us_at(Clock::time_point now) const;
  void note_decode_error(const char* kind);
  void place_cue(ads::CueRequest cue);
  // An SCTE-35 section of the input (IngestEvent::Type::Cue): a cue at its splice time, as
  // MediaLive passes the input's SCTE-35 on (ML-UG scte-35-passthrough).
  void on_input_cue(const IngestEvent& event);
  // Ad avail blanking (LadderSpec::avail_blanking): whether output time `t_us` is in an avail, and
  // the black picture or silence that replaces a decoded one there.
  bool in_avail(int64_t from_us, int64_t to_us) const;  // [from, to) overlaps an avail
  // Audio decodes ahead of the video (the video decoder's delay, the input's interleave); with
  // blanking on, it waits here until the video has passed it, so a cue placed at the video's next
  // frame still finds all of its audio unencoded. Bounded: audio more than kMaxAudioHoldUs ahead
  // (video stalled or absent) goes on without waiting.
  void push_audio(const AVFrame* samples, int64_t t_us);
  void release_held_audio(bool all);
  FramePtr black_like(const AVFrame* picture);  // the AvailBlankingImage when there is one
  FramePtr silence_like(const AVFrame* samples) const;
  int64_t splice_point_at_or_after(int64_t t_us) const;  // a frame time of every video rendition

  LadderSpec spec_;
  MediaSink& sink_;
  std::unique_ptr<PacketInterleaver> interleaver_;
  std::vector<std::unique_ptr<VideoRendition>> video_;
  std::vector<std::unique_ptr<AudioRendition>> audio_;
  std::vector<std::unique_ptr<FrameCapturer>> captures_;  // null once one failed (logged)
  std::vector<Variant> variants_;
  std::optional<StreamDecoder> video_decoder_, audio_decoder_;
  AVRational metadata_fps_{0, 1};
  bool failed_ = false;

  // Timeline: output_us = input_ms * 1000 + offset_us_, re-chosen at each (re)publish.
  bool rebase_ = true;
  int64_t offset_us_ = 0;
  int64_t publish_start_us_ = 0;  // output time the current publish's first frame maps to
  int64_t epoch_ms_at_zero_ = 0;
  int64_t last_dts_ms_ = 0;
  int64_t last_frame_out_us_ = 0;  // output time of the newest input frame
  Clock::time_point last_frame_wall_{};
  InputState state_ = InputState::Waiting;
  int64_t loss_start_out_us_ = 0;
  Stats stats_;
  std::vector<ads::CueRequest> pending_cues_;  // inserted before output started
  std::vector<std::pair<int64_t, int64_t>> avails_;  // [start, end) µs of ad avails, when blanking
  std::deque<std::pair<FramePtr, int64_t>> held_audio_;  // decoded audio and its output time
  std::unique_ptr<PicturePool> black_pool_;          // source-sized black pictures, when blanking
  FramePtr avail_image_, loss_slate_;                // the stills, as decoded (load_stills)
  std::optional<PictureScaler> avail_scaler_;        // the avail image at the source's size
  FramePtr avail_picture_;
  int peak_luma_ = -1, peak_audio_ = -1;  // since take_peaks()
};

}  // namespace mediaemu::pipeline
