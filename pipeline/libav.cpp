#include "pipeline/libav.hpp"

extern "C" {
#include <libavutil/error.h>
}

namespace mediaemu::pipeline {

std::string av_error_text(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, buf, sizeof buf);
  return buf;
}

int av_check(int code, const char* what) {
  if (code < 0) throw std::runtime_error(std::string(what) + ": " + av_error_text(code));
  return code;
}

int scte35_stream(const AVFormatContext* input, int pid) {
  for (unsigned i = 0; i < input->nb_streams; ++i)
    if (input->streams[i]->codecpar->codec_id == AV_CODEC_ID_SCTE_35 && (pid == 0 || input->streams[i]->id == pid))
      return static_cast<int>(i);
  return -1;
}

}  // namespace mediaemu::pipeline
