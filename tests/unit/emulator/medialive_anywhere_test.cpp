// MediaLive Anywhere networks, clusters, channel placement groups and SDI sources through the
// protocol engine. Botocore 1.29 (Debian 12's) predates MediaLive Anywhere: there every case says
// so and checks nothing.
#include "tests/unit/emulator/medialive_test_fixture.hpp"

using namespace mediaemu;
using mediaemu::testing::MediaLiveFixture;
using mediaemu::testing::Reply;

namespace anywhere_test {

std::string create_active_network(MediaLiveFixture& ml, const std::string& name) {
  Reply r = ml.call("CreateNetwork", "/prod/networks",
                    {{"Name", name}, {"IpPools", {{{"Cidr", "10.0.0.0/24"}}}},
                     {"Routes", {{{"Cidr", "0.0.0.0/0"}, {"Gateway", "10.0.0.1"}}}}, {"Tags", {{"site", "studio"}}}});
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  return r.body["Id"];
}

json cluster_body(const std::string& name, const std::string& network) {
  return {{"Name", name},
          {"ClusterType", "ON_PREMISES"},
          {"InstanceRoleArn", "arn:aws:iam::123456789012:role/MediaLiveAnywhereNodeRole"},
          {"NetworkSettings",
           {{"DefaultRoute", "eth0"}, {"InterfaceMappings", {{{"LogicalInterfaceName", "eth0"}, {"NetworkId", network}}}}}}};
}

}  // namespace anywhere_test

using namespace anywhere_test;

TEST_CASE("networks and clusters settle ACTIVE on the clock and hold each other", "[medialive][anywhere]") {
  MediaLiveFixture ml(1000);
  if (ml.lacks("CreateCluster")) return;
  const std::string network = create_active_network(ml, "studio-net");
  CHECK(ml.call("DescribeNetwork", "/prod/networks/" + network).body["State"] == "CREATING");
  CHECK(ml.call("CreateCluster", "/prod/clusters", cluster_body("c", "9999999")).status == 400);  // unknown network
  ml.advance(1000);
  Reply net = ml.call("DescribeNetwork", "/prod/networks/" + network);
  CHECK(net.body["State"] == "ACTIVE");
  CHECK(net.body["Arn"] == "arn:aws:medialive:us-east-1:123456789012:network:" + network);
  CHECK(!net.body.contains("Tags"));

  Reply created = ml.call("CreateCluster", "/prod/clusters", cluster_body("studio", network));
  INFO(created.body.dump());
  REQUIRE(created.status == 201);
  const std::string cluster = created.body["Id"];
  CHECK(created.body["State"] == "CREATING");
  ml.advance(1000);
  CHECK(ml.call("DescribeCluster", "/prod/clusters/" + cluster).body["State"] == "ACTIVE");
  CHECK(ml.call("DescribeNetwork", "/prod/networks/" + network).body["AssociatedClusterIds"] == json::array({cluster}));
  CHECK(ml.call("DeleteNetwork", "/prod/networks/" + network).status == 409);  // the cluster uses it

  Reply renamed = ml.call("UpdateCluster", "/prod/clusters/" + cluster, {{"Name", "studio-2"}});
  CHECK(renamed.status == 200);
  CHECK(renamed.body["Name"] == "studio-2");
  CHECK(ml.call("ListClusters", "/prod/clusters").body["Clusters"].size() == 1);

  Reply deleting = ml.call("DeleteCluster", "/prod/clusters/" + cluster);
  CHECK(deleting.status == 202);
  CHECK(deleting.body["State"] == "DELETING");
  CHECK(ml.call("UpdateCluster", "/prod/clusters/" + cluster, {{"Name", "x"}}).status == 409);
  ml.advance(1000);
  CHECK(ml.call("DescribeCluster", "/prod/clusters/" + cluster).body["State"] == "DELETED");  // describable a while
  CHECK(ml.call("ListClusters", "/prod/clusters").body["Clusters"].empty());
  ml.advance(medialive::kDeletedRetentionMs);
  CHECK(ml.call("DescribeCluster", "/prod/clusters/" + cluster).status == 404);
  CHECK(ml.call("DeleteNetwork", "/prod/networks/" + network).status == 202);
}

