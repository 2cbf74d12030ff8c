#include "emulator/mediapackage/harvester.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "api/time_shift.hpp"
#include "api/timestamps.hpp"
#include "emulator/mediapackage/harvest_package.hpp"
#include "emulator/mediapackage/mediapackage.hpp"
#include "emulator/s3/object_store.hpp"
#include "emulator/s3/s3.hpp"

namespace mediaemu::mediapackage {
namespace {

double wall_clock_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// Why the job's window cannot be harvested now, from the endpoint's start-over window (MP-UG
// ltov-reqmts: "Your harvest job must fall within your MediaPackage endpoint's startover
// window"; the window is in the past). "" when it can.
std::string window_problem(double start, double end, int startover_seconds) {
  api::TimeShift shift;
  shift.start = start;
  shift.end = end;
  const auto window = api::decide_window(shift, wall_clock_now(), startover_seconds);
  switch (window.kind) {
    case api::ShiftWindow::Kind::Live: return "the harvest window starts in the future";
    case api::ShiftWindow::Kind::TooLong: return "the harvest window is longer than 24 hours";
    case api::ShiftWindow::Kind::OutOfWindow:
      return "the harvest window starts before the endpoint's start-over window (" + std::to_string(startover_seconds) +
             " s)";
    case api::ShiftWindow::Kind::Window:
      return window.complete ? "" : "the harvest window ends in the future";
  }
  return "";
}

}  // namespace

Harvester::Harvester(Domain& domain, s3::ObjectStore& objects) : domain_(domain), objects_(objects) {}

Harvester::~Harvester() { stop(); }

void Harvester::submit(const Key& job) {
  worker_.post([this, job] { run(job); });
}

void Harvester::resume() {
  std::vector<Key> pending;
  {
    auto lock = domain_.read();
    for (const Record* r : domain_.list_all(kHarvestJob))
      if (str(r->doc, "Status") == "IN_PROGRESS") pending.push_back(r->key);
  }
  for (const auto& key : pending) submit(key);
}

void Harvester::stop() {
  stopping_ = true;
  worker_.finish();  // the job under way ends; the queued ones return at once
}

void Harvester::run(const Key& job) {
  if (stopping_) return;
  try {
    harvest(job);
  } catch (const std::exception& e) {
    finish(job, std::string("internal error: ") + e.what());
  }
}

void Harvester::harvest(const Key& job) {
  HarvestRequest request;
  std::string bucket, problem;
  {
    auto lock = domain_.read();
    const Record* r = domain_.find(job);
    if (!r || str(r->doc, "Status") != "IN_PROGRESS") return;
    const json& doc = r->doc;
    bucket = str(doc["S3Destination"], "BucketName");
    request.manifest_key = str(doc["S3Destination"], "ManifestKey");
    request.start = api::parse_timestamp(str(doc, "StartTime")).value_or(0);
    request.end = api::parse_timestamp(str(doc, "EndTime")).value_or(0);
    const Record* endpoint = domain_.find({kOriginEndpoint, job.region, str(doc, "OriginEndpointId")});
    if (!endpoint) {
      problem = "origin endpoint " + str(doc, "OriginEndpointId") + " no longer exists";
    } else if (!endpoint->doc.contains("HlsPackage")) {
      problem = "mediaemu harvests HLS endpoints only; this endpoint is no longer HLS";
    } else if (!domain_.find(s3::bucket_key(bucket))) {
      problem = "bucket " + bucket + " does not exist";
    } else {
      request.endpoint_dir = domain_.config().origin_dir(endpoint_url_hash(*endpoint));
      request.master = str(endpoint->doc, "ManifestName") + ".m3u8";
      request.dates = endpoint->doc["HlsPackage"].value("ProgramDateTimeIntervalSeconds", 0) > 0;
      problem = window_problem(request.start, request.end, endpoint->doc.value("StartoverWindowSeconds", 0));
    }
  }
  if (!problem.empty()) return finish(job, problem);

  HarvestPackage package = harvest_hls(request);
  if (!package.failure.empty()) return finish(job, package.failure);
  for (const auto& object : package.objects) {
    const std::string body = object.source.empty() ? object.body : s3::read_whole_file(object.source);
    objects_.put(bucket, object.key, body, {{"ContentType", s3::content_type_for(object.key)}});
  }
  spdlog::info("mediapackage: harvest job {} wrote {} objects to s3://{}/{}", job.id, package.objects.size(), bucket,
               request.manifest_key);
  finish(job, "");
}

void Harvester::finish(const Key& job, const std::string& failure) {
  auto tx = domain_.write();
  if (!tx->find(job)) return;
  Record& r = tx->modify(job);
  r.doc["Status"] = failure.empty() ? "SUCCEEDED" : "FAILED";
  // The v1 API has no field for the reason; AWS puts it in the job's CloudWatch event. It is
  // kept with the record and logged.
  if (!failure.empty()) r.internal["failure"] = failure;
  tx->commit();
  if (!failure.empty()) spdlog::warn("mediapackage: harvest job {} in {} FAILED: {}", job.id, job.region, failure);
}

}  // namespace mediaemu::mediapackage
