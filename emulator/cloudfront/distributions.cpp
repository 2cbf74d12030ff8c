// Distributions: CreateDistribution(WithTags), GetDistribution(Config), UpdateDistribution,
// DeleteDistribution, ListDistributions.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateDistribution.html
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_UpdateDistribution.html
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DeleteDistribution.html
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "emulator/cloudfront/cloudfront.hpp"
#include "emulator/cloudfront/forwarding.hpp"

namespace mediaemu::cloudfront {

using api::ApiError;
using api::ErrorKind;

void fail(const std::string& code, const std::string& message) { throw ApiError(ErrorKind::Validation, code, message); }

const Record& require_distribution(const Domain& d, const std::string& id) {
  const Record* r = d.find(distribution_key(id));
  if (!r) fail("NoSuchDistribution", "The specified distribution does not exist.");
  return *r;
}

json marker_page(const std::vector<json>& items, const json& in) {
  int max_items = 100;
  if (in.contains("MaxItems")) {
    const std::string text = in["MaxItems"].get<std::string>();
    auto digit = [](unsigned char ch) { return std::isdigit(ch) != 0; };
    if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), digit))
      fail("InvalidArgument", "The parameter MaxItems must be a number.");
    max_items = std::stoi(text);
  }
  const std::string marker = in.value("Marker", "");
  size_t start = 0;
  if (!marker.empty()) {
    auto at = std::find_if(items.begin(), items.end(), [&](const json& item) { return item["Id"] == marker; });
    start = at == items.end() ? items.size() : static_cast<size_t>(at - items.begin()) + 1;
  }
  size_t end = std::min(items.size(), start + static_cast<size_t>(max_items));
  json page = {{"Marker", marker}, {"MaxItems", max_items}, {"IsTruncated", end < items.size()},
               {"Quantity", end - start}};
  if (end > start) page["Items"] = json(std::vector<json>(items.begin() + static_cast<long>(start), items.begin() + static_cast<long>(end)));
  if (end < items.size()) page["NextMarker"] = items[end - 1]["Id"];
  return page;
}

namespace {

double now_seconds(const Tx& tx) { return static_cast<double>(tx.now_ms()) / 1000.0; }

std::string location(const Domain& d, const std::string& id) {
  return d.config().http_base() + "/2020-05-31/distribution/" + id;
}

// The Distribution as GetDistribution shows it: the stored document and its live counters.
json distribution_view(const Domain& d, const Record& r) {
  json view = r.doc;
  view["InProgressInvalidationBatches"] = invalidations_in_progress(d, r.key.id);
  return view;
}

json distribution_output(const Domain& d, const Record& r) {
  return {{"Distribution", distribution_view(d, r)}, {"ETag", r.internal["etag"]}};
}

// Members of a distribution's config that DistributionSummary repeats.
json summary_of(const Record& r) {
  const json& config = r.doc["DistributionConfig"];
  json s = {{"Id", r.doc["Id"]}, {"ARN", r.doc["ARN"]}, {"ETag", r.internal["etag"]},
            {"Status", r.doc["Status"]}, {"LastModifiedTime", r.doc["LastModifiedTime"]},
            {"DomainName", r.doc["DomainName"]}};
  for (const char* member : {"Aliases", "Origins", "OriginGroups", "DefaultCacheBehavior", "CacheBehaviors",
                             "CustomErrorResponses", "Comment", "PriceClass", "Enabled", "ViewerCertificate",
                             "Restrictions", "WebACLId", "HttpVersion", "IsIPV6Enabled", "Staging"})
    copy_member(s, config, member);
  return s;
}

// CreateDistribution and CreateDistributionWithTags. A CallerReference already used answers the
// distribution it created when the config is the same, DistributionAlreadyExists when not.
json create_distribution(Domain& d, const CallContext& c, const json& sent, const json& tags) {
  auto tx = d.write();
  const json reference = sent["CallerReference"];
  for (const Record* r : d.list(kDistribution, kGlobal)) {
    if (r->doc["DistributionConfig"]["CallerReference"] != reference) continue;
    if (r->internal["sent_config"] == sent) {
      json out = distribution_output(d, *r);
      out["Location"] = location(d, r->key.id);
      return out;
    }
    fail("DistributionAlreadyExists",
         "The caller reference that you are using to create a distribution is associated with another distribution.");
  }
  json config = checked_distribution_config(d, sent);
  const std::string id = aws_id("E", 14);
  json doc = {{"Id", id},
              {"ARN", "arn:aws:cloudfront::" + c.account + ":distribution/" + id},
              {"Status", "InProgress"},
              {"LastModifiedTime", now_seconds(*tx)},
              {"InProgressInvalidationBatches", 0},
              {"DomainName", ascii_lower(id) + kEdgeDomainSuffix},
              {"ActiveTrustedSigners", {{"Enabled", false}, {"Quantity", 0}}},
              {"ActiveTrustedKeyGroups", {{"Enabled", false}, {"Quantity", 0}}},
              {"DistributionConfig", config}};
  json internal = {{"etag", aws_id("E", 14)}, {"sent_config", sent}, {"tags", tags.value("Items", json::array())}};
  const Record& r = tx->create(distribution_key(id), doc, internal);
  json out = distribution_output(d, r);
  out["Location"] = location(d, id);
  tx->schedule(r.key, "Deployed");  // CloudFront's propagation, --state-delay long
  tx->commit();
  spdlog::info("cloudfront: distribution {} created, served at http://{}:{}/", id, doc["DomainName"].get<std::string>(),
               d.config().port);
  return out;
}

// If-Match must name the distribution's current ETag.
void check_if_match(const json& in, const Record& r) {
  const std::string if_match = in.value("IfMatch", "");
  if (if_match.empty()) fail("InvalidIfMatchVersion", "The If-Match version is missing or not valid for the resource.");
  if (if_match != r.internal["etag"])
    fail("PreconditionFailed", "The precondition given in one or more of the request-header fields evaluated to false.");
}

}  // namespace

