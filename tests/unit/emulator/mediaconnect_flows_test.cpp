// MediaConnect flows through the protocol engine: generated fields, the STANDBY/STARTING/ACTIVE/
// STOPPING/DELETING lifecycle, the rules AWS documents (two sources only with failover, unique
// names, ports, CIDRs), edits of a running flow reaching its relay, tags, 404s and 501s.
#include <filesystem>
#include <regex>

#include "tests/unit/emulator/mediaconnect_test_fixture.hpp"

using namespace mediaemu;
using mediaemu::testing::failover_flow;
using mediaemu::testing::MediaConnectFixture;
using mediaemu::testing::McReply;

namespace {

std::string create(MediaConnectFixture& mc, const json& body) {
  McReply r = mc.call("CreateFlow", "/v1/flows", body);
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  return r.body["Flow"]["FlowArn"];
}

}  // namespace

TEST_CASE("CreateFlow generates what AWS generates", "[mediaconnect][flows]") {
  MediaConnectFixture mc;
  McReply r = mc.call("CreateFlow", "/v1/flows", failover_flow("live-event"));
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  const json& flow = r.body["Flow"];
  const std::regex flow_arn(R"(arn:aws:mediaconnect:us-east-1:123456789012:flow:1-[0-9a-f]{16}-[0-9a-f]{12}:live-event)");
  CHECK(std::regex_match(flow["FlowArn"].get<std::string>(), flow_arn));
  CHECK(flow["Status"] == "STANDBY");
  CHECK(flow["AvailabilityZone"] == "us-east-1b");
  CHECK(flow["EgressIp"] == "127.0.0.1");
  REQUIRE(flow["Sources"].size() == 2);
  CHECK(flow["Source"] == flow["Sources"][0]);
  const json& primary = flow["Sources"][0];
  CHECK(std::regex_match(primary["SourceArn"].get<std::string>(),
                         std::regex(R"(arn:aws:mediaconnect:us-east-1:123456789012:source:1-[0-9a-f]{16}-[0-9a-f]{12}:primary)")));
  CHECK(primary["IngestIp"] == "127.0.0.1");
  CHECK(primary["IngestPort"] == 5000);
  CHECK(primary["Transport"]["Protocol"] == "rtp");
  CHECK(primary["WhitelistCidr"] == "127.0.0.0/8");
  CHECK(flow["Sources"][1]["IngestPort"] == 5001);
  CHECK(flow["SourceFailoverConfig"]["FailoverMode"] == "FAILOVER");
  CHECK(flow["SourceFailoverConfig"]["RecoveryWindow"] == 300);
  CHECK(flow["SourceFailoverConfig"]["SourcePriority"]["PrimarySource"] == "primary");
  const json& output = flow["Outputs"][0];
  CHECK(output["OutputArn"].get<std::string>().find(":output:1-") != std::string::npos);
  CHECK(output["Destination"] == "127.0.0.1");
  CHECK(output["Port"] == 6000);
  CHECK(output["Transport"]["Protocol"] == "rtp");
  CHECK(flow["Maintenance"].contains("MaintenanceDay"));

  McReply listed = mc.call("ListFlows", "/v1/flows");
  REQUIRE(listed.body["Flows"].size() == 1);
  const json& item = listed.body["Flows"][0];
  CHECK(item["FlowArn"] == flow["FlowArn"]);
  CHECK(item["Name"] == "live-event");
  CHECK(item["SourceType"] == "OWNED");
  CHECK(item["Status"] == "STANDBY");
  CHECK(item["AvailabilityZone"] == "us-east-1b");
  CHECK(item.contains("Description"));
}

TEST_CASE("a single Source, default failover settings and the default zone", "[mediaconnect][flows]") {
  MediaConnectFixture mc;
  json body = {{"Name", "one"}, {"Source", {{"Name", "in"}, {"Protocol", "rtp"}, {"IngestPort", 5010}}}};
  McReply r = mc.call("CreateFlow", "/v1/flows", body);
  REQUIRE(r.status == 201);
  CHECK(r.body["Flow"]["AvailabilityZone"] == "us-east-1a");
  CHECK(r.body["Flow"]["Sources"].size() == 1);
  CHECK(r.body["Flow"]["SourceFailoverConfig"]["State"] == "DISABLED");
}

