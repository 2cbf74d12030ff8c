#include "api/front_door.hpp"

#include "api/model_registry.hpp"
#include "api/timestamps.hpp"

namespace mediaemu::api {

void FrontDoor::route_prefix(std::string prefix, RequestHandler handler) {
  prefixes_.emplace_back(std::move(prefix), std::move(handler));
}

void FrontDoor::screen_prefix(std::string prefix, Screen screen) {
  screens_.emplace_back(std::move(prefix), std::move(screen));
}

std::optional<HttpResponse> FrontDoor::screen(const HttpRequest& headers_only) const {
  std::string_view path = headers_only.path();
  for (const auto& [prefix, screen] : screens_)
    if (path.substr(0, prefix.size()) == prefix) return screen(headers_only);
  return std::nullopt;
}

void FrontDoor::route_when(std::function<bool(const HttpRequest&)> matches, RequestHandler handler) {
  predicates_.emplace_back(std::move(matches), std::move(handler));
}

HttpResponse FrontDoor::handle(const HttpRequest& request) const {
  std::string_view path = request.path();
  if (path == "/_mediaemu/health") return health();
  if (path == "/_mediaemu/time") return time();
  for (const auto& [matches, handler] : predicates_) {
    if (matches(request)) return handler(request);
  }
  for (const auto& [prefix, handler] : prefixes_) {
    if (path.substr(0, prefix.size()) == prefix) return handler(request);
  }
  return api_.handle(request);
}

HttpResponse FrontDoor::health() const {
  json services = json::object();
  for (const auto& name : api_.services()) {
    const ServiceModel* m = api_.model(name);
    services[name] = {{"apiVersion", m->api_version()}, {"operations", m->operations().size()}};
  }
  HttpResponse r;
  r.set_header("Content-Type", "application/json");
  r.body = json{{"status", "ok"},
                {"version", MEDIAEMU_VERSION},
                {"botocoreModelVersion", kModelVersion},
                {"modelSource", kModelSource},
                {"operationsNotInModel", api_.skipped_handlers()},
                {"services", services}}
               .dump();
  return r;
}

// A clock for DASH players: the value of a DashPackage UtcTimingUri with UtcTiming HTTP-ISO (the
// body) or HTTP-HEAD (the Date header), which on AWS would name a public time server that an
// offline machine cannot reach. CORS-open, like the origin, since players fetch it cross-origin.
HttpResponse FrontDoor::time() const {
  double now = now_epoch_seconds();
  HttpResponse r;
  r.set_header("Content-Type", "text/plain");
  r.set_header("Cache-Control", "no-cache");
  r.set_header("Date", format_rfc822(now));
  r.set_header("Access-Control-Allow-Origin", "*");
  r.set_header("Access-Control-Expose-Headers", "Date");
  r.body = format_iso8601(now);
  return r;
}

}  // namespace mediaemu::api