void add_distribution_operations(api::OperationTable& t, Domain& d) {
  t["CreateDistribution"] = [&d](const CallContext& c, const json& in) {
    return create_distribution(d, c, in.at("DistributionConfig"), json::object());
  };
  t["CreateDistributionWithTags"] = [&d](const CallContext& c, const json& in) {
    const json& with_tags = in.at("DistributionConfigWithTags");
    return create_distribution(d, c, with_tags.at("DistributionConfig"), with_tags.value("Tags", json::object()));
  };
  t["GetDistribution"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    return distribution_output(d, require_distribution(d, in.at("Id")));
  };
  t["GetDistributionConfig"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    const Record& r = require_distribution(d, in.at("Id"));
    return json{{"DistributionConfig", r.doc["DistributionConfig"]}, {"ETag", r.internal["etag"]}};
  };
  t["UpdateDistribution"] = [&d](const CallContext&, const json& in) {
    const std::string id = in.at("Id");
    auto tx = d.write();
    check_if_match(in, require_distribution(d, id));
    const json& sent = in.at("DistributionConfig");
    if (sent["CallerReference"] != tx->find(distribution_key(id))->doc["DistributionConfig"]["CallerReference"])
      fail("IllegalUpdate", "The CallerReference of a distribution cannot be changed.");
    json config = checked_distribution_config(d, sent, id);
    Record& r = tx->modify(distribution_key(id));
    r.doc["DistributionConfig"] = config;
    r.doc["Status"] = "InProgress";
    r.doc["LastModifiedTime"] = now_seconds(*tx);
    r.internal["etag"] = aws_id("E", 14);
    json out = distribution_output(d, r);
    tx->schedule(r.key, "Deployed");
    tx->commit();
    return out;
  };
  // Only a disabled distribution whose change has deployed can go.
  // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/HowToDeleteDistribution.html
  t["DeleteDistribution"] = [&d](const CallContext&, const json& in) {
    const std::string id = in.at("Id");
    auto tx = d.write();
    const Record& r = require_distribution(d, id);
    check_if_match(in, r);
    if (r.doc["DistributionConfig"].value("Enabled", true) || r.doc["Status"] != "Deployed")
      fail("DistributionNotDisabled", "The distribution you are trying to delete has not been disabled.");
    for (const Record* inv : d.list(kInvalidation, kGlobal))
      if (inv->key.id.rfind(id + "/", 0) == 0) tx->remove(inv->key);
    tx->remove(distribution_key(id));
    tx->commit();
    spdlog::info("cloudfront: distribution {} deleted", id);
    return json::object();
  };
  t["ListDistributions"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    std::vector<json> summaries;
    for (const Record* r : d.list(kDistribution, kGlobal)) summaries.push_back(summary_of(*r));
    return json{{"DistributionList", marker_page(summaries, in)}};
  };
}

api::OperationTable operations(Domain& d) {
  // Propagation and invalidation finish on the domain's clock; the default hook would set "State".
  auto set_status = [](Tx& tx, const Key& key, const std::string& to) {
    if (tx.find(key)) tx.modify(key).doc["Status"] = to;
  };
  d.on_transition(kDistribution, set_status);
  d.on_transition(kInvalidation, set_status);
  api::OperationTable t;
  add_distribution_operations(t, d);
  add_invalidation_operations(t, d);
  add_tag_operations(t, d);
  return t;
}

}  // namespace mediaemu::cloudfront
