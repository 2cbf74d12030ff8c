// AWS::S3::Bucket, ::BucketPolicy, AWS::ECR::Repository, AWS::SSM::Parameter and
// AWS::SecretsManager::Secret. S3's CloudFormation properties are shaped differently from its API
// (CorsConfiguration.CorsRules[].MaxAge vs CORSRules[].MaxAgeSeconds, ExpirationInDays vs
// Expiration.Days): each is translated here; a bucket property mediaemu does not translate fails
// the resource naming it, instead of being dropped.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3-bucket.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecr-repository.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ssm-parameter.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-secretsmanager-secret.html
#include <cctype>

#include "api/errors.hpp"
#include "emulator/cloudformation/intrinsics.hpp"
#include "emulator/cloudformation/providers/provider.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::cloudformation {
namespace {

[[noreturn]] void unsupported(const std::string& type, const std::string& property) {
  throw api::ApiError(api::ErrorKind::NotImplemented,
                      "mediaemu's " + type + " provider does not support the property " + property + " yet");
}

json renamed(const json& from, std::initializer_list<std::pair<const char*, const char*>> names) {
  json out = json::object();
  for (auto [cfn, api] : names)
    if (from.contains(cfn)) out[api] = from[cfn];
  return out;
}

json lifecycle_rule(const json& r) {
  json out = renamed(r, {{"Id", "ID"}, {"Status", "Status"}, {"Prefix", "Prefix"},
                         {"AbortIncompleteMultipartUpload", "AbortIncompleteMultipartUpload"}});
  if (r.contains("ExpirationInDays")) out["Expiration"]["Days"] = r["ExpirationInDays"];
  if (r.contains("ExpirationDate")) out["Expiration"]["Date"] = r["ExpirationDate"];
  if (r.contains("ExpiredObjectDeleteMarker")) out["Expiration"]["ExpiredObjectDeleteMarker"] = r["ExpiredObjectDeleteMarker"];
  if (r.contains("NoncurrentVersionExpirationInDays"))
    out["NoncurrentVersionExpiration"]["NoncurrentDays"] = r["NoncurrentVersionExpirationInDays"];
  if (r.contains("NoncurrentVersionExpiration"))
    out["NoncurrentVersionExpiration"] = renamed(r["NoncurrentVersionExpiration"],
                                                 {{"NoncurrentDays", "NoncurrentDays"}, {"NewerNoncurrentVersions", "NewerNoncurrentVersions"}});
  for (const auto& t : r.value("Transitions", json::array()))
    out["Transitions"].push_back(renamed(t, {{"StorageClass", "StorageClass"}, {"TransitionInDays", "Days"}, {"TransitionDate", "Date"}}));
  if (!out.contains("Prefix") && !r.contains("TagFilters")) out["Filter"] = {{"Prefix", ""}};
  return out;
}

// Applies one bucket configuration property through its S3 operation.
void configure_bucket(ProviderContext& ctx, const std::string& bucket, const std::string& property, const json& v) {
  if (property == "VersioningConfiguration") {
    ctx.invoke("s3", "PutBucketVersioning", {{"Bucket", bucket}, {"VersioningConfiguration", {{"Status", v.value("Status", "Suspended")}}}});
  } else if (property == "Tags") {
    ctx.invoke("s3", "PutBucketTagging", {{"Bucket", bucket}, {"Tagging", {{"TagSet", v}}}});
  } else if (property == "WebsiteConfiguration") {
    json w = json::object();
    if (v.contains("IndexDocument")) w["IndexDocument"] = {{"Suffix", v["IndexDocument"]}};
    if (v.contains("ErrorDocument")) w["ErrorDocument"] = {{"Key", v["ErrorDocument"]}};
    if (v.contains("RedirectAllRequestsTo")) w["RedirectAllRequestsTo"] = v["RedirectAllRequestsTo"];
    if (v.contains("RoutingRules")) unsupported("AWS::S3::Bucket", "WebsiteConfiguration.RoutingRules");
    ctx.invoke("s3", "PutBucketWebsite", {{"Bucket", bucket}, {"WebsiteConfiguration", w}});
  } else if (property == "CorsConfiguration") {
    json rules = json::array();
    for (const auto& r : v.value("CorsRules", json::array()))
      rules.push_back(renamed(r, {{"Id", "ID"}, {"AllowedHeaders", "AllowedHeaders"}, {"AllowedMethods", "AllowedMethods"},
                                  {"AllowedOrigins", "AllowedOrigins"}, {"ExposedHeaders", "ExposeHeaders"}, {"MaxAge", "MaxAgeSeconds"}}));
    ctx.invoke("s3", "PutBucketCors", {{"Bucket", bucket}, {"CORSConfiguration", {{"CORSRules", rules}}}});
  } else if (property == "LifecycleConfiguration") {
    json rules = json::array();
    for (const auto& r : v.value("Rules", json::array())) rules.push_back(lifecycle_rule(r));
    ctx.invoke("s3", "PutBucketLifecycleConfiguration", {{"Bucket", bucket}, {"LifecycleConfiguration", {{"Rules", rules}}}});
  } else if (property == "BucketEncryption") {
    json rules = json::array();
    for (const auto& r : v.value("ServerSideEncryptionConfiguration", json::array())) {
      json rule = renamed(r, {{"BucketKeyEnabled", "BucketKeyEnabled"}});
      if (r.contains("ServerSideEncryptionByDefault")) rule["ApplyServerSideEncryptionByDefault"] = r["ServerSideEncryptionByDefault"];
      rules.push_back(rule);
    }
    ctx.invoke("s3", "PutBucketEncryption", {{"Bucket", bucket}, {"ServerSideEncryptionConfiguration", {{"Rules", rules}}}});
  } else if (property == "PublicAccessBlockConfiguration") {
    ctx.invoke("s3", "PutPublicAccessBlock", {{"Bucket", bucket}, {"PublicAccessBlockConfiguration", v}});
  } else if (property == "OwnershipControls") {
    ctx.invoke("s3", "PutBucketOwnershipControls", {{"Bucket", bucket}, {"OwnershipControls", v}});
  } else if (property == "AccessControl") {
    // Private is every bucket's ACL here (the owner's FULL_CONTROL grant); a canned ACL that grants
    // others something would be a setting mediaemu cannot honour.
    if (v != "Private") unsupported("AWS::S3::Bucket", "AccessControl " + as_text(v));
  } else if (property != "BucketName") {
    unsupported("AWS::S3::Bucket", property);
  }
}

Provided bucket_result(ProviderContext& ctx, const std::string& name) {
  const std::string& region = ctx.region();
  return {name,
          {{"Arn", "arn:aws:s3:::" + name},
           {"DomainName", name + ".s3.amazonaws.com"},
           {"RegionalDomainName", name + ".s3." + region + ".amazonaws.com"},
           {"DualStackDomainName", name + ".s3.dualstack." + region + ".amazonaws.com"},
           {"WebsiteURL", "http://" + name + ".s3-website-" + region + ".amazonaws.com"}}};
}

Provider bucket_provider() {
  Provider p;
  p.create_only = {"BucketName", "ObjectLockEnabled"};
  p.create = [](ProviderContext& ctx, const json& props) {
    std::string name = text(props, "BucketName");
    if (name.empty()) {
      name = ctx.generated_name(63);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    json in = {{"Bucket", name}};
    if (ctx.region() != "us-east-1") in["CreateBucketConfiguration"] = {{"LocationConstraint", ctx.region()}};
    ctx.invoke("s3", "CreateBucket", in);
    ctx.created(name);
    for (const auto& [k, v] : props.items()) configure_bucket(ctx, name, k, v);
    return bucket_result(ctx, name);
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    for (const auto& [k, v] : props.items())
      if (current.properties.value(k, json()) != v) configure_bucket(ctx, current.physical_id, k, v);
    for (const auto& [k, v] : current.properties.items()) {
      if (props.contains(k)) continue;
      if (k == "Tags") ctx.invoke("s3", "DeleteBucketTagging", {{"Bucket", current.physical_id}});
      else if (k == "WebsiteConfiguration") ctx.invoke("s3", "DeleteBucketWebsite", {{"Bucket", current.physical_id}});
      else if (k == "CorsConfiguration") ctx.invoke("s3", "DeleteBucketCors", {{"Bucket", current.physical_id}});
      else if (k == "LifecycleConfiguration") ctx.invoke("s3", "DeleteBucketLifecycle", {{"Bucket", current.physical_id}});
      else if (k == "VersioningConfiguration") configure_bucket(ctx, current.physical_id, k, {{"Status", "Suspended"}});
    }
    return bucket_result(ctx, current.physical_id);
  };
  // A bucket with objects in it is not deleted: DeleteBucket's BucketNotEmpty fails the stack's
  // deletion as on AWS.
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] { ctx.invoke("s3", "DeleteBucket", {{"Bucket", current.physical_id}}); });
  };
  return p;
}

