// RAII for the libav types the pipeline passes around, and error text for libav return codes.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <stdexcept>
#include <string>

namespace mediaemu::pipeline {

struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct FrameDeleter {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct CodecContextDeleter {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct SwsDeleter {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};
struct FormatInputDeleter {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
// A custom AVIOContext and its buffer (avformat_close_input leaves both to the caller).
struct IoContextDeleter {
  void operator()(AVIOContext* io) const {
    av_freep(&io->buffer);
    avio_context_free(&io);
  }
};

using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;
using FormatInputPtr = std::unique_ptr<AVFormatContext, FormatInputDeleter>;  // from avformat_open_input
using IoContextPtr = std::unique_ptr<AVIOContext, IoContextDeleter>;

inline PacketPtr make_packet() {
  PacketPtr p(av_packet_alloc());
  if (!p) throw std::bad_alloc();
  return p;
}
inline FramePtr make_frame() {
  FramePtr f(av_frame_alloc());
  if (!f) throw std::bad_alloc();
  return f;
}

std::string av_error_text(int code);

// Throws std::runtime_error("<what>: <libav message>") when code < 0; returns code otherwise.
int av_check(int code, const char* what);

// The stream of an input's SCTE-35 PID `pid` (0: the first SCTE-35 PID found), or -1: libavformat's
// mpegts demuxer gives each splice_info_section as a packet of a data stream whose id is its PID.
int scte35_stream(const AVFormatContext* input, int pid = 0);

}  // namespace mediaemu::pipeline
