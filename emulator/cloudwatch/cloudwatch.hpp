// Amazon CloudWatch: custom metrics (PutMetricData, kept as data points per series) read back
// as statistics (GetMetricStatistics, GetMetricData's MetricStat queries, ListMetrics), and
// metric alarms stored with their state (PutMetricAlarm, DescribeAlarms, SetAlarmState, ...).
// Served in all three protocols its model lists (smithy-rpc-v2-cbor, json 1.0, query): the
// same handlers whichever a client picks.
//
// Alarms are evaluated on the domain's clock; a state change publishes the alarm's notification to
// the SNS topics among its actions. The AWS/MediaLive and AWS/MediaPackage namespaces are fed from
// the running channels' and the origin's counters (emulator/service_telemetry.hpp). Not yet: metric
// math expressions.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"

namespace mediaemu::cloudwatch {

inline const std::string kSeries = "cloudwatch:series";  // id = namespace, name and dimensions
inline const std::string kAlarm = "cloudwatch:alarm";    // id = alarm name

// Sends an alarm's notification to an SNS topic (the App wires it to SNS): topic ARN, subject,
// message. Called after the state change is committed, never with the domain lock held.
using AlarmNotifier = std::function<void(const std::string&, const std::string&, const std::string&)>;

api::OperationTable operations(Domain& domain, AlarmNotifier notify);

void add_metric_operations(api::OperationTable& t, Domain& d);
void add_alarm_operations(api::OperationTable& t, Domain& d, AlarmNotifier notify);
void add_tag_operations(api::OperationTable& t, Domain& d);

// The statistic ("Average", "p90", ...) of a metric ({Namespace, MetricName, Dimensions}) over
// each of the `count` periods of `period` seconds that end at `end`, oldest first; nullopt for a
// period without data. Call with a domain lock held (alarm evaluation).
std::vector<std::optional<double>> recent_statistics(const Domain& d, const std::string& region,
                                                     const nlohmann::json& metric, const std::string& stat,
                                                     double period, int count, double end);

// Datapoints a service publishes itself, into namespaces PutMetricData refuses ("AWS/..."):
// MetricDatum items in model form (MetricName, Dimensions, Unit, Value or StatisticValues).
void publish_service_metrics(Domain& d, const std::string& region, const std::string& ns, const nlohmann::json& data);

// "ns\nname\nk1=v1,k2=v2" with the dimensions sorted: one series per distinct set.
std::string series_id(const std::string& ns, const std::string& name, const nlohmann::json& dimensions);

}  // namespace mediaemu::cloudwatch
