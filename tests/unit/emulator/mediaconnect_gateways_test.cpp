// MediaConnect Gateway through the protocol engine: gateways (CREATING -> ACTIVE, DELETING -> 404,
// refused while bridges remain), no gateway instances, bridges on a gateway (ingress and egress
// rules, the STANDBY/STARTING/ACTIVE/STOPPING lifecycle, deletion only when stopped), their
// sources and outputs. botocore models older than the gateway API (1.29) lack these operations:
// then every case says so and does not run.
#include <filesystem>
#include <regex>

#include "tests/unit/emulator/mediaconnect_test_fixture.hpp"

using namespace mediaemu;
using mediaemu::testing::McReply;
using mediaemu::testing::MediaConnectFixture;

namespace {

bool gateway_api_in_model(MediaConnectFixture& mc) {
  if (mc.api.model("mediaconnect")->operation("CreateBridge")) return true;
  WARN("the embedded MediaConnect model has no gateway/bridge operations (botocore 1.29 and older); these checks do not run");
  return false;
}

json office_gateway(const std::string& name) {
  return {{"Name", name},
          {"EgressCidrBlocks", {"10.0.0.0/16"}},
          {"Networks", json::array({{{"Name", "production"}, {"CidrBlock", "192.168.1.0/24"}},
                                    {{"Name", "backup"}, {"CidrBlock", "192.168.2.0/24"}}})}};
}

std::string gw_create_gateway(MediaConnectFixture& mc, const std::string& name) {
  McReply r = mc.call("CreateGateway", "/v1/gateways", office_gateway(name));
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  return r.body["Gateway"]["GatewayArn"];
}

json ingress_bridge(const std::string& name, const std::string& gateway_arn) {
  return {{"Name", name},
          {"PlacementArn", gateway_arn},
          {"IngressGatewayBridge", {{"MaxBitrate", 10000000}, {"MaxOutputs", 2}}},
          {"Sources", json::array({{{"NetworkSource",
                                     {{"Name", "on-prem"}, {"NetworkName", "production"}, {"MulticastIp", "239.1.1.1"},
                                      {"Port", 5000}, {"Protocol", "rtp"}}}}})}};
}

std::string gw_create_flow_with_vpc(MediaConnectFixture& mc, const std::string& name) {
  json flow = {{"Name", name},
               {"Source", {{"Name", "in"}, {"Protocol", "rtp"}, {"IngestPort", 5020}}},
               {"VpcInterfaces", json::array({{{"Name", "vpc1"},
                                               {"RoleArn", "arn:aws:iam::123456789012:role/mc"},
                                               {"SecurityGroupIds", {"sg-1"}},
                                               {"SubnetId", "subnet-1"}}})}};
  McReply r = mc.call("CreateFlow", "/v1/flows", flow);
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  return r.body["Flow"]["FlowArn"];
}

json egress_bridge(const std::string& name, const std::string& gateway_arn, const std::string& flow_arn) {
  return {{"Name", name},
          {"PlacementArn", gateway_arn},
          {"EgressGatewayBridge", {{"MaxBitrate", 10000000}}},
          {"Sources", json::array({{{"FlowSource",
                                     {{"Name", "cloud"}, {"FlowArn", flow_arn}, {"FlowVpcInterfaceAttachment", {{"VpcInterfaceName", "vpc1"}}}}}}})},
          {"Outputs", json::array({{{"NetworkOutput",
                                     {{"Name", "to-office"}, {"NetworkName", "production"}, {"IpAddress", "192.168.1.200"},
                                      {"Port", 5001}, {"Protocol", "rtp"}, {"Ttl", 50}}}}})}};
}

}  // namespace

