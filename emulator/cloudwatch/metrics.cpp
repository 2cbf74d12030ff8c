// PutMetricData, GetMetricStatistics, GetMetricData (MetricStat queries), ListMetrics.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Statistic
#include <algorithm>
#include <cmath>
#include <map>

#include "emulator/cloudwatch/cloudwatch.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::cloudwatch {
namespace {

using api::ApiError;
using api::ErrorKind;

// Data points older than CloudWatch keeps 1-minute data (15 days) are dropped, and a series
// keeps at most this many points (a local emulator need not hold more).
constexpr double kRetentionSeconds = 15 * 86400.0;
constexpr size_t kMaxPoints = 50000;

[[noreturn]] void invalid(const std::string& message) {
  throw ApiError(ErrorKind::Validation, "InvalidParameterValueException", message);
}

// One stored point: [timestamp, sample count, sum, minimum, maximum, unit].
json point(double t, double n, double sum, double min, double max, const std::string& unit) {
  return json::array({t, n, sum, min, max, unit});
}

struct Bucket {
  double n = 0, sum = 0, min = INFINITY, max = -INFINITY;
  std::vector<double> values;  // single values, for percentiles
  std::string unit = "None";
};

// The series' points in [start, end) grouped by period (aligned to `anchor`: the epoch for the
// read APIs, the evaluation time for alarms), optionally of one unit.
std::map<double, Bucket> buckets(const Record& series, double start, double end, double period, const std::string& unit,
                                 double anchor = 0) {
  std::map<double, Bucket> out;
  for (const auto& p : series.internal.at("points")) {
    double t = p[0].get<double>();
    if (t < start || t >= end) continue;
    if (!unit.empty() && p[5] != unit) continue;
    Bucket& b = out[anchor + std::floor((t - anchor) / period) * period];
    double n = p[1].get<double>(), sum = p[2].get<double>();
    b.n += n;
    b.sum += sum;
    b.min = std::min(b.min, p[3].get<double>());
    b.max = std::max(b.max, p[4].get<double>());
    b.unit = p[5].get<std::string>();
    if (n == 1) b.values.push_back(sum);
    else if (n > 0) b.values.push_back(sum / n);
  }
  return out;
}

// "p99", "p99.9": nearest-rank percentile of the bucket's values; nullopt for other names.
std::optional<double> percentile(Bucket& b, const std::string& stat) {
  if (stat.size() < 2 || stat[0] != 'p') return std::nullopt;
  double p = 0;
  try {
    p = std::stod(stat.substr(1));
  } catch (...) {
    return std::nullopt;
  }
  if (p < 0 || p > 100 || b.values.empty()) return std::nullopt;
  std::sort(b.values.begin(), b.values.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(b.values.size())));
  return b.values[rank == 0 ? 0 : rank - 1];
}

std::optional<double> statistic(Bucket& b, const std::string& stat) {
  if (stat == "SampleCount") return b.n;
  if (stat == "Sum") return b.sum;
  if (stat == "Average") return b.n > 0 ? std::optional<double>(b.sum / b.n) : std::nullopt;
  if (stat == "Minimum") return b.min;
  if (stat == "Maximum") return b.max;
  return percentile(b, stat);
}

void check_period(double period) {
  // 1, 5, 10, 30 (high resolution) or a multiple of 60 seconds.
  if (!(period == 1 || period == 5 || period == 10 || period == 30 || (period >= 60 && std::fmod(period, 60) == 0))) {
    invalid("The parameter Period must be 1, 5, 10, 30 or a multiple of 60.");
  }
}

const Record* series_of(const Domain& d, const CallContext& c, const json& metric) {
  return d.find({kSeries, c.region,
                 series_id(metric.value("Namespace", ""), metric.value("MetricName", ""),
                           metric.value("Dimensions", json::array()))});
}

void add_points(Tx& tx, const std::string& region, const std::string& ns, const json& datum, double now) {
  const std::string& name = datum.at("MetricName").get_ref<const std::string&>();
  json dims = datum.value("Dimensions", json::array());
  Key key{kSeries, region, series_id(ns, name, dims)};
  Record& series = tx.find(key) ? tx.modify(key)
                                : tx.create(key, {{"Namespace", ns}, {"MetricName", name}, {"Dimensions", dims}},
                                            {{"points", json::array()}});
  json& points = series.internal["points"];
  double t = datum.value("Timestamp", now);
  std::string unit = datum.value("Unit", "None");
  if (datum.contains("StatisticValues")) {
    const json& s = datum["StatisticValues"];
    points.push_back(point(t, s.at("SampleCount"), s.at("Sum"), s.at("Minimum"), s.at("Maximum"), unit));
  } else if (datum.contains("Values")) {
    const json& values = datum["Values"];
    json counts = datum.value("Counts", json::array());
    if (!counts.empty() && counts.size() != values.size()) invalid("The Values and Counts arrays must be the same length.");
    for (size_t i = 0; i < values.size(); ++i) {
      double v = values[i].get<double>(), n = counts.empty() ? 1.0 : counts[i].get<double>();
      points.push_back(point(t, n, v * n, v, v, unit));
    }
  } else if (datum.contains("Value")) {
    double v = datum["Value"].get<double>();
    points.push_back(point(t, 1, v, v, v, unit));
  } else {
    invalid("A MetricDatum needs Value, Values or StatisticValues (" + name + ").");
  }
  // Drop what CloudWatch would no longer have, oldest first.
  while (!points.empty() && (points.size() > kMaxPoints || points[0][0].get<double>() < now - kRetentionSeconds))
    points.erase(points.begin());
}

