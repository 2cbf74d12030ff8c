// Pictures for the video renditions: scaling a decoded source picture to a rendition's size
// (letterbox/pillarbox or stretch), solid-colour pictures for input-loss filler, and pooled
// yuv420p buffers so steady-state encoding allocates nothing per frame.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "pipeline/libav.hpp"

extern "C" {
#include <libavutil/buffer.h>
}

namespace mediaemu::pipeline {

struct YuvColor {
  uint8_t y = 16, u = 128, v = 128;  // black, limited range
};
// "RRGGBB" (InputLossImageColor) as BT.601 limited-range YUV, the matrix swscale assumes for
// untagged pictures. Black when the text is not six hex digits.
YuvColor yuv_from_rgb_hex(const std::string& hex);

// A frame that shares `src`'s pixel buffers but none of its metadata (picture type, side data),
// so the encoder sees only what the rendition sets.
FramePtr ref_picture(const AVFrame* src);

// Fixed-size yuv420p pictures whose buffers return to the pool when the last reference goes
// (the encoder may keep references for its lookahead).
class PicturePool {
 public:
  PicturePool(int width, int height);
  FramePtr get();  // pixels uninitialised
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  struct PoolDeleter {
    void operator()(AVBufferPool* p) const { av_buffer_pool_uninit(&p); }
  };
  int width_, height_;
  int linesize_[4] = {};
  size_t plane_offset_[3] = {};
  std::unique_ptr<AVBufferPool, PoolDeleter> pool_;
};

FramePtr make_solid_picture(PicturePool& pool, YuvColor color);

// Where the scaled source lands inside the output picture (even offsets and sizes, as 4:2:0
// chroma needs).
struct Placement {
  int x = 0, y = 0, width = 0, height = 0;
};
// `stretch` fills the output; otherwise the display aspect ratio (size x sample aspect ratio)
// is kept and the rest is left for black bars.
Placement place_picture(int src_w, int src_h, AVRational sar, int dst_w, int dst_h, bool stretch);

class PictureScaler {
 public:
  PictureScaler(int width, int height, bool stretch);
  // `src` as a yuv420p picture of the output size: a reference to `src` itself when it already
  // is one, otherwise scaled once into a pooled picture (black bars where the aspect differs).
  FramePtr scale(const AVFrame* src);
  PicturePool& pool() { return pool_; }

 private:
  PicturePool pool_;
  bool stretch_;
  SwsPtr sws_;
  int src_w_ = 0, src_h_ = 0, src_format_ = -1;
  AVRational src_sar_{0, 1};
  Placement place_;
};

}  // namespace mediaemu::pipeline