Provider bucket_policy_provider() {
  Provider p;
  p.create = [](ProviderContext& ctx, const json& props) {
    const json& doc = props.value("PolicyDocument", json::object());
    ctx.invoke("s3", "PutBucketPolicy", {{"Bucket", text(props, "Bucket")}, {"Policy", doc.is_string() ? doc.get<std::string>() : doc.dump()}});
    return Provided{ctx.generated_name(), {}};
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    const json& doc = props.value("PolicyDocument", json::object());
    ctx.invoke("s3", "PutBucketPolicy", {{"Bucket", text(props, "Bucket")}, {"Policy", doc.is_string() ? doc.get<std::string>() : doc.dump()}});
    return Provided{current.physical_id, {}};
  };
  p.create_only = {"Bucket"};
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] { ctx.invoke("s3", "DeleteBucketPolicy", {{"Bucket", current.properties.value("Bucket", "")}}); });
  };
  return p;
}

Provider repository_provider() {
  Provider p;
  p.create_only = {"RepositoryName", "EncryptionConfiguration"};
  p.create = [](ProviderContext& ctx, const json& props) {
    std::string name = text(props, "RepositoryName");
    if (name.empty()) {
      name = ctx.generated_name(256);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    json in = {{"repositoryName", name}};
    if (props.contains("ImageTagMutability")) in["imageTagMutability"] = props["ImageTagMutability"];
    if (props.contains("ImageScanningConfiguration"))
      in["imageScanningConfiguration"] = {{"scanOnPush", props["ImageScanningConfiguration"].value("ScanOnPush", false)}};
    if (props.contains("Tags")) in["tags"] = props["Tags"];
    json repo = ctx.invoke("ecr", "CreateRepository", in).at("repository");
    ctx.created(name);
    if (props.contains("LifecyclePolicy"))
      ctx.invoke("ecr", "PutLifecyclePolicy",
                 {{"repositoryName", name}, {"lifecyclePolicyText", props["LifecyclePolicy"].value("LifecyclePolicyText", "")}});
    if (props.contains("RepositoryPolicyText")) {
      const json& policy = props["RepositoryPolicyText"];
      ctx.invoke("ecr", "SetRepositoryPolicy",
                 {{"repositoryName", name}, {"policyText", policy.is_string() ? policy.get<std::string>() : policy.dump()}});
    }
    return Provided{name, {{"Arn", repo.value("repositoryArn", "")}, {"RepositoryUri", repo.value("repositoryUri", "")}}};
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] {
      ctx.invoke("ecr", "DeleteRepository",
                 {{"repositoryName", current.physical_id}, {"force", current.properties.value("EmptyOnDelete", false)}});
    });
  };
  return p;
}

