// CloudFormation's engine without HTTP: template parsing (JSON and YAML short forms), structure
// checks, intrinsic and condition functions, rules, parameters, dependency order, and a stack
// that fails half-way rolling back in reverse order through the real SSM and SNS handlers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

#include "api/aws_api.hpp"
#include "api/errors.hpp"
#include "emulator/clock.hpp"
#include "emulator/cloudformation/cloudformation.hpp"
#include "emulator/cloudformation/intrinsics.hpp"
#include "emulator/cloudformation/parameters.hpp"
#include "emulator/cloudformation/stack_engine.hpp"
#include "emulator/cloudformation/stack_graph.hpp"
#include "emulator/cloudformation/template_parser.hpp"
#include "emulator/config.hpp"
#include "emulator/domain.hpp"
#include "emulator/sns/delivery.hpp"
#include "emulator/sns/sns.hpp"
#include "emulator/ssm/ssm.hpp"
#include "emulator/store.hpp"

using namespace mediaemu;
using namespace mediaemu::cloudformation;

namespace {

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const api::ApiError& e) {
    return e.what();
  }
  return "";
}

Scope plain_scope() {
  Scope s;
  s.region = "eu-west-1";
  s.account = "123456789012";
  s.stack_name = "demo";
  s.stack_id = "arn:aws:cloudformation:eu-west-1:123456789012:stack/demo/x";
  s.parameters = {{"Env", "prod"}, {"Ports", json::array({"5000", "5001"})}};
  s.mappings = {{"Sizes", {{"prod", {{"Width", 1280}}}}}};
  s.resource_ref = [](const std::string& logical) -> std::optional<json> {
    if (logical == "Bucket") return "my-bucket";
    return std::nullopt;
  };
  s.resource_attribute = [](const std::string& logical, const std::string& attribute) -> std::optional<json> {
    if (logical == "Bucket" && attribute == "Arn") return "arn:aws:s3:::my-bucket";
    return std::nullopt;
  };
  return s;
}

json eval(const std::string& yaml_value, const Scope& scope) {
  json tpl = parse_template("Resources:\n  X:\n    Type: T\n    Properties:\n      V: " + yaml_value + "\n");
  return evaluate_object(tpl["Resources"]["X"]["Properties"], scope).value("V", json("<novalue>"));
}

}  // namespace

TEST_CASE("YAML short forms become the long forms JSON templates use") {
  json tpl = parse_template(R"(
Resources:
  Channel:
    Type: AWS::MediaLive::Channel
    Properties:
      Name: !Sub '${AWS::StackName}-channel'
      RoleArn: !GetAtt Role.Arn
      Port: 5000
      Quoted: '5000'
      Zeros: 0123
      Enabled: true
      Items: !Split [',', !Ref List]
      Nested: !Select [0, !GetAtt Input.Destinations]
)");
  const json& p = tpl["Resources"]["Channel"]["Properties"];
  CHECK(p["Name"] == json{{"Fn::Sub", "${AWS::StackName}-channel"}});
  CHECK(p["RoleArn"] == json{{"Fn::GetAtt", {"Role", "Arn"}}});
  CHECK(p["Port"] == 5000);
  CHECK(p["Quoted"] == "5000");
  CHECK(p["Zeros"] == "0123");
  CHECK(p["Enabled"] == true);
  CHECK(p["Items"] == json{{"Fn::Split", {",", {{"Ref", "List"}}}}});
  CHECK(p["Nested"] == json{{"Fn::Select", {0, {{"Fn::GetAtt", {"Input", "Destinations"}}}}}});
}

TEST_CASE("malformed templates are a ValidationError naming the problem") {
  CHECK(error_of([] { parse_template("{\"Resources\": "); }).find("JSON not well-formed") != std::string::npos);
  CHECK(error_of([] { parse_template("Resources:\n  X: [unclosed\n"); }).find("YAML not well-formed") != std::string::npos);
  CHECK(error_of([] { check_template(parse_template("Resources: {}")); })
            .find("At least one Resources member must be defined") != std::string::npos);
  CHECK(error_of([] { check_template(parse_template("Resources:\n  X:\n    Properties: {}\n")); })
            .find("Every Resources object must contain a Type member") != std::string::npos);
  CHECK(error_of([] { check_template(parse_template("Resources:\n  X:\n    Type: T\n    Properties:\n      A: !Ref Nope\n")); })
            .find("Unresolved resource dependencies [Nope]") != std::string::npos);
  CHECK(error_of([] {
          check_template(parse_template(R"({"Resources": {"X": {"Type": "T", "Properties": {"A": {"Fn::Frobnicate": 1}}}}})"));
        }).find("Encountered unsupported function: Fn::Frobnicate") != std::string::npos);
  CHECK(error_of([] { check_template(parse_template("Resources:\n  X:\n    Type: T\nBogus: 1\n")); })
            .find("Invalid template property or properties [Bogus]") != std::string::npos);
}

