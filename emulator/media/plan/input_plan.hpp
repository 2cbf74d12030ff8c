// A MediaLive input as a running channel needs it: how media arrives (transport, stream names or
// ports) and who may send it (its input security groups' whitelist), with no AWS JSON left.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pipeline/ingest/address_filter.hpp"

namespace mediaemu::media {

struct InputPlan {
  enum class Transport { RtmpPush, RtpPush, UdpPush, Other };
  std::string id;
  std::string type;  // the model's InputType, for messages ("RTMP_PUSH", "URL_PULL", ...)
  Transport transport = Transport::Other;
  std::vector<std::string> stream_names;  // RTMP_PUSH: "app/stream" ("app" alone: any stream)
  std::vector<int> ports;                 // RTP_PUSH / UDP_PUSH: the allocated destination ports
  pipeline::AddressFilter allowed = pipeline::AddressFilter::allow_all();  // push senders
  std::vector<std::string> problems;      // e.g. a whitelist rule that is not an IPv4 CIDR
  std::string label() const { return "input " + id; }
};

// `input` is the Input record's document; `stream_names` what the control plane allocated for it
// (RTMP_PUSH); `security_groups` maps group id -> InputSecurityGroup document, for the groups the
// input names (a missing group contributes no rule).
InputPlan plan_input(const nlohmann::json& input, const std::vector<std::string>& stream_names,
                     const std::map<std::string, nlohmann::json>& security_groups);

}  // namespace mediaemu::media
