// MediaLive reservations: ListOfferings, DescribeOffering, PurchaseOffering, ListReservations,
// DescribeReservation, UpdateReservation, DeleteReservation.
//
// Offerings are a small static catalogue, the same in every region but for ARN, Region and
// description: INPUT and OUTPUT resources x STANDARD/SINGLE_PIPELINE x AVC/HEVC x SD/HD/UHD x
// up-to-10/10-20 Mbps, 30 fps, standard video quality, 12-month NO_UPFRONT terms, with ids from
// 87654321 (the API reference's example id). The prices are invented, plausible numbers.
//
// PurchaseOffering creates an ACTIVE reservation from Start (default now; "between the first
// day of the current month and one year from now", API reference) to Start + Duration months,
// written like AWS's examples ("2018-03-01T00:00:00"). At End it becomes EXPIRED, or renews if
// RenewalSettings ask for it. AWS only deletes an expired reservation (API reference
// DeleteReservation: "Delete an expired reservation"), so an ACTIVE one answers 409.
#include <spdlog/spdlog.h>

#include <ctime>

#include "api/timestamps.hpp"
#include "emulator/medialive/medialive.hpp"

namespace mediaemu::medialive {

json page_json(const json& items, const json& input, const char* list_member);  // channels.cpp

namespace {

constexpr int64_t kFirstOfferingId = 87654321;
constexpr int kTermMonths = 12;

std::string region_name(const std::string& region) {
  static const std::map<std::string, std::string> names = {
      {"us-east-1", "US East (N. Virginia)"},   {"us-east-2", "US East (Ohio)"},
      {"us-west-1", "US West (N. California)"}, {"us-west-2", "US West (Oregon)"},
      {"eu-west-1", "EU (Ireland)"},            {"eu-west-2", "EU (London)"},
      {"eu-west-3", "EU (Paris)"},              {"eu-central-1", "EU (Frankfurt)"},
      {"eu-north-1", "EU (Stockholm)"},         {"ap-northeast-1", "Asia Pacific (Tokyo)"},
      {"ap-northeast-2", "Asia Pacific (Seoul)"}, {"ap-south-1", "Asia Pacific (Mumbai)"},
      {"ap-southeast-1", "Asia Pacific (Singapore)"}, {"ap-southeast-2", "Asia Pacific (Sydney)"},
      {"sa-east-1", "South America (Sao Paulo)"}, {"ca-central-1", "Canada (Central)"}};
  auto it = names.find(region);
  return it == names.end() ? region : it->second;
}

json catalogue(const CallContext& ctx) {
  json out = json::array();
  int64_t id = kFirstOfferingId;
  for (const char* type : {"INPUT", "OUTPUT"}) {
    for (const char* channel_class : {"STANDARD", "SINGLE_PIPELINE"}) {
      for (const char* codec : {"AVC", "HEVC"}) {
        for (const char* resolution : {"SD", "HD", "UHD"}) {
          for (const char* bitrate : {"MAX_10_MBPS", "MAX_20_MBPS"}) {
            const bool input = std::string(type) == "INPUT", hevc = std::string(codec) == "HEVC";
            const bool high = std::string(bitrate) == "MAX_20_MBPS", single = std::string(channel_class) != "STANDARD";
            double hourly = std::string(resolution) == "SD" ? 0.12 : std::string(resolution) == "HD" ? 0.24 : 0.96;
            hourly *= (input ? 0.5 : 1.0) * (hevc ? 2.0 : 1.0) * (high ? 1.25 : 1.0) * (single ? 0.5 : 1.0);
            const std::string offering_id = std::to_string(id++);
            out.push_back(
                {{"Arn", arn(ctx, "offering", offering_id)},
                 {"CurrencyCode", "USD"},
                 {"Duration", kTermMonths},
                 {"DurationUnits", "MONTHS"},
                 {"FixedPrice", 0.0},
                 {"OfferingDescription", std::string(single ? "Single-pipeline " : "") + resolution + " " + codec +
                                             " " + (input ? "input" : "output") + " at " +
                                             (high ? "10-20 Mbps" : "up to 10 Mbps") +
                                             ", 30 fps, and standard VQ in " + region_name(ctx.region)},
                 {"OfferingId", offering_id},
                 {"OfferingType", "NO_UPFRONT"},
                 {"Region", ctx.region},
                 {"ResourceSpecification",
                  {{"ChannelClass", channel_class},
                   {"Codec", codec},
                   {"MaximumBitrate", bitrate},
                   {"MaximumFramerate", "MAX_30_FPS"},
                   {"Resolution", resolution},
                   {"ResourceType", type},
                   {"VideoQuality", "STANDARD"}}},
                 {"UsagePrice", static_cast<double>(static_cast<int64_t>(hourly * 10000 + 0.5)) / 10000}});
          }
        }
      }
    }
  }
  return out;
}

const json* find_offering(const json& offerings, const std::string& id) {
  for (const auto& o : offerings)
    if (str(o, "OfferingId") == id) return &o;
  return nullptr;
}

// The ListOfferings / ListReservations filters that compare with ResourceSpecification.
bool matches_spec(const json& spec, const json& in) {
  for (const char* f : {"ChannelClass", "Codec", "MaximumBitrate", "MaximumFramerate", "Resolution", "ResourceType",
                        "SpecialFeature", "VideoQuality"}) {
    if (in.contains(f) && str(spec, f) != str(in, f)) return false;
  }
  return true;
}

// The resolution class of a channel's input specification, as offerings name it.
json channel_configuration_filter(const Domain& domain, const CallContext& ctx, const std::string& channel_id) {
  const Record& ch = require(domain, channel_key(ctx, channel_id), "Channel");
  const json& spec = ch.doc.value("InputSpecification", json::object());
  json filter = {{"ChannelClass", str(ch.doc, "ChannelClass")}, {"ResourceType", "INPUT"}};
  copy_member(filter, spec, "Codec");
  copy_member(filter, spec, "Resolution");
  copy_member(filter, spec, "MaximumBitrate");
  return filter;
}

json list_offerings(Domain& domain, const CallContext& ctx, const json& in) {
  json filter = in;
  if (const std::string channel = str(in, "ChannelConfiguration"); !channel.empty()) {
    auto lock = domain.read();
    filter.update(channel_configuration_filter(domain, ctx, channel));
  }
  json kept = json::array();
  for (const auto& o : catalogue(ctx)) {
    if (!matches_spec(o["ResourceSpecification"], filter)) continue;
    if (in.contains("Duration") && std::to_string(o.value("Duration", 0)) != str(in, "Duration")) continue;
    kept.push_back(o);
  }
  return page_json(kept, in, "Offerings");
}

json describe_offering(const CallContext& ctx, const json& in) {
  json offerings = catalogue(ctx);
  const json* o = find_offering(offerings, str(in, "OfferingId"));
  if (!o) throw api::not_found("Offering " + str(in, "OfferingId") + " not found");
  return *o;
}

// ---- time ---------------------------------------------------------------------------------

std::string format_utc(int64_t ms) {
  std::time_t t = ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &tm);
  return out;
}

std::optional<int64_t> parse_utc_ms(const std::string& text) {
  auto t = api::parse_timestamp(text);
  if (!t) t = api::parse_timestamp(text + "Z");  // AWS writes these without a zone; they are UTC
  if (!t) return std::nullopt;
  return static_cast<int64_t>(*t * 1000);
}

int64_t add_months(int64_t ms, int months) {
  std::time_t t = ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  tm.tm_mon += months;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms % 1000;
}

int64_t first_of_month(int64_t ms) {
  std::time_t t = ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  tm.tm_mday = 1;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

// ---- reservations -------------------------------------------------------------------------

Key reservation_key(const CallContext& ctx, const std::string& id) { return {kReservation, ctx.region, id}; }

const Record& require_live_reservation(const Domain& domain, const CallContext& ctx, const json& in) {
  const Record& r = require(domain, reservation_key(ctx, str(in, "ReservationId")), "Reservation");
  if (str(r.doc, "State") == "DELETED") throw api::not_found("Reservation " + r.key.id + " not found (it was deleted)");
  return r;
}

void schedule_expiry(Tx& tx, const Key& key, const std::string& end) {
  tx.schedule(key, "EXPIRED", std::max<int64_t>(0, parse_utc_ms(end).value_or(0) - tx.now_ms()));
}

json purchase_offering(Domain& domain, const CallContext& ctx, const json& in) {
  json offerings = catalogue(ctx);
  const json* offering = find_offering(offerings, str(in, "OfferingId"));
  if (!offering) throw api::not_found("Offering " + str(in, "OfferingId") + " not found");
  auto tx = domain.write();
  const std::string request_id = str(in, "RequestId");
  for (const Record* r : domain.list(kReservation, ctx.region)) {
    if (!request_id.empty() && r->internal.value("requestId", "") == request_id) return {{"Reservation", r->doc}};
  }
  const int64_t now = tx->now_ms();
  int64_t start = now;
  if (in.contains("Start")) {
    auto requested = parse_utc_ms(str(in, "Start"));
    if (!requested) throw api::bad_request("start \"" + str(in, "Start") + "\" is not an ISO 8601 UTC time");
    if (*requested < first_of_month(now) || *requested > add_months(now, 12)) {
      throw api::bad_request("start " + str(in, "Start") +
                             " must be between the first day of the current month and one year from now");
    }
    start = *requested;
  }
  const std::string id = next_id(*tx);
  json doc = *offering;
  doc.erase("Arn");
  doc.update({{"Arn", arn(ctx, "reservation", id)},
              {"Count", in.value("Count", 1)},
              {"End", format_utc(add_months(start, offering->value("Duration", kTermMonths)))},
              {"Name", str(in, "Name")},
              {"RenewalSettings", in.value("RenewalSettings", json{{"AutomaticRenewal", "DISABLED"}})},
              {"ReservationId", id},
              {"Start", format_utc(start)},
              {"State", "ACTIVE"},
              {"Tags", in.value("Tags", json::object())}});
  Record& r = tx->create(reservation_key(ctx, id), doc, {{"requestId", request_id}});
  schedule_expiry(*tx, r.key, str(doc, "End"));
  json out = {{"Reservation", r.doc}};
  tx->commit();
  spdlog::info("medialive: purchased offering {} x{} as reservation {} in {}", str(doc, "OfferingId"),
               doc["Count"].get<int>(), id, ctx.region);
  return out;
}

json list_reservations(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  std::vector<const Record*> kept;
  for (const Record* r : domain.list(kReservation, ctx.region)) {
    if (str(r->doc, "State") != "DELETED" && matches_spec(r->doc.value("ResourceSpecification", json::object()), in)) {
      kept.push_back(r);
    }
  }
  Page page = paginate(kept, in);
  json out = {{"Reservations", json::array()}};
  for (const Record* r : page.items) out["Reservations"].push_back(r->doc);
  put_next_token(out, page);
  return out;
}

json describe_reservation(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  return require(domain, reservation_key(ctx, str(in, "ReservationId")), "Reservation").doc;
}

json update_reservation(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  Record& r = tx->modify(require_live_reservation(domain, ctx, in).key);
  copy_member(r.doc, in, "Name");
  copy_member(r.doc, in, "RenewalSettings");
  json out = {{"Reservation", r.doc}};
  tx->commit();
  spdlog::info("medialive: updated reservation {} in {}", r.key.id, ctx.region);
  return out;
}

json delete_reservation(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require_live_reservation(domain, ctx, in);
  if (str(current.doc, "State") == "ACTIVE") {
    throw api::conflict("Reservation " + current.key.id + " is ACTIVE until " + str(current.doc, "End") +
                        "; only an expired or canceled reservation can be deleted");
  }
  Record& r = tx->modify(current.key);
  r.doc["State"] = "DELETED";
  tx->schedule(r.key, "", kDeletedRetentionMs);
  json out = r.doc;
  tx->commit();
  spdlog::info("medialive: deleted reservation {} in {}", r.key.id, ctx.region);
  return out;
}

// End reached: renew for another term while RenewalSettings allow (AutomaticRenewal ENABLED,
// RenewalCount terms left), otherwise expire.
void settle_reservation(Tx& tx, const Key& key, const std::string& to) {
  Record& r = tx.modify(key);
  json& renewal = r.doc["RenewalSettings"];
  if (str(renewal, "AutomaticRenewal") == "ENABLED" && renewal.value("RenewalCount", 0) > 0) {
    // RenewalCount counts the renewals left (the model's minimum is 1); after the last one the
    // reservation no longer renews.
    if (int left = renewal.value("RenewalCount", 0) - 1; left > 0) {
      renewal["RenewalCount"] = left;
    } else {
      renewal = {{"AutomaticRenewal", "DISABLED"}};
    }
    r.doc["End"] = format_utc(add_months(parse_utc_ms(str(r.doc, "End")).value_or(tx.now_ms()),
                                         r.doc.value("Duration", kTermMonths)));
    schedule_expiry(tx, key, str(r.doc, "End"));
    spdlog::info("medialive: renewed reservation {} in {} until {}", key.id, key.region, str(r.doc, "End"));
    return;
  }
  r.doc["State"] = to;
  spdlog::info("medialive: reservation {} in {} is {}", key.id, key.region, to);
}

}  // namespace

void add_offering_operations(api::OperationTable& t, Domain& d) {
  t["ListOfferings"] = [&d](const CallContext& c, const json& in) { return list_offerings(d, c, in); };
  t["DescribeOffering"] = [](const CallContext& c, const json& in) { return describe_offering(c, in); };
  t["PurchaseOffering"] = [&d](const CallContext& c, const json& in) { return purchase_offering(d, c, in); };
  t["ListReservations"] = [&d](const CallContext& c, const json& in) { return list_reservations(d, c, in); };
  t["DescribeReservation"] = [&d](const CallContext& c, const json& in) { return describe_reservation(d, c, in); };
  t["UpdateReservation"] = [&d](const CallContext& c, const json& in) { return update_reservation(d, c, in); };
  t["DeleteReservation"] = [&d](const CallContext& c, const json& in) { return delete_reservation(d, c, in); };
  d.on_transition(kReservation, settle_reservation);
}

}  // namespace mediaemu::medialive
