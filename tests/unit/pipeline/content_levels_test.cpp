// Peak luma and peak amplitude of decoded frames (pipeline/transcode/content_levels.hpp), which
// the VideoBlack and AudioSilence failover conditions judge.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "pipeline/libav.hpp"
#include "pipeline/transcode/content_levels.hpp"

using namespace mediaemu::pipeline;

namespace {

FramePtr picture(uint8_t luma, uint8_t brightest = 0) {
  FramePtr f = make_frame();
  f->format = AV_PIX_FMT_YUV420P;
  f->width = 64;
  f->height = 36;
  REQUIRE(av_frame_get_buffer(f.get(), 0) == 0);
  for (int y = 0; y < f->height; ++y) std::memset(f->data[0] + y * f->linesize[0], luma, f->width);
  for (int p = 1; p < 3; ++p)
    for (int y = 0; y < f->height / 2; ++y) std::memset(f->data[p] + y * f->linesize[p], 128, f->width / 2);
  if (brightest) f->data[0][17 * f->linesize[0] + 40] = brightest;  // one pixel
  return f;
}

FramePtr tone(double amplitude) {
  FramePtr f = make_frame();
  f->format = AV_SAMPLE_FMT_FLTP;
  f->nb_samples = 1024;
  f->sample_rate = 48000;
  av_channel_layout_default(&f->ch_layout, 2);
  REQUIRE(av_frame_get_buffer(f.get(), 0) == 0);
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 1024; ++i)
      reinterpret_cast<float*>(f->extended_data[c])[i] = static_cast<float>(amplitude * std::sin(i * 0.0576));
  return f;
}

}  // namespace

TEST_CASE("content levels: black is video-range 16, one bright pixel is not black", "[content]") {
  CHECK(peak_luma_permille(picture(16).get()) == 0);
  CHECK(peak_luma_permille(picture(235).get()) == 1000);
  CHECK(peak_luma_permille(picture(38).get()) == 100);         // 10% of white
  CHECK(peak_luma_permille(picture(16, 200).get()) == 840);    // every pixel counts
  auto full = picture(0);
  full->color_range = AVCOL_RANGE_JPEG;
  CHECK(peak_luma_permille(full.get()) == 0);
}

TEST_CASE("content levels: -50 dBFS is silence", "[content]") {
  CHECK(peak_amplitude_ppm(tone(0.5).get()) == Approx(500'000).margin(1000));
  CHECK(peak_amplitude_ppm(tone(0.001).get()) < kSilencePpm);   // -60 dBFS
  CHECK(peak_amplitude_ppm(tone(0.01).get()) > kSilencePpm);    // -40 dBFS
  CHECK(peak_amplitude_ppm(tone(0).get()) == 0);
}
