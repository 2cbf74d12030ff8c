// A MediaConnect control plane on an in-memory store and a manual clock, driven through the real
// protocol engine with HTTP-shaped requests (bodies in model form, sent in wire form), with a
// FlowControl that records what the data plane was asked to do.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "api/aws_api.hpp"
#include "api/shape_codec.hpp"
#include "emulator/clock.hpp"
#include "emulator/config.hpp"
#include "emulator/domain.hpp"
#include "emulator/mediaconnect/mediaconnect.hpp"
#include "emulator/store.hpp"

namespace mediaemu::testing {

using json = nlohmann::json;

class RecordingFlows : public flow::FlowControl {
 public:
  void start(const flow::FlowPlan& plan) override { started.push_back(plan); }
  void stop(const std::string& arn, uint64_t) override { stopped.push_back(arn); }
  std::vector<std::string> errors(const std::string&) override { return relay_errors; }
  std::vector<flow::FlowPlan> started;
  std::vector<std::string> stopped;
  std::vector<std::string> relay_errors;
};

struct McReply {
  int status = 0;
  json body;               // model form for a success, {"message": ...} for an error
  std::string error_type;  // x-amzn-ErrorType
  std::string message() const { return body.value("message", ""); }
};

class MediaConnectFixture {
 public:
  explicit MediaConnectFixture(int64_t state_delay_ms = 0, const std::string& db = ":memory:") : store(db) {
    config.state_delay_ms = state_delay_ms;
    api.set_handlers("mediaconnect", mediaconnect::operations(domain, flows));
    domain.load();
    mediaconnect::resume_flows(domain, flows);
  }

  McReply call(const std::string& operation, const std::string& target, const json& body = json::object()) {
    const api::Operation* op = api.model("mediaconnect")->operation(operation);
    REQUIRE(op);
    api::HttpRequest req;
    req.method = op->method;
    req.target = target;
    req.headers.emplace_back("authorization",
                             "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/mediaconnect/aws4_request, "
                             "SignedHeaders=host, Signature=0");
    if (!body.empty()) req.body = api::encode_value(*op->input, body).dump();
    api::HttpResponse res = api.handle(req);
    McReply reply;
    reply.status = res.status;
    reply.error_type = std::string(res.header("x-amzn-ErrorType"));
    json parsed = res.body.empty() ? json::object() : json::parse(res.body);
    reply.body = res.status < 300 && op->output ? api::decode_value(*op->output, parsed, "") : parsed;
    return reply;
  }

  void advance(int64_t ms) {
    clock.advance(ms);
    domain.apply_due();
  }

  std::string status(const std::string& arn) {
    return call("DescribeFlow", "/v1/flows/" + arn).body["Flow"].value("Status", "");
  }

  Config config;
  ManualClock clock;
  Store store;
  Domain domain{config, store, clock};
  RecordingFlows flows;
  api::AwsApi api;
};

// Two RTP sources with FAILOVER (primary "primary"), one RTP output: the seed's redundant flow.
inline json failover_flow(const std::string& name, int primary_port = 5000, int backup_port = 5001) {
  return {{"Name", name},
          {"AvailabilityZone", "us-east-1b"},
          {"Sources",
           json::array({{{"Name", "primary"}, {"Protocol", "rtp"}, {"IngestPort", primary_port}, {"WhitelistCidr", "127.0.0.0/8"}},
                        {{"Name", "backup"}, {"Protocol", "rtp"}, {"IngestPort", backup_port}, {"WhitelistCidr", "127.0.0.0/8"}}})},
          {"SourceFailoverConfig",
           {{"FailoverMode", "FAILOVER"}, {"RecoveryWindow", 300}, {"State", "ENABLED"}, {"SourcePriority", {{"PrimarySource", "primary"}}}}},
          {"Outputs", json::array({{{"Name", "to-medialive"}, {"Protocol", "rtp"}, {"Destination", "127.0.0.1"}, {"Port", 6000}}})}};
}

}  // namespace mediaemu::testing
