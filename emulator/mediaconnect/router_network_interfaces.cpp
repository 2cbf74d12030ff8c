// MediaConnect router network interfaces: Create, Get, BatchGet, List, Update and Delete
// RouterNetworkInterface. "Router network interfaces control how the router communicates with
// the outside world": PUBLIC ones with the CIDRs allowed to reach it, VPC ones in a subnet with
// security groups; "you can use the same router network interface for multiple inputs and
// outputs". https://docs.aws.amazon.com/mediaconnect/latest/ug/managing-router-network-interfaces.html
// Lifecycle (RouterNetworkInterfaceState): created CREATING -> ACTIVE; an update UPDATING ->
// ACTIVE; DeleteRouterNetworkInterface DELETING -> gone (404). Every arrow takes --state-delay.
// A network interface that router I/Os still use cannot be deleted (409 ConflictException): they
// would lose their connection to the outside world.
// A PUBLIC interface's AllowRules are what a running input's relay accepts senders from.
#include <spdlog/spdlog.h>

#include "emulator/mediaconnect/routers.hpp"
#include "pipeline/flow/cidr.hpp"

namespace mediaemu::mediaconnect {
namespace {

// Standard, Failover and Merge configurations name the network interface they are on.
bool uses_network_interface(const json& io_doc, const std::string& interface_arn) {
  const json configuration = io_doc.value("Configuration", json::object());
  for (const auto& [kind, body] : configuration.items())
    if (body.is_object() && str(body, "NetworkInterfaceArn") == interface_arn) return true;
  return false;
}

// Configuration: a union of Public {AllowRules} and Vpc {SecurityGroupIds, SubnetId}; the
// model's list bounds (0-10 rules, 1-5 security groups) are checked by the engine.
std::string check_interface_configuration(const json& config) {
  const std::string kind = union_member(config, "Configuration");
  if (kind == "Public") {
    for (const auto& rule : config[kind].value("AllowRules", json::array())) {
      const std::string cidr = str(rule, "Cidr");
      if (!flow::parse_cidr(cidr) || cidr.find('/') == std::string::npos)
        throw api::bad_request("Configuration.Public.AllowRules Cidr " + cidr + " is not an IPv4 CIDR block such as 203.0.113.0/24");
    }
    return "PUBLIC";
  }
  if (kind == "Vpc") {
    if (str(config[kind], "SubnetId").empty()) throw api::bad_request("Configuration.Vpc.SubnetId is required");
    return "VPC";
  }
  throw api::bad_request("Configuration must set Public or Vpc, not " + kind);
}

// The I/Os that use a network interface (Standard, Failover and Merge configurations name one).
std::pair<int, int> interface_users(Domain& domain, const std::string& arn) {
  auto uses = [&arn](const Record* r) { return uses_network_interface(r->doc, arn); };
  int inputs = 0, outputs = 0;
  for (const Record* r : domain.list_all(kRouterInput)) inputs += uses(r);
  for (const Record* r : domain.list_all(kRouterOutput)) outputs += uses(r);
  return {inputs, outputs};
}

json listed_interface(Domain& domain, const Record& r) {
  json v = view_network_interface(domain, r);
  json listed = json::object();
  for (const char* m : {"Name", "Arn", "Id", "NetworkInterfaceType", "AssociatedOutputCount", "AssociatedInputCount",
                        "State", "RegionName", "CreatedAt", "UpdatedAt"})
    listed[m] = v[m];
  return listed;
}

json create_router_interface(Domain& domain, const CallContext& ctx, const json& in) {
  const std::string type = check_interface_configuration(in.value("Configuration", json::object()));
  const std::string region = router_region(ctx, in);
  auto tx = domain.write();
  if (const Record* existing = created_with_token(domain, ctx, kInterfaceType, in))
    return {{"RouterNetworkInterface", view_network_interface(domain, *existing)}};
  const std::string id = random_hex(6), now = router_time(*tx);
  json doc = {{"Name", str(in, "Name")},
              {"Arn", router_arn(ctx, region, kInterfaceType, id)},
              {"Id", id},
              {"State", "CREATING"},
              {"NetworkInterfaceType", type},
              {"Configuration", in["Configuration"]},
              {"RegionName", region},
              {"CreatedAt", now},
              {"UpdatedAt", now},
              {"Tags", in.value("Tags", json::object())}};
  Record& r = tx->create({kRouterNetworkInterface, region, id}, doc, {{"client_token", str(in, "ClientToken")}});
  tx->schedule(r.key, "ACTIVE");
  json out = {{"RouterNetworkInterface", view_network_interface(domain, r)}};
  tx->commit();
  spdlog::info("mediaconnect: created {} router network interface {}", type, str(doc, "Arn"));
  return out;
}

json get_router_interface(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  return {{"RouterNetworkInterface", view_network_interface(domain, require_router(domain, ctx, kInterfaceType, str(in, "Arn")))}};
}

json list_router_interfaces(Domain& domain, const CallContext& ctx, const json& in) {
  const json filters = in.value("Filters", json::array());
  auto lock = domain.read();
  std::vector<const Record*> matching;
  for (const Record* r : router_records(domain, ctx, kInterfaceType)) {
    if (filter_allows(filters, "RegionNames", r->key.region) &&
        filter_allows(filters, "NetworkInterfaceTypes", str(r->doc, "NetworkInterfaceType")) &&
        name_filter_allows(filters, str(r->doc, "Name")))
      matching.push_back(r);
  }
  Page page = paginate(matching, in, 100);
  json out = {{"RouterNetworkInterfaces", json::array()}};
  for (const Record* r : page.items) out["RouterNetworkInterfaces"].push_back(listed_interface(domain, *r));
  put_next_token(out, page);
  return out;
}

json update_router_interface(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const json& in) {
  std::string type;
  if (in.contains("Configuration")) type = check_interface_configuration(in["Configuration"]);
  auto tx = domain.write();
  const Record& current = require_router(domain, ctx, kInterfaceType, str(in, "Arn"));
  const std::string state = str(current.doc, "State");
  if (state != "ACTIVE" && state != "ERROR")
    throw api::conflict("Router network interface " + str(current.doc, "Arn") + " is " + state + "; only an ACTIVE one can be updated");
  Record& r = tx->modify(current.key);
  copy_member(r.doc, in, "Name");
  if (!type.empty()) {
    r.doc["Configuration"] = in["Configuration"];
    r.doc["NetworkInterfaceType"] = type;
  }
  r.doc["State"] = "UPDATING";
  r.doc["UpdatedAt"] = router_time(*tx);
  tx->schedule(r.key, "ACTIVE");
  // Running inputs on this interface accept the new AllowRules at once.
  const std::string arn = str(r.doc, "Arn");
  for (const Record* input : domain.list_all(kRouterInput))
    if (uses_network_interface(input->doc, arn)) refresh_router_relay(*tx, flows, str(input->doc, "Arn"));
  json out = {{"RouterNetworkInterface", view_network_interface(domain, r)}};
  tx->commit();
  return out;
}

json delete_router_interface(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require_router(domain, ctx, kInterfaceType, str(in, "Arn"));
  const std::string arn = str(current.doc, "Arn");
  if (str(current.doc, "State") == "DELETING") throw api::conflict("Router network interface " + arn + " is already being deleted");
  const auto [inputs, outputs] = interface_users(domain, arn);
  if (inputs + outputs > 0) {
    throw api::conflict("Router network interface " + arn + " is used by " + std::to_string(inputs) + " router input(s) and " +
                        std::to_string(outputs) + " router output(s); delete them or move them to another network interface first");
  }
  Record& r = tx->modify(current.key);
  r.doc["State"] = "DELETING";
  tx->schedule(r.key, "");  // purged after the state delay: then GetRouterNetworkInterface answers 404
  json out = router_state_answer(r.doc);
  tx->commit();
  spdlog::info("mediaconnect: deleting router network interface {}", arn);
  return out;
}

}  // namespace

json view_network_interface(Domain& domain, const Record& r) {
  json v = r.doc;
  const auto [inputs, outputs] = interface_users(domain, str(r.doc, "Arn"));
  v["AssociatedInputCount"] = inputs;
  v["AssociatedOutputCount"] = outputs;
  return v;
}

void add_router_network_interface_operations(api::OperationTable& t, Domain& d, flow::FlowControl& f) {
  t["CreateRouterNetworkInterface"] = [&d](const CallContext& c, const json& in) { return create_router_interface(d, c, in); };
  t["GetRouterNetworkInterface"] = [&d](const CallContext& c, const json& in) { return get_router_interface(d, c, in); };
  t["BatchGetRouterNetworkInterface"] = [&d](const CallContext& c, const json& in) {
    return batch_get(d, c, kInterfaceType, in, "RouterNetworkInterfaces", [&d](const Record& r) { return view_network_interface(d, r); });
  };
  t["ListRouterNetworkInterfaces"] = [&d](const CallContext& c, const json& in) { return list_router_interfaces(d, c, in); };
  t["UpdateRouterNetworkInterface"] = [&d, &f](const CallContext& c, const json& in) { return update_router_interface(d, f, c, in); };
  t["DeleteRouterNetworkInterface"] = [&d](const CallContext& c, const json& in) { return delete_router_interface(d, c, in); };
  d.on_transition(kRouterNetworkInterface, [](Tx& tx, const Key& key, const std::string& to) {
    Record& r = tx.modify(key);
    r.doc["State"] = to;
    spdlog::info("mediaconnect: router network interface {} is {}", str(r.doc, "Arn"), to);
  });
}

}  // namespace mediaemu::mediaconnect
