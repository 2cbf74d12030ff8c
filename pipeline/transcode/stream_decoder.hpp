// One libavcodec decoder (H.264 from an avcC, AAC from an AudioSpecificConfig) driven with the
// send/receive API. Timestamps go in and come out in milliseconds (the ingest time base).
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "pipeline/libav.hpp"

namespace mediaemu::pipeline {

class StreamDecoder {
 public:
  // Called for each decoded frame; the frame is only valid during the call (take a reference
  // to keep it). Its best_effort_timestamp is in milliseconds.
  using FrameFn = std::function<void(AVFrame*)>;

  // Throws std::runtime_error when the codec is missing or rejects `extradata`.
  StreamDecoder(AVCodecID codec, std::span<const uint8_t> extradata);

  // Decodes one compressed frame. Returns false when the decoder rejected it (corrupt data);
  // the caller logs and carries on with the next frame.
  bool decode(std::span<const uint8_t> data, int64_t pts_ms, int64_t dts_ms, bool keyframe,
              const FrameFn& on_frame);

  // End of a stream: outputs every buffered frame, then resets so decoding can continue.
  void drain(const FrameFn& on_frame);

  const AVCodecContext* context() const { return ctx_.get(); }

 private:
  void receive_all(const FrameFn& on_frame);

  CodecContextPtr ctx_;
  PacketPtr packet_ = make_packet();
  FramePtr frame_ = make_frame();
};

}  // namespace mediaemu::pipeline