TEST_CASE("intrinsic functions evaluate as CloudFormation documents them") {
  Scope s = plain_scope();
  CHECK(eval("!Sub '${AWS::StackName}-${Env}-${Bucket}-${Bucket.Arn}-${!Literal}'", s) ==
        "demo-prod-my-bucket-arn:aws:s3:::my-bucket-${Literal}");
  CHECK(eval("!Sub ['${A}/${AWS::Region}', {A: !Ref Env}]", s) == "prod/eu-west-1");
  CHECK(eval("!Join [':', [a, !Ref Env, 3]]", s) == "a:prod:3");
  CHECK(eval("!Select [1, !Ref Ports]", s) == "5001");
  CHECK(eval("!Split ['/', 'a/b/c']", s) == json::array({"a", "b", "c"}));
  CHECK(eval("!FindInMap [Sizes, !Ref Env, Width]", s) == 1280);
  CHECK(eval("!GetAZs ''", s) == json::array({"eu-west-1a", "eu-west-1b", "eu-west-1c"}));
  CHECK(eval("!Base64 hello", s) == "aGVsbG8=");
  CHECK(eval("!Cidr ['10.0.0.0/16', 3, 8]", s) == json::array({"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"}));
  CHECK(eval("!Ref AWS::NoValue", s) == "<novalue>");
  CHECK(eval("[a, !Ref AWS::NoValue, b]", s) == json::array({"a", "b"}));
  CHECK(eval("!ToJsonString {k: [1, 2]}", s) == R"({"k":[1,2]})");
  CHECK(error_of([&] { eval("!Select [5, !Ref Ports]", s); }).find("out of bounds") != std::string::npos);
  CHECK(error_of([&] { eval("!Ref Missing", s); }).find("Unresolved resource dependencies [Missing]") != std::string::npos);
}

TEST_CASE("conditions may name each other, and Fn::If picks a branch") {
  json tpl = parse_template(R"(
Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Or [!Condition NotProd, !Equals [1, 1]]]
Resources:
  X: {Type: T}
)");
  Scope s = plain_scope();
  evaluate_conditions(tpl, s);
  CHECK(s.conditions["IsProd"]);
  CHECK_FALSE(s.conditions["NotProd"]);
  CHECK(s.conditions["Both"]);
  CHECK(evaluate(json{{"Fn::If", {"NotProd", "a", "b"}}}, s) == json("b"));
  CHECK_FALSE(evaluate(json{{"Fn::If", {"IsProd", {{"Ref", "AWS::NoValue"}}, "b"}}}, s).has_value());
}

TEST_CASE("rules refuse a stack with the assertion's description (CDK's CheckBootstrapVersion)") {
  json tpl = parse_template(R"(
Parameters:
  BootstrapVersion: {Type: String}
Rules:
  CheckBootstrapVersion:
    Assertions:
      - Assert: !Not [!Contains [['1', '2', '3', '4', '5'], !Ref BootstrapVersion]]
        AssertDescription: CDK bootstrap stack version 6 required.
Resources:
  X: {Type: T}
)");
  Scope s = plain_scope();
  s.parameters["BootstrapVersion"] = "21";
  CHECK_NOTHROW(check_rules(tpl, s));
  s.parameters["BootstrapVersion"] = "3";
  CHECK(error_of([&] { check_rules(tpl, s); }) == "CDK bootstrap stack version 6 required.");
}

