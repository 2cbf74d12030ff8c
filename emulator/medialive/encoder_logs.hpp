// MediaLive's channel encoder logs as CloudWatch Logs records (ML-UG working-with-logs,
// https://docs.aws.amazon.com/medialive/latest/ug/working-with-logs.html): group
// "ElementalMediaLive", one stream per channel pipeline named after the channel's ARN
// ("arn_aws_medialive_us-west-2_111122223333_channel_5106412_0"), one JSON record per event:
//   {"encoder_pipeline": 0, "severity": "I", "timestamp": "2018-05-21T16:36:41.650318",
//    "channel_arn": "arn:aws:medialive:...:channel:5106412", "logger_name": "", "message": "..."}
// The channel's LogLevel (ERROR, WARNING, INFO, DEBUG; DISABLED is the default) says which
// severities are kept (ML-UG enabling-disabling-logs: each level includes the ones above it).
// The events come from the channel's supervisor (emulator/media/supervisor/channel_log.hpp); the
// telemetry thread writes them (emulator/service_telemetry.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mediaemu::medialive {

inline const std::string kEncoderLogGroup = "ElementalMediaLive";

// Whether a channel logging at `log_level` keeps an event of `severity` ('E', 'W', 'I', 'D').
bool log_level_admits(const std::string& log_level, char severity);

// The stream the encoder log of this channel's pipeline goes to.
std::string encoder_log_stream(const std::string& channel_arn, int pipeline);

// PutLogEvents-style events ([{"timestamp": ms, "message": record}]) for the `events` of one
// pipeline ([{"time_us", "severity", "message"}], from MediaHooks::channel_logs) that the channel's
// LogLevel admits; empty when it admits none (DISABLED).
nlohmann::json encoder_log_events(const nlohmann::json& channel, int pipeline, const nlohmann::json& events);

}  // namespace mediaemu::medialive
