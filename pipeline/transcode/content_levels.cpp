#include "pipeline/transcode/content_levels.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

extern "C" {
#include <libavutil/pixdesc.h>
#include <libavutil/samplefmt.h>
}

namespace mediaemu::pipeline {

int peak_luma_permille(const AVFrame* picture) {
  const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(picture->format));
  // 8-bit planar YUV only (what H.264 decodes to here); luma is plane 0.
  if (!desc || (desc->flags & AV_PIX_FMT_FLAG_RGB) || !(desc->flags & AV_PIX_FMT_FLAG_PLANAR) ||
      desc->comp[0].depth != 8 || !picture->data[0])
    return -1;
  int peak = 0;
  for (int y = 0; y < picture->height; ++y) {
    const uint8_t* row = picture->data[0] + static_cast<ptrdiff_t>(y) * picture->linesize[0];
    peak = std::max<int>(peak, *std::max_element(row, row + picture->width));
  }
  const bool full_range = picture->color_range == AVCOL_RANGE_JPEG || picture->format == AV_PIX_FMT_YUVJ420P ||
                          picture->format == AV_PIX_FMT_YUVJ422P || picture->format == AV_PIX_FMT_YUVJ444P;
  const int black = full_range ? 0 : 16, white = full_range ? 255 : 235;
  return std::clamp((peak - black) * 1000 / (white - black), 0, 1000);
}

int peak_amplitude_ppm(const AVFrame* samples) {
  const auto format = static_cast<AVSampleFormat>(samples->format);
  const bool planar = av_sample_fmt_is_planar(format);
  const int channels = samples->ch_layout.nb_channels;
  const int planes = planar ? channels : 1;
  const int per_plane = planar ? samples->nb_samples : samples->nb_samples * channels;
  double peak = 0;
  for (int p = 0; p < planes; ++p) {
    const uint8_t* data = samples->extended_data[p];
    for (int i = 0; i < per_plane; ++i) {
      double v;
      switch (av_get_packed_sample_fmt(format)) {
        case AV_SAMPLE_FMT_FLT: v = reinterpret_cast<const float*>(data)[i]; break;
        case AV_SAMPLE_FMT_DBL: v = reinterpret_cast<const double*>(data)[i]; break;
        case AV_SAMPLE_FMT_S16: v = reinterpret_cast<const int16_t*>(data)[i] / 32768.0; break;
        case AV_SAMPLE_FMT_S32: v = reinterpret_cast<const int32_t*>(data)[i] / 2147483648.0; break;
        default: return -1;
      }
      peak = std::max(peak, std::fabs(v));
    }
  }
  return static_cast<int>(std::min(1.0, peak) * 1'000'000);
}

}  // namespace mediaemu::pipeline
