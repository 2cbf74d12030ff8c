// MediaPackage v1 origin endpoints: CreateOriginEndpoint, DescribeOriginEndpoint,
// ListOriginEndpoints, UpdateOriginEndpoint, DeleteOriginEndpoint.
//
// An endpoint packages its channel's content one way (exactly one of HLS, DASH, CMAF, MSS) and
// serves it at a URL fixed for its lifetime, "<base>/out/v1/<32hex>/<ManifestName>.<ext>", whose
// 32-hex hash is also the ARN's "origin_endpoints/<32hex>" (CLI-ex list-origin-endpoints).
// The media runtime hears of every change after it is committed (MediaHooks).
#include <spdlog/spdlog.h>

#include <arpa/inet.h>

#include <cctype>

#include "emulator/media_plans.hpp"
#include "emulator/mediapackage/mediapackage.hpp"

namespace mediaemu::mediapackage {
namespace {

constexpr int kMaxStartoverSeconds = 1209600;  // 14 days (MP-UG time-shifted)
constexpr int kMaxTimeDelaySeconds = 86400;    // 24 hours (MP-UG endpoints-hls-new)

bool is_ipv4_cidr(const std::string& cidr) {
  auto slash = cidr.find('/');
  in_addr addr{};
  if (slash == std::string::npos || inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &addr) != 1) return false;
  const std::string bits = cidr.substr(slash + 1);
  if (bits.empty() || bits.size() > 2 || bits.find_first_not_of("0123456789") != std::string::npos) return false;
  return std::stoi(bits) <= 32;
}

// The whitelist is IPv4 CIDR blocks only (MP-UG endpoints-hls-access-control).
json whitelist(const json& requested) {
  for (const auto& entry : requested) {
    if (!is_ipv4_cidr(entry.get<std::string>())) {
      throw api::unprocessable("Whitelist entry '" + entry.get<std::string>() +
                               "' is not an IPv4 CIDR block such as 203.0.113.0/24");
    }
  }
  return requested;
}

// The manifest name becomes one path segment of the URL; AWS appends the extension to it.
std::string manifest_name(const json& in) {
  std::string name = in.contains("ManifestName") ? in["ManifestName"].get<std::string>() : "index";
  bool ok = !name.empty() && name != "." && name != "..";
  for (unsigned char c : name) ok &= std::isalnum(c) || c == '_' || c == '-' || c == '.';
  if (!ok) {
    throw api::unprocessable("ManifestName '" + name +
                             "' is invalid: use letters, digits, '_', '-' and '.' (it becomes part of the URL)");
  }
  return name;
}

std::string url_prefix(const Domain& domain, const std::string& hash) {
  return domain.config().http_base() + "/out/v1/" + hash;
}

// Sets every modifiable attribute. UpdateOriginEndpoint resets an attribute the request leaves
// out to its default (MediaPackage API reference, origin_endpoints-id PUT: "all modifiable
// attributes that weren't specifically included in the request will reset to default values"),
// so Create and Update share this. The package is the exception: an endpoint always has one,
// and an update without a package keeps the current one (re-derived, so its URLs follow a new
// ManifestName).
void apply_settings(Record& r, const Domain& domain, const json& in, const std::string& member,
                    const json& requested_package) {
  json& doc = r.doc;
  const std::string name = manifest_name(in);
  const int startover = int_or(in, "StartoverWindowSeconds", 0);
  const int delay = int_or(in, "TimeDelaySeconds", 0);
  check_range(in, "StartoverWindowSeconds", 0, kMaxStartoverSeconds, "OriginEndpoint");
  check_range(in, "TimeDelaySeconds", 0, kMaxTimeDelaySeconds, "OriginEndpoint");
  if (startover > 0 && delay >= startover) {
    // MP-UG endpoints-hls-new: "the time delay duration must be less than the startover window".
    throw api::unprocessable("TimeDelaySeconds (" + std::to_string(delay) +
                             ") must be less than StartoverWindowSeconds (" + std::to_string(startover) + ")");
  }
  const std::string prefix = url_prefix(domain, endpoint_url_hash(r));
  json package = live_package(member, requested_package, str(doc, "ChannelId"), name, prefix);

  doc.erase("Description");
  doc.erase("Authorization");
  copy_member(doc, in, "Description");
  copy_member(doc, in, "Authorization");
  doc["ManifestName"] = name;
  doc["Origination"] = in.value("Origination", "ALLOW");
  doc["StartoverWindowSeconds"] = startover;
  doc["TimeDelaySeconds"] = delay;
  doc["Whitelist"] = whitelist(in.value("Whitelist", json::array()));
  for (const char* p : {"HlsPackage", "DashPackage", "CmafPackage", "MssPackage"}) doc.erase(p);
  doc[member] = std::move(package);
  doc["Url"] = live_package_url(member, name, prefix);
  r.internal["packageMember"] = member;
  r.internal["requestedPackage"] = requested_package;
}

const Record& require_endpoint(const Domain& domain, const CallContext& ctx, const std::string& id) {
  return require(domain, endpoint_key(ctx, id), "Origin endpoint");
}

json create_endpoint(Domain& domain, MediaHooks& media, const CallContext& ctx, const json& in) {
  const std::string id = str(in, "Id"), channel_id = str(in, "ChannelId");
  check_resource_id(id, "Origin endpoint");
  const std::string member = only_package(in, "An origin endpoint");
  auto tx = domain.write();
  if (!tx->find(channel_key(ctx, channel_id))) {
    throw api::not_found("Channel " + channel_id + " not found in " + ctx.region +
                         "; create the channel before its origin endpoints");
  }
  if (tx->find(endpoint_key(ctx, id))) {
    throw api::unprocessable("An origin endpoint with the ID '" + id + "' already exists in " + ctx.region +
                             "; origin endpoint IDs must be unique per account and Region");
  }
  const std::string hash = random_hex(16);
  json doc = {{"Arn", make_arn(ctx, "mediapackage", "origin_endpoints/" + hash)},
              {"ChannelId", channel_id},
              {"CreatedAt", created_at(*tx)},
              {"Id", id},
              {"Tags", in.value("Tags", json::object())}};
  Record& r = tx->create(endpoint_key(ctx, id), doc, {{"urlHash", hash}});
  apply_settings(r, domain, in, member, in[member]);
  json out = r.doc;
  tx->after_commit([&media, plan = origin_endpoint_plan(domain, r)] { media.endpoint_changed(plan); });
  tx->commit();
  spdlog::info("mediapackage: created {} origin endpoint {} on channel {} in {}: {}", member, id, channel_id,
               ctx.region, member == "CmafPackage" ? out[member]["HlsManifests"].dump() : str(out, "Url"));
  return out;
}

json describe_endpoint(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  return require_endpoint(domain, ctx, str(in, "Id")).doc;
}

json list_endpoints(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  std::vector<const Record*> matching;
  const std::string channel_id = str(in, "ChannelId");
  for (const Record* r : domain.list(kOriginEndpoint, ctx.region))
    if (channel_id.empty() || str(r->doc, "ChannelId") == channel_id) matching.push_back(r);
  Page page = paginate(matching, in);
  json out = {{"OriginEndpoints", json::array()}};
  for (const Record* r : page.items) out["OriginEndpoints"].push_back(r->doc);
  put_next_token(out, page);
  return out;
}

json update_endpoint(Domain& domain, MediaHooks& media, const CallContext& ctx, const json& in) {
  const bool has_package = in.contains("HlsPackage") || in.contains("DashPackage") || in.contains("CmafPackage") ||
                           in.contains("MssPackage");
  const std::string requested_member = has_package ? only_package(in, "An origin endpoint") : "";
  auto tx = domain.write();
  Record& r = tx->modify(require_endpoint(domain, ctx, str(in, "Id")).key);
  const std::string member = has_package ? requested_member : r.internal.value("packageMember", "");
  const json package = has_package ? in[member] : r.internal.value("requestedPackage", json::object());
  apply_settings(r, domain, in, member, package);
  json out = r.doc;
  tx->after_commit([&media, plan = origin_endpoint_plan(domain, r)] { media.endpoint_changed(plan); });
  tx->commit();
  spdlog::info("mediapackage: updated origin endpoint {} in {}", str(out, "Id"), ctx.region);
  return out;
}

json delete_endpoint(Domain& domain, MediaHooks& media, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& r = require_endpoint(domain, ctx, str(in, "Id"));
  const std::string id = r.key.id, hash = endpoint_url_hash(r);
  tx->remove(r.key);
  tx->after_commit([&media, region = ctx.region, id, dir = domain.config().origin_dir(hash)] {
    media.endpoint_deleted(region, id, dir);
  });
  tx->commit();
  spdlog::info("mediapackage: deleted origin endpoint {} ({}) in {}", id, hash, ctx.region);
  return json::object();
}

}  // namespace

void add_origin_endpoint_operations(api::OperationTable& t, Domain& d, MediaHooks& m) {
  t["CreateOriginEndpoint"] = [&d, &m](const CallContext& c, const json& in) { return create_endpoint(d, m, c, in); };
  t["DescribeOriginEndpoint"] = [&d](const CallContext& c, const json& in) { return describe_endpoint(d, c, in); };
  t["ListOriginEndpoints"] = [&d](const CallContext& c, const json& in) { return list_endpoints(d, c, in); };
  t["UpdateOriginEndpoint"] = [&d, &m](const CallContext& c, const json& in) { return update_endpoint(d, m, c, in); };
  t["DeleteOriginEndpoint"] = [&d, &m](const CallContext& c, const json& in) { return delete_endpoint(d, m, c, in); };
}

}  // namespace mediaemu::mediapackage
