// Invalidations and tags.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateInvalidation.html
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Invalidation.html
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_TagResource.html
//
// The edge keeps no cache (every request goes to the origin), so an invalidation has nothing to
// empty: it is recorded, InProgress, and Completed after the domain's state delay, which is what
// clients wait for.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "emulator/cloudfront/cloudfront.hpp"

namespace mediaemu::cloudfront {
namespace {

// Invalidation paths start with '/'; one batch holds at most 3,000 paths.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-invalidations
void check_batch(const json& batch) {
  const json& paths = batch.at("Paths");
  const json items = paths.value("Items", json::array());
  if (paths.value("Quantity", -1) != static_cast<int64_t>(items.size()))
    fail("InconsistentQuantities", "The value of Quantity and the size of Items don't match.");
  if (items.empty()) fail("InvalidArgument", "Your request contains no invalidation paths.");
  if (items.size() > 3000) throw api::ApiError(api::ErrorKind::Validation, "BatchTooLarge", "Invalidation batch specified is too large.");
  for (const auto& path : items) {
    const std::string p = path.get<std::string>();
    if (p.empty() || p.front() != '/') fail("InvalidArgument", "Your request contains one or more invalid invalidation paths.");
  }
}

// A distribution's invalidations, newest first, as ListInvalidations orders them.
std::vector<const Record*> invalidations_of(const Domain& d, const std::string& distribution_id) {
  std::vector<const Record*> out;
  for (const Record* r : d.list(kInvalidation, kGlobal))
    if (r->key.id.rfind(distribution_id + "/", 0) == 0) out.push_back(r);
  std::stable_sort(out.begin(), out.end(), [](const Record* a, const Record* b) {
    return a->doc["CreateTime"].get<double>() > b->doc["CreateTime"].get<double>();
  });
  return out;
}

std::string invalidation_location(const Domain& d, const std::string& distribution_id, const std::string& id) {
  return d.config().http_base() + "/2020-05-31/distribution/" + distribution_id + "/invalidation/" + id;
}

// "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE" -> its record, or NoSuchResource.
const Record& resource_by_arn(const Domain& d, const std::string& arn) {
  const std::string marker = ":distribution/";
  auto at = arn.find(marker);
  const Record* r = at == std::string::npos ? nullptr : d.find(distribution_key(arn.substr(at + marker.size())));
  if (!r || r->doc["ARN"] != arn) fail("NoSuchResource", "The specified CloudFront resource does not exist.");
  return *r;
}

}  // namespace

int invalidations_in_progress(const Domain& d, const std::string& distribution_id) {
  int n = 0;
  for (const Record* r : invalidations_of(d, distribution_id)) n += r->doc["Status"] == "InProgress";
  return n;
}

void add_invalidation_operations(api::OperationTable& t, Domain& d) {
  // The same CallerReference with the same paths answers the invalidation it created.
  t["CreateInvalidation"] = [&d](const CallContext&, const json& in) {
    const std::string distribution_id = in.at("DistributionId");
    const json& batch = in.at("InvalidationBatch");
    auto tx = d.write();
    require_distribution(d, distribution_id);
    check_batch(batch);
    for (const Record* r : invalidations_of(d, distribution_id)) {
      if (r->doc["InvalidationBatch"]["CallerReference"] != batch["CallerReference"]) continue;
      if (r->doc["InvalidationBatch"]["Paths"] != batch["Paths"])
        throw api::ApiError(api::ErrorKind::Conflict, "InvalidationBatchAlreadyExists",
                            "The CallerReference was used for an invalidation batch with other paths.", 409);
      return json{{"Invalidation", r->doc},
                  {"Location", invalidation_location(d, distribution_id, r->doc["Id"])}};
    }
    const std::string id = aws_id("I", 14);
    json doc = {{"Id", id},
                {"Status", "InProgress"},
                {"CreateTime", static_cast<double>(tx->now_ms()) / 1000.0},
                {"InvalidationBatch", batch}};
    const Record& r = tx->create(invalidation_key(distribution_id, id), doc);
    tx->schedule(r.key, "Completed");
    tx->commit();
    spdlog::info("cloudfront: invalidation {} of distribution {} ({} paths)", id, distribution_id,
                 batch["Paths"]["Quantity"].get<int>());
    return json{{"Invalidation", doc}, {"Location", invalidation_location(d, distribution_id, id)}};
  };
  t["GetInvalidation"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    const std::string distribution_id = in.at("DistributionId");
    require_distribution(d, distribution_id);
    const Record* r = d.find(invalidation_key(distribution_id, in.at("Id")));
    if (!r) fail("NoSuchInvalidation", "The specified invalidation does not exist.");
    return json{{"Invalidation", r->doc}};
  };
  t["ListInvalidations"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    const std::string distribution_id = in.at("DistributionId");
    require_distribution(d, distribution_id);
    std::vector<json> summaries;
    for (const Record* r : invalidations_of(d, distribution_id))
      summaries.push_back({{"Id", r->doc["Id"]}, {"CreateTime", r->doc["CreateTime"]}, {"Status", r->doc["Status"]}});
    return json{{"InvalidationList", marker_page(summaries, in)}};
  };
}

void add_tag_operations(api::OperationTable& t, Domain& d) {
  t["ListTagsForResource"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    const json tags = resource_by_arn(d, in.at("Resource")).internal.value("tags", json::array());
    return json{{"Tags", tags.empty() ? json::object() : json{{"Items", tags}}}};
  };
  // TagResource adds or replaces tags, UntagResource removes keys: `edit` changes the tag list.
  auto change_tags = [&d](const json& in, void (*edit)(json& tags, const json& items), const char* member) {
    auto tx = d.write();
    Record& r = tx->modify(resource_by_arn(d, in.at("Resource")).key);
    edit(r.internal["tags"], in.at(member).value("Items", json::array()));
    tx->commit();
    return json::object();
  };
  t["TagResource"] = [change_tags](const CallContext&, const json& in) { return change_tags(in, merge_tag_list, "Tags"); };
  t["UntagResource"] = [change_tags](const CallContext&, const json& in) {
    return change_tags(in, remove_tag_list, "TagKeys");
  };
}

}  // namespace mediaemu::cloudfront