Provider parameter_provider() {
  Provider p;
  p.create_only = {"Name"};
  auto put = [](ProviderContext& ctx, const std::string& name, const json& props, bool overwrite) {
    json in = {{"Name", name}, {"Value", text(props, "Value")}, {"Type", props.value("Type", "String")}, {"Overwrite", overwrite}};
    for (const char* k : {"Description", "AllowedPattern", "Tier", "DataType"})
      if (props.contains(k)) in[k] = props[k];
    if (props.contains("Tags") && !overwrite) {
      json tags = json::array();
      for (const auto& [k, v] : props["Tags"].items()) tags.push_back({{"Key", k}, {"Value", v}});
      in["Tags"] = tags;
    }
    ctx.invoke("ssm", "PutParameter", in);
    return Provided{name, {{"Type", in["Type"]}, {"Value", in["Value"]}}};
  };
  p.create = [put](ProviderContext& ctx, const json& props) {
    // An unnamed parameter is named CFN-<logical id>-<random>, as CloudFormation names it.
    return put(ctx, props.value("Name", "CFN-" + ctx.logical_id() + "-" + random_hex(6)), props, false);
  };
  p.update = [put](ProviderContext& ctx, const StackResource& current, const json& props) {
    return put(ctx, current.physical_id, props, true);
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] { ctx.invoke("ssm", "DeleteParameter", {{"Name", current.physical_id}}); });
  };
  return p;
}

