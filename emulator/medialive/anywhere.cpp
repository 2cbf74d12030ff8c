// MediaLive Anywhere's control-plane resources: networks, clusters, channel placement groups
// (inside a cluster) and SDI sources, each Create/Describe/List/Update/Delete.
//
// States follow the API's enums, each arrow taking --state-delay: a network or cluster is
// CREATING -> ACTIVE and DELETING -> DELETED; a channel placement group with no node is
// UNASSIGNED (DELETING -> DELETED); an SDI source is IDLE, or IN_USE while an SDI input names it,
// and DELETED at once. DELETED resources stay describable a while, like multiplexes. What still
// holds a resource refuses its deletion (409): a cluster using a network, a placement group in a
// cluster, a channel (AnywhereSettings) in a placement group, an input using an SDI source.
// Nodes are not emulated (CreateNode and the other node operations answer 501), so a placement
// group cannot name one (422), and nothing here runs media: mediaemu's channels run locally.
// https://boto3.amazonaws.com/v1/documentation/api/1.35.66/reference/services/medialive/client/create_cluster.html
// https://docs.aws.amazon.com/cli/latest/reference/medialive/list-clusters.html
// (the states are the botocore model's ClusterState, NetworkState, ChannelPlacementGroupState and
// SdiSourceState enums)
#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>

#include "emulator/medialive/medialive.hpp"

