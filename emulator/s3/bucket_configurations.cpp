// Bucket configurations that are stored and returned as given: versioning (which objects.cpp
// applies through versions.hpp), lifecycle, policy, website, CORS, tagging, default encryption,
// public access block and object ownership. Each Get of an absent one answers S3's own 404 code,
// or what S3 answers for a bucket that never set it.
// Encryption and public access settings are kept and reported, not applied: objects are files
// under the data dir, and nothing here is public or private.
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
#include "emulator/s3/s3.hpp"

namespace mediaemu::s3 {
namespace {

struct Configuration {
  const char* name;          // "Lifecycle": PutBucketLifecycleConfiguration, ...
  const char* put, *get, *del;
  const char* input_member;  // the member holding it in the Put input
  const char* missing_code;  // Get when absent; nullptr: `absent` (versioning: empty)
  const char* missing_message;
  const char* absent = "{}";  // Get's answer when absent and there is no missing_code (JSON)
};

const Configuration kConfigurations[] = {
    {"Versioning", "PutBucketVersioning", "GetBucketVersioning", nullptr, "VersioningConfiguration", nullptr, ""},
    {"Lifecycle", "PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration", "DeleteBucketLifecycle",
     "LifecycleConfiguration", "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"},
    {"Policy", "PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy", "Policy", "NoSuchBucketPolicy",
     "The bucket policy does not exist"},
    {"Website", "PutBucketWebsite", "GetBucketWebsite", "DeleteBucketWebsite", "WebsiteConfiguration",
     "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"},
    {"Cors", "PutBucketCors", "GetBucketCors", "DeleteBucketCors", "CORSConfiguration", "NoSuchCORSConfiguration",
     "The CORS configuration does not exist"},
    {"Tagging", "PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging", "Tagging", "NoSuchTagSet",
     "The TagSet does not exist"},
    // Since January 2023 every bucket encrypts new objects with SSE-S3 (AES256) unless configured
    // otherwise, and GetBucketEncryption reports that rule.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html
    {"Encryption", "PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption",
     "ServerSideEncryptionConfiguration", nullptr, "",
     R"({"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault":
        {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": false}]}})"},
    {"PublicAccessBlock", "PutPublicAccessBlock", "GetPublicAccessBlock", "DeletePublicAccessBlock",
     "PublicAccessBlockConfiguration", "NoSuchPublicAccessBlockConfiguration",
     "The public access block configuration was not found"},
    {"OwnershipControls", "PutBucketOwnershipControls", "GetBucketOwnershipControls", "DeleteBucketOwnershipControls",
     "OwnershipControls", "OwnershipControlsNotFoundError", "The bucket ownership controls were not found"},
};

// S3's default since September 2024 when a PutBucketLifecycleConfiguration names none: objects
// under 128 KB transition to no storage class. Get and Put answer it in a header.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
constexpr const char* kDefaultTransitionMinimumSize = "all_storage_classes_128K";

// What Put stores for the configuration (checked the way S3 checks it), as Get will return it.
json stored_form(const Configuration& c, const json& in) {
  const json& given = in[c.input_member];
  if (std::string(c.name) == "Policy") {
    // A policy must at least be a JSON document (S3: MalformedPolicy, 400).
    const std::string text = given.get<std::string>();
    if (!json::accept(text)) throw s3_error("MalformedPolicy", "Policies must be valid JSON", 400);
    return json{{"Policy", text}};
  }
  if (std::string(c.name) == "Website") {
    if (!given.contains("IndexDocument") && !given.contains("RedirectAllRequestsTo"))
      throw s3_error("InvalidArgument", "A website configuration must have an IndexDocument or RedirectAllRequestsTo", 400);
    std::string suffix = given.value("IndexDocument", json::object()).value("Suffix", "x");
    if (suffix.empty() || suffix.find('/') != std::string::npos)
      throw s3_error("InvalidArgument", "The IndexDocument Suffix must not be empty or contain '/'", 400);
  }
  if (std::string(c.name) == "Lifecycle") {
    json stored = given;
    stored["TransitionDefaultMinimumObjectSize"] =
        in.value("TransitionDefaultMinimumObjectSize", kDefaultTransitionMinimumSize);
    return stored;
  }
  return given;
}

// What Get answers for a stored configuration: the configurations whose Get output names its
// own member (encryption, public access block, ownership) get that member around it.
json wrapped(const Configuration& c, const json& stored) {
  for (const char* name : {"Encryption", "PublicAccessBlock", "OwnershipControls"})
    if (std::string(c.name) == name) return json{{c.input_member, stored}};
  return stored;
}

// What Put answers: nothing, except the lifecycle's transition default (a header).
json put_output(const Configuration& c, const json& stored) {
  if (std::string(c.name) != "Lifecycle") return json::object();
  return json{{"TransitionDefaultMinimumObjectSize", stored["TransitionDefaultMinimumObjectSize"]}};
}

}  // namespace

void add_bucket_configuration_operations(api::OperationTable& t, S3Service& s3) {
  for (const Configuration& c : kConfigurations) {
    t[c.put] = [&s3, &c](const CallContext&, const json& in) {
      const std::string bucket = in.at("Bucket").get<std::string>();
      if (!in.contains(c.input_member))
        throw s3_error("MissingRequestBodyError", std::string("Request Body is empty: ") + c.input_member, 400);
      json value = stored_form(c, in);
      json out = put_output(c, value);
      auto tx = s3.domain.write();
      if (!tx->find(bucket_key(bucket))) require_bucket(s3.domain, bucket);
      tx->modify(bucket_key(bucket)).doc[c.name] = std::move(value);
      tx->commit();
      return out;
    };
    t[c.get] = [&s3, &c](const CallContext&, const json& in) {
      auto lock = s3.domain.read();
      const Record& r = require_bucket(s3.domain, in.at("Bucket").get<std::string>());
      auto it = r.doc.find(c.name);
      if (it != r.doc.end()) return wrapped(c, *it);
      if (!c.missing_code) return json::parse(c.absent);
      throw s3_error(c.missing_code, c.missing_message, 404);
    };
    if (c.del) {
      t[c.del] = [&s3, &c](const CallContext&, const json& in) {
        const std::string bucket = in.at("Bucket").get<std::string>();
        auto tx = s3.domain.write();
        if (!tx->find(bucket_key(bucket))) require_bucket(s3.domain, bucket);
        tx->modify(bucket_key(bucket)).doc.erase(c.name);
        tx->commit();
        return json::object();
      };
    }
  }
}

}  // namespace mediaemu::s3
