// MediaLive workflow monitor: template groups, templates and signal maps through the protocol
// engine. Botocore 1.29 (Debian 12's) predates the workflow monitor: there every case says so
// and checks nothing.
#include "tests/unit/emulator/medialive_test_fixture.hpp"

using namespace mediaemu;
using mediaemu::testing::MediaLiveFixture;
using mediaemu::testing::Reply;

namespace workflow_monitor_test {

const char* kAlarmGroups = "/prod/cloudwatch-alarm-template-groups";
const char* kAlarmTemplates = "/prod/cloudwatch-alarm-templates";
const char* kRuleGroups = "/prod/eventbridge-rule-template-groups";
const char* kRuleTemplates = "/prod/eventbridge-rule-templates";
const char* kSignalMaps = "/prod/signal-maps";

json alarm_template_body(const std::string& name, const std::string& group) {
  return {{"Name", name},
          {"GroupIdentifier", group},
          {"ComparisonOperator", "GreaterThanOrEqualToThreshold"},
          {"EvaluationPeriods", 2},
          {"MetricName", "ActiveAlerts"},
          {"Period", 60},
          {"Statistic", "Maximum"},
          {"TargetResourceType", "MEDIALIVE_CHANNEL"},
          {"Threshold", 1.0},
          {"TreatMissingData", "notBreaching"}};
}

std::string create_alarm_group(MediaLiveFixture& ml, const std::string& name) {
  Reply r = ml.call("CreateCloudWatchAlarmTemplateGroup", kAlarmGroups, {{"Name", name}, {"Tags", {{"team", "noc"}}}});
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  return r.body["Id"];
}

// The tags path with the ARN percent-encoded, as the SDKs send it.
std::string workflow_tags_path(const std::string& arn) {
  std::string out = "/prod/tags/";
  for (char c : arn) out += c == ':' ? std::string("%3A") : c == '/' ? std::string("%2F") : std::string(1, c);
  return out;
}

}  // namespace workflow_monitor_test

using namespace workflow_monitor_test;

TEST_CASE("CloudWatch alarm template groups and templates: CRUD by id or name", "[medialive][workflow-monitor]") {
  MediaLiveFixture ml;
  if (ml.lacks("CreateCloudWatchAlarmTemplateGroup")) return;
  const std::string group = create_alarm_group(ml, "noc-alarms");
  Reply g = ml.call("GetCloudWatchAlarmTemplateGroup", std::string(kAlarmGroups) + "/noc-alarms");
  REQUIRE(g.status == 200);
  CHECK(g.body["Id"] == group);
  CHECK(g.body["Arn"] == "arn:aws:medialive:us-east-1:123456789012:cloudwatch-alarm-template-group:" + group);
  CHECK(g.body["Tags"]["team"] == "noc");
  CHECK(g.body.contains("CreatedAt"));

  CHECK(ml.call("CreateCloudWatchAlarmTemplateGroup", kAlarmGroups, {{"Name", "noc-alarms"}}).status == 409);
  // The same RequestId again (an SDK's retry) is the same group, not a conflict.
  json retried = {{"Name", "retried"}, {"RequestId", "req-1"}};
  const std::string first = ml.call("CreateCloudWatchAlarmTemplateGroup", kAlarmGroups, retried).body["Id"];
  CHECK(ml.call("CreateCloudWatchAlarmTemplateGroup", kAlarmGroups, retried).body["Id"] == first);
  CHECK(ml.call("DeleteCloudWatchAlarmTemplateGroup", std::string(kAlarmGroups) + "/retried").status == 204);
  CHECK(ml.call("CreateCloudWatchAlarmTemplateGroup", kAlarmGroups, {{"Name", "has space"}}).status == 400);

  Reply t = ml.call("CreateCloudWatchAlarmTemplate", kAlarmTemplates, alarm_template_body("alerts", "noc-alarms"));
  INFO(t.body.dump());
  REQUIRE(t.status == 201);
  const std::string tmpl = t.body["Id"];
  CHECK(t.body["GroupId"] == group);
  CHECK(t.body["Threshold"] == 1.0);
  CHECK(ml.call("CreateCloudWatchAlarmTemplate", kAlarmTemplates, alarm_template_body("other", "no-such-group")).status == 404);

  Reply groups = ml.call("ListCloudWatchAlarmTemplateGroups", kAlarmGroups);
  REQUIRE(groups.body["CloudWatchAlarmTemplateGroups"].size() == 1);
  CHECK(groups.body["CloudWatchAlarmTemplateGroups"][0]["TemplateCount"] == 1);
  CHECK(ml.call("ListCloudWatchAlarmTemplateGroups", std::string(kAlarmGroups) + "?scope=aws-managed")
            .body["CloudWatchAlarmTemplateGroups"].empty());
  Reply listed = ml.call("ListCloudWatchAlarmTemplates", std::string(kAlarmTemplates) + "?groupIdentifier=" + group);
  REQUIRE(listed.body["CloudWatchAlarmTemplates"].size() == 1);
  CHECK(listed.body["CloudWatchAlarmTemplates"][0]["MetricName"] == "ActiveAlerts");

  Reply updated = ml.call("UpdateCloudWatchAlarmTemplate", std::string(kAlarmTemplates) + "/" + tmpl,
                          {{"Threshold", 3.0}, {"Name", "alerts-3"}});
  REQUIRE(updated.status == 200);
  CHECK(updated.body["Threshold"] == 3.0);
  CHECK(ml.call("GetCloudWatchAlarmTemplate", std::string(kAlarmTemplates) + "/alerts-3").body["Id"] == tmpl);
  CHECK(ml.call("GetCloudWatchAlarmTemplate", std::string(kAlarmTemplates) + "/alerts").status == 404);

  // A group with templates stays; empty, it goes.
  CHECK(ml.call("DeleteCloudWatchAlarmTemplateGroup", std::string(kAlarmGroups) + "/" + group).status == 409);
  CHECK(ml.call("DeleteCloudWatchAlarmTemplate", std::string(kAlarmTemplates) + "/" + tmpl).status == 204);
  CHECK(ml.call("DeleteCloudWatchAlarmTemplateGroup", std::string(kAlarmGroups) + "/" + group).status == 204);
  CHECK(ml.call("GetCloudWatchAlarmTemplateGroup", std::string(kAlarmGroups) + "/" + group).status == 404);
}

