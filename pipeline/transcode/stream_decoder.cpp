#include "pipeline/transcode/stream_decoder.hpp"

#include <cstring>
#include <string>

extern "C" {
#include <libavutil/mem.h>
}

namespace mediaemu::pipeline {

StreamDecoder::StreamDecoder(AVCodecID codec_id, std::span<const uint8_t> extradata) {
  const AVCodec* codec = avcodec_find_decoder(codec_id);
  if (!codec) throw std::runtime_error(std::string("no decoder for ") + avcodec_get_name(codec_id));
  ctx_.reset(avcodec_alloc_context3(codec));
  if (!ctx_) throw std::bad_alloc();
  if (!extradata.empty()) {
    ctx_->extradata = static_cast<uint8_t*>(av_mallocz(extradata.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    if (!ctx_->extradata) throw std::bad_alloc();
    std::memcpy(ctx_->extradata, extradata.data(), extradata.size());
    ctx_->extradata_size = static_cast<int>(extradata.size());
  }
  ctx_->pkt_timebase = AVRational{1, 1000};
  // Frame threads decode H.264 in parallel at the cost of a few frames of delay, which a live
  // ladder absorbs; "0" lets libavcodec pick one thread per core.
  ctx_->thread_count = 0;
  ctx_->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  av_check(avcodec_open2(ctx_.get(), codec, nullptr),
           (std::string("open ") + codec->name + " decoder").c_str());
}

bool StreamDecoder::decode(std::span<const uint8_t> data, int64_t pts_ms, int64_t dts_ms,
                           bool keyframe, const FrameFn& on_frame) {
  if (data.empty()) return true;
  // The packet owns a padded copy of the compressed bytes (libavcodec reads past the end).
  av_packet_unref(packet_.get());
  av_check(av_new_packet(packet_.get(), static_cast<int>(data.size())), "allocate packet");
  std::memcpy(packet_->data, data.data(), data.size());
  packet_->pts = pts_ms;
  packet_->dts = dts_ms;
  if (keyframe) packet_->flags |= AV_PKT_FLAG_KEY;
  bool accepted = true;
  for (;;) {
    int rc = avcodec_send_packet(ctx_.get(), packet_.get());
    if (rc == AVERROR(EAGAIN)) {  // output queue full: take frames out, then resend
      receive_all(on_frame);
      continue;
    }
    if (rc < 0) accepted = false;
    break;
  }
  receive_all(on_frame);
  return accepted;
}

void StreamDecoder::drain(const FrameFn& on_frame) {
  if (avcodec_send_packet(ctx_.get(), nullptr) >= 0) receive_all(on_frame);
  avcodec_flush_buffers(ctx_.get());
}

void StreamDecoder::receive_all(const FrameFn& on_frame) {
  for (int errors = 0; errors < 16;) {
    int rc = avcodec_receive_frame(ctx_.get(), frame_.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
    if (rc < 0) {  // a corrupt frame: skip it, later frames may still decode
      ++errors;
      continue;
    }
    if (frame_->best_effort_timestamp == AV_NOPTS_VALUE) frame_->best_effort_timestamp = frame_->pts;
    if (frame_->best_effort_timestamp != AV_NOPTS_VALUE) on_frame(frame_.get());
    av_frame_unref(frame_.get());
  }
}

}  // namespace mediaemu::pipeline
