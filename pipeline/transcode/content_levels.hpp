// How bright and how loud decoded input is, for MediaLive's VideoBlack and AudioSilence failover
// conditions (ML-API FailoverConditionSettings): a frame is black when every pixel is below
// BlackDetectThreshold, a fraction of white; audio is silent when quieter than -50 dBFS.
#pragma once

extern "C" {
#include <libavutil/frame.h>
}

namespace mediaemu::pipeline {

// The brightest pixel of a decoded picture as a fraction of white, in thousandths (0..1000):
// luma over video range 16..235 (full range 0..255 for the yuvj formats). -1 for pixel formats
// without a luma plane it knows.
int peak_luma_permille(const AVFrame* picture);

// The loudest sample of decoded audio as a fraction of full scale, in millionths (0..1000000).
// -1 for sample formats it does not read.
int peak_amplitude_ppm(const AVFrame* samples);

// -50 dBFS (AWS's silence), in the same millionths: 10^(-50/20) = 0.00316.
inline constexpr int kSilencePpm = 3162;

}  // namespace mediaemu::pipeline