TEST_CASE("EventBridge rule templates count their targets in summaries and take tags", "[medialive][workflow-monitor]") {
  MediaLiveFixture ml;
  if (ml.lacks("CreateEventBridgeRuleTemplateGroup")) return;
  Reply g = ml.call("CreateEventBridgeRuleTemplateGroup", kRuleGroups, {{"Name", "rules"}, {"Description", "d"}});
  REQUIRE(g.status == 201);
  json targets = json::array({{{"Arn", "arn:aws:sns:us-east-1:123456789012:alerts"}}});
  Reply t = ml.call("CreateEventBridgeRuleTemplate", kRuleTemplates,
                    {{"Name", "state"}, {"GroupIdentifier", "rules"}, {"EventType", "MEDIALIVE_CHANNEL_STATE_CHANGE"},
                     {"EventTargets", targets}});
  INFO(t.body.dump());
  REQUIRE(t.status == 201);
  Reply listed = ml.call("ListEventBridgeRuleTemplates", kRuleTemplates);
  REQUIRE(listed.body["EventBridgeRuleTemplates"].size() == 1);
  CHECK(listed.body["EventBridgeRuleTemplates"][0]["EventTargetCount"] == 1);

  json six = json::array();
  for (int i = 0; i < 6; ++i) six.push_back({{"Arn", "arn:aws:sns:us-east-1:123456789012:t" + std::to_string(i)}});
  CHECK(ml.call("UpdateEventBridgeRuleTemplate", std::string(kRuleTemplates) + "/state", {{"EventTargets", six}}).status == 400);

  const std::string arn = t.body["Arn"];
  CHECK(ml.call("CreateTags", workflow_tags_path(arn), {{"Tags", {{"env", "test"}}}}).status == 204);
  CHECK(ml.call("GetEventBridgeRuleTemplate", std::string(kRuleTemplates) + "/state").body["Tags"]["env"] == "test");
}

