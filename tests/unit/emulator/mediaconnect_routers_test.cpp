// MediaConnect routers through the protocol engine: router network interfaces (CREATING ->
// ACTIVE, refused deletion while I/Os use them), router inputs and outputs (the STANDBY /
// STARTING / ACTIVE / STOPPING lifecycle, UPDATING, deletion only in STANDBY), TakeRouterInput,
// the data plane's plan (a running input relays to its running routed outputs), tags, BatchGet,
// List filters, validation errors naming the field, and durability. Models older than the router
// API lack these operations: then every case says so and does not run.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <regex>

#include "emulator/cloudformation/providers/provider.hpp"
#include "pipeline/flow/flow_runtime.hpp"
#include "pipeline/flow/rtp.hpp"
#include "tests/unit/emulator/mediaconnect_test_fixture.hpp"

using namespace mediaemu;
using mediaemu::testing::McReply;
using mediaemu::testing::MediaConnectFixture;

namespace {

bool rt_router_api_in_model(MediaConnectFixture& mc) {
  if (mc.api.model("mediaconnect")->operation("CreateRouterInput")) return true;
  WARN("the embedded MediaConnect model has no router operations; these checks do not run");
  return false;
}

json rt_public_interface(const std::string& name, const json& cidrs = {"127.0.0.0/8"}) {
  json rules = json::array();
  for (const auto& c : cidrs) rules.push_back({{"Cidr", c}});
  return {{"Name", name}, {"Configuration", {{"Public", {{"AllowRules", rules}}}}}};
}

std::string rt_create_interface(MediaConnectFixture& mc, const std::string& name) {
  McReply r = mc.call("CreateRouterNetworkInterface", "/v1/routerNetworkInterface", rt_public_interface(name));
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  return r.body["RouterNetworkInterface"]["Arn"];
}

json rt_rtp_input(const std::string& name, const std::string& interface_arn, int port = 7000) {
  return {{"Name", name},
          {"MaximumBitrate", 20000000},
          {"RoutingScope", "REGIONAL"},
          {"Tier", "INPUT_20"},
          {"Configuration",
           {{"Standard", {{"NetworkInterfaceArn", interface_arn}, {"ProtocolConfiguration", {{"Rtp", {{"Port", port}}}}}}}}}};
}

json rt_rtp_output(const std::string& name, const std::string& interface_arn, int port = 7100) {
  return {{"Name", name},
          {"MaximumBitrate", 20000000},
          {"RoutingScope", "REGIONAL"},
          {"Tier", "OUTPUT_20"},
          {"Configuration",
           {{"Standard",
             {{"NetworkInterfaceArn", interface_arn},
              {"ProtocolConfiguration", {{"Rtp", {{"DestinationAddress", "127.0.0.1"}, {"DestinationPort", port}}}}}}}}}};
}

std::string rt_create(MediaConnectFixture& mc, const char* op, const char* uri, const char* member, const json& body) {
  McReply r = mc.call(op, uri, body);
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  return r.body[member]["Arn"];
}

std::string rt_state(MediaConnectFixture& mc, const std::string& kind, const std::string& arn) {
  McReply r = mc.call("Get" + kind, "/v1/" + std::string(1, static_cast<char>(std::tolower(kind[0]))) + kind.substr(1) + "/" + arn);
  if (r.status == 404) return "gone";
  return r.body[kind].value("State", "");
}

// A UDP socket on 127.0.0.x, at `port` (0: any), closed at the end of the test.
struct RtSocket {
  explicit RtSocket(const char* host, uint16_t at = 0) {
    fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(at);
    inet_pton(AF_INET, host, &a.sin_addr);
    bound = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~RtSocket() { ::close(fd); }
  void send_rtp(uint16_t to, uint16_t seq) const {
    std::vector<uint8_t> packet;
    const std::string payload = "ts";
    flow::wrap_rtp({reinterpret_cast<const uint8_t*>(payload.data()), payload.size()}, seq, 0, 99, packet);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(to);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    ::sendto(fd, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  bool receives(int ms = 500) const {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, ms) != 1) return false;
    uint8_t buf[2048];
    return ::recv(fd, buf, sizeof buf, 0) > 0;
  }
  int fd = -1;
  uint16_t port = 0;
  bool bound = false;
};

// A free UDP port in RtpRouterInputConfiguration.Port's range (3000-30000), below the ephemeral ports.
uint16_t rt_free_input_port() {
  std::mt19937 random(std::random_device{}());
  for (int i = 0; i < 200; ++i) {
    const auto port = static_cast<uint16_t>(3000 + random() % 27000);
    if (RtSocket("127.0.0.1", port).bound) return port;
  }
  FAIL("no free UDP port between 3000 and 30000");
  return 0;
}

}  // namespace

TEST_CASE("router network interfaces: CREATING then ACTIVE, AWS's ARN, listed, deleted", "[mediaconnect][routers]") {
  MediaConnectFixture mc(1000);
  if (!rt_router_api_in_model(mc)) return;
  McReply r = mc.call("CreateRouterNetworkInterface", "/v1/routerNetworkInterface", rt_public_interface("studio"));
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  const json ni = r.body["RouterNetworkInterface"];
  const std::string arn = ni["Arn"];
  CHECK(std::regex_match(arn, std::regex(R"(arn:aws:mediaconnect:us-east-1:123456789012:routerNetworkInterface:[a-z0-9]{12})")));
  CHECK(ni["State"] == "CREATING");
  CHECK(ni["NetworkInterfaceType"] == "PUBLIC");
  CHECK(ni["AssociatedInputCount"] == 0);
  CHECK(ni["RegionName"] == "us-east-1");
  mc.advance(1000);
  CHECK(rt_state(mc, "RouterNetworkInterface", arn) == "ACTIVE");

  McReply listed = mc.call("ListRouterNetworkInterfaces", "/v1/routerNetworkInterfaces", {{"Filters", json::array({{{"NetworkInterfaceTypes", {"PUBLIC"}}}})}});
  REQUIRE(listed.status == 200);
  REQUIRE(listed.body["RouterNetworkInterfaces"].size() == 1);
  CHECK(listed.body["RouterNetworkInterfaces"][0]["Arn"] == arn);
  McReply vpc_only = mc.call("ListRouterNetworkInterfaces", "/v1/routerNetworkInterfaces", {{"Filters", json::array({{{"NetworkInterfaceTypes", {"VPC"}}}})}});
  CHECK(vpc_only.body["RouterNetworkInterfaces"].empty());

  McReply updated = mc.call("UpdateRouterNetworkInterface", "/v1/routerNetworkInterface/" + arn,
                            {{"Configuration", {{"Vpc", {{"SecurityGroupIds", {"sg-1"}}, {"SubnetId", "subnet-1"}}}}}});
  INFO(updated.body.dump());
  REQUIRE(updated.status == 202);
  CHECK(updated.body["RouterNetworkInterface"]["State"] == "UPDATING");
  CHECK(updated.body["RouterNetworkInterface"]["NetworkInterfaceType"] == "VPC");
  mc.advance(1000);

  McReply deleted = mc.call("DeleteRouterNetworkInterface", "/v1/routerNetworkInterface/" + arn);
  REQUIRE(deleted.status == 200);
  CHECK(deleted.body["State"] == "DELETING");
  mc.advance(1000);
  CHECK(rt_state(mc, "RouterNetworkInterface", arn) == "gone");
}

TEST_CASE("router network interfaces: bad configurations are 400s naming the field", "[mediaconnect][routers]") {
  MediaConnectFixture mc;
  if (!rt_router_api_in_model(mc)) return;
  McReply bad_cidr = mc.call("CreateRouterNetworkInterface", "/v1/routerNetworkInterface", rt_public_interface("x", {"10.0.0.300/8"}));
  CHECK(bad_cidr.status == 400);
  CHECK(bad_cidr.error_type == "BadRequestException");
  CHECK(bad_cidr.message().find("AllowRules") != std::string::npos);
  json both = {{"Name", "both"},
               {"Configuration", {{"Public", {{"AllowRules", json::array()}}}, {"Vpc", {{"SecurityGroupIds", {"sg-1"}}, {"SubnetId", "s"}}}}}};
  McReply two = mc.call("CreateRouterNetworkInterface", "/v1/routerNetworkInterface", both);
  CHECK(two.status == 400);
  CHECK(two.message().find("Configuration") != std::string::npos);
  McReply missing = mc.call("GetRouterNetworkInterface",
                            "/v1/routerNetworkInterface/arn:aws:mediaconnect:us-east-1:123456789012:routerNetworkInterface:000000000000");
  CHECK(missing.status == 404);
  CHECK(missing.error_type == "NotFoundException");
  McReply listed = mc.call("ListRouterNetworkInterfaces", "/v1/routerNetworkInterfaces");
  CHECK(listed.body["RouterNetworkInterfaces"].empty());  // nothing half-made
}

TEST_CASE("router inputs: lifecycle, the relay they run, deletion only when stopped", "[mediaconnect][routers]") {
  MediaConnectFixture mc(1000);
  if (!rt_router_api_in_model(mc)) return;
  const std::string ni = rt_create_interface(mc, "studio");
  mc.advance(1000);
  McReply created = mc.call("CreateRouterInput", "/v1/routerInput", rt_rtp_input("camera-1", ni));
  INFO(created.body.dump());
  REQUIRE(created.status == 201);
  const json input = created.body["RouterInput"];
  const std::string arn = input["Arn"];
  CHECK(std::regex_match(arn, std::regex(R"(arn:aws:mediaconnect:us-east-1:123456789012:routerInput:[a-z0-9]{12})")));
  CHECK(input["State"] == "CREATING");
  CHECK(input["InputType"] == "STANDARD");
  CHECK(input["Configuration"]["Standard"]["Protocol"] == "RTP");
  CHECK(input["RoutedOutputs"] == 0);
  CHECK(input["MaintenanceType"] == "DEFAULT");
  CHECK(input["TransitEncryption"]["EncryptionKeyType"] == "AUTOMATIC");
  CHECK(input["IpAddress"] == "127.0.0.1");
  mc.advance(1000);
  CHECK(rt_state(mc, "RouterInput", arn) == "STANDBY");
  McReply ni_view = mc.call("GetRouterNetworkInterface", "/v1/routerNetworkInterface/" + ni);
  CHECK(ni_view.body["RouterNetworkInterface"]["AssociatedInputCount"] == 1);

  McReply started = mc.call("StartRouterInput", "/v1/routerInput/start/" + arn);
  INFO(started.body.dump());
  REQUIRE(started.status == 202);
  CHECK(started.body["State"] == "STARTING");
  CHECK(started.body["MaintenanceScheduleType"] == "WINDOW");
  CHECK(started.body["MaintenanceSchedule"]["Window"].contains("Start"));
  CHECK(mc.call("StartRouterInput", "/v1/routerInput/start/" + arn).status == 409);
  CHECK(mc.flows.started.empty());  // nothing relays before ACTIVE
  mc.advance(1000);
  CHECK(rt_state(mc, "RouterInput", arn) == "ACTIVE");
  REQUIRE(mc.flows.started.size() == 1);
  const flow::FlowPlan& plan = mc.flows.started.back();
  CHECK(plan.flow_arn == arn);
  REQUIRE(plan.sources.size() == 1);
  CHECK(plan.sources[0].protocol == "rtp");
  CHECK(plan.sources[0].port == 7000);
  CHECK(plan.sources[0].whitelist_cidr == "127.0.0.0/8");  // the network interface's AllowRules
  CHECK(plan.outputs.empty());

  McReply refused = mc.call("DeleteRouterInput", "/v1/routerInput/" + arn);
  CHECK(refused.status == 409);
  CHECK(refused.error_type == "ConflictException");
  CHECK(refused.message().find("ACTIVE") != std::string::npos);
  McReply in_use = mc.call("DeleteRouterNetworkInterface", "/v1/routerNetworkInterface/" + ni);
  CHECK(in_use.status == 409);
  CHECK(in_use.message().find("1 router input(s)") != std::string::npos);

  McReply stopped = mc.call("StopRouterInput", "/v1/routerInput/stop/" + arn);
  REQUIRE(stopped.status == 202);
  CHECK(stopped.body["State"] == "STOPPING");
  REQUIRE(mc.flows.stopped.size() == 1);
  CHECK(mc.flows.stopped[0] == arn);
  mc.advance(1000);
  McReply standby = mc.call("GetRouterInput", "/v1/routerInput/" + arn);
  CHECK(standby.body["RouterInput"]["State"] == "STANDBY");
  CHECK_FALSE(standby.body["RouterInput"].contains("MaintenanceSchedule"));  // a stop cancels the window
  McReply deleted = mc.call("DeleteRouterInput", "/v1/routerInput/" + arn);
  REQUIRE(deleted.status == 200);
  CHECK(deleted.body["State"] == "DELETING");
  mc.advance(1000);
  CHECK(rt_state(mc, "RouterInput", arn) == "gone");
  CHECK(mc.call("DeleteRouterNetworkInterface", "/v1/routerNetworkInterface/" + ni).status == 200);
}

TEST_CASE("router outputs: TakeRouterInput routes a running input to running outputs", "[mediaconnect][routers]") {
  MediaConnectFixture mc;
  if (!rt_router_api_in_model(mc)) return;
  const std::string ni = rt_create_interface(mc, "studio");
  const std::string input = rt_create(mc, "CreateRouterInput", "/v1/routerInput", "RouterInput", rt_rtp_input("camera", ni));
  const std::string output = rt_create(mc, "CreateRouterOutput", "/v1/routerOutput", "RouterOutput", rt_rtp_output("playout", ni));
  McReply got = mc.call("GetRouterOutput", "/v1/routerOutput/" + output);
  CHECK(got.body["RouterOutput"]["RoutedState"] == "UNROUTED");
  CHECK(got.body["RouterOutput"]["OutputType"] == "STANDARD");
  CHECK(got.body["RouterOutput"]["StreamDetails"]["Standard"]["DestinationIpAddress"] == "127.0.0.1");

  // "You can take (assign) an input from any compatible output, regardless of whether the output
  // is active or in standby."
  McReply take = mc.call("TakeRouterInput", "/v1/routerOutput/takeRouterInput/" + output, {{"RouterInputArn", input}});
  INFO(take.body.dump());
  REQUIRE(take.status == 202);
  CHECK(take.body["RoutedState"] == "ROUTED");
  CHECK(take.body["RouterInputName"] == "camera");
  CHECK(take.body["RouterOutputName"] == "playout");
  CHECK(mc.call("GetRouterInput", "/v1/routerInput/" + input).body["RouterInput"]["RoutedOutputs"] == 1);
  McReply by_input = mc.call("ListRouterOutputs", "/v1/routerOutputs", {{"Filters", json::array({{{"RoutedInputArns", {input}}}})}});
  REQUIRE(by_input.body["RouterOutputs"].size() == 1);
  CHECK(by_input.body["RouterOutputs"][0]["RoutedInputArn"] == input);

  REQUIRE(mc.call("StartRouterInput", "/v1/routerInput/start/" + input).status == 202);
  CHECK(rt_state(mc, "RouterInput", input) == "ACTIVE");  // with no state delay the next call sees it settled
  REQUIRE(!mc.flows.started.empty());
  CHECK(mc.flows.started.back().outputs.empty());  // the output is not running yet
  REQUIRE(mc.call("StartRouterOutput", "/v1/routerOutput/start/" + output).status == 202);
  CHECK(mc.call("GetRouterOutput", "/v1/routerOutput/" + output).body["RouterOutput"]["State"] == "ACTIVE");
  const flow::FlowPlan routed = mc.flows.started.back();
  CHECK(routed.flow_arn == input);
  REQUIRE(routed.outputs.size() == 1);
  CHECK(routed.outputs[0].destination == "127.0.0.1");
  CHECK(routed.outputs[0].port == 7100);
  CHECK(routed.outputs[0].protocol == "rtp");

  McReply untake = mc.call("TakeRouterInput", "/v1/routerOutput/takeRouterInput/" + output, json::object());
  REQUIRE(untake.status == 202);
  CHECK(untake.body["RoutedState"] == "UNROUTED");
  CHECK_FALSE(untake.body.contains("RouterInputArn"));
  CHECK(mc.flows.started.back().outputs.empty());

  McReply unknown = mc.call("TakeRouterInput", "/v1/routerOutput/takeRouterInput/" + output,
                            {{"RouterInputArn", "arn:aws:mediaconnect:us-east-1:123456789012:routerInput:000000000000"}});
  CHECK(unknown.status == 404);
  CHECK(unknown.message().find("000000000000") != std::string::npos);
  CHECK(mc.call("DeleteRouterOutput", "/v1/routerOutput/" + output).status == 409);  // ACTIVE
}

TEST_CASE("router inputs: failover relays two sources, and deleting an input unroutes its outputs", "[mediaconnect][routers]") {
  MediaConnectFixture mc;
  if (!rt_router_api_in_model(mc)) return;
  const std::string ni = rt_create_interface(mc, "studio");
  json failover = rt_rtp_input("redundant", ni);
  failover["Configuration"] = {{"Failover",
                                {{"NetworkInterfaceArn", ni},
                                 {"SourcePriorityMode", "PRIMARY_SECONDARY"},
                                 {"PrimarySourceIndex", 1},
                                 {"ProtocolConfigurations", json::array({{{"Rtp", {{"Port", 7200}}}}, {{"Rtp", {{"Port", 7202}}}}})}}}};
  const std::string input = rt_create(mc, "CreateRouterInput", "/v1/routerInput", "RouterInput", failover);
  McReply got = mc.call("GetRouterInput", "/v1/routerInput/" + input);
  CHECK(got.body["RouterInput"]["InputType"] == "FAILOVER");
  CHECK(got.body["RouterInput"]["StreamDetails"]["Failover"]["SourceIndexOneStreamDetails"]["SourceIndex"] == 1);
  REQUIRE(mc.call("StartRouterInput", "/v1/routerInput/start/" + input).status == 202);
  CHECK(rt_state(mc, "RouterInput", input) == "ACTIVE");
  REQUIRE(!mc.flows.started.empty());
  const flow::FlowPlan plan = mc.flows.started.back();
  REQUIRE(plan.sources.size() == 2);
  CHECK(plan.failover_enabled);
  CHECK(plan.primary_source == plan.sources[1].name);
  CHECK(plan.sources[1].port == 7202);
  REQUIRE(mc.call("StopRouterInput", "/v1/routerInput/stop/" + input).status == 202);

  const std::string output = rt_create(mc, "CreateRouterOutput", "/v1/routerOutput", "RouterOutput", rt_rtp_output("playout", ni));
  REQUIRE(mc.call("TakeRouterInput", "/v1/routerOutput/takeRouterInput/" + output, {{"RouterInputArn", input}}).status == 202);
  REQUIRE(mc.call("DeleteRouterInput", "/v1/routerInput/" + input).status == 200);
  McReply after = mc.call("GetRouterOutput", "/v1/routerOutput/" + output);
  CHECK(after.body["RouterOutput"]["RoutedState"] == "UNROUTED");
  CHECK_FALSE(after.body["RouterOutput"].contains("RoutedInputArn"));
}

TEST_CASE("router I/Os: validation errors name the field and leave nothing behind", "[mediaconnect][routers]") {
  MediaConnectFixture mc;
  if (!rt_router_api_in_model(mc)) return;
  const std::string ni = rt_create_interface(mc, "studio");
  json too_fast = rt_rtp_input("fast", ni);
  too_fast["MaximumBitrate"] = 60000000;
  McReply r1 = mc.call("CreateRouterInput", "/v1/routerInput", too_fast);
  CHECK(r1.status == 400);
  CHECK(r1.message().find("MaximumBitrate") != std::string::npos);
  CHECK(r1.message().find("INPUT_20") != std::string::npos);

  McReply r2 = mc.call("CreateRouterInput", "/v1/routerInput",
                       rt_rtp_input("x", "arn:aws:mediaconnect:us-east-1:123456789012:routerNetworkInterface:000000000000"));
  CHECK(r2.status == 400);
  CHECK(r2.message().find("NetworkInterfaceArn") != std::string::npos);

  json mismatch = rt_rtp_input("x", ni);
  mismatch["Configuration"]["Standard"]["Protocol"] = "SRT_LISTENER";
  McReply r3 = mc.call("CreateRouterInput", "/v1/routerInput", mismatch);
  CHECK(r3.status == 400);
  CHECK(r3.message().find("Protocol") != std::string::npos);

  json one_leg = rt_rtp_input("x", ni);
  one_leg["Configuration"] = {{"Merge",
                               {{"NetworkInterfaceArn", ni},
                                {"MergeRecoveryWindowMilliseconds", 100},
                                {"ProtocolConfigurations", json::array({{{"Rtp", {{"Port", 7300}}}}})}}}};
  McReply r4 = mc.call("CreateRouterInput", "/v1/routerInput", one_leg);
  CHECK(r4.status == 400);
  CHECK(r4.message().find("ProtocolConfigurations") != std::string::npos);

  json bad_port = rt_rtp_input("x", ni, 80);  // RtpRouterInputConfiguration.Port is 3000-30000
  CHECK(mc.call("CreateRouterInput", "/v1/routerInput", bad_port).status == 400);
  json bad_tier = rt_rtp_output("x", ni);
  bad_tier["Tier"] = "INPUT_20";
  CHECK(mc.call("CreateRouterOutput", "/v1/routerOutput", bad_tier).status == 400);

  CHECK(mc.call("ListRouterInputs", "/v1/routerInputs").body["RouterInputs"].empty());
  CHECK(mc.call("ListRouterOutputs", "/v1/routerOutputs").body["RouterOutputs"].empty());
  CHECK(mc.call("GetRouterInput", "/v1/routerInput/arn:aws:mediaconnect:us-east-1:123456789012:routerInput:000000000000").status == 404);
}

TEST_CASE("router I/Os: updates, tags, BatchGet and the operations without media", "[mediaconnect][routers]") {
  MediaConnectFixture mc(1000);
  if (!rt_router_api_in_model(mc)) return;
  const std::string ni = rt_create_interface(mc, "studio");
  mc.advance(1000);
  const std::string input = rt_create(mc, "CreateRouterInput", "/v1/routerInput", "RouterInput", rt_rtp_input("camera", ni));
  mc.advance(1000);
  REQUIRE(mc.call("StartRouterInput", "/v1/routerInput/start/" + input).status == 202);
  mc.advance(1000);
  McReply maintenance = mc.call("UpdateRouterInput", "/v1/routerInput/" + input,
                                {{"MaintenanceConfiguration", {{"PreferredDayTime", {{"Day", "SUNDAY"}, {"Time", "04:00"}}}}}});
  CHECK(maintenance.status == 409);  // only in STANDBY
  json config = rt_rtp_input("camera", ni, 7400)["Configuration"];
  McReply updated = mc.call("UpdateRouterInput", "/v1/routerInput/" + input, {{"Configuration", config}, {"Name", "camera-a"}});
  INFO(updated.body.dump());
  REQUIRE(updated.status == 202);
  CHECK(updated.body["RouterInput"]["State"] == "UPDATING");
  CHECK(updated.body["RouterInput"]["Name"] == "camera-a");
  CHECK(mc.flows.started.back().sources.at(0).port == 7400);  // a running input relays its new port at once
  mc.advance(1000);
  CHECK(rt_state(mc, "RouterInput", input) == "ACTIVE");

  REQUIRE(mc.call("TagResource", "/tags/" + input, {{"Tags", {{"team", "sports"}}}}).status == 204);
  McReply tags = mc.call("ListTagsForResource", "/tags/" + input);
  CHECK(tags.body["Tags"] == json{{"team", "sports"}});
  CHECK(mc.call("GetRouterInput", "/v1/routerInput/" + input).body["RouterInput"]["Tags"]["team"] == "sports");
  REQUIRE(mc.call("UntagResource", "/tags/" + input + "?tagKeys=team").status == 204);
  CHECK(mc.call("ListTagsForResource", "/tags/" + input).body["Tags"].empty());

  const std::string missing = "arn:aws:mediaconnect:us-east-1:123456789012:routerInput:000000000000";
  McReply batch = mc.call("BatchGetRouterInput", "/v1/routerInputs?arns=" + input + "&arns=" + missing);
  INFO(batch.body.dump());
  REQUIRE(batch.status == 200);
  REQUIRE(batch.body["RouterInputs"].size() == 1);
  CHECK(batch.body["RouterInputs"][0]["Arn"] == input);
  REQUIRE(batch.body["Errors"].size() == 1);
  CHECK(batch.body["Errors"][0]["Arn"] == missing);

  McReply thumbnail = mc.call("GetRouterInputThumbnail", "/v1/routerInput/" + input + "/thumbnail");
  CHECK(thumbnail.status == 501);
  CHECK(thumbnail.message().find("GetRouterInputThumbnail") != std::string::npos);
  CHECK(mc.call("GetRouterInputSourceMetadata", "/v1/routerInput/" + missing + "/source-metadata").status == 404);

  mc.flows.relay_errors = {"Source camera-a cannot listen on 127.0.0.1:7400: Address already in use"};
  McReply with_messages = mc.call("GetRouterInput", "/v1/routerInput/" + input);
  REQUIRE(with_messages.body["RouterInput"]["Messages"].size() == 1);
  CHECK(with_messages.body["RouterInput"]["Messages"][0]["Message"].get<std::string>().find("7400") != std::string::npos);
}

TEST_CASE("router I/Os persist, and a running input relays again after a restart", "[mediaconnect][routers]") {
  const auto db = std::filesystem::temp_directory_path() / ("mediaemu-routers-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(db);
  std::string input, output;
  {
    MediaConnectFixture mc(0, db.string());
    if (!rt_router_api_in_model(mc)) return;
    const std::string ni = rt_create_interface(mc, "studio");
    input = rt_create(mc, "CreateRouterInput", "/v1/routerInput", "RouterInput", rt_rtp_input("camera", ni));
    output = rt_create(mc, "CreateRouterOutput", "/v1/routerOutput", "RouterOutput", rt_rtp_output("playout", ni));
    REQUIRE(mc.call("TakeRouterInput", "/v1/routerOutput/takeRouterInput/" + output, {{"RouterInputArn", input}}).status == 202);
    REQUIRE(mc.call("StartRouterInput", "/v1/routerInput/start/" + input).status == 202);
    REQUIRE(mc.call("StartRouterOutput", "/v1/routerOutput/start/" + output).status == 202);
  }
  {
    MediaConnectFixture again(0, db.string());
    CHECK(rt_state(again, "RouterInput", input) == "ACTIVE");
    CHECK(again.call("GetRouterOutput", "/v1/routerOutput/" + output).body["RouterOutput"]["RoutedInputArn"] == input);
    REQUIRE(!again.flows.started.empty());
    CHECK(again.flows.started.back().flow_arn == input);
    CHECK(again.flows.started.back().outputs.size() == 1);
  }
  std::filesystem::remove(db);
  std::filesystem::remove(db.string() + "-wal");
  std::filesystem::remove(db.string() + "-shm");
}

TEST_CASE("router I/Os live in their RegionName, listed from any region, REGIONAL routes stay in one", "[mediaconnect][routers]") {
  MediaConnectFixture mc;
  if (!rt_router_api_in_model(mc)) return;
  const std::string home = rt_create_interface(mc, "virginia");
  json far = rt_public_interface("ireland");
  far["RegionName"] = "eu-west-1";
  const std::string remote = rt_create(mc, "CreateRouterNetworkInterface", "/v1/routerNetworkInterface", "RouterNetworkInterface", far);
  CHECK(remote.rfind("arn:aws:mediaconnect:eu-west-1:123456789012:routerNetworkInterface:", 0) == 0);
  McReply irish = mc.call("ListRouterNetworkInterfaces", "/v1/routerNetworkInterfaces", {{"Filters", json::array({{{"RegionNames", {"eu-west-1"}}}})}});
  REQUIRE(irish.body["RouterNetworkInterfaces"].size() == 1);
  CHECK(irish.body["RouterNetworkInterfaces"][0]["Arn"] == remote);
  CHECK(mc.call("ListRouterNetworkInterfaces", "/v1/routerNetworkInterfaces").body["RouterNetworkInterfaces"].size() == 2);

  json wrong_region = rt_rtp_input("camera", remote);  // an input in us-east-1 on an interface in eu-west-1
  McReply refused = mc.call("CreateRouterInput", "/v1/routerInput", wrong_region);
  CHECK(refused.status == 400);
  CHECK(refused.message().find("eu-west-1") != std::string::npos);

  const std::string input = rt_create(mc, "CreateRouterInput", "/v1/routerInput", "RouterInput", rt_rtp_input("camera", home));
  json output = rt_rtp_output("dublin", remote);
  output["RegionName"] = "eu-west-1";
  output["AvailabilityZone"] = "eu-west-1b";
  const std::string out = rt_create(mc, "CreateRouterOutput", "/v1/routerOutput", "RouterOutput", output);
  McReply regional = mc.call("TakeRouterInput", "/v1/routerOutput/takeRouterInput/" + out, {{"RouterInputArn", input}});
  CHECK(regional.status == 400);
  CHECK(regional.message().find("REGIONAL") != std::string::npos);
  REQUIRE(mc.call("UpdateRouterOutput", "/v1/routerOutput/" + out, {{"RoutingScope", "GLOBAL"}}).status == 202);
  REQUIRE(mc.call("UpdateRouterInput", "/v1/routerInput/" + input, {{"RoutingScope", "GLOBAL"}}).status == 202);
  CHECK(mc.call("TakeRouterInput", "/v1/routerOutput/takeRouterInput/" + out, {{"RouterInputArn", input}}).body.value("RoutedState", "") == "ROUTED");
}

TEST_CASE("a routed input's relay accepts only the senders its network interface's AllowRules allow", "[mediaconnect][routers]") {
  MediaConnectFixture mc;
  if (!rt_router_api_in_model(mc)) return;
  // Two rules: the relay accepts a sender either contains (127.0.0.2 is a loopback address too).
  const std::string ni = rt_create(mc, "CreateRouterNetworkInterface", "/v1/routerNetworkInterface", "RouterNetworkInterface",
                                   rt_public_interface("studio", {"10.0.0.0/8", "127.0.0.2/32"}));
  RtSocket destination("127.0.0.1");
  const uint16_t port = rt_free_input_port();
  const std::string input = rt_create(mc, "CreateRouterInput", "/v1/routerInput", "RouterInput", rt_rtp_input("camera", ni, port));
  const std::string output =
      rt_create(mc, "CreateRouterOutput", "/v1/routerOutput", "RouterOutput", rt_rtp_output("playout", ni, destination.port));
  REQUIRE(mc.call("TakeRouterInput", "/v1/routerOutput/takeRouterInput/" + output, {{"RouterInputArn", input}}).status == 202);
  REQUIRE(mc.call("StartRouterOutput", "/v1/routerOutput/start/" + output).status == 202);
  REQUIRE(mc.call("StartRouterInput", "/v1/routerInput/start/" + input).status == 202);
  REQUIRE(rt_state(mc, "RouterInput", input) == "ACTIVE");
  const flow::FlowPlan plan = mc.flows.started.back();
  CHECK(plan.sources.at(0).whitelist_cidr == "10.0.0.0/8,127.0.0.2/32");

  flow::FlowRuntime runtime;  // the flows' own data plane, running the plan the control plane made
  runtime.start(plan);
  runtime.wait_idle();
  REQUIRE(runtime.errors(input).empty());
  RtSocket allowed("127.0.0.2"), other("127.0.0.1");
  allowed.send_rtp(port, 1);
  CHECK(destination.receives());
  other.send_rtp(port, 2);
  CHECK_FALSE(destination.receives(200));
  CHECK(runtime.forwarded(input) == 1);

  // No AllowRules: no sender at all.
  REQUIRE(mc.call("UpdateRouterNetworkInterface", "/v1/routerNetworkInterface/" + ni,
                  {{"Configuration", {{"Public", {{"AllowRules", json::array()}}}}}}).status == 202);
  const flow::FlowPlan closed = mc.flows.started.back();
  CHECK(closed.sources.at(0).whitelist_cidr == "0.0.0.0/32");
  runtime.start(closed);
  runtime.wait_idle();
  allowed.send_rtp(port, 3);
  CHECK_FALSE(destination.receives(200));
  runtime.shutdown();
}

TEST_CASE("router stacks: a new network interface inside Configuration replaces the I/O, a new bitrate does not", "[mediaconnect][routers]") {
  // createOnlyProperties of AWS::MediaConnect::RouterInput include
  // /properties/Configuration/Standard/NetworkInterfaceArn; MaximumBitrate updates in place.
  const json before = rt_rtp_input("camera", "arn:aws:mediaconnect:us-east-1:123456789012:routerNetworkInterface:aaaaaaaaaaaa");
  const json current = {{"Type", "AWS::MediaConnect::RouterInput"}, {"Properties", before}};
  json faster = before;
  faster["MaximumBitrate"] = 10000000;
  faster["Name"] = "camera-b";
  CHECK_FALSE(cloudformation::requires_replacement(current, "AWS::MediaConnect::RouterInput", faster));
  json moved = before;
  moved["Configuration"]["Standard"]["NetworkInterfaceArn"] = "arn:aws:mediaconnect:us-east-1:123456789012:routerNetworkInterface:bbbbbbbbbbbb";
  CHECK(cloudformation::requires_replacement(current, "AWS::MediaConnect::RouterInput", moved));
  json elsewhere = before;
  elsewhere["RegionName"] = "eu-west-1";
  CHECK(cloudformation::requires_replacement(current, "AWS::MediaConnect::RouterInput", elsewhere));
  const json ni = {{"Type", "AWS::MediaConnect::RouterNetworkInterface"}, {"Properties", rt_public_interface("studio")}};
  CHECK_FALSE(cloudformation::requires_replacement(ni, "AWS::MediaConnect::RouterNetworkInterface", rt_public_interface("studio-2")));
}