TEST_CASE("resources are created dependencies first, and a cycle is refused") {
  json tpl = parse_template(R"(
Resources:
  Channel: {Type: T, Properties: {Input: !Ref Input, Role: !GetAtt Role.Arn}}
  Input: {Type: T, Properties: {Name: !Sub '${Group}-in'}}
  Group: {Type: T}
  Role: {Type: T, DependsOn: Group}
)");
  auto order = creation_order(tpl);
  auto at = [&](const std::string& n) { return std::find(order.begin(), order.end(), n) - order.begin(); };
  REQUIRE(order.size() == 4);
  CHECK(at("Group") < at("Input"));
  CHECK(at("Input") < at("Channel"));
  CHECK(at("Group") < at("Role"));
  CHECK(at("Role") < at("Channel"));
  json cyclic = parse_template("Resources:\n  A: {Type: T, Properties: {X: !Ref B}}\n  B: {Type: T, DependsOn: A}\n");
  CHECK(error_of([&] { creation_order(cyclic); }) == "Circular dependency between resources: [A, B]");
}

TEST_CASE("parameters: defaults, constraints, unknown and missing names, NoEcho, SSM types") {
  Config config;
  Store store(":memory:");
  ManualClock clock;
  Domain domain(config, store, clock);
  domain.load();
  {
    auto tx = domain.write();
    tx->create({ssm::kParameter, "us-east-1", "/cdk-bootstrap/hnb659fds/version"}, {{"ARN", "arn"}},
               {{"history", json::array({{{"Version", 1}, {"Value", "21"}, {"Type", "String"}}})}});
    tx->commit();
  }
  json tpl = parse_template(R"(
Parameters:
  Name: {Type: String, AllowedPattern: '[a-z]+', ConstraintDescription: lower-case letters only}
  Size: {Type: Number, Default: 3, MinValue: 1, MaxValue: 5}
  Env: {Type: String, Default: dev, AllowedValues: [dev, prod]}
  Secret: {Type: String, NoEcho: true, Default: hunter2}
  Zones: {Type: CommaDelimitedList, Default: 'a,b'}
  BootstrapVersion: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /cdk-bootstrap/hnb659fds/version}
Resources:
  X: {Type: T}
)");
  auto given = [](std::initializer_list<std::pair<const char*, const char*>> kv) {
    json out = json::array();
    for (auto [k, v] : kv) out.push_back({{"ParameterKey", k}, {"ParameterValue", v}});
    return out;
  };
  auto p = resolve_parameters(tpl, given({{"Name", "demo"}}), nullptr, domain, "us-east-1");
  CHECK(p.values["Size"] == "3");
  CHECK(p.values["Zones"] == json::array({"a", "b"}));
  CHECK(p.values["BootstrapVersion"] == "21");
  for (const auto& l : p.listing) {
    if (l["ParameterKey"] == "Secret") CHECK(l["ParameterValue"] == "****");
    if (l["ParameterKey"] == "BootstrapVersion") CHECK(l["ResolvedValue"] == "21");
  }
  CHECK(error_of([&] { resolve_parameters(tpl, json::array(), nullptr, domain, "us-east-1"); }) ==
        "Parameters: [Name] must have values");
  CHECK(error_of([&] { resolve_parameters(tpl, given({{"Name", "a"}, {"Nope", "x"}}), nullptr, domain, "us-east-1"); }) ==
        "Parameters: [Nope] do not exist in the template");
  CHECK(error_of([&] { resolve_parameters(tpl, given({{"Name", "A1"}}), nullptr, domain, "us-east-1"); }) ==
        "Parameter 'Name' failed to satisfy constraint: lower-case letters only");
  CHECK(error_of([&] { resolve_parameters(tpl, given({{"Name", "a"}, {"Size", "9"}}), nullptr, domain, "us-east-1"); })
            .find("not greater than 5") != std::string::npos);
  CHECK(error_of([&] { resolve_parameters(tpl, given({{"Name", "a"}, {"Size", "x"}}), nullptr, domain, "us-east-1"); }) ==
        "Parameter 'Size' must be a number.");
  CHECK(error_of([&] { resolve_parameters(tpl, given({{"Name", "a"}, {"Env", "qa"}}), nullptr, domain, "us-east-1"); }) ==
        "Parameter 'Env' must be one of AllowedValues");
}

namespace {

// A control plane with SSM, SNS and CloudFormation, its stack engine running.
struct StackWorld {
  Config config;
  Store store{":memory:"};
  SystemClock clock;
  Domain domain{config, store, clock};
  api::AwsApi api;
  sns::SnsDelivery delivery;
  StackEngine engine{domain, api};
  api::CallContext ctx;

  StackWorld() {
    api.set_handlers("ssm", ssm::operations(domain));
    api.set_handlers("sns", sns::operations(domain, delivery));
    api.set_handlers("cloudformation", operations(domain, api, engine));
    domain.load();
    engine.start();
    ctx.region = "us-east-1";
  }
  ~StackWorld() { engine.stop(); }