TEST_CASE("flow lifecycle with --state-delay 0 settles at the next call", "[mediaconnect][flows]") {
  MediaConnectFixture mc;
  const std::string arn = create(mc, failover_flow("life"));
  McReply started = mc.call("StartFlow", "/v1/flows/start/" + arn);
  REQUIRE(started.status == 202);
  CHECK(started.body["Status"] == "STARTING");
  CHECK(started.body["FlowArn"] == arn);
  CHECK(mc.status(arn) == "ACTIVE");
  REQUIRE(mc.flows.started.size() == 1);
  const flow::FlowPlan& plan = mc.flows.started[0];
  CHECK(plan.flow_arn == arn);
  REQUIRE(plan.sources.size() == 2);
  CHECK(plan.sources[0].port == 5000);
  CHECK(plan.sources[0].whitelist_cidr == "127.0.0.0/8");
  CHECK(plan.failover_enabled);
  CHECK(plan.mode == flow::FailoverMode::Failover);
  CHECK(plan.recovery_window_ms == 300);
  CHECK(plan.primary_source == "primary");
  CHECK(plan.outputs.at(0).port == 6000);

  McReply again = mc.call("StartFlow", "/v1/flows/start/" + arn);
  CHECK(again.status == 400);
  CHECK(again.error_type.rfind("BadRequestException", 0) == 0);
  McReply refused = mc.call("DeleteFlow", "/v1/flows/" + arn);
  CHECK(refused.status == 400);
  CHECK(refused.message().find("STANDBY") != std::string::npos);

  McReply stopped = mc.call("StopFlow", "/v1/flows/stop/" + arn);
  REQUIRE(stopped.status == 202);
  CHECK(stopped.body["Status"] == "STOPPING");
  CHECK(mc.flows.stopped == std::vector<std::string>{arn});
  CHECK(mc.status(arn) == "STANDBY");
  CHECK(mc.call("StopFlow", "/v1/flows/stop/" + arn).status == 400);

  McReply deleted = mc.call("DeleteFlow", "/v1/flows/" + arn);
  REQUIRE(deleted.status == 202);
  CHECK(deleted.body["Status"] == "DELETING");
  McReply gone = mc.call("DescribeFlow", "/v1/flows/" + arn);
  CHECK(gone.status == 404);
  CHECK(gone.error_type.rfind("NotFoundException", 0) == 0);
  CHECK(mc.call("ListFlows", "/v1/flows").body["Flows"].empty());
}

TEST_CASE("transitions take the state delay", "[mediaconnect][flows]") {
  MediaConnectFixture mc(1000);
  const std::string arn = create(mc, failover_flow("slow"));
  mc.call("StartFlow", "/v1/flows/start/" + arn);
  CHECK(mc.status(arn) == "STARTING");
  CHECK(mc.flows.started.empty());
  mc.advance(999);
  CHECK(mc.status(arn) == "STARTING");
  mc.advance(1);
  CHECK(mc.status(arn) == "ACTIVE");
  CHECK(mc.flows.started.size() == 1);
  // Stopping while STARTING replaces the pending ACTIVE.
  mc.call("StopFlow", "/v1/flows/stop/" + arn);
  mc.call("StartFlow", "/v1/flows/start/" + arn);  // refused: STOPPING
  CHECK(mc.status(arn) == "STOPPING");
  mc.advance(1000);
  CHECK(mc.status(arn) == "STANDBY");
  mc.call("DeleteFlow", "/v1/flows/" + arn);
  CHECK(mc.status(arn) == "DELETING");
  mc.advance(1000);
  CHECK(mc.call("DescribeFlow", "/v1/flows/" + arn).status == 404);
}