// SecretString, or GenerateSecretString: a random password, alone or as GenerateStringKey inside
// the SecretStringTemplate JSON object.
std::string secret_string(ProviderContext& ctx, const json& props) {
  if (!props.contains("GenerateSecretString")) return text(props, "SecretString");
  const json& g = props["GenerateSecretString"];
  json in = without(g, {"SecretStringTemplate", "GenerateStringKey"});
  std::string password = ctx.invoke("secretsmanager", "GetRandomPassword", in).value("RandomPassword", "");
  if (!g.contains("SecretStringTemplate")) return password;
  json doc = json::parse(g.value("SecretStringTemplate", "{}"), nullptr, false);
  if (!doc.is_object() || !g.contains("GenerateStringKey"))
    throw api::ApiError(api::ErrorKind::Validation, "ValidationError",
                        "GenerateSecretString needs a JSON object SecretStringTemplate and a GenerateStringKey");
  doc[g.value("GenerateStringKey", "")] = password;
  return doc.dump();
}

Provider secret_provider() {
  Provider p;
  p.create_only = {"Name"};
  p.create = [](ProviderContext& ctx, const json& props) {
    json in = {{"Name", props.value("Name", ctx.generated_name(256))}, {"SecretString", secret_string(ctx, props)}};
    for (const char* k : {"Description", "KmsKeyId", "Tags"})
      if (props.contains(k)) in[k] = props[k];
    json out = ctx.invoke("secretsmanager", "CreateSecret", in);
    std::string arn = out.value("ARN", "");
    return Provided{arn, {{"Id", arn}}};
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    json in = {{"SecretId", current.physical_id}};
    if (props.value("SecretString", json()) != current.properties.value("SecretString", json()) ||
        props.value("GenerateSecretString", json()) != current.properties.value("GenerateSecretString", json()))
      in["SecretString"] = secret_string(ctx, props);
    if (props.contains("Description")) in["Description"] = props["Description"];
    ctx.invoke("secretsmanager", "UpdateSecret", in);
    return Provided{current.physical_id, {{"Id", current.physical_id}}};
  };
  // CloudFormation deletes a secret without a recovery window, so the name can be reused by the
  // next stack.
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    ignore_missing([&] {
      ctx.invoke("secretsmanager", "DeleteSecret", {{"SecretId", current.physical_id}, {"ForceDeleteWithoutRecovery", true}});
    });
  };
  return p;
}

}  // namespace

void add_storage_providers(ProviderTable& t) {
  t["AWS::S3::Bucket"] = bucket_provider();
  t["AWS::S3::BucketPolicy"] = bucket_policy_provider();
  t["AWS::ECR::Repository"] = repository_provider();
  t["AWS::SSM::Parameter"] = parameter_provider();
  t["AWS::SecretsManager::Secret"] = secret_provider();
}

}  // namespace mediaemu::cloudformation
