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

}  // namespace mediaemu::pipeline
