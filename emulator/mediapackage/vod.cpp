// MediaPackage VOD: packaging groups (CreatePackagingGroup, DescribePackagingGroup,
// ListPackagingGroups, UpdatePackagingGroup, DeletePackagingGroup, ConfigureLogs) and packaging
// configurations (CreatePackagingConfiguration, Describe..., List..., Delete...).
//
// ARNs name resources by their Id: "arn:aws:mediapackage-vod:<region>:<acct>:packaging-groups/<Id>"
// and ".../packaging-configurations/<Id>" (CLI-ex mediapackage-vod create-packaging-group,
// list-packaging-configurations). AWS's DomainName is a per-group host,
// "https://<32hex>.egress.mediapackage-vod.<region>.amazonaws.com", under which asset URLs are
// "/out/v1/<hash>/<hash>/<hash>/index.m3u8" (CLI-ex describe-asset). mediaemu serves every group
// from its own address, so DomainName is that base; the group's 32-hex stays in
// Record::internal["domainHash"] for asset URLs.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "emulator/mediapackage/mediapackage.hpp"

namespace mediaemu::mediapackage {
namespace {


const Record& require_group(const Domain& domain, const CallContext& ctx, const std::string& id) {
  return require(domain, group_key(ctx, id), "Packaging group");
}

const Record& require_configuration(const Domain& domain, const CallContext& ctx, const std::string& id) {
  return require(domain, configuration_key(ctx, id), "Packaging configuration");
}

// ---- packaging groups -----------------------------------------------------------------------

// CreatePackagingGroup and ConfigureLogs answer without ApproximateAssetCount (their output
// shapes lack it; Describe, List and Update have it).
json without_asset_count(json group) {
  group.erase("ApproximateAssetCount");
  return group;
}

json create_group(Domain& domain, const CallContext& ctx, const json& in) {
  const std::string id = str(in, "Id");
  check_resource_id(id, "Packaging group");
  auto tx = domain.write();
  if (tx->find(group_key(ctx, id))) {
    throw api::unprocessable("A packaging group with the ID '" + id + "' already exists in " + ctx.region);
  }
  json doc = {{"ApproximateAssetCount", 0},
              {"Arn", make_arn(ctx, "mediapackage-vod", "packaging-groups/" + id)},
              {"CreatedAt", created_at(*tx)},
              {"DomainName", domain.config().http_base()},
              {"Id", id},
              {"Tags", in.value("Tags", json::object())}};
  copy_member(doc, in, "Authorization");
  if (in.contains("EgressAccessLogs")) doc["EgressAccessLogs"] = access_logs(in["EgressAccessLogs"], kEgressLogGroup);
  Record& r = tx->create(group_key(ctx, id), doc, {{"domainHash", random_hex(16)}});
  json out = without_asset_count(r.doc);
  tx->commit();
  spdlog::info("mediapackage-vod: created packaging group {} in {}", id, ctx.region);
  return out;
}

json describe_group(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  return require_group(domain, ctx, str(in, "Id")).doc;
}

json list_groups(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  Page page = paginate(domain.list(kPackagingGroup, ctx.region), in);
  json out = {{"PackagingGroups", json::array()}};
  for (const Record* r : page.items) out["PackagingGroups"].push_back(r->doc);
  put_next_token(out, page);
  return out;
}

// Authorization is the one updatable setting; an update without it removes CDN authorization.
json update_group(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  Record& r = tx->modify(require_group(domain, ctx, str(in, "Id")).key);
  r.doc.erase("Authorization");
  copy_member(r.doc, in, "Authorization");
  json out = r.doc;
  tx->commit();
  return out;
}

// A request without EgressAccessLogs switches egress logging off (MP-UG access-logging).
json configure_group_logs(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  Record& r = tx->modify(require_group(domain, ctx, str(in, "Id")).key);
  r.doc.erase("EgressAccessLogs");
  if (in.contains("EgressAccessLogs")) r.doc["EgressAccessLogs"] = access_logs(in["EgressAccessLogs"], kEgressLogGroup);
  json out = without_asset_count(r.doc);
  tx->commit();
  return out;
}

json delete_group(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& group = require_group(domain, ctx, str(in, "Id"));
  for (const Record* c : domain.list(kPackagingConfiguration, ctx.region)) {
    if (str(c->doc, "PackagingGroupId") == group.key.id) {
      // MP-UG pkg-group-delete: configurations (and assets) go first.
      throw api::unprocessable("You must delete the packaging group's packaging configurations before you can delete "
                               "the packaging group (" + group.key.id + " still has packaging configuration " +
                               c->key.id + ")");
    }
  }
  const std::string id = group.key.id;
  tx->remove(group.key);
  tx->commit();
  spdlog::info("mediapackage-vod: deleted packaging group {} in {}", id, ctx.region);
  return json::object();
}

// ---- packaging configurations ---------------------------------------------------------------
// Defaults as the CLI example list-packaging-configurations shows them: HLS 6 s segments, DASH
// 2 s; manifests named "index", AdMarkers NONE, no PDT, no I-frame stream, RepeatExtXKey false;
// DASH manifests MinBufferTimeSeconds 30, Profile NONE. CMAF 6 s and MSS 2 s follow live.

void manifest_defaults(const std::string& list, json& m) {
  default_member(m, "ManifestName", "index");
  if (list == "HlsManifests") {
    default_member(m, "AdMarkers", "NONE");
    default_member(m, "IncludeIframeOnlyStream", false);
    default_member(m, "ProgramDateTimeIntervalSeconds", 0);
    default_member(m, "RepeatExtXKey", false);
    check_range(m, "ProgramDateTimeIntervalSeconds", 0, INT32_MAX, list);
  } else if (list == "DashManifests") {
    default_member(m, "ManifestLayout", "FULL");
    default_member(m, "MinBufferTimeSeconds", 30);
    default_member(m, "Profile", "NONE");
    check_range(m, "MinBufferTimeSeconds", 0, INT32_MAX, list);
  }
}

json vod_package(const std::string& member, const json& requested) {
  struct Shape {
    const char* member;
    const char* manifests;
    int segment_seconds;
  };
  static const Shape shapes[] = {{"HlsPackage", "HlsManifests", 6},
                                 {"DashPackage", "DashManifests", 2},
                                 {"CmafPackage", "HlsManifests", 6},
                                 {"MssPackage", "MssManifests", 2}};
  const Shape& shape = *std::find_if(std::begin(shapes), std::end(shapes), [&](const Shape& s) { return member == s.member; });
  json p = requested;
  default_member(p, "SegmentDurationSeconds", shape.segment_seconds);
  check_range(p, "SegmentDurationSeconds", 1, kMaxSegmentSeconds, member);
  if (member == "HlsPackage") default_member(p, "UseAudioRenditionGroup", false);
  if (member == "DashPackage") {
    default_member(p, "SegmentTemplateFormat", "NUMBER_WITH_TIMELINE");
    default_member(p, "PeriodTriggers", json::array());
  }
  const std::string list = shape.manifests;
  if (p.value(list, json::array()).empty()) throw api::unprocessable(member + "." + list + " needs at least one manifest");
  std::set<std::string> names;
  for (json& m : p[list]) {
    manifest_defaults(list, m);
    // Each manifest is a URL under the asset; two with one name would be the same URL.
    if (!names.insert(m["ManifestName"].get<std::string>()).second) {
      throw api::unprocessable(member + "." + list + ": the ManifestName '" + m["ManifestName"].get<std::string>() +
                               "' is used twice; give each manifest its own name");
    }
  }
  return p;
}

json create_configuration(Domain& domain, const CallContext& ctx, const json& in) {
  const std::string id = str(in, "Id"), group_id = str(in, "PackagingGroupId");
  check_resource_id(id, "Packaging configuration");
  const std::string member = only_package(in, "A packaging configuration");
  json package = vod_package(member, in[member]);
  auto tx = domain.write();
  require_group(domain, ctx, group_id);
  if (tx->find(configuration_key(ctx, id))) {
    throw api::unprocessable("A packaging configuration with the ID '" + id + "' already exists in " + ctx.region);
  }
  json doc = {{"Arn", make_arn(ctx, "mediapackage-vod", "packaging-configurations/" + id)},
              {"CreatedAt", created_at(*tx)},
              {"Id", id},
              {"PackagingGroupId", group_id},
              {"Tags", in.value("Tags", json::object())},
              {member, std::move(package)}};
  Record& r = tx->create(configuration_key(ctx, id), doc);
  json out = r.doc;
  tx->commit();
  spdlog::info("mediapackage-vod: created {} packaging configuration {} in group {} ({})", member, id, group_id,
               ctx.region);
  return out;
}

json describe_configuration(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  return require_configuration(domain, ctx, str(in, "Id")).doc;
}

json list_configurations(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  const std::string group_id = str(in, "PackagingGroupId");
  std::vector<const Record*> matching;
  for (const Record* r : domain.list(kPackagingConfiguration, ctx.region))
    if (group_id.empty() || str(r->doc, "PackagingGroupId") == group_id) matching.push_back(r);
  Page page = paginate(matching, in);
  json out = {{"PackagingConfigurations", json::array()}};
  for (const Record* r : page.items) out["PackagingConfigurations"].push_back(r->doc);
  put_next_token(out, page);
  return out;
}

json delete_configuration(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& r = require_configuration(domain, ctx, str(in, "Id"));
  const std::string id = r.key.id;
  tx->remove(r.key);
  tx->commit();
  spdlog::info("mediapackage-vod: deleted packaging configuration {} in {}", id, ctx.region);
  return json::object();
}

}  // namespace

void add_packaging_group_operations(api::OperationTable& t, Domain& d) {
  t["CreatePackagingGroup"] = [&d](const CallContext& c, const json& in) { return create_group(d, c, in); };
  t["DescribePackagingGroup"] = [&d](const CallContext& c, const json& in) { return describe_group(d, c, in); };
  t["ListPackagingGroups"] = [&d](const CallContext& c, const json& in) { return list_groups(d, c, in); };
  t["UpdatePackagingGroup"] = [&d](const CallContext& c, const json& in) { return update_group(d, c, in); };
  t["DeletePackagingGroup"] = [&d](const CallContext& c, const json& in) { return delete_group(d, c, in); };
  t["ConfigureLogs"] = [&d](const CallContext& c, const json& in) { return configure_group_logs(d, c, in); };
}

void add_packaging_configuration_operations(api::OperationTable& t, Domain& d) {
  t["CreatePackagingConfiguration"] = [&d](const CallContext& c, const json& in) {
    return create_configuration(d, c, in);
  };
  t["DescribePackagingConfiguration"] = [&d](const CallContext& c, const json& in) {
    return describe_configuration(d, c, in);
  };
  t["ListPackagingConfigurations"] = [&d](const CallContext& c, const json& in) {
    return list_configurations(d, c, in);
  };
  t["DeletePackagingConfiguration"] = [&d](const CallContext& c, const json& in) {
    return delete_configuration(d, c, in);
  };
}

}  // namespace mediaemu::mediapackage
