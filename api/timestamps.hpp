// Timestamps as the AWS protocols write them. The domain keeps epoch seconds (double); the
// serializer formats them per the shape's timestampFormat.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mediaemu::api {

double now_epoch_seconds();
// "2026-11-22T10:04:05.123Z" (milliseconds always present, as AWS writes them).
std::string format_iso8601(double epoch_seconds);
// "Sun, 22 Nov 2026 10:04:05 GMT"
std::string format_rfc822(double epoch_seconds);
// Accepts ISO 8601 with 'Z' or a +hh:mm offset and optional fraction, or epoch seconds.
std::optional<double> parse_timestamp(std::string_view text);

}  // namespace mediaemu::api
