#include "pipeline/transcode/picture.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

extern "C" {
#include <libavutil/imgutils.h>
}

namespace mediaemu::pipeline {

namespace {

int even(double v) { return std::max(2, static_cast<int>(std::lround(v / 2)) * 2); }

void fill_rect(AVFrame* f, int x, int y, int w, int h, YuvColor c) {
  if (w <= 0 || h <= 0) return;
  for (int r = y; r < y + h; ++r) std::memset(f->data[0] + r * f->linesize[0] + x, c.y, w);
  for (int r = y / 2; r < (y + h) / 2; ++r) {
    std::memset(f->data[1] + r * f->linesize[1] + x / 2, c.u, w / 2);
    std::memset(f->data[2] + r * f->linesize[2] + x / 2, c.v, w / 2);
  }
}

}  // namespace

YuvColor yuv_from_rgb_hex(const std::string& hex) {
  if (hex.size() != 6 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return {};
  unsigned long rgb = std::stoul(hex, nullptr, 16);
  double r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
  // ITU-R BT.601 limited range (Y 16..235, Cb/Cr 16..240).
  auto clamp = [](double v) { return static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L)); };
  return {clamp(16 + 0.257 * r + 0.504 * g + 0.098 * b), clamp(128 - 0.148 * r - 0.291 * g + 0.439 * b),
          clamp(128 + 0.439 * r - 0.368 * g - 0.071 * b)};
}

FramePtr ref_picture(const AVFrame* src) {
  FramePtr f = make_frame();
  f->format = src->format;
  f->width = src->width;
  f->height = src->height;
  f->sample_aspect_ratio = src->sample_aspect_ratio;
  for (int i = 0; i < AV_NUM_DATA_POINTERS; ++i) {
    f->data[i] = src->data[i];
    f->linesize[i] = src->linesize[i];
    if (src->buf[i]) {
      f->buf[i] = av_buffer_ref(src->buf[i]);
      if (!f->buf[i]) throw std::bad_alloc();
    }
  }
  return f;
}

PicturePool::PicturePool(int width, int height) : width_(width), height_(height) {
  // One buffer per picture: the three planes at 64-byte aligned offsets (SIMD-friendly strides).
  int heights[3] = {height, (height + 1) / 2, (height + 1) / 2};
  av_check(av_image_fill_linesizes(linesize_, AV_PIX_FMT_YUV420P, FFALIGN(width, 64)), "picture linesizes");
  size_t size = 0;
  for (int i = 0; i < 3; ++i) {
    plane_offset_[i] = size;
    size += FFALIGN(static_cast<size_t>(linesize_[i]) * heights[i], 64);
  }
  pool_.reset(av_buffer_pool_init(size + 64, nullptr));
  if (!pool_) throw std::bad_alloc();
}

FramePtr PicturePool::get() {
  FramePtr f = make_frame();
  f->buf[0] = av_buffer_pool_get(pool_.get());
  if (!f->buf[0]) throw std::bad_alloc();
  f->format = AV_PIX_FMT_YUV420P;
  f->width = width_;
  f->height = height_;
  f->sample_aspect_ratio = AVRational{1, 1};
  for (int i = 0; i < 3; ++i) {
    f->data[i] = f->buf[0]->data + plane_offset_[i];
    f->linesize[i] = linesize_[i];
  }
  return f;
}

FramePtr make_solid_picture(PicturePool& pool, YuvColor color) {
  FramePtr f = pool.get();
  fill_rect(f.get(), 0, 0, f->width, f->height, color);
  return f;
}

Placement place_picture(int src_w, int src_h, AVRational sar, int dst_w, int dst_h, bool stretch) {
  if (stretch || src_w <= 0 || src_h <= 0) return {0, 0, dst_w, dst_h};
  double par = (sar.num > 0 && sar.den > 0) ? av_q2d(sar) : 1.0;
  double src_dar = src_w * par / src_h;
  double dst_dar = static_cast<double>(dst_w) / dst_h;
  Placement p{0, 0, dst_w, dst_h};
  if (std::abs(src_dar - dst_dar) < 0.01) return p;  // same shape: no bars for rounding noise
  if (src_dar > dst_dar) {
    p.height = std::min(dst_h, even(dst_w / src_dar));  // letterbox: bars above and below
  } else {
    p.width = std::min(dst_w, even(dst_h * src_dar));  // pillarbox: bars left and right
  }
  p.x = ((dst_w - p.width) / 2) & ~1;
  p.y = ((dst_h - p.height) / 2) & ~1;
  return p;
}

PictureScaler::PictureScaler(int width, int height, bool stretch)
    : pool_(width, height), stretch_(stretch) {}

FramePtr PictureScaler::scale(const AVFrame* src) {
  const int w = pool_.width(), h = pool_.height();
  if (src->width == w && src->height == h && src->format == AV_PIX_FMT_YUV420P) return ref_picture(src);

  bool same_source = src->width == src_w_ && src->height == src_h_ && src->format == src_format_ &&
                     av_cmp_q(src->sample_aspect_ratio, src_sar_) == 0;
  if (!sws_ || !same_source) {
    src_w_ = src->width;
    src_h_ = src->height;
    src_format_ = src->format;
    src_sar_ = src->sample_aspect_ratio;
    place_ = place_picture(src_w_, src_h_, src_sar_, w, h, stretch_);
    // Bilinear: close to bicubic for downscaling a ladder at a fraction of the cost.
    sws_.reset(sws_getContext(src_w_, src_h_, static_cast<AVPixelFormat>(src_format_), place_.width,
                              place_.height, AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr));
    if (!sws_) throw std::runtime_error("cannot scale this picture format");
  }
  FramePtr out = pool_.get();
  const YuvColor black;
  fill_rect(out.get(), 0, 0, w, place_.y, black);
  fill_rect(out.get(), 0, place_.y + place_.height, w, h - place_.y - place_.height, black);
  fill_rect(out.get(), 0, place_.y, place_.x, place_.height, black);
  fill_rect(out.get(), place_.x + place_.width, place_.y, w - place_.x - place_.width, place_.height, black);
  uint8_t* dst[4] = {out->data[0] + place_.y * out->linesize[0] + place_.x,
                     out->data[1] + (place_.y / 2) * out->linesize[1] + place_.x / 2,
                     out->data[2] + (place_.y / 2) * out->linesize[2] + place_.x / 2, nullptr};
  sws_scale(sws_.get(), src->data, src->linesize, 0, src->height, dst, out->linesize);
  return out;
}

}  // namespace mediaemu::pipeline