namespace mediaemu::medialive {
namespace anywhere {

const std::string kNetworkKind = "medialive:network";
const std::string kClusterKind = "medialive:cluster";
const std::string kPlacementGroupKind = "medialive:channel-placement-group";
const std::string kSdiSourceKind = "medialive:sdi-source";

bool is_deleted(const Record& r) { return str(r.doc, "State") == "DELETED"; }

const Record& require_anywhere(const Domain& domain, const CallContext& ctx, const std::string& kind,
                               const std::string& id, const std::string& what) {
  const Record* r = domain.find({kind, ctx.region, id});
  if (!r || is_deleted(*r)) throw api::not_found(what + " " + id + " not found" + (r ? " (it was deleted)" : ""));
  return *r;
}

// Describe still shows a DELETED resource until it is purged (kDeletedRetentionMs).
const Record& require_describable(const Domain& domain, const CallContext& ctx, const std::string& kind,
                                  const std::string& id, const std::string& what) {
  return require(domain, {kind, ctx.region, id}, what);
}

std::vector<const Record*> live_records(const Domain& domain, const std::string& kind, const std::string& region) {
  std::vector<const Record*> out;
  for (const Record* r : domain.list(kind, region))
    if (!is_deleted(*r)) out.push_back(r);
  return out;
}

// The API's answers carry no Tags (they live in the record for ListTagsForResource).
json without_tags(json doc) {
  doc.erase("Tags");
  return doc;
}

// ---- what refers to what -----------------------------------------------------------------

std::vector<std::string> clusters_on_network(const Domain& domain, const std::string& region, const std::string& network) {
  std::vector<std::string> out;
  for (const Record* c : live_records(domain, kClusterKind, region))
    for (const auto& m : c->doc["NetworkSettings"].value("InterfaceMappings", json::array()))
      if (str(m, "NetworkId") == network && std::find(out.begin(), out.end(), c->key.id) == out.end()) out.push_back(c->key.id);
  return out;
}

// Channels whose AnywhereSettings name `member` = `id` (ClusterId or ChannelPlacementGroupId).
std::vector<std::string> anywhere_channels(const Domain& domain, const std::string& region, const char* member,
                                           const std::string& id) {
  std::vector<std::string> out;
  for (const Record* ch : domain.list(kChannel, region))
    if (is_live(*ch) && str(ch->doc.value("AnywhereSettings", json::object()), member) == id) out.push_back(ch->key.id);
  return out;
}

std::vector<const Record*> placement_groups_in(const Domain& domain, const std::string& region, const std::string& cluster) {
  std::vector<const Record*> out;
  for (const Record* g : live_records(domain, kPlacementGroupKind, region))
    if (str(g->doc, "ClusterId") == cluster) out.push_back(g);
  return out;
}

std::vector<std::string> inputs_using_sdi(const Domain& domain, const std::string& region, const std::string& sdi) {
  std::vector<std::string> out;
  for (const Record* in : domain.list(kInput, region)) {
    const json& sources = in->doc.value("SdiSources", json::array());
    if (is_live(*in) && std::find(sources.begin(), sources.end(), sdi) != sources.end()) out.push_back(in->key.id);
  }
  return out;
}

// The record as the API shows it, with the members that follow other resources filled in.
json anywhere_view(const Domain& domain, const Record& r) {
  json out = without_tags(r.doc);
  if (r.key.kind == kNetworkKind) out["AssociatedClusterIds"] = clusters_on_network(domain, r.key.region, r.key.id);
  if (r.key.kind == kClusterKind) out["ChannelIds"] = anywhere_channels(domain, r.key.region, "ClusterId", r.key.id);
  if (r.key.kind == kPlacementGroupKind)
    out["Channels"] = anywhere_channels(domain, r.key.region, "ChannelPlacementGroupId", r.key.id);
  if (r.key.kind == kSdiSourceKind) {
    out["Inputs"] = inputs_using_sdi(domain, r.key.region, r.key.id);
    if (!is_deleted(r)) out["State"] = out["Inputs"].empty() ? "IDLE" : "IN_USE";
  }
  return out;
}

// Interface mappings name networks that exist (CreateCluster has no 404: a bad one is a 400).
void check_interface_mappings(const Domain& domain, const CallContext& ctx, const json& settings) {
  for (const auto& m : settings.value("InterfaceMappings", json::array())) {
    const Record* n = domain.find({kNetworkKind, ctx.region, str(m, "NetworkId")});
    if (!n || is_deleted(*n))
      throw api::bad_request("InterfaceMappings: network " + str(m, "NetworkId") + " does not exist in " + ctx.region);
  }
}

void check_no_nodes(const json& in, const std::string& cluster) {
  if (!in.value("Nodes", json::array()).empty())
    throw api::unprocessable("Node " + in["Nodes"][0].get<std::string>() + " is not in cluster " + cluster +
                             " (mediaemu does not emulate MediaLive Anywhere nodes; CreateNode answers 501)");
}

// ---- handlers ----------------------------------------------------------------------------

// Create: the record in `initial` state (settling into `settled` when that is not empty).
// `check` runs under the write lock, before anything changes. A repeated RequestId answers the
// resource it made.
json create_anywhere(Domain& domain, const CallContext& ctx, const std::string& kind, const std::string& arn_type,
                     json doc, const json& in, const std::string& initial, const std::string& settled,
                     const std::function<void(const Domain&)>& check = {}) {
  auto tx = domain.write();
  const std::string request_id = str(in, "RequestId");
  for (const Record* r : domain.list(kind, ctx.region))
    if (!request_id.empty() && r->internal.value("requestId", "") == request_id) return anywhere_view(domain, *r);
  if (check) check(domain);
  const std::string id = next_id(*tx);
  doc["Arn"] = arn(ctx, arn_type, id);
  doc["Id"] = id;
  doc["Name"] = str(in, "Name");
  doc["State"] = initial;
  doc["Tags"] = in.value("Tags", json::object());
  Record& r = tx->create({kind, ctx.region, id}, doc, {{"requestId", request_id}});
  if (!settled.empty()) tx->schedule(r.key, settled);
  json out = anywhere_view(domain, r);
  tx->commit();
  spdlog::info("medialive: created {} {} ({}) in {}", arn_type, id, str(doc, "Name"), ctx.region);
  return out;
}

json list_anywhere(Domain& domain, const CallContext& ctx, const std::string& kind, const char* member,
                   const json& in, const std::string& cluster = "") {
  auto lock = domain.read();
  std::vector<const Record*> records;
  for (const Record* r : live_records(domain, kind, ctx.region))
    if (cluster.empty() || str(r->doc, "ClusterId") == cluster) records.push_back(r);
  Page page = paginate(records, in);
  json out = {{member, json::array()}};
  for (const Record* r : page.items) out[member].push_back(anywhere_view(domain, *r));
  put_next_token(out, page);
  return out;
}

// Deletion is refused while something still holds the resource or it is settling.
void check_deletable(const Record& current, const std::string& what, const std::vector<std::string>& holders,
                     const std::string& holder_what) {
  if (!holders.empty())
    throw api::conflict(what + " " + current.key.id + " is still used by " + holder_what + " " + holders.front() +
                        "; delete or change that first");
  const std::string state = str(current.doc, "State");
  if (state == "CREATING" || state == "DELETING")
    throw api::conflict(what + " " + current.key.id + " is " + state + "; wait until it settles");
}

// Into `transitional` settling to DELETED, or DELETED at once when transitional is empty.
void finish_delete(Tx& tx, const Key& key, const std::string& transitional) {
  Record& r = tx.modify(key);
  if (transitional.empty()) {
    r.doc["State"] = "DELETED";
    tx.schedule(key, "", kDeletedRetentionMs);
  } else {
    r.doc["State"] = transitional;
    tx.schedule(key, "DELETED");
  }
}

void settle_anywhere(Tx& tx, const Key& key, const std::string& to) {
  tx.modify(key).doc["State"] = to;
  if (to == "DELETED") tx.schedule(key, "", kDeletedRetentionMs);
  spdlog::info("medialive: {} {} in {} is {}", key.kind, key.id, key.region, to);
}

template <typename Check>
json delete_with(Domain& domain, const CallContext& ctx, const std::string& kind, const std::string& id,
                 const std::string& what, const std::string& transitional, Check holders) {
  auto tx = domain.write();
  const Record& current = require_anywhere(domain, ctx, kind, id, what);
  auto [held_by, holder_what] = holders(current);
  check_deletable(current, what, held_by, holder_what);
  finish_delete(*tx, current.key, transitional);
  json out = anywhere_view(domain, *tx->find(current.key));
  tx->commit();
  spdlog::info("medialive: deleting {} {} in {}", what, id, ctx.region);
  return out;
}

template <typename Change>
json update_with(Domain& domain, const CallContext& ctx, const std::string& kind, const std::string& id,
                 const std::string& what, Change change) {
  auto tx = domain.write();
  const Record& current = require_anywhere(domain, ctx, kind, id, what);
  if (str(current.doc, "State") == "DELETING")
    throw api::conflict(what + " " + id + " is DELETING");
  const Key key = current.key;
  change(*tx, tx->modify(key));
  json out = anywhere_view(domain, *tx->find(key));
  tx->commit();
  spdlog::info("medialive: updated {} {} in {}", what, id, ctx.region);
  return out;
}

using Holders = std::pair<std::vector<std::string>, std::string>;

void add_networks(api::OperationTable& t, Domain& d) {
  t["CreateNetwork"] = [&d](const CallContext& c, const json& in) {
    json doc = {{"IpPools", in.value("IpPools", json::array())}, {"Routes", in.value("Routes", json::array())}};
    return create_anywhere(d, c, kNetworkKind, "network", doc, in, "CREATING", "ACTIVE");
  };
  t["DescribeNetwork"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    return anywhere_view(d, require_describable(d, c, kNetworkKind, str(in, "NetworkId"), "Network"));
  };
  t["ListNetworks"] = [&d](const CallContext& c, const json& in) { return list_anywhere(d, c, kNetworkKind, "Networks", in); };
  t["UpdateNetwork"] = [&d](const CallContext& c, const json& in) {
    return update_with(d, c, kNetworkKind, str(in, "NetworkId"), "Network", [&](Tx&, Record& r) {
      for (const char* m : {"Name", "IpPools", "Routes"}) copy_member(r.doc, in, m);
    });
  };
  t["DeleteNetwork"] = [&d](const CallContext& c, const json& in) {
    return delete_with(d, c, kNetworkKind, str(in, "NetworkId"), "Network", "DELETING", [&](const Record& r) {
      return Holders{clusters_on_network(d, c.region, r.key.id), "cluster"};
    });
  };
}

void add_clusters(api::OperationTable& t, Domain& d) {
  t["CreateCluster"] = [&d](const CallContext& c, const json& in) {
    json settings = in.value("NetworkSettings", json::object());
    json doc = {{"ClusterType", in.value("ClusterType", "ON_PREMISES")}, {"NetworkSettings", settings}};
    copy_member(doc, in, "InstanceRoleArn");
    return create_anywhere(d, c, kClusterKind, "cluster", doc, in, "CREATING", "ACTIVE",
                           [&](const Domain& locked) { check_interface_mappings(locked, c, settings); });
  };
  t["DescribeCluster"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    return anywhere_view(d, require_describable(d, c, kClusterKind, str(in, "ClusterId"), "Cluster"));
  };
  t["ListClusters"] = [&d](const CallContext& c, const json& in) { return list_anywhere(d, c, kClusterKind, "Clusters", in); };
  t["UpdateCluster"] = [&d](const CallContext& c, const json& in) {
    return update_with(d, c, kClusterKind, str(in, "ClusterId"), "Cluster", [&](Tx& tx, Record& r) {
      if (in.contains("NetworkSettings")) check_interface_mappings(tx.domain(), c, in["NetworkSettings"]);
      copy_member(r.doc, in, "Name");
      copy_member(r.doc, in, "NetworkSettings");
    });
  };
  t["DeleteCluster"] = [&d](const CallContext& c, const json& in) {
    return delete_with(d, c, kClusterKind, str(in, "ClusterId"), "Cluster", "DELETING", [&](const Record& r) {
      std::vector<std::string> groups;
      for (const Record* g : placement_groups_in(d, c.region, r.key.id)) groups.push_back(g->key.id);
      return Holders{groups, "channel placement group"};
    });
  };
}

// A placement group is looked up within its cluster: another cluster's group is a 404. Only
// Describe (`describable`) sees one that is DELETED.
const Record& require_placement_group(const Domain& d, const CallContext& c, const json& in, bool describable = false) {
  require_describable(d, c, kClusterKind, str(in, "ClusterId"), "Cluster");
  const std::string id = str(in, "ChannelPlacementGroupId");
  const Record& g = describable ? require_describable(d, c, kPlacementGroupKind, id, "Channel placement group")
                                : require_anywhere(d, c, kPlacementGroupKind, id, "Channel placement group");
  if (str(g.doc, "ClusterId") != str(in, "ClusterId"))
    throw api::not_found("Channel placement group " + g.key.id + " is not in cluster " + str(in, "ClusterId"));
  return g;
}

void add_placement_groups(api::OperationTable& t, Domain& d) {
  t["CreateChannelPlacementGroup"] = [&d](const CallContext& c, const json& in) {
    json doc = {{"ClusterId", str(in, "ClusterId")}, {"Nodes", json::array()}};
    return create_anywhere(d, c, kPlacementGroupKind, "channelPlacementGroup", doc, in, "UNASSIGNED", "",
                           [&](const Domain& locked) {
                             const Record& cluster = require_anywhere(locked, c, kClusterKind, str(in, "ClusterId"), "Cluster");
                             if (str(cluster.doc, "State") != "ACTIVE")
                               throw api::unprocessable("Cluster " + cluster.key.id + " is " + str(cluster.doc, "State") +
                                                        ", not ACTIVE");
                             check_no_nodes(in, cluster.key.id);
                           });
  };
  t["DescribeChannelPlacementGroup"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    return anywhere_view(d, require_placement_group(d, c, in, true));
  };
  t["ListChannelPlacementGroups"] = [&d](const CallContext& c, const json& in) {
    {
      auto lock = d.read();
      require_anywhere(d, c, kClusterKind, str(in, "ClusterId"), "Cluster");
    }
    return list_anywhere(d, c, kPlacementGroupKind, "ChannelPlacementGroups", in, str(in, "ClusterId"));
  };
  t["UpdateChannelPlacementGroup"] = [&d](const CallContext& c, const json& in) {
    {
      auto lock = d.read();
      require_placement_group(d, c, in);
      check_no_nodes(in, str(in, "ClusterId"));
    }
    return update_with(d, c, kPlacementGroupKind, str(in, "ChannelPlacementGroupId"), "Channel placement group",
                       [&](Tx&, Record& r) { copy_member(r.doc, in, "Name"); });
  };
  t["DeleteChannelPlacementGroup"] = [&d](const CallContext& c, const json& in) {
    {
      auto lock = d.read();
      require_placement_group(d, c, in);
    }
    return delete_with(d, c, kPlacementGroupKind, str(in, "ChannelPlacementGroupId"), "Channel placement group",
                       "DELETING", [&](const Record& r) {
                         return Holders{anywhere_channels(d, c.region, "ChannelPlacementGroupId", r.key.id), "channel"};
                       });
  };
}

void add_sdi_sources(api::OperationTable& t, Domain& d) {
  auto wrap = [](json source) { return json{{"SdiSource", source}}; };
  t["CreateSdiSource"] = [&d, wrap](const CallContext& c, const json& in) {
    json doc = json::object();
    copy_member(doc, in, "Mode");
    copy_member(doc, in, "Type");
    return wrap(create_anywhere(d, c, kSdiSourceKind, "sdiSource", doc, in, "IDLE", ""));
  };
  t["DescribeSdiSource"] = [&d, wrap](const CallContext& c, const json& in) {
    auto lock = d.read();
    return wrap(anywhere_view(d, require_describable(d, c, kSdiSourceKind, str(in, "SdiSourceId"), "SDI source")));
  };
  t["ListSdiSources"] = [&d](const CallContext& c, const json& in) { return list_anywhere(d, c, kSdiSourceKind, "SdiSources", in); };
  t["UpdateSdiSource"] = [&d, wrap](const CallContext& c, const json& in) {
    return wrap(update_with(d, c, kSdiSourceKind, str(in, "SdiSourceId"), "SDI source", [&](Tx&, Record& r) {
      for (const char* m : {"Name", "Mode", "Type"}) copy_member(r.doc, in, m);
    }));
  };
  t["DeleteSdiSource"] = [&d, wrap](const CallContext& c, const json& in) {
    return wrap(delete_with(d, c, kSdiSourceKind, str(in, "SdiSourceId"), "SDI source", "", [&](const Record& r) {
      return Holders{inputs_using_sdi(d, c.region, r.key.id), "input"};
    }));
  };
}

}  // namespace anywhere

void add_anywhere_operations(api::OperationTable& t, Domain& d) {
  anywhere::add_networks(t, d);
  anywhere::add_clusters(t, d);
  anywhere::add_placement_groups(t, d);
  anywhere::add_sdi_sources(t, d);
  for (const std::string* kind : {&anywhere::kNetworkKind, &anywhere::kClusterKind, &anywhere::kPlacementGroupKind})
    d.on_transition(*kind, anywhere::settle_anywhere);
}

}  // namespace mediaemu::medialive
