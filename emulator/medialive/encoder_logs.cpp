#include "emulator/medialive/encoder_logs.hpp"

#include <time.h>

#include <algorithm>
#include <cstdio>

namespace mediaemu::medialive {
namespace {

// How verbose each level is; a severity is kept when it is at most the level's verbosity.
int verbosity(char severity) {
  switch (severity) {
    case 'E': return 1;
    case 'W': return 2;
    case 'I': return 3;
    default: return 4;  // 'D'
  }
}

int level_verbosity(const std::string& level) {
  if (level == "ERROR") return 1;
  if (level == "WARNING") return 2;
  if (level == "INFO") return 3;
  if (level == "DEBUG") return 4;
  return 0;  // DISABLED, or absent
}

// "2018-05-21T16:36:41.650318": UTC with microseconds and no zone suffix, as the records show.
std::string record_timestamp(int64_t time_us) {
  time_t seconds = static_cast<time_t>(time_us / 1000000);
  struct tm utc {};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06d", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(time_us % 1000000));
  return text;
}

}  // namespace

bool log_level_admits(const std::string& log_level, char severity) {
  return verbosity(severity) <= level_verbosity(log_level);
}

std::string encoder_log_stream(const std::string& channel_arn, int pipeline) {
  std::string stream = channel_arn;
  std::replace(stream.begin(), stream.end(), ':', '_');
  return stream + "_" + std::to_string(pipeline);
}

nlohmann::json encoder_log_events(const nlohmann::json& channel, int pipeline, const nlohmann::json& events) {
  nlohmann::json out = nlohmann::json::array();
  const std::string level = channel.value("LogLevel", "DISABLED");
  const std::string arn = channel.value("Arn", "");
  for (const auto& e : events) {
    const std::string severity = e.value("severity", "I");
    if (severity.empty() || !log_level_admits(level, severity[0])) continue;
    const int64_t time_us = e.value("time_us", int64_t{0});
    nlohmann::json record = {{"encoder_pipeline", pipeline}, {"severity", severity},
                             {"timestamp", record_timestamp(time_us)}, {"channel_arn", arn},
                             {"logger_name", ""}, {"message", e.value("message", "")}};
    out.push_back({{"timestamp", time_us / 1000}, {"message", record.dump()}});
  }
  return out;
}

}  // namespace mediaemu::medialive
