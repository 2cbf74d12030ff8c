// Bucket settings mediaemu has no Put for, answered as S3 answers them for a bucket on which they
// were never set, because that is what every bucket here is: the reads infrastructure tools make
// after creating a bucket (the Terraform AWS provider's aws_s3_bucket reads all of these). Their
// Puts stay 501: mediaemu would store a setting it cannot honour (replication, logging,
// acceleration, Object Lock retention, requester pays).
#include "emulator/s3/s3.hpp"

namespace mediaemu::s3 {
namespace {

struct Default {
  const char* get;           // the operation
  const char* missing_code;  // a 404 S3 answers when the setting was never made, or nullptr
  const char* message;
  json answer;               // otherwise the answer
};

const std::vector<Default>& defaults() {
  static const std::vector<Default> all = {
      // "If the transfer acceleration state has never been set on the bucket, the response does
      // not contain the status element." (API_GetBucketAccelerateConfiguration.html)
      {"GetBucketAccelerateConfiguration", nullptr, "", json::object()},
      // The bucket owner pays unless requester pays was turned on (API_GetBucketRequestPayment.html).
      {"GetBucketRequestPayment", nullptr, "", {{"Payer", "BucketOwner"}}},
      // Logging disabled: an empty BucketLoggingStatus (API_GetBucketLogging.html).
      {"GetBucketLogging", nullptr, "", json::object()},
      // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
      {"GetBucketReplication", "ReplicationConfigurationNotFoundError", "The replication configuration was not found",
       json()},
      {"GetObjectLockConfiguration", "ObjectLockConfigurationNotFoundError",
       "Object Lock configuration does not exist for this bucket", json()},
  };
  return all;
}

}  // namespace

json bucket_owner() { return {{"DisplayName", "mediaemu"}, {"ID", api::kAccountId}}; }

void add_bucket_default_operations(api::OperationTable& t, S3Service& s3) {
  for (const Default& d : defaults()) {
    t[d.get] = [&s3, &d](const CallContext&, const json& in) {
      check_bucket(s3.domain, in.at("Bucket").get<std::string>());
      if (d.missing_code) throw s3_error(d.missing_code, d.message, 404);
      return d.answer;
    };
  }
  // With ACLs disabled (Object Ownership "bucket owner enforced", the default since April 2023) a
  // bucket's ACL is the owner's FULL_CONTROL grant and nothing else.
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketAcl.html
  t["GetBucketAcl"] = [&s3](const CallContext&, const json& in) {
    check_bucket(s3.domain, in.at("Bucket").get<std::string>());
    json grantee = bucket_owner();
    grantee["Type"] = "CanonicalUser";
    return json{{"Owner", bucket_owner()},
                {"Grants", json::array({{{"Grantee", grantee}, {"Permission", "FULL_CONTROL"}}})}};
  };
}

}  // namespace mediaemu::s3
