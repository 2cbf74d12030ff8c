// Log streams and their events.
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/logs/FilterAndPatternSyntax.html
#include <algorithm>

#include "emulator/logs/logs.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::logs {
namespace {

using api::ApiError;
using api::ErrorKind;

constexpr size_t kMaxEventsPerStream = 10000;  // oldest dropped beyond this (a local emulator)

// One stored event: [timestamp ms, message, ingestion time ms, event id].
struct Event {
  int64_t timestamp, ingestion;
  std::string message, id, stream;
};

std::string stream_part(const Record& r) { return r.key.id.substr(r.key.id.find('\n') + 1); }

json render_stream(const Record& r) {
  json s = r.doc;
  s.erase("Arn");
  return s;
}

std::vector<Event> events_of(const Record& stream, const json& in) {
  int64_t start = in.value("startTime", int64_t{0}), end = in.value("endTime", INT64_MAX);
  std::vector<Event> out;
  for (const auto& e : stream.internal.at("events")) {
    int64_t t = e[0].get<int64_t>();
    if (t < start || t >= end) continue;
    out.push_back({t, e[2].get<int64_t>(), e[1].get<std::string>(), e[3].get<std::string>(), stream_part(stream)});
  }
  return out;
}

// A term filter pattern: every term (or "quoted phrase") must occur; "?a ?b" matches either.
bool matches(const std::string& message, const std::string& pattern) {
  std::vector<std::string> all, any;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern[i] == ' ') { ++i; continue; }
    bool optional = pattern[i] == '?';
    if (optional) ++i;
    std::string term;
    if (i < pattern.size() && pattern[i] == '"') {
      size_t close = pattern.find('"', i + 1);
      term = pattern.substr(i + 1, close == std::string::npos ? std::string::npos : close - i - 1);
      i = close == std::string::npos ? pattern.size() : close + 1;
    } else {
      size_t space = pattern.find(' ', i);
      term = pattern.substr(i, space == std::string::npos ? std::string::npos : space - i);
      i = space == std::string::npos ? pattern.size() : space;
    }
    (optional ? any : all).push_back(term);
  }
  for (const auto& t : all)
    if (message.find(t) == std::string::npos) return false;
  if (any.empty()) return true;
  return std::any_of(any.begin(), any.end(), [&](const std::string& t) { return message.find(t) != std::string::npos; });
}

const Record& stream_in(const Domain& d, const CallContext& c, const json& in) {
  std::string group = group_name(in);
  if (!d.find(group_key(c.region, group))) not_found("log group " + group);
  const Record* s = d.find(stream_key(c.region, group, in.at("logStreamName").get<std::string>()));
  if (!s) not_found("log stream " + in["logStreamName"].get<std::string>());
  return *s;
}

size_t token_index(const json& in, char direction, size_t fallback) {
  std::string token = in.value("nextToken", "");
  if (token.empty()) return fallback;
  if (token.size() < 3 || token[0] != direction || token[1] != '/') {
    throw ApiError(ErrorKind::Validation, "InvalidParameterException", "The specified nextToken is not valid.");
  }
  return std::stoul(token.substr(2));
}

}  // namespace

void append_events(Tx& tx, const std::string& region, const std::string& group, const std::string& stream,
                   const json& events) {
  CallContext c;  // make_arn()'s account, in the region the caller names
  c.region = region;
  if (!tx.find(group_key(region, group))) tx.create(group_key(region, group), group_document(c, group, tx.now_ms()));
  Key key = stream_key(region, group, stream);
  if (!tx.find(key)) {
    tx.create(key, {{"logStreamName", stream}, {"creationTime", tx.now_ms()},
                    {"arn", make_arn(c, "logs", "log-group:" + group + ":log-stream:" + stream)}, {"storedBytes", 0}},
              {{"events", json::array()}, {"next_id", 1}});
  }
  Record& s = tx.modify(key);
  json& stored = s.internal["events"];
  int64_t now = tx.now_ms();
  int64_t next_id = s.internal.value("next_id", int64_t{1});
  for (const auto& e : events) {
    int64_t t = e.at("timestamp").get<int64_t>();
    stored.push_back(json::array({t, e.at("message"), now, std::to_string(t) + std::to_string(1000000 + next_id++)}));
    s.doc["firstEventTimestamp"] = std::min(s.doc.value("firstEventTimestamp", t), t);
    s.doc["lastEventTimestamp"] = std::max(s.doc.value("lastEventTimestamp", t), t);
  }
  // Events are kept in time order, as GetLogEvents returns them.
  std::stable_sort(stored.begin(), stored.end(), [](const json& a, const json& b) { return a[0] < b[0]; });
  while (stored.size() > kMaxEventsPerStream) stored.erase(stored.begin());
  s.internal["next_id"] = next_id;
  s.doc["lastIngestionTime"] = now;
  s.doc["uploadSequenceToken"] = std::to_string(next_id);
}

