#include "emulator/media/plan/input_plan.hpp"

#include <charconv>

#include "emulator/media/plan/json_fields.hpp"

namespace mediaemu::media {

using json = nlohmann::json;

InputPlan plan_input(const json& input, const std::vector<std::string>& stream_names,
                     const std::map<std::string, json>& security_groups) {
  InputPlan plan;
  plan.id = text(input, "Id");
  plan.type = text(input, "Type");
  plan.transport = plan.type == "RTMP_PUSH" ? InputPlan::Transport::RtmpPush
                   : plan.type == "RTP_PUSH" ? InputPlan::Transport::RtpPush
                   : plan.type == "UDP_PUSH" ? InputPlan::Transport::UdpPush
                                             : InputPlan::Transport::Other;
  plan.stream_names = stream_names;
  // Push destinations carry their port as a string ("5000"), the way the model declares it.
  for (const auto& d : input.value("Destinations", json::array())) {
    std::string port = text(d, "Port");
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec == std::errc() && end == port.data() + port.size() && value > 0 && value < 65536) plan.ports.push_back(value);
  }
  // The peer must be inside one of the groups' WhitelistRules. An input with no group takes any
  // sender (AWS requires a group for public push inputs; mediaemu does not).
  const json groups = input.value("SecurityGroups", json::array());
  if (groups.empty()) return plan;
  std::vector<pipeline::Ipv4Range> ranges;
  for (const auto& g : groups) {
    if (!g.is_string()) continue;
    auto group = security_groups.find(g.get<std::string>());
    if (group == security_groups.end()) continue;
    for (const auto& rule : group->second.value("WhitelistRules", json::array())) {
      std::string cidr = text(rule, "Cidr");
      if (auto range = pipeline::Ipv4Range::parse(cidr)) ranges.push_back(*range);
      else plan.problems.push_back("input security group " + g.get<std::string>() + " has a rule '" + cidr +
                                   "' that is not an IPv4 CIDR block; it admits nobody");
    }
  }
  plan.allowed = pipeline::AddressFilter::only(std::move(ranges));
  return plan;
}

}  // namespace mediaemu::media