TEST_CASE("signal maps discover their entry point on the clock and hold on to their groups", "[medialive][workflow-monitor]") {
  MediaLiveFixture ml(1000);
  if (ml.lacks("CreateSignalMap")) return;
  const std::string group = create_alarm_group(ml, "map-alarms");
  const std::string input = ml.create_input("wm-in");
  ml.advance(1000);
  Reply channel = ml.call("CreateChannel", "/prod/channels", testing::minimal_channel("wm-channel", input));
  REQUIRE(channel.status == 201);
  const std::string channel_arn = channel.body["Channel"]["Arn"];

  Reply created = ml.call("CreateSignalMap", kSignalMaps,
                          {{"Name", "wm-map"}, {"DiscoveryEntryPointArn", channel_arn},
                           {"CloudWatchAlarmTemplateGroupIdentifiers", {"map-alarms"}}});
  INFO(created.body.dump());
  REQUIRE(created.status == 201);
  const std::string id = created.body["Id"];
  CHECK(created.body["Status"] == "CREATE_IN_PROGRESS");
  CHECK(created.body["MonitorDeployment"]["Status"] == "NOT_DEPLOYED");
  CHECK(created.body["CloudWatchAlarmTemplateGroupIds"] == json::array({group}));
  CHECK(ml.call("DeleteSignalMap", std::string(kSignalMaps) + "/" + id).status == 409);  // still discovering

  ml.advance(1000);
  Reply got = ml.call("GetSignalMap", std::string(kSignalMaps) + "/wm-map");
  CHECK(got.body["Status"] == "CREATE_COMPLETE");
  REQUIRE(got.body["MediaResourceMap"].contains(channel_arn));
  CHECK(got.body["MediaResourceMap"][channel_arn]["Name"] == "wm-channel");
  CHECK(got.body["MediaResourceMap"][channel_arn]["Sources"].size() == 1);

  // The group is in use; the filters find the map by it.
  CHECK(ml.call("DeleteCloudWatchAlarmTemplateGroup", std::string(kAlarmGroups) + "/" + group).status == 409);
  CHECK(ml.call("ListSignalMaps", std::string(kSignalMaps) + "?cloudWatchAlarmTemplateGroupIdentifier=" + group)
            .body["SignalMaps"].size() == 1);
  CHECK(ml.call("ListCloudWatchAlarmTemplateGroups", std::string(kAlarmGroups) + "?signalMapIdentifier=" + id)
            .body["CloudWatchAlarmTemplateGroups"].size() == 1);

  Reply update = ml.call("StartUpdateSignalMap", std::string(kSignalMaps) + "/" + id,
                         {{"CloudWatchAlarmTemplateGroupIdentifiers", json::array()},
                          {"DiscoveryEntryPointArn", "arn:aws:medialive:us-east-1:123456789012:channel:9999999"}});
  REQUIRE(update.status == 202);
  CHECK(update.body["Status"] == "UPDATE_IN_PROGRESS");
  ml.advance(1000);
  got = ml.call("GetSignalMap", std::string(kSignalMaps) + "/" + id);
  CHECK(got.body["Status"] == "UPDATE_FAILED");
  CHECK(got.body.value("ErrorMessage", "").find("9999999") != std::string::npos);

  CHECK(ml.call("CreateSignalMap", kSignalMaps, {{"Name", "bad"}, {"DiscoveryEntryPointArn", "not-an-arn"}}).status == 400);
  CHECK(ml.call("CreateSignalMap", kSignalMaps, {{"Name", "wm-map"}, {"DiscoveryEntryPointArn", channel_arn}}).status == 409);
  CHECK(ml.call("DeleteSignalMap", std::string(kSignalMaps) + "/" + id).status == 204);
  CHECK(ml.call("GetSignalMap", std::string(kSignalMaps) + "/" + id).status == 404);
  CHECK(ml.call("DeleteCloudWatchAlarmTemplateGroup", std::string(kAlarmGroups) + "/" + group).status == 204);
}

TEST_CASE("monitor deployment is not emulated: it answers 501 naming itself", "[medialive][workflow-monitor]") {
  MediaLiveFixture ml;
  if (ml.lacks("StartMonitorDeployment")) return;
  Reply r = ml.call("StartMonitorDeployment", std::string(kSignalMaps) + "/any/monitor-deployment", json::object());
  CHECK(r.status == 501);
  CHECK(r.message().find("StartMonitorDeployment") != std::string::npos);
}
