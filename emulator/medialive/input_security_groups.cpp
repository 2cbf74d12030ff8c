// MediaLive input security groups: WhitelistRules of IPv4 CIDRs (at most 10) that say who may
// push to the RTMP/RTP inputs using the group. States IDLE / IN_USE follow the inputs that
// reference the group; an update passes through UPDATING. A group still used by inputs can't be
// deleted ("still being used by inputs", aws-bench#22).
#include <spdlog/spdlog.h>

#include <arpa/inet.h>

#include "emulator/media_plans.hpp"
#include "emulator/medialive/medialive.hpp"

namespace mediaemu::medialive {
namespace {


json whitelist_rules(const json& requested) {
  if (requested.size() > 10) throw api::unprocessable("An input security group has at most 10 whitelist rules");
  json out = json::array();
  for (const auto& rule : requested) {
    std::string cidr = str(rule, "Cidr");
    auto slash = cidr.find('/');
    in_addr addr{};
    bool ok = slash != std::string::npos && inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &addr) == 1;
    if (ok) {
      try {
        size_t used = 0;
        int bits = std::stoi(cidr.substr(slash + 1), &used);
        ok = used == cidr.size() - slash - 1 && bits >= 0 && bits <= 32;
      } catch (...) {
        ok = false;
      }
    }
    if (!ok) throw api::unprocessable("whitelistRules: '" + cidr + "' is not an IPv4 CIDR such as 203.0.113.0/24");
    out.push_back({{"Cidr", cidr}});
  }
  return out;
}

json create_group(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  std::string id = next_id(*tx);
  json doc = {{"Arn", arn(ctx, "inputSecurityGroup", id)},
              {"Id", id},
              {"Inputs", json::array()},
              {"State", "IDLE"},
              {"Tags", in.value("Tags", json::object())},
              {"WhitelistRules", whitelist_rules(in.value("WhitelistRules", json::array()))}};
  Record& r = tx->create(isg_key(ctx, id), doc);
  json out = {{"SecurityGroup", r.doc}};
  tx->commit();
  spdlog::info("medialive: created input security group {} in {}", id, ctx.region);
  return out;
}

json describe_group(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  return require(domain, isg_key(ctx, str(in, "InputSecurityGroupId")), "Input security group").doc;
}

json list_groups(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  std::vector<const Record*> live;
  for (const Record* r : domain.list(kInputSecurityGroup, ctx.region))
    if (is_live(*r)) live.push_back(r);
  Page page = paginate(live, in);
  json out = {{"InputSecurityGroups", json::array()}};
  for (const Record* r : page.items) out["InputSecurityGroups"].push_back(r->doc);
  put_next_token(out, page);
  return out;
}

json update_group(Domain& domain, MediaHooks& media, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require(domain, isg_key(ctx, str(in, "InputSecurityGroupId")), "Input security group");
  if (!is_live(current)) throw api::not_found("Input security group " + current.key.id + " not found (it was deleted)");
  Record& r = tx->modify(current.key);
  if (in.contains("WhitelistRules")) r.doc["WhitelistRules"] = whitelist_rules(in["WhitelistRules"]);
  if (in.contains("Tags")) r.doc["Tags"] = in["Tags"];
  // Editable any time, even while running; the group shows UPDATING, then IN_USE / IDLE.
  r.doc["State"] = "UPDATING";
  tx->schedule(r.key, "SETTLED");
  json out = {{"SecurityGroup", r.doc}};
  // Running channels whose inputs use the group apply the new whitelist to their next sender.
  for (const auto& channel_id : running_channels_using_group(domain, ctx.region, r.key.id)) {
    tx->after_commit([&media, plan = channel_run_plan(domain, ctx.region, channel_id)] { media.channel_update(plan); });
  }
  tx->commit();
  spdlog::info("medialive: updated input security group {} in {}", r.key.id, ctx.region);
  return out;
}

json delete_group(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require(domain, isg_key(ctx, str(in, "InputSecurityGroupId")), "Input security group");
  if (!is_live(current)) throw api::not_found("Input security group " + current.key.id + " not found (it was deleted)");
  const json& inputs = current.doc.value("Inputs", json::array());
  if (!inputs.empty()) {
    throw api::conflict("Input security group " + current.key.id + " is still being used by inputs: " + inputs.dump() +
                        "; delete those inputs (or move them to another group) first");
  }
  Record& r = tx->modify(current.key);
  r.doc["State"] = "DELETED";
  tx->schedule(r.key, "", kDeletedRetentionMs);
  tx->commit();
  spdlog::info("medialive: deleted input security group {} in {}", r.key.id, ctx.region);
  return json::object();
}

}  // namespace

void refresh_security_groups(Tx& tx, const std::string& region) {
  std::map<std::string, json> users;
  for (const Record* input : tx.domain().list(kInput, region)) {
    if (str(input->doc, "State") == "DELETED") continue;
    for (const auto& g : input->doc.value("SecurityGroups", json::array())) {
      users[g.get<std::string>()].push_back(input->key.id);
    }
  }
  for (const Record* g : tx.domain().list(kInputSecurityGroup, region)) {
    if (!is_live(*g)) continue;
    json inputs = users.count(g->key.id) ? users[g->key.id] : json::array();
    std::string state = str(g->doc, "State") == "UPDATING" ? "UPDATING" : (inputs.empty() ? "IDLE" : "IN_USE");
    if (g->doc.value("Inputs", json::array()) == inputs && str(g->doc, "State") == state) continue;
    Record& m = tx.modify(g->key);
    m.doc["Inputs"] = inputs;
    m.doc["State"] = state;
  }
}

void add_input_security_group_operations(api::OperationTable& t, Domain& d, MediaHooks& m) {
  t["CreateInputSecurityGroup"] = [&d](const CallContext& c, const json& in) { return create_group(d, c, in); };
  t["DescribeInputSecurityGroup"] = [&d](const CallContext& c, const json& in) { return describe_group(d, c, in); };
  t["ListInputSecurityGroups"] = [&d](const CallContext& c, const json& in) { return list_groups(d, c, in); };
  t["UpdateInputSecurityGroup"] = [&d, &m](const CallContext& c, const json& in) { return update_group(d, m, c, in); };
  t["DeleteInputSecurityGroup"] = [&d](const CallContext& c, const json& in) { return delete_group(d, c, in); };
  d.on_transition(kInputSecurityGroup, [](Tx& tx, const Key& key, const std::string&) {
    // UPDATING is over: back to IN_USE or IDLE by what uses the group.
    tx.modify(key).doc["State"] = "IDLE";
    refresh_security_groups(tx, key.region);
  });
}

}  // namespace mediaemu::medialive