TEST_CASE("gateways: CREATING then ACTIVE, listed, deleted after the delay", "[mediaconnect][gateways]") {
  MediaConnectFixture mc(1000);
  if (!gateway_api_in_model(mc)) return;
  McReply r = mc.call("CreateGateway", "/v1/gateways", office_gateway("west-office"));
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  const std::string arn = r.body["Gateway"]["GatewayArn"];
  CHECK(std::regex_match(arn, std::regex(R"(arn:aws:mediaconnect:us-east-1:123456789012:gateway:1-[0-9a-f]{16}-[0-9a-f]{12}:west-office)")));
  CHECK(r.body["Gateway"]["GatewayState"] == "CREATING");
  CHECK(r.body["Gateway"]["Networks"].size() == 2);
  mc.advance(1000);
  McReply described = mc.call("DescribeGateway", "/v1/gateways/" + arn);
  CHECK(described.body["Gateway"]["GatewayState"] == "ACTIVE");
  CHECK(described.body["Gateway"]["EgressCidrBlocks"] == json{"10.0.0.0/16"});
  McReply listed = mc.call("ListGateways", "/v1/gateways");
  REQUIRE(listed.body["Gateways"].size() == 1);
  CHECK(listed.body["Gateways"][0] == json{{"GatewayArn", arn}, {"GatewayState", "ACTIVE"}, {"Name", "west-office"}});

  McReply deleting = mc.call("DeleteGateway", "/v1/gateways/" + arn);
  REQUIRE(deleting.status == 200);
  CHECK(deleting.body["GatewayArn"] == arn);
  CHECK(mc.call("DescribeGateway", "/v1/gateways/" + arn).body["Gateway"]["GatewayState"] == "DELETING");
  CHECK(mc.call("DeleteGateway", "/v1/gateways/" + arn).status == 409);
  mc.advance(1000);
  McReply gone = mc.call("DescribeGateway", "/v1/gateways/" + arn);
  CHECK(gone.status == 404);
  CHECK(gone.error_type.rfind("NotFoundException", 0) == 0);
  CHECK(mc.call("ListGateways", "/v1/gateways").body["Gateways"].empty());
}

TEST_CASE("gateway requests AWS refuses", "[mediaconnect][gateways]") {
  MediaConnectFixture mc;
  if (!gateway_api_in_model(mc)) return;
  json bad_cidr = office_gateway("g");
  bad_cidr["EgressCidrBlocks"] = {"10.0.0.300/16"};
  CHECK(mc.call("CreateGateway", "/v1/gateways", bad_cidr).status == 400);
  json repeated = office_gateway("g");
  repeated["Networks"][1]["Name"] = "production";
  McReply r = mc.call("CreateGateway", "/v1/gateways", repeated);
  CHECK(r.status == 400);
  CHECK(r.message().find("production") != std::string::npos);
  json five = office_gateway("g");
  for (int i = 0; i < 3; ++i) five["Networks"].push_back({{"Name", "n" + std::to_string(i)}, {"CidrBlock", "10.1.0.0/24"}});
  CHECK(mc.call("CreateGateway", "/v1/gateways", five).status == 400);
  CHECK(mc.call("ListGateways", "/v1/gateways").body["Gateways"].empty());
}

TEST_CASE("no gateway instances register with an emulator", "[mediaconnect][gateways]") {
  MediaConnectFixture mc;
  if (!gateway_api_in_model(mc)) return;
  const std::string gateway = gw_create_gateway(mc, "office");
  McReply listed = mc.call("ListGatewayInstances", "/v1/gateway-instances?filterArn=" + gateway);
  REQUIRE(listed.status == 200);
  CHECK(listed.body["Instances"].empty());
  const std::string instance = gateway + ":instance:mi-0123456789abcdef0";
  CHECK(mc.call("DescribeGatewayInstance", "/v1/gateway-instances/" + instance).status == 404);
  CHECK(mc.call("UpdateGatewayInstance", "/v1/gateway-instances/" + instance, {{"BridgePlacement", "LOCKED"}}).status == 404);
  CHECK(mc.call("DeregisterGatewayInstance", "/v1/gateway-instances/" + instance).status == 404);
}