TEST_CASE("bad flows are refused with nothing written", "[mediaconnect][flows][validation]") {
  MediaConnectFixture mc;
  auto refused = [&mc](const json& body, const std::string& words) {
    McReply r = mc.call("CreateFlow", "/v1/flows", body);
    INFO(r.body.dump());
    CHECK(r.status == 400);
    CHECK(r.error_type.rfind("BadRequestException", 0) == 0);
    CHECK(r.message().find(words) != std::string::npos);
  };
  json two_without_failover = failover_flow("x");
  two_without_failover.erase("SourceFailoverConfig");
  refused(two_without_failover, "only one source");
  json disabled = failover_flow("x");
  disabled["SourceFailoverConfig"]["State"] = "DISABLED";
  refused(disabled, "only one source");
  json three = failover_flow("x");
  three["Sources"].push_back({{"Name", "third"}, {"Protocol", "rtp"}, {"IngestPort", 5002}});
  refused(three, "at most two sources");
  json no_port = failover_flow("x");
  no_port["Sources"][1].erase("IngestPort");
  refused(no_port, "IngestPort");
  json same_port = failover_flow("x", 5000, 5000);
  refused(same_port, "IngestPort 5000");
  json bad_cidr = failover_flow("x");
  bad_cidr["Sources"][0]["WhitelistCidr"] = "10.0.0.0/33";
  refused(bad_cidr, "CIDR");
  json same_names = failover_flow("x");
  same_names["Sources"][1]["Name"] = "primary";
  refused(same_names, "unique");
  json unknown_primary = failover_flow("x");
  unknown_primary["SourceFailoverConfig"]["SourcePriority"]["PrimarySource"] = "nope";
  refused(unknown_primary, "PrimarySource nope");
  json no_destination = failover_flow("x");
  no_destination["Outputs"][0].erase("Destination");
  refused(no_destination, "Destination");
  json bad_destination = failover_flow("x");
  bad_destination["Outputs"][0]["Destination"] = "example.com";
  refused(bad_destination, "not an IPv4 address");
  json no_protocol = failover_flow("x");
  no_protocol["Sources"][0].erase("Protocol");
  refused(no_protocol, "Protocol");
  refused({{"Name", "x"}}, "needs a source");
  json cdi = {{"Name", "x"}, {"Source", {{"Name", "cdi"}, {"Protocol", "cdi"}, {"IngestPort", 5000}}}};
  refused(cdi, "VpcInterfaceName");
  // Not in the model's enum: the engine refuses it before the handler.
  json bogus = failover_flow("x");
  bogus["Sources"][0]["Protocol"] = "carrier-pigeon";
  CHECK(mc.call("CreateFlow", "/v1/flows", bogus).status == 400);
  CHECK(mc.call("ListFlows", "/v1/flows").body["Flows"].empty());
}

TEST_CASE("sources, outputs and failover change, and a running flow's relay follows", "[mediaconnect][flows]") {
  MediaConnectFixture mc;
  json body = failover_flow("edit");
  body.erase("SourceFailoverConfig");
  body["Sources"].erase(1);
  const std::string arn = create(mc, body);
  const std::string base = "/v1/flows/" + arn;

  // A second source needs failover first.
  json backup = {{"Name", "backup"}, {"Protocol", "rtp"}, {"IngestPort", 5001}};
  McReply refused = mc.call("AddFlowSources", base + "/source", {{"Sources", json::array({backup})}});
  CHECK(refused.status == 400);
  McReply updated = mc.call("UpdateFlow", base,
                            {{"SourceFailoverConfig", {{"State", "ENABLED"}, {"FailoverMode", "MERGE"}, {"RecoveryWindow", 500}}}});
  REQUIRE(updated.status == 202);
  CHECK(updated.body["Flow"]["SourceFailoverConfig"]["FailoverMode"] == "MERGE");
  McReply added = mc.call("AddFlowSources", base + "/source", {{"Sources", json::array({backup})}});
  INFO(added.body.dump());
  REQUIRE(added.status == 201);
  const std::string backup_arn = added.body["Sources"][0]["SourceArn"];

  mc.call("StartFlow", "/v1/flows/start/" + arn);
  REQUIRE(mc.status(arn) == "ACTIVE");
  REQUIRE(mc.flows.started.size() == 1);
  CHECK(mc.flows.started.back().mode == flow::FailoverMode::Merge);

  McReply out = mc.call("AddFlowOutputs", base + "/outputs",
                        {{"Outputs", json::array({{{"Name", "probe"}, {"Protocol", "rtp"}, {"Destination", "127.0.0.1"}, {"Port", 6001}}})}});
  REQUIRE(out.status == 201);
  const std::string output_arn = out.body["Outputs"][0]["OutputArn"];
  REQUIRE(mc.flows.started.size() == 2);  // the running relay takes the new plan
  CHECK(mc.flows.started.back().outputs.size() == 2);
  CHECK(mc.flows.started.back().order > mc.flows.started.front().order);

  McReply port = mc.call("UpdateFlowSource", base + "/source/" + backup_arn, {{"IngestPort", 5003}});
  REQUIRE(port.status == 202);
  CHECK(port.body["Source"]["IngestPort"] == 5003);
  CHECK(mc.flows.started.back().sources.at(1).port == 5003);

  McReply disabled = mc.call("UpdateFlowOutput", base + "/outputs/" + output_arn, {{"OutputStatus", "DISABLED"}});
  REQUIRE(disabled.status == 202);
  CHECK_FALSE(mc.flows.started.back().outputs.at(1).enabled);
  CHECK(mc.call("RemoveFlowOutput", base + "/outputs/" + output_arn).status == 202);
  CHECK(mc.call("RemoveFlowOutput", base + "/outputs/" + output_arn).status == 404);

  McReply removed = mc.call("RemoveFlowSource", base + "/source/" + backup_arn);
  REQUIRE(removed.status == 202);
  CHECK(removed.body["SourceArn"] == backup_arn);
  json flow = mc.call("DescribeFlow", base).body["Flow"];
  REQUIRE(flow["Sources"].size() == 1);
  const std::string last = flow["Sources"][0]["SourceArn"];
  McReply only = mc.call("RemoveFlowSource", base + "/source/" + last);
  CHECK(only.status == 400);
  CHECK(only.message().find("at least one source") != std::string::npos);

  // The relay's problems show in DescribeFlow's Messages while ACTIVE.
  mc.flows.relay_errors = {"Source x uses protocol zixi-push, which the mediaemu data plane does not carry"};
  McReply described = mc.call("DescribeFlow", base);
  CHECK(described.body["Messages"]["Errors"].size() == 1);
}

