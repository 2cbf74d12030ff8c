// AWS Elemental MediaPackage (v1 live) and MediaPackage VOD.
//
// Handlers take and return model-form JSON (member names, as boto3 shows them). MediaPackage
// declares no BadRequest or Conflict shapes: api::bad_request() / api::conflict() leave as 422
// UnprocessableEntityException, which is what the service answers.
#pragma once

#include <string>

#include "api/aws_api.hpp"
#include "api/origin.hpp"
#include "emulator/domain.hpp"
#include "emulator/media_hooks.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::mediapackage {

inline const std::string kChannel = "mediapackage:channel";
inline const std::string kOriginEndpoint = "mediapackage:origin-endpoint";
inline const std::string kPackagingGroup = "mediapackage-vod:packaging-group";
inline const std::string kPackagingConfiguration = "mediapackage-vod:packaging-configuration";

class Harvester;

// Harvest jobs run on `harvester`'s thread (harvester.hpp); without one (unit tests of the other
// operations) they stay unregistered and answer 501.
api::OperationTable operations(Domain& domain, MediaHooks& media, Harvester* harvester = nullptr);
api::OperationTable vod_operations(Domain& domain);

// ---- Lookups for the media side (ingest /in/v2/..., origin /out/v1/...) -------------------
// Call with a domain lock held (domain.read() or a Tx); the pointers live as long as the lock.

// The channel whose ARN / first ingest endpoint carries this 32-hex GUID, in any region.
const Record* find_channel_by_guid(const Domain& domain, const std::string& guid);
// What the origin serves for the endpoint whose URL carries `url_hash` (its files under `root`),
// with its time-shift and access-control settings; nullopt when there is none. Domain lock held.
std::optional<api::OriginTarget> origin_target(const Domain& domain, const std::string& url_hash,
                                               const std::filesystem::path& root);
// Index (0 or 1) of the channel's ingest endpoint with this Id, or -1.
int ingest_endpoint_index(const Record& channel, const std::string& ingest_endpoint_id);
// The origin endpoint whose URL (and ARN) carries this 32-hex hash, in any region.
const Record* find_endpoint_by_hash(const Domain& domain, const std::string& url_hash);
// The 32-hex GUID of a channel / URL hash of an origin endpoint (kept in Record::internal).
std::string channel_guid(const Record& channel);
std::string endpoint_url_hash(const Record& endpoint);

// ---- Shared by the handler files ------------------------------------------------------------

inline Key channel_key(const CallContext& ctx, const std::string& id) { return {kChannel, ctx.region, id}; }
inline Key endpoint_key(const CallContext& ctx, const std::string& id) { return {kOriginEndpoint, ctx.region, id}; }
inline Key group_key(const CallContext& ctx, const std::string& id) { return {kPackagingGroup, ctx.region, id}; }
inline Key configuration_key(const CallContext& ctx, const std::string& id) {
  return {kPackagingConfiguration, ctx.region, id};
}

// Ids are letters, digits, '_' and '-' (MP-UG channels-create / endpoints-*-new). Throws 422.
void check_resource_id(const std::string& id, const std::string& what);
// "2026-11-22T10:04:05.123Z" from the domain clock: the models type CreatedAt as a plain string.
std::string created_at(const Tx& tx);
// ConfigureLogs / EgressAccessLogs: {} means "on, in the default log group" (MP-UG access-logging).
json access_logs(const json& requested, const std::string& default_group);
inline const std::string kEgressLogGroup = "/aws/MediaPackage/EgressAccessLogs";
inline const std::string kIngressLogGroup = "/aws/MediaPackage/IngressAccessLogs";
// Exactly one of HlsPackage, DashPackage, CmafPackage, MssPackage; returns its member name.
std::string only_package(const json& in, const std::string& what);
// A whole-second setting inside [min, max]; `path` names it in the 422 message.
void check_range(const json& object, const char* member, int min, int max, const std::string& path);
// SegmentDurationSeconds' upper bound, live and VOD alike (MP API: 1 to 30).
inline constexpr int kMaxSegmentSeconds = 30;
// The member's integer value, or `fallback` when absent.
int int_or(const json& object, const char* member, int fallback);
// Sets object[member] = value unless the caller gave one.
void default_member(json& object, const char* member, const json& value);

// A live origin endpoint's package as Describe shows it: AWS's defaults filled in, documented
// ranges checked (422), CMAF HlsManifests[].Url set. `member` is "HlsPackage", ...;
// `url_prefix` is "<base>/out/v1/<hash>". Members the model lacks are echoed untouched.
json live_package(const std::string& member, const json& requested, const std::string& channel_id,
                  const std::string& manifest_name, const std::string& url_prefix);
// The endpoint's top-level Url for that package ("" for CMAF, whose URLs are per manifest).
std::string live_package_url(const std::string& member, const std::string& manifest_name,
                             const std::string& url_prefix);

void add_channel_operations(api::OperationTable& table, Domain& domain);
void add_origin_endpoint_operations(api::OperationTable& table, Domain& domain, MediaHooks& media);
void add_harvest_job_operations(api::OperationTable& table, Domain& domain, Harvester& harvester);
void add_packaging_group_operations(api::OperationTable& table, Domain& domain);
void add_packaging_configuration_operations(api::OperationTable& table, Domain& domain);
// TagResource / UntagResource / ListTagsForResource for one service's ARNs.
void add_tag_operations(api::OperationTable& table, Domain& domain);

}  // namespace mediaemu::mediapackage
