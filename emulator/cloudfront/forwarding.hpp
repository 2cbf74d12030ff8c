// What a cache behaviour sends on to its origin: which query strings, viewer headers and cookies.
// A behaviour says it either the legacy way (ForwardedValues) or with a cache policy and an
// origin request policy, whose values CloudFront forwards together. mediaemu knows AWS's managed
// policies (it has no CreateCachePolicy yet, so no other policy id can exist):
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace mediaemu::cloudfront {

using json = nlohmann::json;

// One kind of value (query strings, headers or cookies): none, all, only some, all but some.
struct ForwardRule {
  enum class Kind { None, All, Only, AllExcept };
  Kind kind = Kind::None;
  std::set<std::string> names;  // header names lower-cased

  bool forwards(const std::string& name) const;
  // Both rules' values (a cache policy's and an origin request policy's).
  ForwardRule merged(const ForwardRule& other) const;
};

struct Forwarding {
  ForwardRule query_strings, headers, cookies;
};

// "Content-Type" -> "content-type": header names and host names compare case-insensitively.
std::string ascii_lower(std::string s);

bool is_managed_cache_policy(const std::string& id);
bool is_managed_origin_request_policy(const std::string& id);

// The forwarding of a DefaultCacheBehavior or CacheBehavior (model form, already checked).
Forwarding forwarding_of(const json& behavior);

}  // namespace mediaemu::cloudfront
