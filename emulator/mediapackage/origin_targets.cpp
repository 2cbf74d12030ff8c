// What the origin needs to serve one endpoint's URL, read from its record under the domain lock:
// its directory, cache hints, metric dimensions, time-shift settings and access control.
#include <nlohmann/json.hpp>

#include "emulator/mediapackage/mediapackage.hpp"
#include "emulator/secretsmanager/secretsmanager.hpp"
#include "pipeline/flow/cidr.hpp"

namespace mediaemu::mediapackage {
namespace {

// ProgramDateTimeIntervalSeconds > 0 anywhere in the endpoint's HLS (or CMAF HLS manifests).
bool writes_program_date_times(const nlohmann::json& doc) {
  if (doc.contains("HlsPackage") && doc["HlsPackage"].value("ProgramDateTimeIntervalSeconds", 0) > 0) return true;
  if (doc.contains("CmafPackage") && doc["CmafPackage"].contains("HlsManifests"))
    for (const auto& m : doc["CmafPackage"]["HlsManifests"])
      if (m.value("ProgramDateTimeIntervalSeconds", 0) > 0) return true;
  return false;
}

// Whitelist: IPv4 CIDRs allowed to play (MP-UG endpoints-hls-access-control). Peers that are not
// IPv4 addresses match nothing.
std::function<bool(const std::string&)> whitelist_check(const nlohmann::json& whitelist) {
  std::vector<flow::Cidr> allowed;
  for (const auto& entry : whitelist)
    if (entry.is_string())
      if (auto cidr = flow::parse_cidr(entry.get<std::string>())) allowed.push_back(*cidr);
  return [allowed](const std::string& peer) {
    std::string address = peer.rfind("::ffff:", 0) == 0 ? peer.substr(7) : peer;
    auto ip = flow::parse_ipv4(address);
    for (const auto& cidr : allowed)
      if (ip && cidr.contains(*ip)) return true;
    return false;
  };
}

// The CDN identifier the Authorization's secret holds: SecretString JSON
// {"MediaPackageCDNIdentifier": "<value>"} (MP-UG cdn-auth-setup). "" when unusable.
std::string cdn_identifier(const Domain& domain, const std::string& region, const nlohmann::json& authorization) {
  auto secret = secretsmanager::current_secret_string(domain, region, authorization.value("CdnIdentifierSecret", ""));
  if (!secret) return "";
  auto doc = nlohmann::json::parse(*secret, nullptr, false);
  if (!doc.is_object() || !doc.contains("MediaPackageCDNIdentifier") || !doc["MediaPackageCDNIdentifier"].is_string())
    return "";
  return doc["MediaPackageCDNIdentifier"].get<std::string>();
}

}  // namespace

std::optional<api::OriginTarget> origin_target(const Domain& domain, const std::string& url_hash,
                                               const std::filesystem::path& root) {
  const Record* r = find_endpoint_by_hash(domain, url_hash);
  if (!r) return std::nullopt;
  const nlohmann::json& doc = r->doc;
  api::OriginTarget target;
  for (const char* package : {"HlsPackage", "DashPackage", "CmafPackage", "MssPackage"})
    if (doc.contains(package)) target.segment_duration_seconds = doc[package].value("SegmentDurationSeconds", 6);
  target.root = root;
  target.endpoint_id = r->key.id;
  target.region = r->key.region;
  target.channel_id = doc.value("ChannelId", "");
  target.endpoint_arn = doc.value("Arn", "");
  if (const Record* channel = domain.find({kChannel, r->key.region, target.channel_id})) {
    target.channel_arn = channel->doc.value("Arn", "");
    if (channel->doc.contains("EgressAccessLogs"))
      target.access_log_group = channel->doc["EgressAccessLogs"].value("LogGroupName", "");
  }
  target.startover_window_seconds = doc.value("StartoverWindowSeconds", 0);
  target.program_date_times = writes_program_date_times(doc);
  target.origination_denied = doc.value("Origination", "ALLOW") == "DENY";
  if (doc.contains("Whitelist") && doc["Whitelist"].is_array() && !doc["Whitelist"].empty())
    target.peer_allowed = whitelist_check(doc["Whitelist"]);
  if (doc.contains("Authorization") && doc["Authorization"].is_object())
    target.cdn_identifier = cdn_identifier(domain, r->key.region, doc["Authorization"]);
  return target;
}

}  // namespace mediaemu::mediapackage