TEST_CASE("entitlements, VPC interfaces, media streams", "[mediaconnect][flows]") {
  MediaConnectFixture mc;
  const std::string arn = create(mc, failover_flow("parts"));
  const std::string base = "/v1/flows/" + arn;
  McReply granted = mc.call("GrantFlowEntitlements", base + "/entitlements",
                            {{"Entitlements", json::array({{{"Name", "partner"}, {"Subscribers", {"111122223333"}}}})}});
  INFO(granted.body.dump());
  REQUIRE(granted.status == 200);
  const json& e = granted.body["Entitlements"][0];
  CHECK(e["EntitlementArn"].get<std::string>().find(":entitlement:1-") != std::string::npos);
  CHECK(e["EntitlementStatus"] == "ENABLED");
  const std::string e_arn = e["EntitlementArn"];
  CHECK(mc.call("GrantFlowEntitlements", base + "/entitlements",
                {{"Entitlements", json::array({{{"Name", "partner"}, {"Subscribers", {"1"}}}})}})
            .status == 400);
  McReply listed = mc.call("ListEntitlements", "/v1/entitlements");
  REQUIRE(listed.body["Entitlements"].size() == 1);
  CHECK(listed.body["Entitlements"][0]["EntitlementName"] == "partner");
  McReply updated = mc.call("UpdateFlowEntitlement", base + "/entitlements/" + e_arn, {{"EntitlementStatus", "DISABLED"}});
  REQUIRE(updated.status == 202);
  CHECK(updated.body["Entitlement"]["EntitlementStatus"] == "DISABLED");
  CHECK(mc.call("RevokeFlowEntitlement", base + "/entitlements/" + e_arn).status == 202);
  CHECK(mc.call("ListEntitlements", "/v1/entitlements").body["Entitlements"].empty());

  McReply vpc = mc.call("AddFlowVpcInterfaces", base + "/vpcInterfaces",
                        {{"VpcInterfaces", json::array({{{"Name", "vpc1"},
                                                         {"RoleArn", "arn:aws:iam::123456789012:role/mc"},
                                                         {"SecurityGroupIds", {"sg-1"}},
                                                         {"SubnetId", "subnet-1"}}})}});
  INFO(vpc.body.dump());
  REQUIRE(vpc.status == 201);
  CHECK(vpc.body["VpcInterfaces"][0]["NetworkInterfaceIds"].size() == 1);
  CHECK(vpc.body["VpcInterfaces"][0]["NetworkInterfaceType"] == "ena");
  CHECK(mc.call("RemoveFlowVpcInterface", base + "/vpcInterfaces/vpc1").status == 200);
  CHECK(mc.call("RemoveFlowVpcInterface", base + "/vpcInterfaces/vpc1").status == 404);

  McReply streams = mc.call("AddFlowMediaStreams", base + "/mediaStreams",
                            {{"MediaStreams", json::array({{{"MediaStreamId", 1}, {"MediaStreamName", "video"}, {"MediaStreamType", "video"}}})}});
  REQUIRE(streams.status == 201);
  CHECK(streams.body["MediaStreams"][0]["Fmt"] == 97);
  McReply stream = mc.call("UpdateFlowMediaStream", base + "/mediaStreams/video", {{"Description", "main"}});
  REQUIRE(stream.status == 202);
  CHECK(stream.body["MediaStream"]["Description"] == "main");
  CHECK(mc.call("RemoveFlowMediaStream", base + "/mediaStreams/video").status == 200);
}

