// One MediaLive FrameCapture output: every CaptureInterval, the current decoded picture scaled to
// the output's size and encoded as a JPEG (libavcodec's mjpeg), handed to the MediaSink's
// on_still(). Runs on the transcoder's worker, next to the video renditions; it encodes one
// picture per interval, not a stream.
#pragma once

#include <optional>
#include <string>

#include "pipeline/media.hpp"
#include "pipeline/transcode/ladder_spec.hpp"
#include "pipeline/transcode/picture.hpp"

namespace mediaemu::pipeline {

class FrameCapturer {
 public:
  explicit FrameCapturer(FrameCaptureSpec spec) : spec_(std::move(spec)) {}

  // `picture` at `t_us` on the output timeline; a still when an interval has passed since the last.
  void push(const AVFrame* picture, int64_t t_us, MediaSink& sink);

 private:
  void open(const AVFrame* first);

  FrameCaptureSpec spec_;
  std::optional<PictureScaler> scaler_;
  CodecContextPtr encoder_;
  std::optional<int64_t> next_us_;
};

}  // namespace mediaemu::pipeline