TEST_CASE("an ingress bridge: lifecycle on its gateway, stopped before deletion", "[mediaconnect][bridges]") {
  MediaConnectFixture mc(1000);
  if (!gateway_api_in_model(mc)) return;
  const std::string gateway = gw_create_gateway(mc, "office");
  // A bridge needs an ACTIVE gateway.
  CHECK(mc.call("CreateBridge", "/v1/bridges", ingress_bridge("early", gateway)).status == 400);
  mc.advance(1000);

  McReply r = mc.call("CreateBridge", "/v1/bridges", ingress_bridge("arena", gateway));
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  const std::string arn = r.body["Bridge"]["BridgeArn"];
  CHECK(std::regex_match(arn, std::regex(R"(arn:aws:mediaconnect:us-east-1:123456789012:bridge:1-[0-9a-f]{16}-[0-9a-f]{12}:arena)")));
  CHECK(r.body["Bridge"]["BridgeState"] == "CREATING");
  CHECK(r.body["Bridge"]["PlacementArn"] == gateway);
  CHECK(r.body["Bridge"]["Sources"][0]["NetworkSource"]["MulticastIp"] == "239.1.1.1");
  // Parts cannot change until the bridge exists.
  CHECK(mc.call("UpdateBridge", "/v1/bridges/" + arn, {{"IngressGatewayBridge", {{"MaxBitrate", 2000000}}}}).status == 409);
  mc.advance(1000);
  CHECK(mc.call("DescribeBridge", "/v1/bridges/" + arn).body["Bridge"]["BridgeState"] == "STANDBY");

  McReply listed = mc.call("ListBridges", "/v1/bridges?filterArn=" + gateway);
  REQUIRE(listed.body["Bridges"].size() == 1);
  CHECK(listed.body["Bridges"][0]["BridgeType"] == "INGRESS");
  CHECK(listed.body["Bridges"][0]["PlacementArn"] == gateway);
  CHECK(mc.call("ListBridges", "/v1/bridges?filterArn=arn:aws:mediaconnect:us-east-1:123456789012:gateway:1-x-y:other")
            .body["Bridges"]
            .empty());

  McReply updated = mc.call("UpdateBridge", "/v1/bridges/" + arn, {{"IngressGatewayBridge", {{"MaxBitrate", 2000000}}}});
  REQUIRE(updated.status == 202);
  CHECK(updated.body["Bridge"]["IngressGatewayBridge"] == json{{"MaxBitrate", 2000000}, {"MaxOutputs", 2}});
  CHECK(mc.call("UpdateBridge", "/v1/bridges/" + arn, {{"EgressGatewayBridge", {{"MaxBitrate", 1}}}}).status == 400);

  McReply start = mc.call("UpdateBridgeState", "/v1/bridges/" + arn + "/state", {{"DesiredState", "ACTIVE"}});
  REQUIRE(start.status == 202);
  CHECK(start.body == json{{"BridgeArn", arn}, {"DesiredState", "ACTIVE"}});
  CHECK(mc.call("DescribeBridge", "/v1/bridges/" + arn).body["Bridge"]["BridgeState"] == "STARTING");
  mc.advance(1000);
  CHECK(mc.call("DescribeBridge", "/v1/bridges/" + arn).body["Bridge"]["BridgeState"] == "ACTIVE");
  CHECK(mc.call("UpdateBridgeState", "/v1/bridges/" + arn + "/state", {{"DesiredState", "ACTIVE"}}).status == 409);
  McReply running = mc.call("DeleteBridge", "/v1/bridges/" + arn);
  CHECK(running.status == 409);
  CHECK(running.error_type.rfind("ConflictException", 0) == 0);
  // The gateway keeps its bridges: deleting it first is a conflict.
  McReply gateway_busy = mc.call("DeleteGateway", "/v1/gateways/" + gateway);
  CHECK(gateway_busy.status == 409);
  CHECK(gateway_busy.message().find("bridge") != std::string::npos);

  CHECK(mc.call("UpdateBridgeState", "/v1/bridges/" + arn + "/state", {{"DesiredState", "STANDBY"}}).status == 202);
  CHECK(mc.call("DescribeBridge", "/v1/bridges/" + arn).body["Bridge"]["BridgeState"] == "STOPPING");
  mc.advance(1000);
  McReply deleting = mc.call("DeleteBridge", "/v1/bridges/" + arn);
  REQUIRE(deleting.status == 200);
  CHECK(deleting.body["BridgeArn"] == arn);
  mc.advance(1000);
  CHECK(mc.call("DescribeBridge", "/v1/bridges/" + arn).status == 404);
  CHECK(mc.call("DeleteGateway", "/v1/gateways/" + gateway).status == 200);
}

