// What a channel's transcoder produces: plain values the emulator translates from MediaLive
// EncoderSettings. Nothing here knows AWS JSON.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/ads/avail_rules.hpp"

namespace mediaemu::pipeline {

struct VideoRenditionSpec {
  std::string name;
  int width = 0, height = 0;  // 0: follow the source
  enum class Scaling { Default, StretchToOutput } scaling = Scaling::Default;  // Default keeps the aspect ratio (letterbox/pillarbox)
  enum class RateControl { Cbr, Vbr, Qvbr } rate_control = RateControl::Cbr;
  int64_t bitrate = 0;      // CBR/VBR target, bits/s
  int64_t max_bitrate = 0;  // VBR/QVBR ceiling (0: 1.5 x bitrate)
  int64_t buf_size = 0;     // HRD/VBV buffer, bits (H264Settings BufSize; 0: 2 x the peak rate)
  int qvbr_quality = 7;     // 1..10
  double gop_size = 2.0;
  bool gop_in_frames = false;  // GopSizeUnits FRAMES (else SECONDS)
  int b_frames = 2;
  std::string profile = "main";  // baseline | main | high (high10/422 are clamped to high)
  std::string level;             // "3.1", "4.1", ... empty: automatic
  int fps_num = 0, fps_den = 0;  // 0: follow the source
};

struct AudioRenditionSpec {
  std::string name;
  int64_t bitrate = 128000;
  int sample_rate = 48000;
  int channels = 2;  // CODING_MODE_1_0 -> 1, 2_0 -> 2, 5_1 -> 6
};

struct OutputSpec {
  std::string name;
  std::string video;               // a VideoRenditionSpec name, or empty (audio-only)
  std::vector<std::string> audio;  // AudioRenditionSpec names
};

// What to emit while the input is lost (GlobalConfiguration.InputLossBehavior, ML-UG).
struct InputLossSpec {
  bool emit_output = true;  // false: PAUSE_OUTPUT, nothing is written until input returns
  int repeat_frame_ms = 1000;  // repeat the last frame this long (1,000,000 = forever)
  int black_frame_ms = 0;      // then black this long (1,000,000 = forever)
  std::string color = "000000";  // then this RGB color (hex)
  std::string slate_image;       // or, when set, this still (InputLossImageType SLATE; still_image.hpp)
  int input_loss_threshold_ms = 1000;  // no input for this long counts as loss
};

// A still picture of the input every interval (a MediaLive FrameCapture output): JPEG, delivered
// to the MediaSink's on_still() under the output's name.
struct FrameCaptureSpec {
  std::string name;           // output name
  int width = 0, height = 0;  // 0: the source's
  int interval_ms = 1000;
};

struct LadderSpec {
  std::vector<VideoRenditionSpec> video;
  std::vector<AudioRenditionSpec> audio;
  std::vector<OutputSpec> outputs;
  std::vector<FrameCaptureSpec> captures;
  InputLossSpec input_loss;
  // EncoderSettings.AvailBlanking State ENABLED: "the video, audio, and captions are blanked" during
  // ad avails (the mediaconvert/medialive models): black pictures and silence from a cue that
  // starts a break until its planned end or a return to the network.
  bool avail_blanking = false;
  std::string avail_blanking_image;  // AvailBlankingImage, shown instead of black (still_image.hpp)
  ads::AvailRules avail_rules;       // AvailConfiguration: which cues blank, and the input cues' offset
  std::string x264_preset = "veryfast";
  int encoder_threads = 0;  // libx264 threads per video rendition; 0: by picture size (see video_rendition.cpp)
  std::string label;  // for log lines: "channel 1234567 pipeline 0"
};

}  // namespace mediaemu::pipeline
