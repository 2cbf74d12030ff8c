// Amazon CloudWatch: custom metrics (PutMetricData, kept as data points per series) read back
// as statistics (GetMetricStatistics, GetMetricData's MetricStat queries, ListMetrics), and
// metric alarms stored with their state (PutMetricAlarm, DescribeAlarms, SetAlarmState, ...).
// Served in all three protocols its model lists (smithy-rpc-v2-cbor, json 1.0, query): the
// same handlers whichever a client picks.
//
// Not yet: alarms evaluated on a clock with actions sent to SNS, the AWS/MediaLive and
// AWS/MediaPackage namespaces fed from the pipeline's counters, metric math expressions.
#pragma once

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"

namespace mediaemu::cloudwatch {

inline const std::string kSeries = "cloudwatch:series";  // id = namespace, name and dimensions
inline const std::string kAlarm = "cloudwatch:alarm";    // id = alarm name

api::OperationTable operations(Domain& domain);

void add_metric_operations(api::OperationTable& t, Domain& d);
void add_alarm_operations(api::OperationTable& t, Domain& d);

// "ns\nname\nk1=v1,k2=v2" with the dimensions sorted: one series per distinct set.
std::string series_id(const std::string& ns, const std::string& name, const nlohmann::json& dimensions);

}  // namespace mediaemu::cloudwatch