TEST_CASE("bridge rules: type, networks, flows and their VPC interfaces", "[mediaconnect][bridges]") {
  MediaConnectFixture mc;
  if (!gateway_api_in_model(mc)) return;
  const std::string gateway = gw_create_gateway(mc, "office");
  const std::string flow = gw_create_flow_with_vpc(mc, "feed");
  auto refused = [&mc](const json& body, const std::string& words) {
    McReply r = mc.call("CreateBridge", "/v1/bridges", body);
    INFO(body.dump() << " -> " << r.body.dump());
    CHECK(r.status == 400);
    CHECK(r.message().find(words) != std::string::npos);
  };
  json both = ingress_bridge("b", gateway);
  both["EgressGatewayBridge"] = {{"MaxBitrate", 1}};
  refused(both, "exactly one");
  refused(ingress_bridge("b", gateway + "x"), "names no gateway");
  json network = ingress_bridge("b", gateway);
  network["Sources"][0]["NetworkSource"]["NetworkName"] = "studio";
  refused(network, "studio");
  json unicast = ingress_bridge("b", gateway);
  unicast["Sources"][0]["NetworkSource"]["MulticastIp"] = "10.1.1.1";
  refused(unicast, "multicast");
  json flow_on_ingress = ingress_bridge("b", gateway);
  flow_on_ingress["Sources"] = egress_bridge("b", gateway, flow)["Sources"];
  refused(flow_on_ingress, "ingress bridge takes network sources");
  json output_on_ingress = ingress_bridge("b", gateway);
  output_on_ingress["Outputs"] = egress_bridge("b", gateway, flow)["Outputs"];
  refused(output_on_ingress, "egress bridges");
  json no_flow = egress_bridge("b", gateway, flow + "x");
  refused(no_flow, "does not exist");
  json no_vpc = egress_bridge("b", gateway, flow);
  no_vpc["Sources"][0]["FlowSource"]["FlowVpcInterfaceAttachment"]["VpcInterfaceName"] = "vpc9";
  refused(no_vpc, "vpc9");
  json no_sources = egress_bridge("b", gateway, flow);
  no_sources["Sources"] = json::array();
  refused(no_sources, "at least one source");
  json bad_ttl = egress_bridge("b", gateway, flow);
  bad_ttl["Outputs"][0]["NetworkOutput"]["Ttl"] = 0;
  refused(bad_ttl, "Ttl");
  json bad_primary = egress_bridge("b", gateway, flow);
  bad_primary["SourceFailoverConfig"] = {{"FailoverMode", "FAILOVER"}, {"SourcePriority", {{"PrimarySource", "nope"}}}};
  refused(bad_primary, "nope");
  CHECK(mc.call("ListBridges", "/v1/bridges").body["Bridges"].empty());
}

