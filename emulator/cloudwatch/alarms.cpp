// Metric alarms: stored with their configuration and state, listed and deleted, and evaluated on
// the domain's clock every Period seconds against the metric's data (a due transition of the
// alarm record, so evaluation runs on the clock thread and survives restarts).
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html (evaluation,
// DatapointsToAlarm "M out of N", TreatMissingData)
#include <spdlog/spdlog.h>

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

// Runs one evaluation of the alarm (on the clock thread, in a Tx) and schedules the next one.
void evaluate(Tx& tx, const Key& key) {
  if (!tx.find(key)) return;
  Record& alarm = tx.modify(key);
  double period = alarm.doc.value("Period", 60);
  int periods = alarm.doc.value("EvaluationPeriods", 1);
  std::string stat = alarm.doc.value("Statistic", alarm.doc.value("ExtendedStatistic", ""));
  if (stat.empty() || !alarm.doc.contains("MetricName")) return;  // metric-math alarms are not evaluated
  double now = static_cast<double>(tx.now_ms()) / 1000.0;
  std::string reason;
  std::string state =
      evaluated_state(alarm.doc, recent_statistics(tx.domain(), key.region, alarm.doc, stat, period, periods, now), reason);
  if (state != alarm.doc["StateValue"]) {
    spdlog::info("cloudwatch: alarm {} {} -> {}: {}", key.id, alarm.doc["StateValue"].get<std::string>(), state, reason);
    alarm.doc["StateValue"] = state;
    alarm.doc["StateReason"] = reason;
    alarm.doc["StateUpdatedTimestamp"] = now;
    alarm.doc["StateTransitionedTimestamp"] = now;
  }
  tx.schedule(key, kEvaluate, static_cast<int64_t>(period * 1000));
}

}  // namespace

void add_alarm_operations(api::OperationTable& t, Domain& d) {
  d.on_transition(kAlarm, [](Tx& tx, const Key& key, const std::string& to) {
    if (to == kEvaluate) evaluate(tx, key);
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
    // The first evaluation one period from now, then every period.
    tx->schedule(key, kEvaluate, static_cast<int64_t>(alarm.value("Period", 60) * 1000));
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
  t["SetAlarmState"] = [&d](const CallContext& c, const json& in) {
    const std::string& name = in.at("AlarmName").get_ref<const std::string&>();
    auto tx = d.write();
    Key key{kAlarm, c.region, name};
    if (!tx->find(key)) no_alarm(name);
    Record& r = tx->modify(key);
    double now = static_cast<double>(tx->now_ms()) / 1000.0;
    if (r.doc["StateValue"] != in.at("StateValue")) r.doc["StateTransitionedTimestamp"] = now;
    r.doc["StateValue"] = in["StateValue"];
    r.doc["StateReason"] = in.at("StateReason");
    copy_member(r.doc, in, "StateReasonData");
    r.doc["StateUpdatedTimestamp"] = now;
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