TEST_CASE("tags on flows and their parts, unknown ARNs are 404", "[mediaconnect][tags]") {
  MediaConnectFixture mc;
  json body = failover_flow("tagged");
  // CreateFlowRequest.FlowTags is newer than botocore 1.29 (Debian 12): there, tag after creating.
  const bool flow_tags = mc.api.model("mediaconnect")->operation("CreateFlow")->input->member("FlowTags") != nullptr;
  if (flow_tags) body["FlowTags"] = {{"team", "video"}};
  McReply r = mc.call("CreateFlow", "/v1/flows", body);
  REQUIRE(r.status == 201);
  const std::string arn = r.body["Flow"]["FlowArn"];
  const std::string source_arn = r.body["Flow"]["Sources"][0]["SourceArn"];
  if (!flow_tags) {
    WARN("the embedded MediaConnect model has no CreateFlow FlowTags; tagging after creation instead");
    CHECK(mc.call("TagResource", "/tags/" + arn, {{"Tags", {{"team", "video"}}}}).status == 204);
  }
  CHECK(mc.call("ListTagsForResource", "/tags/" + arn).body["Tags"] == json{{"team", "video"}});
  CHECK(mc.call("TagResource", "/tags/" + arn, {{"Tags", {{"env", "dev"}}}}).status == 204);
  CHECK(mc.call("TagResource", "/tags/" + source_arn, {{"Tags", {{"role", "primary"}}}}).status == 204);
  CHECK(mc.call("ListTagsForResource", "/tags/" + arn).body["Tags"] == json{{"team", "video"}, {"env", "dev"}});
  CHECK(mc.call("ListTagsForResource", "/tags/" + source_arn).body["Tags"] == json{{"role", "primary"}});
  CHECK(mc.call("UntagResource", "/tags/" + arn + "?tagKeys=team").status == 204);
  CHECK(mc.call("ListTagsForResource", "/tags/" + arn).body["Tags"] == json{{"env", "dev"}});

  const std::string missing = "arn:aws:mediaconnect:us-east-1:123456789012:flow:1-0000000000000000-000000000000:nope";
  CHECK(mc.call("ListTagsForResource", "/tags/" + missing).status == 404);
  McReply not_found = mc.call("DescribeFlow", "/v1/flows/" + missing);
  CHECK(not_found.status == 404);
  CHECK(not_found.error_type.rfind("NotFoundException", 0) == 0);
  CHECK(mc.call("StartFlow", "/v1/flows/start/" + missing).status == 404);
  CHECK(mc.call("AddFlowOutputs", "/v1/flows/" + missing + "/outputs",
                {{"Outputs", json::array({{{"Name", "o"}, {"Protocol", "rtp"}, {"Destination", "127.0.0.1"}, {"Port", 1}}})}})
            .status == 404);
}

TEST_CASE("operations without behaviour answer 501 naming themselves", "[mediaconnect]") {
  MediaConnectFixture mc;
  // Offerings and reservations are in every model mediaemu builds with (botocore 1.29 included).
  McReply r = mc.call("ListOfferings", "/v1/offerings");
  CHECK(r.status == 501);
  CHECK(r.message().find("ListOfferings") != std::string::npos);
}

TEST_CASE("flows persist and an ACTIVE flow relays again after a restart", "[mediaconnect][flows]") {
  const auto db = std::filesystem::temp_directory_path() / ("mediaconnect-" + random_hex(4) + ".db");
  std::string arn;
  {
    MediaConnectFixture mc(0, db.string());
    arn = create(mc, failover_flow("durable"));
    mc.call("StartFlow", "/v1/flows/start/" + arn);
    REQUIRE(mc.status(arn) == "ACTIVE");
  }
  {
    MediaConnectFixture mc(0, db.string());
    CHECK(mc.status(arn) == "ACTIVE");
    REQUIRE(mc.flows.started.size() == 1);
    CHECK(mc.flows.started[0].flow_arn == arn);
  }
  std::filesystem::remove(db);
  std::filesystem::remove(db.string() + "-wal");
  std::filesystem::remove(db.string() + "-shm");
}
