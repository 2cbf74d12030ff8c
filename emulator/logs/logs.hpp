// Amazon CloudWatch Logs: log groups (retention, tags), log streams and their events
// (PutLogEvents, GetLogEvents with forward/backward tokens, FilterLogEvents with a term filter).
// Seed 003 reads a channel's logs with `aws logs describe-log-streams`; MediaPackage ConfigureLogs
// and MediaLive channel logging will write through append_events().
#pragma once

#include <string>

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::logs {

inline const std::string kGroup = "logs:group";    // id = group name
inline const std::string kStream = "logs:stream";  // id = group name + "\n" + stream name

api::OperationTable operations(Domain& domain);

// Appends events ({"timestamp": ms, "message": text}) to a stream, creating the group and the
// stream when missing (how AWS services write into the groups they are configured with).
void append_events(Tx& tx, const std::string& region, const std::string& group, const std::string& stream,
                   const json& events);

// ---- Shared by the handler files ------------------------------------------------------------
inline Key group_key(const std::string& region, const std::string& name) { return {kGroup, region, name}; }
inline Key stream_key(const std::string& region, const std::string& group, const std::string& stream) {
  return {kStream, region, group + "\n" + stream};
}
// The group named by logGroupName or logGroupIdentifier (a name or an ARN); 400
// ResourceNotFoundException when it does not exist.
std::string group_name(const json& in);
[[noreturn]] void not_found(const std::string& what);
// A new log group's document, as CreateLogGroup and append_events() make it.
json group_document(const CallContext& c, const std::string& name, int64_t now_ms);
void add_group_operations(api::OperationTable& t, Domain& d);
void add_stream_operations(api::OperationTable& t, Domain& d);

}  // namespace mediaemu::logs