TEST_CASE("an egress bridge's sources and outputs: add, update, remove", "[mediaconnect][bridges]") {
  MediaConnectFixture mc;
  if (!gateway_api_in_model(mc)) return;
  const std::string gateway = gw_create_gateway(mc, "office");
  const std::string flow = gw_create_flow_with_vpc(mc, "feed");
  McReply r = mc.call("CreateBridge", "/v1/bridges", egress_bridge("to-office", gateway, flow));
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  const std::string arn = r.body["Bridge"]["BridgeArn"];
  const std::string base = "/v1/bridges/" + arn;
  CHECK(mc.call("ListBridges", "/v1/bridges").body["Bridges"][0]["BridgeType"] == "EGRESS");

  McReply added = mc.call("AddBridgeSources", base + "/sources",
                          {{"Sources", json::array({{{"FlowSource", {{"Name", "second"}, {"FlowArn", flow}}}}})}});
  INFO(added.body.dump());
  REQUIRE(added.status == 202);
  CHECK(added.body["Sources"][0]["FlowSource"]["Name"] == "second");
  CHECK(mc.call("AddBridgeSources", base + "/sources",
                {{"Sources", json::array({{{"FlowSource", {{"Name", "third"}, {"FlowArn", flow}}}}})}})
            .status == 400);  // at most two
  CHECK(mc.call("AddBridgeSources", base + "/sources",
                {{"Sources", json::array({{{"FlowSource", {{"Name", "second"}, {"FlowArn", flow}}}}})}})
            .status == 400);  // names are unique
  McReply source = mc.call("UpdateBridgeSource", base + "/sources/second",
                           {{"FlowSource", {{"FlowVpcInterfaceAttachment", {{"VpcInterfaceName", "vpc1"}}}}}});
  REQUIRE(source.status == 202);
  CHECK(source.body["Source"]["FlowSource"]["FlowVpcInterfaceAttachment"]["VpcInterfaceName"] == "vpc1");
  CHECK(source.body["Source"]["FlowSource"]["FlowArn"] == flow);
  CHECK(mc.call("UpdateBridgeSource", base + "/sources/second", {{"NetworkSource", {{"Port", 1}}}}).status == 400);
  CHECK(mc.call("UpdateBridgeSource", base + "/sources/nope", {{"FlowSource", {{"FlowArn", flow}}}}).status == 404);

  McReply outputs = mc.call("AddBridgeOutputs", base + "/outputs",
                            {{"Outputs", json::array({{{"NetworkOutput",
                                                        {{"Name", "backup-office"}, {"NetworkName", "backup"}, {"IpAddress", "192.168.2.9"},
                                                         {"Port", 5002}, {"Protocol", "udp"}, {"Ttl", 10}}}}})}});
  INFO(outputs.body.dump());
  REQUIRE(outputs.status == 202);
  McReply output = mc.call("UpdateBridgeOutput", base + "/outputs/backup-office", {{"NetworkOutput", {{"Port", 5003}}}});
  REQUIRE(output.status == 202);
  CHECK(output.body["Output"]["NetworkOutput"]["Port"] == 5003);
  CHECK(output.body["Output"]["NetworkOutput"]["IpAddress"] == "192.168.2.9");
  CHECK(mc.call("UpdateBridgeOutput", base + "/outputs/backup-office", {{"NetworkOutput", {{"NetworkName", "studio"}}}}).status == 400);

  CHECK(mc.call("RemoveBridgeOutput", base + "/outputs/backup-office").body == json{{"BridgeArn", arn}, {"OutputName", "backup-office"}});
  CHECK(mc.call("RemoveBridgeOutput", base + "/outputs/backup-office").status == 404);
  CHECK(mc.call("RemoveBridgeSource", base + "/sources/second").status == 202);
  // The last source stays: a bridge needs one.
  CHECK(mc.call("RemoveBridgeSource", base + "/sources/cloud").status == 400);
  // A VPC interface a bridge uses still belongs to its flow; the flow's own rules are unchanged.
  McReply bridge = mc.call("DescribeBridge", base);
  CHECK(bridge.body["Bridge"]["Sources"].size() == 1);
  CHECK(bridge.body["Bridge"]["Outputs"].size() == 1);
  CHECK(mc.call("DescribeBridge", "/v1/bridges/" + arn + "x").status == 404);
}

TEST_CASE("gateways and bridges persist; an interrupted transition settles at load", "[mediaconnect][bridges]") {
  {
    MediaConnectFixture in_memory;
    if (!gateway_api_in_model(in_memory)) return;
  }
  const auto db = std::filesystem::temp_directory_path() / ("mediaconnect-gw-" + random_hex(4) + ".db");
  std::string gateway, bridge;
  {
    MediaConnectFixture mc(1000, db.string());
    gateway = gw_create_gateway(mc, "durable");
    mc.advance(1000);
    McReply r = mc.call("CreateBridge", "/v1/bridges", ingress_bridge("durable", gateway));
    REQUIRE(r.status == 201);
    bridge = r.body["Bridge"]["BridgeArn"];
    CHECK(r.body["Bridge"]["BridgeState"] == "CREATING");
  }  // the process ends while the bridge is CREATING
  {
    MediaConnectFixture mc(1000, db.string());
    CHECK(mc.call("DescribeGateway", "/v1/gateways/" + gateway).body["Gateway"]["GatewayState"] == "ACTIVE");
    McReply b = mc.call("DescribeBridge", "/v1/bridges/" + bridge);
    CHECK(b.body["Bridge"]["BridgeState"] == "STANDBY");
    CHECK(b.body["Bridge"]["Sources"][0]["NetworkSource"]["Name"] == "on-prem");
  }
  std::filesystem::remove(db);
  std::filesystem::remove(db.string() + "-wal");
  std::filesystem::remove(db.string() + "-shm");
}
