#include "emulator/cloudfront/forwarding.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <vector>

namespace mediaemu::cloudfront {
namespace {

using Kind = ForwardRule::Kind;

ForwardRule none() { return {}; }
ForwardRule all() { return {Kind::All, {}}; }
ForwardRule only(std::initializer_list<const char*> names) {
  ForwardRule r{Kind::Only, {}};
  for (const char* n : names) r.names.insert(n);
  return r;
}

struct ManagedPolicy {
  const char* id;
  const char* name;  // for reading this table; AWS's console name
  Forwarding forwarding;
};

// Values each managed cache policy puts in the cache key, which CloudFront also forwards.
const std::vector<ManagedPolicy>& managed_cache_policies() {
  static const std::vector<ManagedPolicy> policies = {
      {"658327ea-f89d-4fab-a63d-7e88639e58f6", "CachingOptimized", {none(), none(), none()}},
      {"4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "CachingDisabled", {none(), none(), none()}},
      {"b2884449-e4de-46a7-ac36-70bc7f1ddd6d", "CachingOptimizedForUncompressedObjects", {none(), none(), none()}},
      {"08627262-05a9-4f76-9ded-b50ca2e3a84f", "Elemental-MediaPackage",
       {only({"aws.manifestfilter", "start", "end", "m"}), only({"origin"}), none()}},
      {"2e54312d-136d-493c-8eb9-b001f22f67d2", "Amplify",
       {all(), only({"authorization", "cloudfront-viewer-country", "host"}), all()}},
      {"83da9c7e-98b4-4e11-a168-04f0df8e2c65", "UseOriginCacheControlHeaders",
       {none(), only({"host", "origin", "x-http-method-override", "x-http-method", "x-method-override"}), all()}},
      {"4cc15a8a-d715-48a4-82b8-cc0b614638fe", "UseOriginCacheControlHeaders-QueryStrings",
       {all(), only({"host", "origin", "x-http-method-override", "x-http-method", "x-method-override"}), all()}},
  };
  return policies;
}

const std::vector<ManagedPolicy>& managed_origin_request_policies() {
  static const std::vector<ManagedPolicy> policies = {
      {"216adef6-5c7f-47e4-b989-5492eafa07d3", "AllViewer", {all(), all(), all()}},
      {"33f36d7e-f396-46d9-90e0-52428a34d9dc", "AllViewerAndCloudFrontHeaders-2022-06", {all(), all(), all()}},
      {"b689b0a8-53d0-40ab-baf2-68738e2966ac", "AllViewerExceptHostHeader",
       {all(), ForwardRule{Kind::AllExcept, {"host"}}, all()}},
      {"59781a5b-3903-41f3-afcb-af62929ccde1", "CORS-CustomOrigin", {none(), only({"origin"}), none()}},
      {"88a5eaf4-2fd4-4709-b370-b4c650ea3fcf", "CORS-S3Origin",
       {none(), only({"origin", "access-control-request-headers", "access-control-request-method"}), none()}},
      {"775133bc-15f2-49f9-abea-afb2e0bf67d2", "Elemental-MediaTailor-PersonalizedManifests",
       {all(),
        only({"origin", "access-control-request-headers", "access-control-request-method", "user-agent",
              "x-forwarded-for"}),
        none()}},
      {"acba4595-bd28-49b8-b9fe-13317c0390fa", "UserAgentRefererHeaders", {none(), only({"user-agent", "referer"}), none()}},
  };
  return policies;
}

const ManagedPolicy* find_policy(const std::vector<ManagedPolicy>& policies, const std::string& id) {
  auto it = std::find_if(policies.begin(), policies.end(), [&](const ManagedPolicy& p) { return id == p.id; });
  return it == policies.end() ? nullptr : &*it;
}

// ForwardedValues (legacy): QueryString true forwards every query string (QueryStringCacheKeys
// only narrows the cache key); Headers lists names, "*" for all; Cookies.Forward none/all/whitelist.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ForwardedValues.html
Forwarding legacy_forwarding(const json& forwarded) {
  Forwarding f;
  if (forwarded.value("QueryString", false)) f.query_strings = all();
  for (const auto& name : forwarded.value("Headers", json::object()).value("Items", json::array())) {
    std::string n = ascii_lower(name.get<std::string>());
    if (n == "*") {
      f.headers = all();
      break;
    }
    f.headers.kind = Kind::Only;
    f.headers.names.insert(n);
  }
  const json cookies = forwarded.value("Cookies", json::object());
  const std::string forward = cookies.value("Forward", "none");
  if (forward == "all") f.cookies = all();
  if (forward == "whitelist") {
    f.cookies.kind = Kind::Only;
    for (const auto& name : cookies.value("WhitelistedNames", json::object()).value("Items", json::array()))
      f.cookies.names.insert(name.get<std::string>());
  }
  return f;
}

}  // namespace

std::string ascii_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool ForwardRule::forwards(const std::string& name) const {
  switch (kind) {
    case Kind::None: return false;
    case Kind::All: return true;
    case Kind::Only: return names.count(name) > 0;
    case Kind::AllExcept: return names.count(name) == 0;
  }
  return false;
}

ForwardRule ForwardRule::merged(const ForwardRule& other) const {
  if (kind == Kind::All || other.kind == Kind::None) return *this;
  if (other.kind == Kind::All || kind == Kind::None) return other;
  ForwardRule out = *this;
  if (kind == Kind::Only && other.kind == Kind::Only) {
    out.names.insert(other.names.begin(), other.names.end());
    return out;
  }
  // At least one "all except": what either forwards, i.e. all but the names both leave out.
  const ForwardRule& except = kind == Kind::AllExcept ? *this : other;
  const ForwardRule& rest = kind == Kind::AllExcept ? other : *this;
  out = {Kind::AllExcept, {}};
  for (const auto& n : except.names)
    if (!rest.forwards(n)) out.names.insert(n);
  return out;
}

bool is_managed_cache_policy(const std::string& id) { return find_policy(managed_cache_policies(), id) != nullptr; }
bool is_managed_origin_request_policy(const std::string& id) {
  return find_policy(managed_origin_request_policies(), id) != nullptr;
}

Forwarding forwarding_of(const json& behavior) {
  const std::string cache_policy = behavior.value("CachePolicyId", "");
  if (cache_policy.empty()) return legacy_forwarding(behavior.value("ForwardedValues", json::object()));
  Forwarding f;
  if (const ManagedPolicy* p = find_policy(managed_cache_policies(), cache_policy)) f = p->forwarding;
  if (const ManagedPolicy* p = find_policy(managed_origin_request_policies(), behavior.value("OriginRequestPolicyId", ""))) {
    f.query_strings = f.query_strings.merged(p->forwarding.query_strings);
    f.headers = f.headers.merged(p->forwarding.headers);
    f.cookies = f.cookies.merged(p->forwarding.cookies);
  }
  return f;
}

}  // namespace mediaemu::cloudfront
