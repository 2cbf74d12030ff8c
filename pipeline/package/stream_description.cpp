#include "pipeline/package/stream_description.hpp"

#include <cstdio>

#include "pipeline/package/codec_config.hpp"

namespace mediaemu::pipeline {

std::string describe_stream(const std::string& uri, const char* type, const TrackInfo* video, const TrackInfo* audio) {
  std::string line = uri + " type=" + type;
  auto add = [&](const char* key, const std::string& value) {
    if (!value.empty()) line += std::string(" ") + key + "=" + value;
  };
  if (video && std::string(type) == "iframe") {
    add("trickplay_height", std::to_string(video->height));
    add("trickplay_type", "iframe");
  } else if (video) {
    add("video_bitrate", std::to_string(video->bitrate));
    add("video_height", std::to_string(video->height));
    if (video->frame_rate.num > 0 && video->frame_rate.den > 0) {
      char rate[32];
      std::snprintf(rate, sizeof rate, "%.3f", av_q2d(video->frame_rate));
      add("video_framerate", rate);
    }
    add("video_codec", codecs_string(*video));
    add("video_dynamic_range", "sdr");  // the transcoder encodes SDR only
  }
  if (audio) {
    add("audio_bitrate", std::to_string(audio->bitrate));
    add("audio_sample_rate", audio->sample_rate > 0 ? std::to_string(audio->sample_rate) : "");
    add("audio_channels", std::to_string(audio->channels > 0 ? audio->channels : 2));
    add("audio_codec", codecs_string(*audio));
    add("audio_language", "und");  // the ladder carries no language; DASH says "und" too
  }
  return line + "\n";
}

}  // namespace mediaemu::pipeline
