// CreateBucket, HeadBucket, ListBuckets, DeleteBucket, GetBucketLocation.
#include "emulator/s3/s3.hpp"

namespace mediaemu::s3 {

api::ApiError s3_error(const std::string& code, const std::string& message, int status) {
  return api::ApiError(status >= 500 ? api::ErrorKind::Internal
                       : status == 404 ? api::ErrorKind::NotFound
                       : status == 409 ? api::ErrorKind::Conflict
                                       : api::ErrorKind::Validation,
                       code, message, status);
}

const Record& require_bucket(const Domain& domain, const std::string& name) {
  const Record* r = domain.find(bucket_key(name));
  if (!r) throw s3_error("NoSuchBucket", "The specified bucket does not exist: " + name, 404);
  return *r;
}

void check_bucket(Domain& domain, const std::string& name) {
  auto lock = domain.read();
  require_bucket(domain, name);
}

Versioning bucket_versioning(Domain& domain, const std::string& name) {
  auto lock = domain.read();
  std::string status = require_bucket(domain, name).doc.value("Versioning", json::object()).value("Status", "");
  return status == "Enabled" ? Versioning::Enabled : status == "Suspended" ? Versioning::Suspended : Versioning::Unversioned;
}

void check_version_id(const std::string& id) {
  if (!well_formed_version_id(id)) throw s3_error("InvalidArgument", "Invalid version id specified", 400);
}

namespace {

std::string bucket_region(const Record& r) { return r.doc.value("Region", api::kDefaultRegion); }

json create_bucket(S3Service& s3, const CallContext& ctx, const json& in) {
  const std::string name = in.at("Bucket").get<std::string>();
  if (!valid_bucket_name(name))
    throw s3_error("InvalidBucketName", "The specified bucket is not valid: " + name, 400);
  std::string location = in.value("CreateBucketConfiguration", json::object()).value("LocationConstraint", "");
  // us-east-1 takes no LocationConstraint (it is the empty one); elsewhere the request must name
  // the region it was sent to. https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
  if (location == "us-east-1")
    throw s3_error("InvalidLocationConstraint", "The specified location-constraint is not valid", 400);
  if (location.empty() && ctx.region != "us-east-1")
    throw s3_error("IllegalLocationConstraintException",
                   "The unspecified location constraint is incompatible for the region specific endpoint this "
                   "request was sent to.",
                   400);
  std::string region = location.empty() ? "us-east-1" : location;
  auto tx = s3.domain.write();
  if (const Record* existing = tx->find(bucket_key(name))) {
    // For legacy compatibility us-east-1 answers 200 to re-creating a bucket you own; every other
    // region 409 BucketAlreadyOwnedByYou (API_CreateBucket.html, Errors).
    if (ctx.region == "us-east-1" && bucket_region(*existing) == "us-east-1") return json{{"Location", "/" + name}};
    throw s3_error("BucketAlreadyOwnedByYou",
                   "Your previous request to create the named bucket succeeded and you already own it.", 409);
  }
  s3.objects.create_bucket(name);
  tx->create(bucket_key(name), json{{"Name", name},
                                    {"CreationDate", static_cast<double>(tx->now_ms() / 1000)},
                                    {"Region", region},
                                    {"BucketArn", "arn:aws:s3:::" + name}});
  tx->commit();
  return json{{"Location", "/" + name}, {"BucketArn", "arn:aws:s3:::" + name}};
}

}  // namespace

void add_bucket_operations(api::OperationTable& t, S3Service& s3) {
  t["CreateBucket"] = [&s3](const CallContext& c, const json& in) { return create_bucket(s3, c, in); };
  t["HeadBucket"] = [&s3](const CallContext&, const json& in) {
    auto lock = s3.domain.read();
    const Record& r = require_bucket(s3.domain, in.at("Bucket").get<std::string>());
    return json{{"BucketRegion", bucket_region(r)}, {"BucketArn", r.doc.value("BucketArn", "")}};
  };
  t["GetBucketLocation"] = [&s3](const CallContext&, const json& in) {
    auto lock = s3.domain.read();
    std::string region = bucket_region(require_bucket(s3.domain, in.at("Bucket").get<std::string>()));
    // us-east-1 buckets answer an empty LocationConstraint (API_GetBucketLocation.html).
    return region == "us-east-1" ? json::object() : json{{"LocationConstraint", region}};
  };
  t["ListBuckets"] = [&s3](const CallContext&, const json& in) {
    auto lock = s3.domain.read();
    json buckets = json::array();
    std::string prefix = in.value("Prefix", "");
    for (const Record* r : s3.domain.list(kBucket, kGlobal)) {
      if (r->key.id.rfind(prefix, 0) != 0) continue;
      if (in.contains("BucketRegion") && bucket_region(*r) != in["BucketRegion"]) continue;
      buckets.push_back({{"Name", r->key.id}, {"CreationDate", r->doc["CreationDate"]}, {"BucketRegion", bucket_region(*r)}});
    }
    return json{{"Buckets", buckets}, {"Owner", bucket_owner()}};
  };
  t["DeleteBucket"] = [&s3](const CallContext&, const json& in) {
    const std::string name = in.at("Bucket").get<std::string>();
    auto tx = s3.domain.write();
    if (!tx->find(bucket_key(name))) throw s3_error("NoSuchBucket", "The specified bucket does not exist: " + name, 404);
    // Noncurrent versions and delete markers count too (API_DeleteBucket.html: "All objects,
    // including all object versions and delete markers, in the bucket must be deleted").
    if (s3.objects.bucket_has_objects(name) || s3.versions.has_noncurrent(name))
      throw s3_error("BucketNotEmpty", "The bucket you tried to delete is not empty: " + name, 409);
    tx->remove(bucket_key(name));
    tx->commit();
    s3.objects.remove_bucket(name);
    s3.versions.remove_bucket(name);
    return json::object();
  };
}

}  // namespace mediaemu::s3