bool dimensions_match(const json& have, const json& filters) {
  for (const auto& f : filters) {
    bool found = false;
    for (const auto& d : have)
      found |= d["Name"] == f["Name"] && (!f.contains("Value") || d["Value"] == f["Value"]);
    if (!found) return false;
  }
  return true;
}

}  // namespace

void publish_service_metrics(Domain& d, const std::string& region, const std::string& ns, const json& data) {
  if (data.empty()) return;
  auto tx = d.write();
  double now = static_cast<double>(tx->now_ms()) / 1000.0;
  for (const auto& datum : data) add_points(*tx, region, ns, datum, now);
  tx->commit();
}

std::vector<std::optional<double>> recent_statistics(const Domain& d, const std::string& region, const json& metric,
                                                     const std::string& stat, double period, int count, double end) {
  std::vector<std::optional<double>> out(static_cast<size_t>(std::max(count, 0)));
  const Record* series = d.find({kSeries, region,
                                 series_id(metric.value("Namespace", ""), metric.value("MetricName", ""),
                                           metric.value("Dimensions", json::array()))});
  if (!series || count <= 0) return out;
  double start = end - period * count;
  for (auto& [t0, b] : buckets(*series, start, end, period, "", end)) {
    auto index = static_cast<long>(std::llround((t0 - start) / period));
    if (index >= 0 && index < count) out[static_cast<size_t>(index)] = statistic(b, stat);
  }
  return out;
}

void add_metric_operations(api::OperationTable& t, Domain& d) {
  t["PutMetricData"] = [&d](const CallContext& c, const json& in) {
    const std::string& ns = in.at("Namespace").get_ref<const std::string&>();
    if (ns.rfind("AWS/", 0) == 0) invalid("The value AWS/ for parameter Namespace is invalid.");
    auto tx = d.write();
    double now = static_cast<double>(tx->now_ms()) / 1000.0;
    for (const auto& datum : in.value("MetricData", json::array())) add_points(*tx, c.region, ns, datum, now);
    tx->commit();
    return json::object();
  };
  t["GetMetricStatistics"] = [&d](const CallContext& c, const json& in) {
    json stats = in.value("Statistics", json::array());
    for (const auto& e : in.value("ExtendedStatistics", json::array())) stats.push_back(e);
    if (stats.empty()) {
      throw ApiError(ErrorKind::Validation, "InvalidParameterCombinationException",
                     "Must specify either Statistics or ExtendedStatistics");
    }
    double period = in.at("Period").get<double>();
    check_period(period);
    auto lock = d.read();
    json out = {{"Label", in.at("MetricName")}, {"Datapoints", json::array()}};
    const Record* series = series_of(d, c, in);
    if (!series) return out;
    for (auto& [start, b] : buckets(*series, in.at("StartTime").get<double>(), in.at("EndTime").get<double>(), period,
                                    in.value("Unit", ""))) {
      json dp = {{"Timestamp", start}, {"Unit", b.unit}};
      json extended = json::object();
      for (const auto& s : stats) {
        std::string name = s.get<std::string>();
        auto v = statistic(b, name);
        if (!v) continue;
        if (name[0] == 'p') extended[name] = *v;
        else dp[name] = *v;
      }
      if (!extended.empty()) dp["ExtendedStatistics"] = extended;
      out["Datapoints"].push_back(dp);
    }
    return out;
  };
  t["GetMetricData"] = [&d](const CallContext& c, const json& in) {
    double start = in.at("StartTime").get<double>(), end = in.at("EndTime").get<double>();
    bool descending = in.value("ScanBy", "TimestampDescending") == "TimestampDescending";
    auto lock = d.read();
    json results = json::array();
    for (const auto& q : in.at("MetricDataQueries")) {
      const std::string& id = q.at("Id").get_ref<const std::string&>();
      if (!q.contains("MetricStat")) {
        throw ApiError(ErrorKind::Validation, "InvalidParameterValueException",
                       "mediaemu does not evaluate metric math expressions or Metrics Insights queries yet (query " + id + ")");
      }
      const json& stat = q["MetricStat"];
      double period = stat.at("Period").get<double>();
      check_period(period);
      json r = {{"Id", id}, {"Label", q.value("Label", stat.at("Metric").value("MetricName", ""))},
                {"Timestamps", json::array()}, {"Values", json::array()}, {"StatusCode", "Complete"}};
      if (const Record* series = series_of(d, c, stat.at("Metric"))) {
        auto grouped = buckets(*series, start, end, period, stat.value("Unit", ""));
        std::vector<std::pair<double, double>> rows;
        for (auto& [t0, b] : grouped)
          if (auto v = statistic(b, stat.at("Stat").get<std::string>())) rows.emplace_back(t0, *v);
        if (descending) std::reverse(rows.begin(), rows.end());
        for (const auto& [t0, v] : rows) {
          r["Timestamps"].push_back(t0);
          r["Values"].push_back(v);
        }
      }
      if (q.value("ReturnData", true)) results.push_back(r);
    }
    return json{{"MetricDataResults", results}, {"Messages", json::array()}};
  };
  t["ListMetrics"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    std::vector<const Record*> matching;
    for (const Record* r : d.list(kSeries, c.region)) {
      if (in.contains("Namespace") && r->doc["Namespace"] != in["Namespace"]) continue;
      if (in.contains("MetricName") && r->doc["MetricName"] != in["MetricName"]) continue;
      if (!dimensions_match(r->doc["Dimensions"], in.value("Dimensions", json::array()))) continue;
      matching.push_back(r);
    }
    Page page = paginate(matching, in, 500);
    json out = {{"Metrics", json::array()}};
    for (const Record* r : page.items) out["Metrics"].push_back(r->doc);
    put_next_token(out, page);
    return out;
  };
}

}  // namespace mediaemu::cloudwatch
