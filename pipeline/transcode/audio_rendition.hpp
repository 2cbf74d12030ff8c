// One audio rendition: resample the decoded source to the rendition's rate and channel count
// (libswresample), keep the samples on a continuous output timeline (silence over gaps, drop
// overlaps), and encode 1024-sample frames with FFmpeg's native AAC encoder.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "pipeline/media.hpp"
#include "pipeline/transcode/codec_config.hpp"
#include "pipeline/transcode/ladder_spec.hpp"
#include "pipeline/transcode/packet_interleaver.hpp"

extern "C" {
#include <libavutil/audio_fifo.h>
#include <libswresample/swresample.h>
}

namespace mediaemu::pipeline {

class AudioRendition {
 public:
  // Opens the encoder; throws when the AAC encoder rejects the settings.
  AudioRendition(AudioRenditionSpec spec, int track_id, PacketInterleaver& out);
  ~AudioRendition() { av_channel_layout_uninit(&in_layout_); }
  AudioRendition(const AudioRendition&) = delete;
  AudioRendition& operator=(const AudioRendition&) = delete;

  TrackInfo track_info() const;
  AVRational time_base() const { return AVRational{1, spec_.sample_rate}; }

  // Decoded source samples starting at output time t_us.
  void push(const AVFrame* decoded, int64_t t_us);
  // Silence up to until_us (input loss, or an input without audio).
  void fill_silence(int64_t until_us);
  int64_t next_time_us() const;
  // After a pause, the next sample goes at t_us.
  void skip_to(int64_t t_us);
  // Encodes what is buffered (a short last frame) and flushes the encoder; a fresh encoder
  // opens when samples arrive again.
  void drain();

  int64_t frames_out() const { return frames_out_; }
  const std::string& name() const { return spec_.name; }

 private:
  struct SwrDeleter {
    void operator()(SwrContext* s) const { swr_free(&s); }
  };
  struct FifoDeleter {
    void operator()(AVAudioFifo* f) const { av_audio_fifo_free(f); }
  };

  void open_encoder();
  void configure_resampler(const AVFrame* decoded);
  std::vector<float*> scratch_planes(int capacity);
  void write(float* const* planes, int offset, int count);
  void write_silence(int64_t count);
  void encode_buffered(bool final_frame);
  void send(AVFrame* frame);
  int64_t sample_at(int64_t t_us) const;

  AudioRenditionSpec spec_;
  int track_id_;
  PacketInterleaver& out_;
  CodecContextPtr encoder_;
  Bytes asc_;
  std::unique_ptr<SwrContext, SwrDeleter> swr_;
  int in_rate_ = 0, in_format_ = -1;
  AVChannelLayout in_layout_{};
  std::unique_ptr<AVAudioFifo, FifoDeleter> fifo_;
  std::vector<std::vector<float>> scratch_;  // resampler output, one plane per channel
  std::vector<float> zeros_;
  PacketPtr packet_ = make_packet();

  int64_t next_sample_ = 0;  // output sample index of the next sample entering the FIFO
  int64_t to_drop_ = 0;      // resampled samples still to discard (source overlapped itself)
  int64_t frames_out_ = 0;
};

}  // namespace mediaemu::pipeline