  json call(const std::string& op, const json& in) { return api.invoke("cloudformation", op, ctx, in); }
  // The stack's status once it is no longer in progress (waits up to 5 s).
  std::string settled(const std::string& stack) {
    std::string status;
    for (int i = 0; i < 500; ++i) {
      status = call("DescribeStacks", {{"StackName", stack}})["Stacks"][0]["StackStatus"];
      if (status.size() < 12 || status.compare(status.size() - 12, 12, "_IN_PROGRESS") != 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return status;
  }
  // "<logical> <status>" of every event, oldest first.
  std::vector<std::string> events(const std::string& stack) {
    json events = call("DescribeStackEvents", {{"StackName", stack}})["StackEvents"];
    std::vector<std::string> seen;
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      seen.push_back((*it)["LogicalResourceId"].get<std::string>() + " " + (*it)["ResourceStatus"].get<std::string>());
    return seen;
  }
  bool has_parameter(const std::string& name) {
    auto lock = domain.read();
    return domain.find({ssm::kParameter, "us-east-1", name}) != nullptr;
  }
};

}  // namespace

TEST_CASE("a resource that fails rolls the stack back, deleting what was made in reverse order") {
  StackWorld w;
  const std::string body = R"(
Resources:
  Topic: {Type: AWS::SNS::Topic, Properties: {TopicName: alerts}}
  Param: {Type: AWS::SSM::Parameter, Properties: {Name: /demo/topic, Type: String, Value: !Ref Topic}}
  Broken: {Type: AWS::SSM::Parameter, Properties: {Name: /demo/broken, Type: NotAType, Value: !GetAtt Param.Value}}
)";
  w.call("CreateStack", {{"StackName", "demo"}, {"TemplateBody", body}});
  REQUIRE(w.settled("demo") == "ROLLBACK_COMPLETE");
  std::vector<std::string> expected = {
      "demo CREATE_IN_PROGRESS", "Topic CREATE_IN_PROGRESS", "Topic CREATE_COMPLETE", "Param CREATE_IN_PROGRESS",
      "Param CREATE_COMPLETE", "Broken CREATE_IN_PROGRESS", "Broken CREATE_FAILED", "demo ROLLBACK_IN_PROGRESS",
      "Broken DELETE_IN_PROGRESS", "Broken DELETE_COMPLETE", "Param DELETE_IN_PROGRESS", "Param DELETE_COMPLETE",
      "Topic DELETE_IN_PROGRESS", "Topic DELETE_COMPLETE", "demo ROLLBACK_COMPLETE"};
  CHECK(w.events("demo") == expected);
  json events = w.call("DescribeStackEvents", {{"StackName", "demo"}})["StackEvents"];
  CHECK(events[8]["ResourceStatusReason"].get<std::string>().find("NotAType") != std::string::npos);  // Broken CREATE_FAILED
  auto lock = w.domain.read();
  CHECK(w.domain.list(ssm::kParameter, "us-east-1").empty());
  CHECK(w.domain.list(sns::kTopic, "us-east-1").empty());
}

TEST_CASE("an update changes in place, replaces on a create-only property, and keeps what UpdateReplacePolicy retains") {
  StackWorld w;
  auto body = [](const std::string& name, const std::string& value, const std::string& policy) {
    return "Resources:\n  Param:\n    Type: AWS::SSM::Parameter\n    UpdateReplacePolicy: " + policy +
           "\n    Properties: {Name: " + name + ", Type: String, Value: " + value + "}\n" +
           "Outputs:\n  Name: {Value: !Ref Param}\n";
  };
  w.call("CreateStack", {{"StackName", "s"}, {"TemplateBody", body("/a", "1", "Delete")}});
  REQUIRE(w.settled("s") == "CREATE_COMPLETE");
  CHECK_THROWS_WITH(w.call("UpdateStack", {{"StackName", "s"}, {"TemplateBody", body("/a", "1", "Delete")}}),
                    "No updates are to be performed.");

  w.call("UpdateStack", {{"StackName", "s"}, {"TemplateBody", body("/a", "2", "Delete")}});  // Value: in place
  REQUIRE(w.settled("s") == "UPDATE_COMPLETE");
  auto tail = [&](size_t n) {
    auto all = w.events("s");
    return std::vector<std::string>(all.end() - static_cast<long>(n), all.end());
  };
  CHECK(tail(5) == std::vector<std::string>{"s UPDATE_IN_PROGRESS", "Param UPDATE_IN_PROGRESS", "Param UPDATE_COMPLETE",
                                            "s UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "s UPDATE_COMPLETE"});

  w.call("UpdateStack", {{"StackName", "s"}, {"TemplateBody", body("/b", "2", "Delete")}});  // Name: replacement
  REQUIRE(w.settled("s") == "UPDATE_COMPLETE");
  CHECK(tail(7) == std::vector<std::string>{"s UPDATE_IN_PROGRESS", "Param UPDATE_IN_PROGRESS", "Param UPDATE_COMPLETE",
                                            "s UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "Param DELETE_IN_PROGRESS",
                                            "Param DELETE_COMPLETE", "s UPDATE_COMPLETE"});
  CHECK_FALSE(w.has_parameter("/a"));
  CHECK(w.has_parameter("/b"));
  CHECK(w.call("DescribeStacks", {{"StackName", "s"}})["Stacks"][0]["Outputs"][0]["OutputValue"] == "/b");

  w.call("UpdateStack", {{"StackName", "s"}, {"TemplateBody", body("/c", "2", "Retain")}});
  REQUIRE(w.settled("s") == "UPDATE_COMPLETE");
  CHECK(w.has_parameter("/b"));  // the replaced parameter is kept
  CHECK(w.has_parameter("/c"));
  CHECK(tail(3)[1] == "Param DELETE_SKIPPED");
}

TEST_CASE("with --state-delay 0 a stack operation has ended when its request answers, so waiters return at once") {
  StackWorld w;  // state_delay_ms 0, the default
  auto status = [&] { return w.call("DescribeStacks", {{"StackName", "quick"}})["Stacks"][0]["StackStatus"]; };
  const std::string body = "Resources:\n  Param: {Type: AWS::SSM::Parameter, Properties: {Name: /q, Type: String, Value: v}}\n";
  w.call("CreateStack", {{"StackName", "quick"}, {"TemplateBody", body}});
  CHECK(status() == "CREATE_COMPLETE");  // no polling: the AWS CLI's waiters would sleep 30 s
  w.call("UpdateStack", {{"StackName", "quick"}, {"TemplateBody", body + "Outputs:\n  Name: {Value: !Ref Param}\n"}});
  CHECK(status() == "UPDATE_COMPLETE");
  const std::string id = w.call("DescribeStacks", {{"StackName", "quick"}})["Stacks"][0]["StackId"];
  w.call("DeleteStack", {{"StackName", "quick"}});
  CHECK(w.call("DescribeStacks", {{"StackName", id}})["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE");
  CHECK_FALSE(w.has_parameter("/q"));
}

TEST_CASE("executing a change set deletes the stack's other change sets; the executed one stays listed") {
  StackWorld w;
  auto body = [](const std::string& value) {
    return "Resources:\n  P: {Type: AWS::SSM::Parameter, Properties: {Name: /cs/p, Type: String, Value: " + value + "}}\n";
  };
  w.call("CreateStack", {{"StackName", "cs"}, {"TemplateBody", body("a")}});
  REQUIRE(w.settled("cs") == "CREATE_COMPLETE");
  // Two change sets wait for review.
  for (const char* name : {"first", "second"})
    w.call("CreateChangeSet", {{"StackName", "cs"}, {"ChangeSetName", name}, {"TemplateBody", body(name)}});
  auto names = [&] {
    std::vector<std::string> out;
    const json listed = w.call("ListChangeSets", {{"StackName", "cs"}});
    for (const auto& s : listed["Summaries"])
      out.push_back(s["ChangeSetName"].get<std::string>() + " " + s["ExecutionStatus"].get<std::string>());
    std::sort(out.begin(), out.end());
    return out;
  };
  for (int i = 0; i < 500 && names() != std::vector<std::string>{"first AVAILABLE", "second AVAILABLE"}; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(names() == std::vector<std::string>{"first AVAILABLE", "second AVAILABLE"});
  w.call("ExecuteChangeSet", {{"StackName", "cs"}, {"ChangeSetName", "second"}});
  REQUIRE(w.settled("cs") == "UPDATE_COMPLETE");
  CHECK(names() == std::vector<std::string>{"second EXECUTE_COMPLETE"});
  CHECK_THROWS(w.call("DescribeChangeSet", {{"StackName", "cs"}, {"ChangeSetName", "first"}}));
}
