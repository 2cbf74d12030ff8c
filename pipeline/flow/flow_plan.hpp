// What one running MediaConnect flow relays: its sources (where to listen, whom to accept), its
// outputs (where to send) and how to choose between two sources. Plain data the control plane
// builds from its records (emulator/mediaconnect/flow_plan.cpp); nothing here knows of AWS JSON.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mediaemu::flow {

// Transport protocols as the MediaConnect model names them ("rtp", "udp", "zixi-push", ...).
// The relay carries rtp, rtp-fec (the media packets only: no FEC repair) and udp; every other
// protocol is kept by the control plane but reported as not relayed when the flow starts.
bool relayable_protocol(const std::string& protocol);
// Whether the protocol's datagrams are RTP packets (so an udp output strips the RTP header and
// MERGE can de-duplicate by sequence number).
bool rtp_framed(const std::string& protocol);

struct SourcePlan {
  std::string name;
  std::string protocol;
  std::string bind_host = "127.0.0.1";
  uint16_t port = 0;
  // empty: any sender. Several CIDRs separated by commas (a router network interface's AllowRules)
  // accept a sender any one of them contains.
  std::string whitelist_cidr;
};

struct OutputPlan {
  std::string name;
  std::string protocol;
  std::string destination;  // an IPv4 address
  uint16_t port = 0;
  bool enabled = true;  // OutputStatus DISABLED sends nothing
};

enum class FailoverMode { Failover, Merge };

struct FlowPlan {
  std::string flow_arn;
  uint64_t order = 0;  // the control plane's commit order: an older command never undoes a newer one
  std::vector<SourcePlan> sources;
  std::vector<OutputPlan> outputs;
  bool failover_enabled = false;  // SourceFailoverConfig.State ENABLED (then up to two sources)
  FailoverMode mode = FailoverMode::Failover;
  int recovery_window_ms = 200;
  std::string primary_source;  // SourcePriority.PrimarySource; empty: equal priority
};

}  // namespace mediaemu::flow
