// What router inputs, outputs and network interfaces share: ARNs, lookups across regions,
// unions, tiers, maintenance windows, BatchGet and List filters. routers.hpp says why they are
// kept the way they are.
#include <algorithm>
#include <map>
#include <regex>

#include "api/timestamps.hpp"
#include "emulator/mediaconnect/routers.hpp"

namespace mediaemu::mediaconnect {

const RouterType kInputType{kRouterInput, "routerInput", "Router input"};
const RouterType kOutputType{kRouterOutput, "routerOutput", "Router output"};
const RouterType kInterfaceType{kRouterNetworkInterface, "routerNetworkInterface", "Router network interface"};

namespace {

constexpr const char* kDays[] = {"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"};

// The account field of an ARN ("arn:aws:mediaconnect:<region>:<account>:...").
std::string arn_field(const std::string& arn, int index) {
  size_t start = 0;
  for (int i = 0; i < index; ++i) {
    start = arn.find(':', start);
    if (start == std::string::npos) return "";
    ++start;
  }
  return arn.substr(start, arn.find(':', start) - start);
}

}  // namespace

std::string router_region(const CallContext& ctx, const json& in) {
  const std::string region = in.contains("RegionName") ? str(in, "RegionName") : ctx.region;
  static const std::regex kRegion("[a-z]{2}(-[a-z]+)+-[0-9]+");
  if (!std::regex_match(region, kRegion)) throw api::bad_request("RegionName " + region + " is not an AWS Region name such as us-east-1");
  return region;
}

std::string router_arn(const CallContext& ctx, const std::string& region, const RouterType& type, const std::string& id) {
  return "arn:aws:mediaconnect:" + region + ":" + ctx.account + ":" + type.arn_type + ":" + id;
}

std::string router_time(const Tx& tx) { return api::format_iso8601(static_cast<double>(tx.now_ms()) / 1000.0); }

const Record* find_router(Domain& domain, const CallContext& ctx, const RouterType& type, const std::string& arn) {
  const Record* r = domain.find_by_arn(arn);
  if (!r || r->key.kind != type.kind || arn_field(arn, 4) != ctx.account) return nullptr;
  return r;
}

const Record& require_router(Domain& domain, const CallContext& ctx, const RouterType& type, const std::string& arn) {
  if (const Record* r = find_router(domain, ctx, type, arn)) return *r;
  throw api::not_found(std::string(type.what) + " " + arn + " not found");
}

std::vector<const Record*> router_records(Domain& domain, const CallContext& ctx, const RouterType& type) {
  std::vector<const Record*> out;
  for (const Record* r : domain.list_all(type.kind))
    if (arn_field(str(r->doc, "Arn"), 4) == ctx.account) out.push_back(r);
  // paginate resumes from an id: one order across regions.
  std::sort(out.begin(), out.end(), [](const Record* a, const Record* b) { return a->key.id < b->key.id; });
  return out;
}

std::string union_member(const json& value, const std::string& path) {
  if (!value.is_object() || value.size() != 1) {
    throw api::bad_request(path + " must set exactly one of its members; it sets " +
                           std::to_string(value.is_object() ? value.size() : 0));
  }
  return value.begin().key();
}

// "INPUT_50: Supports a maximum bitrate up to 50 megabits per second" (the tiers of
// RouterInputTier and RouterOutputTier; "The maximumBitrate must fall within the limits of the
// selected tier"). https://docs.aws.amazon.com/cdk/api/v2/docs/@aws-cdk_aws-mediaconnect-alpha.RouterOutputTier.html
std::string checked_router_zone(const json& in, const std::string& region) {
  check_tier_bitrate(str(in, "Tier"), in.value("MaximumBitrate", int64_t{0}));
  const std::string zone = in.contains("AvailabilityZone") ? str(in, "AvailabilityZone") : region + "a";
  if (zone.rfind(region, 0) != 0) throw api::bad_request("AvailabilityZone " + zone + " is not in " + region);
  return zone;
}

json new_router_doc(const CallContext& ctx, const json& in, const RouterType& type, const std::string& region,
                    const std::string& zone, const std::string& id, const std::string& now) {
  return {{"Name", str(in, "Name")},
          {"Arn", router_arn(ctx, region, type, id)},
          {"Id", id},
          {"State", "CREATING"},
          {"RegionName", region},
          {"AvailabilityZone", zone},
          {"MaximumBitrate", in["MaximumBitrate"]},
          {"Tier", in["Tier"]},
          {"RoutingScope", in["RoutingScope"]},
          {"CreatedAt", now},
          {"UpdatedAt", now},
          {"Messages", json::array()},
          {"Tags", in.value("Tags", json::object())}};
}

void check_tier_bitrate(const std::string& tier, int64_t bitrate) {
  static const std::map<std::string, int> kMbps = {{"INPUT_20", 20},  {"INPUT_50", 50},  {"INPUT_100", 100},
                                                   {"OUTPUT_20", 20}, {"OUTPUT_50", 50}, {"OUTPUT_100", 100}};
  const auto known = kMbps.find(tier);
  if (known == kMbps.end()) throw api::bad_request("Tier " + tier + " is not a router tier (INPUT_20/50/100, OUTPUT_20/50/100)");
  const std::string mbps = std::to_string(known->second);
  const int64_t limit = int64_t{known->second} * 1000000;
  if (bitrate <= 0) throw api::bad_request("MaximumBitrate must be a positive number of bits per second");
  if (bitrate > limit) {
    throw api::bad_request("MaximumBitrate " + std::to_string(bitrate) + " exceeds what tier " + tier + " carries (up to " +
                           mbps + " Mb/s, " + std::to_string(limit) + " bits per second)");
  }
}

// MaintenanceConfiguration is a union of PreferredDayTime {Day, Time} and Default {}.
// https://docs.aws.amazon.com/mediaconnect/latest/api/API_MaintenanceConfiguration.html
void set_maintenance(json& doc, const json& requested) {
  json config = requested.is_null() ? json{{"Default", json::object()}} : requested;
  const std::string kind = union_member(config, "MaintenanceConfiguration");
  if (kind == "PreferredDayTime") {
    static const std::regex kTime("([01][0-9]|2[0-3]):[0-5][0-9]");
    const std::string time = str(config[kind], "Time");
    if (!std::regex_match(time, kTime))
      throw api::bad_request("MaintenanceConfiguration.PreferredDayTime.Time " + time + " is not a UTC time such as 04:00");
  } else if (kind != "Default") {
    throw api::bad_request("MaintenanceConfiguration must set PreferredDayTime or Default, not " + kind);
  }
  doc["MaintenanceConfiguration"] = config;
  doc["MaintenanceType"] = kind == "Default" ? "DEFAULT" : "PREFERRED_DAY_TIME";
}

// A started I/O reports when its next maintenance restart is due (StartRouterInputResponse
// requires MaintenanceScheduleType and MaintenanceSchedule; WINDOW is the only type). The next
// occurrence of the preferred day and time; for DEFAULT "MediaConnect selects" one, here a day
// and hour derived from the id so it stays stable. The window lasts two hours (mediaemu's choice;
// no maintenance ever happens here).
void schedule_maintenance(json& doc, int64_t now_ms) {
  int day = 0, minutes = 0;
  const json& config = doc.value("MaintenanceConfiguration", json::object());
  if (config.contains("PreferredDayTime")) {
    const std::string d = str(config["PreferredDayTime"], "Day"), t = str(config["PreferredDayTime"], "Time");
    day = static_cast<int>(std::find(std::begin(kDays), std::end(kDays), d) - std::begin(kDays)) % 7;
    minutes = std::stoi(t.substr(0, 2)) * 60 + std::stoi(t.substr(3, 2));
  } else {
    unsigned n = 0;
    for (char c : str(doc, "Id")) n = n * 31 + static_cast<unsigned char>(c);
    day = static_cast<int>(n % 7);
    minutes = static_cast<int>((n / 7) % 24) * 60;
  }
  const int64_t now_s = now_ms / 1000, day_start = now_s - now_s % 86400;
  const int weekday = static_cast<int>((now_s / 86400 + 3) % 7);  // 1970-01-01 was a Thursday (Monday = 0)
  int64_t start = day_start + static_cast<int64_t>((day - weekday + 7) % 7) * 86400 + minutes * 60;
  if (start <= now_s) start += 7 * 86400;
  doc["MaintenanceScheduleType"] = "WINDOW";
  doc["MaintenanceSchedule"] = {{"Window",
                                 {{"Start", api::format_iso8601(static_cast<double>(start))},
                                  {"End", api::format_iso8601(static_cast<double>(start + 7200))},
                                  {"ScheduledTime", api::format_iso8601(static_cast<double>(start))}}}};
}

// "When you stop an I/O, MediaConnect cancels any maintenance restarts that were scheduled when
// the I/O was started." https://docs.aws.amazon.com/mediaconnect/latest/ug/stopping-router-io.html
void clear_maintenance_schedule(json& doc) {
  doc.erase("MaintenanceScheduleType");
  doc.erase("MaintenanceSchedule");
}

const Record& usable_network_interface(Domain& domain, const CallContext& ctx, const std::string& arn,
                                       const std::string& region) {
  const Record* ni = find_router(domain, ctx, kInterfaceType, arn);
  if (!ni) throw api::bad_request("NetworkInterfaceArn " + arn + " names no router network interface");
  if (ni->key.region != region) {
    throw api::bad_request("Router network interface " + arn + " is in " + ni->key.region + "; an I/O in " + region +
                           " uses a network interface of its own region");
  }
  if (str(ni->doc, "State") == "DELETING") throw api::bad_request("Router network interface " + arn + " is being deleted");
  return *ni;
}

json batch_get(Domain& domain, const CallContext& ctx, const RouterType& type, const json& in, const char* list_member,
               const std::function<json(const Record&)>& view) {
  // BatchGet*RequestArnsList: 1 to 20 ARNs (a query-string list, which the body's checks do not see).
  const json arns = in.value("Arns", json::array());
  if (arns.empty() || arns.size() > 20)
    throw api::bad_request("Arns takes 1 to 20 ARNs; " + std::to_string(arns.size()) + " were given");
  json out = {{list_member, json::array()}, {"Errors", json::array()}};
  std::vector<const Record*> found;
  {
    auto lock = domain.read();
    for (const auto& arn : arns) {
      const std::string a = arn.get<std::string>();
      const Record* r = find_router(domain, ctx, type, a);
      if (r) {
        found.push_back(r);
      } else {
        out["Errors"].push_back({{"Arn", a}, {"Code", "NotFoundException"}, {"Message", std::string(type.what) + " " + a + " not found"}});
      }
    }
    for (const Record* r : found) out[list_member].push_back(view(*r));
  }
  return out;
}

bool filter_allows(const json& filters, const char* member, const std::string& value) {
  for (const auto& f : filters) {
    if (!f.contains(member)) continue;
    const json& allowed = f[member];
    if (std::find(allowed.begin(), allowed.end(), json(value)) == allowed.end()) return false;
  }
  return true;
}

bool name_filter_allows(const json& filters, const std::string& name) {
  for (const auto& f : filters) {
    if (!f.contains("NameContains")) continue;
    bool any = false;
    for (const auto& part : f["NameContains"]) any = any || name.find(part.get<std::string>()) != std::string::npos;
    if (!any) return false;
  }
  return true;
}

json router_state_answer(const json& doc) { return {{"Arn", doc["Arn"]}, {"Name", doc["Name"]}, {"State", doc["State"]}}; }

const Record* created_with_token(Domain& domain, const CallContext& ctx, const RouterType& type, const json& in) {
  const std::string token = str(in, "ClientToken");
  if (token.empty()) return nullptr;
  for (const Record* r : router_records(domain, ctx, type))
    if (r->internal.value("client_token", "") == token) return r;
  return nullptr;
}

void add_router_operations(api::OperationTable& t, Domain& d, flow::FlowControl& f) {
  add_router_network_interface_operations(t, d, f);
  add_router_input_operations(t, d, f);
  add_router_output_operations(t, d, f);
}

}  // namespace mediaemu::mediaconnect
