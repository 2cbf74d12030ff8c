// MediaPackage composition (the operation tables of the live and VOD APIs), the helpers the
// handler files share, and the lookups the media side uses to map URLs back to resources.
#include "emulator/mediapackage/mediapackage.hpp"

#include <cctype>

#include "api/timestamps.hpp"

namespace mediaemu::mediapackage {

api::OperationTable operations(Domain& domain, MediaHooks& media, Harvester* harvester) {
  api::OperationTable t;
  add_channel_operations(t, domain);
  add_origin_endpoint_operations(t, domain, media);
  add_tag_operations(t, domain);
  if (harvester) add_harvest_job_operations(t, domain, *harvester);
  return t;
}

api::OperationTable vod_operations(Domain& domain) {
  api::OperationTable t;
  add_packaging_group_operations(t, domain);
  add_packaging_configuration_operations(t, domain);
  add_tag_operations(t, domain);
  // Assets stay unregistered (501) until VOD ingest exists.
  return t;
}

// ---- lookups --------------------------------------------------------------------------------

std::string channel_guid(const Record& channel) { return channel.internal.value("guid", ""); }
std::string endpoint_url_hash(const Record& endpoint) { return endpoint.internal.value("urlHash", ""); }

const Record* find_channel_by_guid(const Domain& domain, const std::string& guid) {
  if (guid.empty()) return nullptr;
  for (const Record* r : domain.list_all(kChannel))
    if (channel_guid(*r) == guid) return r;
  return nullptr;
}

int ingest_endpoint_index(const Record& channel, const std::string& ingest_endpoint_id) {
  const json& endpoints = channel.doc["HlsIngest"]["IngestEndpoints"];
  for (size_t i = 0; i < endpoints.size(); ++i)
    if (str(endpoints[i], "Id") == ingest_endpoint_id) return static_cast<int>(i);
  return -1;
}

const Record* find_endpoint_by_hash(const Domain& domain, const std::string& url_hash) {
  if (url_hash.empty()) return nullptr;
  for (const Record* r : domain.list_all(kOriginEndpoint))
    if (endpoint_url_hash(*r) == url_hash) return r;
  return nullptr;
}

// ---- shared helpers -------------------------------------------------------------------------

void check_resource_id(const std::string& id, const std::string& what) {
  bool ok = !id.empty();
  for (unsigned char c : id) ok &= std::isalnum(c) || c == '_' || c == '-';
  if (!ok) {
    throw api::unprocessable(what + " ID '" + id +
                             "' is invalid. The ID can have numbers, letters, underscores, and dashes. "
                             "The ID is case sensitive.");
  }
}

std::string created_at(const Tx& tx) { return api::format_iso8601(static_cast<double>(tx.now_ms()) / 1000.0); }

json access_logs(const json& requested, const std::string& default_group) {
  json out = requested.is_object() ? requested : json::object();
  if (str(out, "LogGroupName").empty()) out["LogGroupName"] = default_group;
  return out;
}

std::string only_package(const json& in, const std::string& what) {
  std::string found;
  int count = 0;
  for (const char* name : {"HlsPackage", "DashPackage", "CmafPackage", "MssPackage"}) {
    if (in.contains(name)) {
      found = name;
      ++count;
    }
  }
  if (count != 1) {
    throw api::unprocessable(what + " needs exactly one of HlsPackage, DashPackage, CmafPackage or MssPackage (got " +
                             std::to_string(count) + ")");
  }
  return found;
}

void check_range(const json& object, const char* member, int min, int max, const std::string& path) {
  auto it = object.find(member);
  if (it == object.end()) return;
  int64_t v = it->get<int64_t>();
  if (v < min || v > max) {
    throw api::unprocessable(path + "." + member + " is " + std::to_string(v) + "; it must be between " +
                             std::to_string(min) + " and " + std::to_string(max));
  }
}

int int_or(const json& object, const char* member, int fallback) {
  auto it = object.find(member);
  return it != object.end() && it->is_number_integer() ? it->get<int>() : fallback;
}

void default_member(json& object, const char* member, const json& value) {
  if (!object.contains(member)) object[member] = value;
}

}  // namespace mediaemu::mediapackage
