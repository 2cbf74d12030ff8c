// Metric alarms: stored with their configuration and state, listed and deleted, and evaluated on
// the domain's clock every Period seconds against the metric's data (a due transition of the
// alarm record, so evaluation runs on the clock thread and survives restarts).
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html (evaluation,
// DatapointsToAlarm "M out of N", TreatMissingData)
#include <cmath>

#include <spdlog/spdlog.h>

#include "api/timestamps.hpp"
#include "emulator/cloudwatch/cloudwatch.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::cloudwatch {
namespace {

using api::ApiError;
using api::ErrorKind;

[[noreturn]] void no_alarm(const std::string& name) {
  throw ApiError(ErrorKind::NotFound, "ResourceNotFound", "Alarm " + name + " does not exist");
}

const std::vector<const char*> kConfiguration = {
    "AlarmDescription", "OKActions", "AlarmActions", "InsufficientDataActions", "MetricName", "Namespace",
    "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit", "EvaluationPeriods", "DatapointsToAlarm",
    "Threshold", "ComparisonOperator", "TreatMissingData", "EvaluateLowSampleCountPercentile", "Metrics",
    "ThresholdMetricId"};

constexpr const char* kEvaluate = "EVALUATE";  // the transition that runs an evaluation

bool breaches(const std::string& op, double value, double threshold) {
  if (op == "GreaterThanOrEqualToThreshold") return value >= threshold;
  if (op == "GreaterThanThreshold") return value > threshold;
  if (op == "LessThanThreshold") return value < threshold;
  if (op == "LessThanOrEqualToThreshold") return value <= threshold;
  return false;  // anomaly-detection operators need a model mediaemu does not have
}

// The state the last N periods put the alarm in, with AWS's kind of reason.
std::string evaluated_state(const json& alarm, const std::vector<std::optional<double>>& values, std::string& reason) {
  const std::string op = alarm.value("ComparisonOperator", "");
  double threshold = alarm.value("Threshold", 0.0);
  size_t m = alarm.value("DatapointsToAlarm", static_cast<int>(values.size()));
  std::string missing = alarm.value("TreatMissingData", "missing");
  size_t breaching = 0, present = 0;
  std::string shown;
  for (const auto& v : values) {
    if (v) {
      ++present;
      breaching += breaches(op, *v, threshold);
      shown += (shown.empty() ? "" : ", ") + json(*v).dump();
    } else if (missing == "breaching") {
      ++breaching;
    }
  }
  if (present == 0 && (missing == "missing" || missing == "ignore")) {
    reason = "Insufficient Data: " + std::to_string(values.size()) + " datapoint(s) were unknown.";
    return missing == "ignore" ? alarm.value("StateValue", "INSUFFICIENT_DATA") : "INSUFFICIENT_DATA";
  }
  std::string verdict = breaching >= m ? "ALARM" : "OK";
  reason = "Threshold Crossed: " + std::to_string(breaching) + " out of the last " + std::to_string(values.size()) +
           " datapoints [" + shown + "] " + (breaching >= m ? "breached" : "did not breach") + " the threshold (" +
           json(threshold).dump() + ") with " + op + ".";
  return verdict;
}

// After a state change: the notification AWS sends to the SNS topics among the actions for the
// new state (AlarmActions, OKActions, InsufficientDataActions), when ActionsEnabled.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-actions
void notify_after_commit(Tx& tx, const Record& alarm, const std::string& old_state, const AlarmNotifier& notify) {
  const json& a = alarm.doc;
  if (!notify || !a.value("ActionsEnabled", true)) return;
  std::string state = a["StateValue"];
  const char* list = state == "ALARM" ? "AlarmActions" : state == "OK" ? "OKActions" : "InsufficientDataActions";
  json dimensions = json::array();
  for (const auto& d : a.value("Dimensions", json::array())) dimensions.push_back({{"value", d["Value"]}, {"name", d["Name"]}});
  json message = {{"AlarmName", a["AlarmName"]}, {"AlarmDescription", a.value("AlarmDescription", "")},
                  {"AWSAccountId", api::kAccountId}, {"NewStateValue", state}, {"NewStateReason", a["StateReason"]},
                  {"StateChangeTime", api::format_iso8601(a["StateUpdatedTimestamp"].get<double>())},
                  {"Region", alarm.key.region}, {"AlarmArn", a["AlarmArn"]}, {"OldStateValue", old_state},
                  {"Trigger", {{"MetricName", a.value("MetricName", "")}, {"Namespace", a.value("Namespace", "")},
                               {"StatisticType", a.contains("ExtendedStatistic") ? "ExtendedStatistic" : "Statistic"},
                               {"Statistic", a.value("Statistic", a.value("ExtendedStatistic", ""))},
                               {"Unit", a.value("Unit", json())}, {"Dimensions", dimensions},
                               {"Period", a.value("Period", 60)}, {"EvaluationPeriods", a.value("EvaluationPeriods", 1)},
                               {"ComparisonOperator", a.value("ComparisonOperator", "")},
                               {"Threshold", a.value("Threshold", 0.0)},
                               {"TreatMissingData", a.value("TreatMissingData", "missing")}}}};
  std::string subject = state + ": \"" + a["AlarmName"].get<std::string>() + "\" in " + alarm.key.region;
  for (const auto& action : a.value(list, json::array())) {
    std::string arn = action.get<std::string>();
    if (arn.rfind("arn:aws:sns:", 0) != 0) {
      spdlog::info("cloudwatch: alarm {}: action {} is not an SNS topic; mediaemu runs only SNS actions",
                   alarm.key.id, arn);
      continue;
    }
    std::string body = message.dump();
    tx.after_commit([notify, arn, subject, body] { notify(arn, subject, body); });
  }
}

// Milliseconds from now to the next period boundary. Evaluations run on boundaries aligned to the
// epoch, the way CloudWatch aligns datapoints to periods, so that the window an evaluation reads
// (the last N whole periods) does not depend on how late the clock thread woke up.
int64_t until_next_boundary(const Tx& tx, double period) {
  auto step = std::max<int64_t>(static_cast<int64_t>(period * 1000), 1000);
  int64_t now = tx.now_ms();
  return step - now % step;
}

// Runs one evaluation of the alarm (on the clock thread, in a Tx) and schedules the next one.
void evaluate(Tx& tx, const Key& key, const AlarmNotifier& notify) {
  if (!tx.find(key)) return;
  Record& alarm = tx.modify(key);
  double period = alarm.doc.value("Period", 60);
  int periods = alarm.doc.value("EvaluationPeriods", 1);
  std::string stat = alarm.doc.value("Statistic", alarm.doc.value("ExtendedStatistic", ""));
  if (stat.empty() || !alarm.doc.contains("MetricName")) return;  // metric-math alarms are not evaluated
  double now = static_cast<double>(tx.now_ms()) / 1000.0;
  double end = std::floor(now / period) * period;  // the boundary this evaluation is for
  std::string reason;
  std::string state =
      evaluated_state(alarm.doc, recent_statistics(tx.domain(), key.region, alarm.doc, stat, period, periods, end), reason);
  if (state != alarm.doc["StateValue"]) {
    std::string old_state = alarm.doc["StateValue"];
    spdlog::info("cloudwatch: alarm {} {} -> {}: {}", key.id, old_state, state, reason);
    alarm.doc["StateValue"] = state;
    alarm.doc["StateReason"] = reason;
    alarm.doc["StateUpdatedTimestamp"] = now;
    alarm.doc["StateTransitionedTimestamp"] = now;
    notify_after_commit(tx, alarm, old_state, notify);
  }
  tx.schedule(key, kEvaluate, until_next_boundary(tx, period));
}

}  // namespace

void add_alarm_operations(api::OperationTable& t, Domain& d, AlarmNotifier notify) {
  d.on_transition(kAlarm, [notify](Tx& tx, const Key& key, const std::string& to) {
    if (to == kEvaluate) evaluate(tx, key, notify);
  });
  t["PutMetricAlarm"] = [&d](const CallContext& c, const json& in) {
    const std::string& name = in.at("AlarmName").get_ref<const std::string&>();
    if (!in.contains("MetricName") && !in.contains("Metrics")) {
      throw ApiError(ErrorKind::Validation, "ValidationError",
                     "One of MetricName or Metrics must be specified for an alarm (" + name + ")");
    }
    auto tx = d.write();
    double now = static_cast<double>(tx->now_ms()) / 1000.0;
    Key key{kAlarm, c.region, name};
    // PutMetricAlarm creates or replaces the whole configuration; the state carries over.
    json alarm = {{"AlarmName", name},
                  {"AlarmArn", make_arn(c, "cloudwatch", "alarm:" + name)},
                  {"ActionsEnabled", in.value("ActionsEnabled", true)},
                  {"OKActions", json::array()}, {"AlarmActions", json::array()}, {"InsufficientDataActions", json::array()},
                  {"Dimensions", json::array()},
                  {"AlarmConfigurationUpdatedTimestamp", now},
                  {"StateValue", "INSUFFICIENT_DATA"},
                  {"StateReason", "Unchecked: Initial alarm creation"},
                  {"StateUpdatedTimestamp", now},
                  {"StateTransitionedTimestamp", now}};
    for (const char* m : kConfiguration) copy_member(alarm, in, m);
    if (const Record* existing = tx->find(key)) {
      for (const char* m : {"StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp", "StateTransitionedTimestamp"})
        copy_member(alarm, existing->doc, m);
      json tags = existing->doc.value("Tags", json::array());
      tx->modify(key).doc = alarm;
      tx->modify(key).doc["Tags"] = tags;
    } else {
      alarm["Tags"] = in.value("Tags", json::array());
      tx->create(key, alarm);
    }
    tx->modify(key).doc["Arn"] = alarm["AlarmArn"];  // the domain's ARN index (tags)
    // The first evaluation at the next period boundary, then at every boundary.
    tx->schedule(key, kEvaluate, until_next_boundary(*tx, alarm.value("Period", 60)));
    tx->commit();
    return json::object();
  };
  t["DescribeAlarms"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    json names = in.value("AlarmNames", json::array());
    std::string prefix = in.value("AlarmNamePrefix", ""), state = in.value("StateValue", "");
    std::vector<const Record*> matching;
    for (const Record* r : d.list(kAlarm, c.region)) {
      if (!names.empty() && std::find(names.begin(), names.end(), r->doc["AlarmName"]) == names.end()) continue;
      if (r->key.id.rfind(prefix, 0) != 0) continue;
      if (!state.empty() && r->doc["StateValue"] != state) continue;
      matching.push_back(r);
    }
    json out = {{"MetricAlarms", json::array()}, {"CompositeAlarms", json::array()}};
    json types = in.value("AlarmTypes", json::array({"MetricAlarm"}));
    if (std::find(types.begin(), types.end(), "MetricAlarm") == types.end()) return out;
    Page page = paginate(matching, in, 50, "NextToken", "MaxRecords");
    for (const Record* r : page.items) {
      json alarm = r->doc;
      alarm.erase("Tags");
      alarm.erase("Arn");
      out["MetricAlarms"].push_back(alarm);
    }
    put_next_token(out, page);
    return out;
  };
  t["DescribeAlarmsForMetric"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    std::string series = series_id(in.at("Namespace").get<std::string>(), in.at("MetricName").get<std::string>(),
                                   in.value("Dimensions", json::array()));
    json out = {{"MetricAlarms", json::array()}};
    for (const Record* r : d.list(kAlarm, c.region)) {
      if (series_id(r->doc.value("Namespace", ""), r->doc.value("MetricName", ""), r->doc["Dimensions"]) != series) continue;
      json alarm = r->doc;
      alarm.erase("Tags");
      alarm.erase("Arn");
      out["MetricAlarms"].push_back(alarm);
    }
    return out;
  };
  t["DeleteAlarms"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    for (const auto& name : in.at("AlarmNames")) {  // all or nothing, as AWS refuses a missing name
      if (!tx->find({kAlarm, c.region, name.get<std::string>()})) no_alarm(name.get<std::string>());
    }
    for (const auto& name : in.at("AlarmNames")) tx->remove({kAlarm, c.region, name.get<std::string>()});
    tx->commit();
    return json::object();
  };
  // As on AWS, a state set by hand lasts until the next evaluation and runs the actions.
  t["SetAlarmState"] = [&d, notify](const CallContext& c, const json& in) {
    const std::string& name = in.at("AlarmName").get_ref<const std::string&>();
    auto tx = d.write();
    Key key{kAlarm, c.region, name};
    if (!tx->find(key)) no_alarm(name);
    Record& r = tx->modify(key);
    double now = static_cast<double>(tx->now_ms()) / 1000.0;
    std::string old_state = r.doc["StateValue"];
    if (old_state != in.at("StateValue")) r.doc["StateTransitionedTimestamp"] = now;
    r.doc["StateValue"] = in["StateValue"];
    r.doc["StateReason"] = in.at("StateReason");
    copy_member(r.doc, in, "StateReasonData");
    r.doc["StateUpdatedTimestamp"] = now;
    if (old_state != in["StateValue"]) notify_after_commit(*tx, r, old_state, notify);
    tx->commit();
    return json::object();
  };
  for (const char* op : {"EnableAlarmActions", "DisableAlarmActions"}) {
    bool enable = std::string(op) == "EnableAlarmActions";
    t[op] = [&d, enable](const CallContext& c, const json& in) {
      auto tx = d.write();
      for (const auto& name : in.at("AlarmNames")) {
        Key key{kAlarm, c.region, name.get<std::string>()};
        if (tx->find(key)) tx->modify(key).doc["ActionsEnabled"] = enable;
      }
      tx->commit();
      return json::object();
    };
  }
}

}  // namespace mediaemu::cloudwatch
