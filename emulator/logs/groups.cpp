// Log groups. https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
#include <set>

#include "emulator/logs/logs.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::logs {
namespace {

using api::ApiError;
using api::ErrorKind;

// The retention periods CloudWatch Logs accepts (PutRetentionPolicy).
const std::set<int> kRetentionDays = {1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,  365, 400,
                                      545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};

json render_group(const Record& r) {
  json g = r.doc;
  g.erase("Arn");
  g.erase("tags");
  int64_t bytes = 0;
  g["storedBytes"] = r.internal.value("storedBytes", bytes);
  return g;
}

Record& group_for_write(Tx& tx, const CallContext& c, const std::string& name) {
  if (!tx.find(group_key(c.region, name))) not_found("log group " + name);
  return tx.modify(group_key(c.region, name));
}

}  // namespace

std::string group_name(const json& in) {
  std::string name = in.value("logGroupName", "");
  if (name.empty()) {
    name = in.value("logGroupIdentifier", "");
    // "arn:aws:logs:us-east-1:123456789012:log-group:NAME" (optionally ":*")
    if (auto at = name.find(":log-group:"); at != std::string::npos) {
      name = name.substr(at + 11);
      if (name.size() > 2 && name.compare(name.size() - 2, 2, ":*") == 0) name.resize(name.size() - 2);
    }
  }
  if (name.empty()) {
    throw ApiError(ErrorKind::Validation, "InvalidParameterException", "Either logGroupName or logGroupIdentifier is required");
  }
  return name;
}

json group_document(const CallContext& c, const std::string& name, int64_t now_ms) {
  std::string arn = make_arn(c, "logs", "log-group:" + name);
  // DescribeLogGroups' "arn" ends in ":*"; logGroupArn does not; "Arn" is the domain's ARN index.
  return {{"logGroupName", name}, {"creationTime", now_ms}, {"metricFilterCount", 0}, {"arn", arn + ":*"},
          {"logGroupArn", arn}, {"Arn", arn}, {"logGroupClass", "STANDARD"}, {"tags", json::object()}};
}

void not_found(const std::string& what) {
  throw ApiError(ErrorKind::NotFound, "ResourceNotFoundException", "The specified " + what + " does not exist.");
}

void add_group_operations(api::OperationTable& t, Domain& d) {
  t["CreateLogGroup"] = [&d](const CallContext& c, const json& in) {
    const std::string& name = in.at("logGroupName").get_ref<const std::string&>();
    auto tx = d.write();
    if (tx->find(group_key(c.region, name))) {
      throw ApiError(ErrorKind::Conflict, "ResourceAlreadyExistsException", "The specified log group already exists");
    }
    json group = group_document(c, name, tx->now_ms());
    group["logGroupClass"] = in.value("logGroupClass", "STANDARD");
    group["tags"] = in.value("tags", json::object());
    copy_member(group, in, "kmsKeyId");
    tx->create(group_key(c.region, name), group);
    tx->commit();
    return json::object();
  };
  t["DeleteLogGroup"] = [&d](const CallContext& c, const json& in) {
    std::string name = group_name(in);
    auto tx = d.write();
    group_for_write(*tx, c, name);
    for (const Record* s : tx->domain().list(kStream, c.region))
      if (s->key.id.rfind(name + "\n", 0) == 0) tx->remove(s->key);
    tx->remove(group_key(c.region, name));
    tx->commit();
    return json::object();
  };
  t["DescribeLogGroups"] = [&d](const CallContext& c, const json& in) {
    auto lock = d.read();
    std::string prefix = in.value("logGroupNamePrefix", ""), pattern = in.value("logGroupNamePattern", "");
    std::vector<const Record*> matching;
    for (const Record* r : d.list(kGroup, c.region)) {
      if (r->key.id.rfind(prefix, 0) != 0) continue;
      if (!pattern.empty() && r->key.id.find(pattern) == std::string::npos) continue;
      matching.push_back(r);
    }
    Page page = paginate(matching, in, 50, "nextToken", "limit");
    json out = {{"logGroups", json::array()}};
    for (const Record* r : page.items) out["logGroups"].push_back(render_group(*r));
    if (!page.next_token.empty()) out["nextToken"] = page.next_token;
    return out;
  };
  t["PutRetentionPolicy"] = [&d](const CallContext& c, const json& in) {
    int days = in.at("retentionInDays").get<int>();
    if (!kRetentionDays.count(days)) {
      throw ApiError(ErrorKind::Validation, "InvalidParameterException",
                     "1 validation error detected: Value '" + std::to_string(days) +
                         "' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set");
    }
    auto tx = d.write();
    group_for_write(*tx, c, group_name(in)).doc["retentionInDays"] = days;
    tx->commit();
    return json::object();
  };
  t["DeleteRetentionPolicy"] = [&d](const CallContext& c, const json& in) {
    auto tx = d.write();
    group_for_write(*tx, c, group_name(in)).doc.erase("retentionInDays");
    tx->commit();
    return json::object();
  };
  // Tags by ARN (TagResource) and by name (the older TagLogGroup).
  auto group_by_arn = [](const Domain& domain, const json& in) -> const Record& {
    const std::string& arn = in.at("resourceArn").get_ref<const std::string&>();
    const Record* r = domain.find_by_arn(arn.size() > 2 && arn.compare(arn.size() - 2, 2, ":*") == 0
                                             ? arn.substr(0, arn.size() - 2)
                                             : arn);
    if (!r || r->key.kind != kGroup) not_found("resource " + arn);
    return *r;
  };
  t["TagResource"] = [&d, group_by_arn](const CallContext&, const json& in) {
    auto tx = d.write();
    json& tags = tx->modify(group_by_arn(tx->domain(), in).key).doc["tags"];
    for (auto& [k, v] : in.at("tags").items()) tags[k] = v;
    tx->commit();
    return json::object();
  };
  t["UntagResource"] = [&d, group_by_arn](const CallContext&, const json& in) {
    auto tx = d.write();
    json& tags = tx->modify(group_by_arn(tx->domain(), in).key).doc["tags"];
    for (const auto& k : in.at("tagKeys")) tags.erase(k.get<std::string>());
    tx->commit();
    return json::object();
  };
  t["ListTagsForResource"] = [&d, group_by_arn](const CallContext&, const json& in) {
    auto lock = d.read();
    return json{{"tags", group_by_arn(d, in).doc.value("tags", json::object())}};
  };
}

}  // namespace mediaemu::logs