TEST_CASE("channel placement groups live in their cluster and name no nodes", "[medialive][anywhere]") {
  MediaLiveFixture ml;
  if (ml.lacks("CreateChannelPlacementGroup")) return;
  const std::string network = create_active_network(ml, "n");
  Reply cluster = ml.call("CreateCluster", "/prod/clusters", cluster_body("c", network));
  REQUIRE(cluster.status == 201);
  const std::string cluster_id = cluster.body["Id"];
  const std::string groups = "/prod/clusters/" + cluster_id + "/channelplacementgroups";

  CHECK(ml.call("CreateChannelPlacementGroup", groups, {{"Name", "g"}, {"Nodes", {"node-1"}}}).status == 422);
  Reply g = ml.call("CreateChannelPlacementGroup", groups, {{"Name", "g"}});
  INFO(g.body.dump());
  REQUIRE(g.status == 201);
  const std::string group = g.body["Id"];
  CHECK(g.body["State"] == "UNASSIGNED");
  CHECK(g.body["ClusterId"] == cluster_id);
  CHECK(ml.call("DescribeChannelPlacementGroup", groups + "/" + group).body["Name"] == "g");
  CHECK(ml.call("DescribeChannelPlacementGroup", "/prod/clusters/1/channelplacementgroups/" + group).status == 404);
  CHECK(ml.call("ListChannelPlacementGroups", groups).body["ChannelPlacementGroups"].size() == 1);
  CHECK(ml.call("UpdateChannelPlacementGroup", groups + "/" + group, {{"Name", "g2"}}).body["Name"] == "g2");

  CHECK(ml.call("DeleteCluster", "/prod/clusters/" + cluster_id).status == 409);  // it holds a group
  CHECK(ml.call("DeleteChannelPlacementGroup", groups + "/" + group).status == 200);
  CHECK(ml.call("DescribeChannelPlacementGroup", groups + "/" + group).body["State"] == "DELETED");
  CHECK(ml.call("UpdateChannelPlacementGroup", groups + "/" + group, {{"Name", "g3"}}).status == 404);
  CHECK(ml.call("DeleteCluster", "/prod/clusters/" + cluster_id).status == 202);
}

TEST_CASE("a channel's AnywhereSettings show in its cluster and placement group and hold them", "[medialive][anywhere]") {
  MediaLiveFixture ml;
  if (ml.lacks("CreateChannelPlacementGroup")) return;
  const std::string network = create_active_network(ml, "n");
  const std::string cluster = ml.call("CreateCluster", "/prod/clusters", cluster_body("c", network)).body["Id"];
  const std::string groups = "/prod/clusters/" + cluster + "/channelplacementgroups";
  const std::string group = ml.call("CreateChannelPlacementGroup", groups, {{"Name", "g"}}).body["Id"];
  json body = testing::minimal_channel("anywhere-channel", ml.create_input("anywhere-in"));
  body["AnywhereSettings"] = {{"ClusterId", cluster}, {"ChannelPlacementGroupId", group}};
  Reply channel = ml.call("CreateChannel", "/prod/channels", body);
  INFO(channel.body.dump());
  REQUIRE(channel.status == 201);
  const std::string channel_id = channel.body["Channel"]["Id"];
  CHECK(ml.call("DescribeCluster", "/prod/clusters/" + cluster).body["ChannelIds"] == json::array({channel_id}));
  CHECK(ml.call("DescribeChannelPlacementGroup", groups + "/" + group).body["Channels"] == json::array({channel_id}));
  CHECK(ml.call("DeleteChannelPlacementGroup", groups + "/" + group).status == 409);  // the channel is in it
  REQUIRE(ml.call("DeleteChannel", "/prod/channels/" + channel_id).status == 200);
  CHECK(ml.call("DeleteChannelPlacementGroup", groups + "/" + group).status == 200);
}

TEST_CASE("SDI sources are IDLE, answer wrapped and go at once", "[medialive][anywhere]") {
  MediaLiveFixture ml;
  if (ml.lacks("CreateSdiSource")) return;
  Reply s = ml.call("CreateSdiSource", "/prod/sdiSources", {{"Name", "cam-1"}, {"Mode", "INTERLEAVE"}, {"Type", "SINGLE"}});
  INFO(s.body.dump());
  REQUIRE(s.status == 200);
  const std::string id = s.body["SdiSource"]["Id"];
  CHECK(s.body["SdiSource"]["State"] == "IDLE");
  CHECK(s.body["SdiSource"]["Inputs"].empty());
  Reply u = ml.call("UpdateSdiSource", "/prod/sdiSources/" + id, {{"Type", "QUAD"}, {"Mode", "QUADRANT"}});
  CHECK(u.body["SdiSource"]["Type"] == "QUAD");
  CHECK(ml.call("ListSdiSources", "/prod/sdiSources").body["SdiSources"].size() == 1);
  Reply d = ml.call("DeleteSdiSource", "/prod/sdiSources/" + id);
  CHECK(d.status == 202);
  CHECK(d.body["SdiSource"]["State"] == "DELETED");
  CHECK(ml.call("DescribeSdiSource", "/prod/sdiSources/" + id).body["SdiSource"]["State"] == "DELETED");
  CHECK(ml.call("DeleteSdiSource", "/prod/sdiSources/" + id).status == 404);
  CHECK(ml.call("ListSdiSources", "/prod/sdiSources").body["SdiSources"].empty());
}

TEST_CASE("MediaLive Anywhere nodes are not emulated: 501 naming the operation", "[medialive][anywhere]") {
  MediaLiveFixture ml;
  if (ml.lacks("CreateNode")) return;
  Reply r = ml.call("CreateNode", "/prod/clusters/1/nodes", json::object());
  CHECK(r.status == 501);
  CHECK(r.message().find("CreateNode") != std::string::npos);
}
