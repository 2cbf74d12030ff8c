// Which RTMP publishes an input's stream names take: "live/main" takes app "live", stream
// "main"; a name without an instance ("live") takes any stream under that application. Header-
// only: the RTMP source routes publishes with it, and the control plane words refusals with it.
#pragma once

#include <string>

namespace mediaemu::pipeline::rtmp {

inline bool stream_name_matches(const std::string& input_name, const std::string& app, const std::string& stream) {
  if (input_name == app + "/" + stream) return true;
  return input_name.find('/') == std::string::npos && input_name == app;
}

}  // namespace mediaemu::pipeline::rtmp