void add_stream_operations(api::OperationTable& t, Domain& d) {
  t["CreateLogStream"] = [&d](const CallContext& c, const json& in) {
    std::string group = group_name(in);
    const std::string& name = in.at("logStreamName").get_ref<const std::string&>();
    auto tx = d.write();
    if (!tx->find(group_key(c.region, group))) not_found("log group " + group);
    if (tx->find(stream_key(c.region, group, name))) {
      throw ApiError(ErrorKind::Conflict, "ResourceAlreadyExistsException", "The specified log stream already exists");
    }
    append_events(*tx, c.region, group, name, json::array());
    tx->modify(stream_key(c.region, group, name)).doc.erase("lastIngestionTime");
    tx->commit();
    return json::object();
  };
  t["DeleteLogStream"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    Key key = stream_in(tx->domain(), c, in).key;
    tx->remove(key);
    tx->commit();
    return json::object();
  };
  t["DescribeLogStreams"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    std::string group = group_name(in), prefix = in.value("logStreamNamePrefix", "");
    if (!d.find(group_key(c.region, group))) not_found("log group " + group);
    bool by_time = in.value("orderBy", "LogStreamName") == "LastEventTime";
    if (by_time && !prefix.empty()) {
      throw ApiError(ErrorKind::Validation, "InvalidParameterException",
                     "Cannot order by LastEventTime with a logStreamNamePrefix.");
    }
    std::vector<const Record*> streams;
    for (const Record* r : d.list(kStream, c.region))
      if (r->key.id.rfind(group + "\n" + prefix, 0) == 0) streams.push_back(r);
    if (by_time) {
      std::stable_sort(streams.begin(), streams.end(), [](const Record* a, const Record* b) {
        return a->doc.value("lastEventTimestamp", int64_t{0}) < b->doc.value("lastEventTimestamp", int64_t{0});
      });
    }
    if (in.value("descending", false)) std::reverse(streams.begin(), streams.end());
    size_t start = token_index(in, 'i', 0), limit = in.value("limit", 50);
    json out = {{"logStreams", json::array()}};
    for (size_t i = start; i < streams.size() && i < start + limit; ++i) out["logStreams"].push_back(render_stream(*streams[i]));
    if (start + limit < streams.size()) out["nextToken"] = "i/" + std::to_string(start + limit);
    return out;
  };
  t["PutLogEvents"] = [&d](const CallContext& c, const json& in) {
    std::string group = group_name(in);
    const std::string& stream = in.at("logStreamName").get_ref<const std::string&>();
    auto tx = d.write();
    stream_in(tx->domain(), c, in);  // both must exist: PutLogEvents creates neither
    const json& events = in.at("logEvents");
    for (size_t i = 1; i < events.size(); ++i) {
      if (events[i]["timestamp"].get<int64_t>() < events[i - 1]["timestamp"].get<int64_t>()) {
        throw ApiError(ErrorKind::Validation, "InvalidParameterException",
                       "Log events in a single PutLogEvents request must be in chronological order.");
      }
    }
    append_events(*tx, c.region, group, stream, events);
    json out = {{"nextSequenceToken", tx->find(stream_key(c.region, group, stream))->doc["uploadSequenceToken"]}};
    tx->commit();
    return out;
  };
  t["GetLogEvents"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    std::vector<Event> events = events_of(stream_in(d, c, in), in);
    size_t limit = in.value("limit", 10000), from = 0, to = events.size();
    std::string token = in.value("nextToken", "");
    if (token.rfind("b/", 0) == 0) {
      to = std::min(token_index(in, 'b', 0), events.size());
      from = to > limit ? to - limit : 0;
    } else if (!token.empty() || in.value("startFromHead", false)) {
      from = std::min(token_index(in, 'f', 0), events.size());
      to = std::min(events.size(), from + limit);
    } else {
      from = events.size() > limit ? events.size() - limit : 0;  // the most recent events
    }
    json out = {{"events", json::array()}, {"nextForwardToken", "f/" + std::to_string(to)},
                {"nextBackwardToken", "b/" + std::to_string(from)}};
    for (size_t i = from; i < to; ++i)
      out["events"].push_back({{"timestamp", events[i].timestamp}, {"message", events[i].message},
                               {"ingestionTime", events[i].ingestion}});
    return out;
  };
  t["FilterLogEvents"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    std::string group = group_name(in), pattern = in.value("filterPattern", "");
    if (!d.find(group_key(c.region, group))) not_found("log group " + group);
    if (!pattern.empty() && (pattern[0] == '{' || pattern[0] == '[')) {
      throw ApiError(ErrorKind::Validation, "InvalidParameterException",
                     "mediaemu supports term filter patterns only (not JSON or space-delimited patterns): " + pattern);
    }
    json names = in.value("logStreamNames", json::array());
    std::string prefix = in.value("logStreamNamePrefix", "");
    std::vector<Event> events;
    json searched = json::array();
    for (const Record* r : d.list(kStream, c.region)) {
      if (r->key.id.rfind(group + "\n", 0) != 0) continue;
      std::string stream = stream_part(*r);
      if (!names.empty() && std::find(names.begin(), names.end(), stream) == names.end()) continue;
      if (stream.rfind(prefix, 0) != 0) continue;
      searched.push_back({{"logStreamName", stream}, {"searchedCompletely", true}});
      for (auto& e : events_of(*r, in))
        if (matches(e.message, pattern)) events.push_back(std::move(e));
    }
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.timestamp < b.timestamp; });
    size_t start = token_index(in, 'i', 0), limit = in.value("limit", 10000);
    json out = {{"events", json::array()}, {"searchedLogStreams", searched}};
    for (size_t i = start; i < events.size() && i < start + limit; ++i)
      out["events"].push_back({{"logStreamName", events[i].stream}, {"timestamp", events[i].timestamp},
                               {"message", events[i].message}, {"ingestionTime", events[i].ingestion},
                               {"eventId", events[i].id}});
    if (start + limit < events.size()) out["nextToken"] = "i/" + std::to_string(start + limit);
    return out;
  };
}

api::OperationTable operations(Domain& d) {
  api::OperationTable t;
  add_group_operations(t, d);
  add_stream_operations(t, d);
  return t;
}

}  // namespace mediaemu::logs
