#include "api/front_door.hpp"

#include "api/model_registry.hpp"

namespace mediaemu::api {

void FrontDoor::route_prefix(std::string prefix, RequestHandler handler) {
  prefixes_.emplace_back(std::move(prefix), std::move(handler));
}

HttpResponse FrontDoor::handle(const HttpRequest& request) const {
  std::string_view path = request.path();
  if (path == "/_mediaemu/health") return health();
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
                {"botocoreModelVersion", kBotocoreVersion},
                {"services", services}}
               .dump();
  return r;
}

}  // namespace mediaemu::api
