#include "pipeline/transcode/frame_capturer.hpp"

#include <algorithm>
#include <stdexcept>

namespace mediaemu::pipeline {

void FrameCapturer::open(const AVFrame* first) {
  // Even sizes, as 4:2:0 needs; 0 follows the source (FrameCapture descriptions may leave them out).
  int width = (spec_.width > 0 ? spec_.width : first->width) & ~1;
  int height = (spec_.height > 0 ? spec_.height : first->height) & ~1;
  scaler_.emplace(width, height, false);
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  if (!codec) throw std::runtime_error("the mjpeg encoder is not available in this libavcodec");
  CodecContextPtr c(avcodec_alloc_context3(codec));
  if (!c) throw std::bad_alloc();
  c->width = width;
  c->height = height;
  // The renditions' pictures are limited-range yuv420p; mjpeg takes them once told that this
  // (standard in video, unusual in JPEG) range is intended.
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->color_range = AVCOL_RANGE_MPEG;
  c->strict_std_compliance = FF_COMPLIANCE_UNOFFICIAL;
  c->time_base = AVRational{1, 1000};
  c->flags |= AV_CODEC_FLAG_QSCALE;
  c->global_quality = FF_QP2LAMBDA * 3;  // high quality, as a thumbnail should be
  av_check(avcodec_open2(c.get(), codec, nullptr), ("open the mjpeg encoder for " + spec_.name).c_str());
  encoder_ = std::move(c);
}

void FrameCapturer::push(const AVFrame* picture, int64_t t_us, MediaSink& sink) {
  if (next_us_ && t_us < *next_us_) return;
  if (!encoder_) open(picture);
  FramePtr scaled = scaler_->scale(picture);
  FramePtr frame = make_frame();
  av_frame_ref(frame.get(), scaled.get());
  frame->pts = t_us / 1000;
  frame->pict_type = AV_PICTURE_TYPE_NONE;
  av_check(avcodec_send_frame(encoder_.get(), frame.get()), ("encode a still for " + spec_.name).c_str());
  PacketPtr packet = make_packet();
  if (avcodec_receive_packet(encoder_.get(), packet.get()) == 0) {
    std::vector<uint8_t> jpeg(packet->data, packet->data + packet->size);
    sink.on_still(spec_.name, jpeg, t_us);
  }
  // The next capture one interval after this one (not after the picture that happened to come).
  int64_t interval_us = static_cast<int64_t>(std::max(spec_.interval_ms, 1)) * 1000;
  next_us_ = next_us_ ? *next_us_ + interval_us * ((t_us - *next_us_) / interval_us + 1) : t_us + interval_us;
}

}  // namespace mediaemu::pipeline
