// The checks CloudFront makes on a DistributionConfig before it accepts one, and the defaults it
// fills in (GetDistributionConfig returns them, so an update round-trips).
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-web-values-specify.html
#include <algorithm>
#include <cctype>
#include <set>

#include "emulator/cloudfront/cloudfront.hpp"
#include "emulator/cloudfront/forwarding.hpp"

namespace mediaemu::cloudfront {
namespace {

// Every list in CloudFront's XML comes with its Quantity, which must say how many Items follow.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/CommonErrors.html (InconsistentQuantities)
void check_quantities(const json& value) {
  if (value.is_array()) {
    for (const auto& item : value) check_quantities(item);
    return;
  }
  if (!value.is_object()) return;
  if (auto q = value.find("Quantity"); q != value.end() && q->is_number_integer()) {
    size_t items = value.contains("Items") ? value["Items"].size() : 0;
    if (q->get<int64_t>() < 0 || static_cast<size_t>(q->get<int64_t>()) != items)
      fail("InconsistentQuantities", "The value of Quantity and the size of Items don't match.");
  }
  for (const auto& [name, member] : value.items()) check_quantities(member);
}

std::set<std::string> method_set(const json& methods) {
  std::set<std::string> out;
  for (const auto& m : methods.value("Items", json::array())) out.insert(m.get<std::string>());
  return out;
}

// AllowedMethods is one of three sets, CachedMethods one of two, within the allowed ones.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_AllowedMethods.html
void check_methods(const json& behavior) {
  if (!behavior.contains("AllowedMethods")) return;
  const json& allowed = behavior["AllowedMethods"];
  const std::set<std::string> read{"GET", "HEAD"}, read_options{"GET", "HEAD", "OPTIONS"},
      all{"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"};
  std::set<std::string> methods = method_set(allowed);
  if (methods != read && methods != read_options && methods != all)
    fail("InvalidArgument", "AllowedMethods must be GET and HEAD; GET, HEAD and OPTIONS; or all seven methods.");
  if (allowed.contains("CachedMethods")) {
    std::set<std::string> cached = method_set(allowed["CachedMethods"]);
    if ((cached != read && cached != read_options) || !std::includes(methods.begin(), methods.end(), cached.begin(), cached.end()))
      fail("InvalidArgument", "CachedMethods must be GET and HEAD, or GET, HEAD and OPTIONS, and allowed methods.");
  }
}

void check_behavior(const json& behavior, const std::set<std::string>& targets) {
  if (!targets.count(behavior.value("TargetOriginId", "")))
    fail("NoSuchOrigin", "One or more of your origins or origin groups do not exist.");
  check_methods(behavior);
  const std::string cache_policy = behavior.value("CachePolicyId", "");
  if (cache_policy.empty() && !behavior.contains("ForwardedValues"))
    fail("InvalidArgument", "The parameter ForwardedValues is required.");
  if (!cache_policy.empty() && !is_managed_cache_policy(cache_policy))
    fail("NoSuchCachePolicy", "The cache policy does not exist.");
  const std::string request_policy = behavior.value("OriginRequestPolicyId", "");
  if (!request_policy.empty() && !is_managed_origin_request_policy(request_policy))
    fail("NoSuchOriginRequestPolicy", "The origin request policy does not exist.");
}

void check_origin(const json& origin) {
  if (origin.value("DomainName", "").empty()) fail("InvalidArgument", "The parameter origin name cannot be null or empty.");
  const std::string path = origin.value("OriginPath", "");
  if (!path.empty() && (path.front() != '/' || path.back() == '/'))
    fail("InvalidArgument", "The parameter origin path must begin with a slash and must not end with one.");
  int kinds = origin.contains("S3OriginConfig") + origin.contains("CustomOriginConfig") + origin.contains("VpcOriginConfig");
  if (kinds != 1) fail("InvalidOrigin", "The specified origin server does not exist or is not valid.");
}

// The statuses CloudFront lets a CustomErrorResponse catch, and answer with.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/GeneratingCustomErrorResponses.html
void check_custom_error_response(const json& custom) {
  static const std::set<int> errors{400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504};
  if (!errors.count(custom.value("ErrorCode", 0))) fail("InvalidErrorCode", "The specified ErrorCode is not valid.");
  const std::string page = custom.value("ResponsePagePath", "");
  if (!page.empty() && page.front() != '/')
    fail("InvalidRelativePath", "The relative path is too big, is not URL-encoded, or does not begin with a slash (/).");
  const std::string code = custom.value("ResponseCode", "");
  if (code.empty()) return;
  if (page.empty()) fail("InvalidResponseCode", "A ResponseCode needs a ResponsePagePath.");
  auto digit = [](unsigned char c) { return std::isdigit(c) != 0; };
  bool number = code.size() == 3 && std::all_of(code.begin(), code.end(), digit);
  if (code != "200" && !(number && errors.count(std::stoi(code))))
    fail("InvalidResponseCode", "The specified ResponseCode is not valid.");
}

// Origin and behaviour members CloudFront fills in when they are left out.
void fill_origin_defaults(json& origin) {
  if (!origin.contains("OriginPath")) origin["OriginPath"] = "";
  if (!origin.contains("CustomHeaders")) origin["CustomHeaders"] = {{"Quantity", 0}};
  if (!origin.contains("ConnectionAttempts")) origin["ConnectionAttempts"] = 3;
  if (!origin.contains("ConnectionTimeout")) origin["ConnectionTimeout"] = 10;
  if (!origin.contains("OriginShield")) origin["OriginShield"] = {{"Enabled", false}};
  if (!origin.contains("OriginAccessControlId")) origin["OriginAccessControlId"] = "";
  if (origin.contains("CustomOriginConfig")) {
    json& custom = origin["CustomOriginConfig"];
    if (!custom.contains("OriginSslProtocols"))
      custom["OriginSslProtocols"] = {{"Quantity", 1}, {"Items", json::array({"TLSv1.2"})}};
    if (!custom.contains("OriginReadTimeout")) custom["OriginReadTimeout"] = 30;
    if (!custom.contains("OriginKeepaliveTimeout")) custom["OriginKeepaliveTimeout"] = 5;
  }
}

void fill_behavior_defaults(json& behavior) {
  const json read = json::array({"HEAD", "GET"});
  if (!behavior.contains("TrustedSigners")) behavior["TrustedSigners"] = {{"Enabled", false}, {"Quantity", 0}};
  if (!behavior.contains("TrustedKeyGroups")) behavior["TrustedKeyGroups"] = {{"Enabled", false}, {"Quantity", 0}};
  if (!behavior.contains("AllowedMethods"))
    behavior["AllowedMethods"] = {{"Quantity", 2}, {"Items", read}, {"CachedMethods", {{"Quantity", 2}, {"Items", read}}}};
  if (!behavior["AllowedMethods"].contains("CachedMethods"))
    behavior["AllowedMethods"]["CachedMethods"] = {{"Quantity", 2}, {"Items", read}};
  if (!behavior.contains("SmoothStreaming")) behavior["SmoothStreaming"] = false;
  if (!behavior.contains("Compress")) behavior["Compress"] = false;
  if (!behavior.contains("LambdaFunctionAssociations")) behavior["LambdaFunctionAssociations"] = {{"Quantity", 0}};
  if (!behavior.contains("FunctionAssociations")) behavior["FunctionAssociations"] = {{"Quantity", 0}};
  if (!behavior.contains("FieldLevelEncryptionId")) behavior["FieldLevelEncryptionId"] = "";
  if (behavior.contains("ForwardedValues")) {  // the legacy TTLs apply only without a cache policy
    if (!behavior.contains("MinTTL")) behavior["MinTTL"] = 0;
    if (!behavior.contains("DefaultTTL")) behavior["DefaultTTL"] = 86400;
    if (!behavior.contains("MaxTTL")) behavior["MaxTTL"] = 31536000;
  }
}

void fill_defaults(json& config) {
  for (const char* list : {"Aliases", "OriginGroups", "CacheBehaviors", "CustomErrorResponses"})
    if (!config.contains(list)) config[list] = {{"Quantity", 0}};
  if (!config.contains("DefaultRootObject")) config["DefaultRootObject"] = "";
  if (!config.contains("Logging"))
    config["Logging"] = {{"Enabled", false}, {"IncludeCookies", false}, {"Bucket", ""}, {"Prefix", ""}};
  if (!config.contains("PriceClass")) config["PriceClass"] = "PriceClass_All";
  if (!config.contains("ViewerCertificate"))
    config["ViewerCertificate"] = {{"CloudFrontDefaultCertificate", true}, {"SSLSupportMethod", "vip"},
                                   {"MinimumProtocolVersion", "TLSv1"}, {"CertificateSource", "cloudfront"}};
  if (!config.contains("Restrictions"))
    config["Restrictions"] = {{"GeoRestriction", {{"RestrictionType", "none"}, {"Quantity", 0}}}};
  if (!config.contains("WebACLId")) config["WebACLId"] = "";
  if (!config.contains("HttpVersion")) config["HttpVersion"] = "http2";
  if (!config.contains("IsIPV6Enabled")) config["IsIPV6Enabled"] = false;
  if (!config.contains("Staging")) config["Staging"] = false;
  for (json& origin : config["Origins"]["Items"]) fill_origin_defaults(origin);
  fill_behavior_defaults(config["DefaultCacheBehavior"]);
  if (config["CacheBehaviors"].contains("Items"))
    for (json& behavior : config["CacheBehaviors"]["Items"]) fill_behavior_defaults(behavior);
}

// An alternate domain name belongs to one distribution at a time.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html
void check_aliases(const Domain& d, const json& config, const std::string& updating_id) {
  for (const auto& alias : config.value("Aliases", json::object()).value("Items", json::array())) {
    for (const Record* other : d.list(kDistribution, kGlobal)) {
      if (other->key.id == updating_id) continue;
      const json& items = other->doc["DistributionConfig"]["Aliases"].value("Items", json::array());
      if (std::find(items.begin(), items.end(), alias) != items.end())
        fail("CNAMEAlreadyExists", "One or more of the CNAMEs you provided are already associated with a different resource.");
    }
  }
}

}  // namespace

json checked_distribution_config(const Domain& d, const json& sent, const std::string& updating_id) {
  json config = sent;
  check_quantities(config);
  const json& origins = config["Origins"].value("Items", json::array());
  if (origins.empty()) fail("InvalidArgument", "The parameter Origins must contain at least one origin.");
  std::set<std::string> targets;
  for (const auto& origin : origins) {
    check_origin(origin);
    if (!targets.insert(origin["Id"].get<std::string>()).second)
      fail("InvalidArgument", "The parameter Origin Id must be unique.");
  }
  for (const auto& group : config.value("OriginGroups", json::object()).value("Items", json::array()))
    targets.insert(group.value("Id", ""));
  check_behavior(config["DefaultCacheBehavior"], targets);
  for (const auto& behavior : config.value("CacheBehaviors", json::object()).value("Items", json::array()))
    check_behavior(behavior, targets);
  for (const auto& custom : config.value("CustomErrorResponses", json::object()).value("Items", json::array()))
    check_custom_error_response(custom);
  const std::string root = config.value("DefaultRootObject", "");
  if (!root.empty() && root.front() == '/')
    fail("InvalidDefaultRootObject", "The specified default root object is invalid: it must not begin with a slash.");
  check_aliases(d, config, updating_id);
  fill_defaults(config);
  return config;
}

}  // namespace mediaemu::cloudfront
