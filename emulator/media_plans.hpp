// Where the control plane turns its records into the media plans of emulator/media/plan/: it
// gathers a channel's inputs, their security groups and the MediaPackage channels and endpoints
// in its region, and calls the plan library's pure translators. The media side never reads
// AWS documents (nor the control plane's internal fields such as an input's stream names).
#pragma once

#include <string>
#include <vector>

#include "emulator/domain.hpp"
#include "emulator/media/plan/run_plan.hpp"

namespace mediaemu {

// With the domain locked (a Tx or read()).
media::ChannelRunPlan channel_run_plan(const Domain& domain, const std::string& region, const std::string& channel_id);
media::EndpointPlan origin_endpoint_plan(const Domain& domain, const Record& endpoint);
// The origin endpoints of one MediaPackage channel, planned.
std::vector<media::EndpointPlan> mediapackage_endpoint_plans(const Domain& domain, const std::string& region,
                                                             const std::string& mediapackage_channel_id);
// RUNNING channels using the input security group (to re-plan their inputs after it changed).
std::vector<std::string> running_channels_using_group(const Domain& domain, const std::string& region,
                                                      const std::string& group_id);

// These take the read lock themselves.
std::vector<media::ChannelRunPlan> running_channel_plans(Domain& domain);
// Why nothing takes an RTMP publish of app/stream: the reason a publisher is told.
std::string explain_unrouted_publish(Domain& domain, const std::string& app, const std::string& stream);

}  // namespace mediaemu
