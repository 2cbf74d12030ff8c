// MediaPackage v1 harvest jobs: CreateHarvestJob, DescribeHarvestJob, ListHarvestJobs.
//
// A job extracts a live-to-VOD asset of [StartTime, EndTime) from an origin endpoint's start-over
// window into S3 (MP-UG ltov, ltov-reqmts, hj-create-basic). It is IN_PROGRESS when created and
// ends SUCCEEDED or FAILED; the Harvester's thread does the work. What is wrong whatever the time
// (a malformed or inverted window, longer than 24 hours, an endpoint without start-over) is
// refused here with 422; what depends on the time the job runs (the window left the start-over
// window, or has not ended yet) fails the job, as on AWS. Jobs cannot be deleted or changed.
#include <spdlog/spdlog.h>

#include "api/timestamps.hpp"
#include "emulator/mediapackage/harvester.hpp"
#include "emulator/mediapackage/mediapackage.hpp"

namespace mediaemu::mediapackage {
namespace {

constexpr double kMaxHarvestSeconds = 24 * 3600;  // "a maximum duration of 24 hours" (hj-create-basic)

Key harvest_key(const CallContext& ctx, const std::string& id) { return {kHarvestJob, ctx.region, id}; }

double required_time(const json& in, const char* member) {
  auto t = api::parse_timestamp(str(in, member));
  if (!t) throw api::unprocessable(std::string(member) + " '" + str(in, member) + "' is not an ISO 8601 date and time");
  return *t;
}

json create_job(Domain& domain, Harvester& harvester, const CallContext& ctx, const json& in) {
  const std::string id = str(in, "Id"), endpoint_id = str(in, "OriginEndpointId");
  check_resource_id(id, "Harvest job");
  const double start = required_time(in, "StartTime"), end = required_time(in, "EndTime");
  if (end <= start) throw api::unprocessable("EndTime must be later than StartTime");
  if (end - start > kMaxHarvestSeconds) throw api::unprocessable("A harvest job can cover at most 24 hours");
  const json& destination = in["S3Destination"];
  for (const char* member : {"BucketName", "ManifestKey", "RoleArn"})
    if (str(destination, member).empty()) throw api::unprocessable(std::string("S3Destination.") + member + " is empty");
  if (str(destination, "ManifestKey").back() == '/')
    throw api::unprocessable("S3Destination.ManifestKey names a folder; it must name the manifest's object");

  auto tx = domain.write();
  const Record* endpoint = tx->find(endpoint_key(ctx, endpoint_id));
  if (!endpoint) throw api::not_found("Origin endpoint " + endpoint_id + " not found in " + ctx.region);
  if (endpoint->doc.value("StartoverWindowSeconds", 0) <= 0) {
    // ltov-reqmts: "Startover must be enabled"
    throw api::unprocessable("Origin endpoint " + endpoint_id +
                             " has no start-over window (StartoverWindowSeconds 0); harvesting needs one");
  }
  if (!endpoint->doc.contains("HlsPackage") && !endpoint->doc.contains("DashPackage")) {
    // ltov-reqmts: "Your endpoint must serve either clear (unencrypted) or encrypted DASH or HLS
    // content": CMAF and MSS endpoints cannot be harvested on AWS either.
    throw api::unprocessable("Origin endpoint " + endpoint_id +
                             " is not an HLS or DASH endpoint; harvest jobs extract HLS or DASH content only");
  }
  if (endpoint->doc.contains("DashPackage") &&
      endpoint->doc["DashPackage"].value("SegmentTemplateFormat", "NUMBER_WITH_TIMELINE") == "NUMBER_WITH_DURATION") {
    // ltov-reqmts: "Your DASH endpoint must use either the Number with timeline or Time with
    // timeline segment template format."
    throw api::unprocessable("Origin endpoint " + endpoint_id +
                             " uses SegmentTemplateFormat NUMBER_WITH_DURATION; harvesting DASH needs a timeline");
  }
  if (tx->find(harvest_key(ctx, id))) {
    throw api::unprocessable("A harvest job with the ID '" + id + "' already exists in " + ctx.region);
  }
  json doc = {{"Arn", make_arn(ctx, "mediapackage", "harvest_jobs/" + id)},
              {"ChannelId", str(endpoint->doc, "ChannelId")},
              {"CreatedAt", created_at(*tx)},
              {"EndTime", str(in, "EndTime")},
              {"Id", id},
              {"OriginEndpointId", endpoint_id},
              {"S3Destination", destination},
              {"StartTime", str(in, "StartTime")},
              {"Status", "IN_PROGRESS"}};
  Record& r = tx->create(harvest_key(ctx, id), doc);
  json out = r.doc;
  tx->after_commit([&harvester, key = r.key] { harvester.submit(key); });
  tx->commit();
  spdlog::info("mediapackage: harvest job {} of endpoint {} [{}, {}) to s3://{}/{}", id, endpoint_id,
               str(in, "StartTime"), str(in, "EndTime"), str(destination, "BucketName"),
               str(destination, "ManifestKey"));
  return out;
}

json describe_job(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  return require(domain, harvest_key(ctx, str(in, "Id")), "Harvest job").doc;
}

json list_jobs(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  const std::string channel_id = str(in, "IncludeChannelId"), status = str(in, "IncludeStatus");
  std::vector<const Record*> matching;
  for (const Record* r : domain.list(kHarvestJob, ctx.region))
    if ((channel_id.empty() || str(r->doc, "ChannelId") == channel_id) &&
        (status.empty() || str(r->doc, "Status") == status))
      matching.push_back(r);
  Page page = paginate(matching, in);
  json out = {{"HarvestJobs", json::array()}};
  for (const Record* r : page.items) out["HarvestJobs"].push_back(r->doc);
  put_next_token(out, page);
  return out;
}

}  // namespace

void add_harvest_job_operations(api::OperationTable& t, Domain& d, Harvester& h) {
  t["CreateHarvestJob"] = [&d, &h](const CallContext& c, const json& in) { return create_job(d, h, c, in); };
  t["DescribeHarvestJob"] = [&d](const CallContext& c, const json& in) { return describe_job(d, c, in); };
  t["ListHarvestJobs"] = [&d](const CallContext& c, const json& in) { return list_jobs(d, c, in); };
}

}  // namespace mediaemu::mediapackage
