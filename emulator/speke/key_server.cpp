#include "emulator/speke/key_server.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "api/base64.hpp"
#include "api/uri_template.hpp"
#include "emulator/speke/cpix.hpp"
#include "emulator/speke/drm_pssh.hpp"
#include "pipeline/crypto/system_ids.hpp"

namespace mediaemu::speke {
namespace {

using json = nlohmann::json;
using pipeline::crypto::block_from_uuid;
using pipeline::crypto::uuid_text;

constexpr const char* kUserAgent = "mediaemu-local-key-server";

api::HttpResponse bad_request(const std::string& what, const std::string& message) {
  spdlog::warn("speke: {} refused (400): {}", what, message);
  api::HttpResponse r;
  r.status = 400;
  r.set_header("Content-Type", "text/plain; charset=utf-8");
  r.body = message + "\n";
  return r;
}

api::HttpResponse not_found(const api::HttpRequest& request) {
  api::HttpResponse r;
  r.status = 404;
  r.set_header("Content-Type", "text/plain; charset=utf-8");
  r.body = "no such key server route: " + request.method + " " + std::string(request.path()) +
           " (POST /_mediaemu/speke/v1, POST /_mediaemu/speke/v2, GET /_mediaemu/speke/key, POST "
           "/_mediaemu/speke/clearkey)\n";
  return r;
}

// Players fetch keys and licences from pages of other origins (hls.js, EME): allow any.
void allow_any_origin(api::HttpResponse& r) {
  r.set_header("Access-Control-Allow-Origin", "*");
  r.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  r.set_header("Access-Control-Allow-Headers", "Content-Type");
}

std::string query_value(const api::HttpRequest& request, const char* name) {
  for (const auto& [k, v] : api::parse_query(request.query()))
    if (k == name) return v;
  return {};
}

std::string as_bytes(const Block& b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

// base64url without padding (RFC 4648 §5), as W3C ClearKey licences write kids and keys.
std::string base64url(const Block& b) {
  std::string s = api::base64_encode(as_bytes(b));
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

std::optional<Block> block_from_base64url(std::string s) {
  for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s += '=';
  auto bytes = api::base64_decode(s);
  if (!bytes || bytes->size() != 16) return std::nullopt;
  Block out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

}  // namespace

void KeyServer::install(api::FrontDoor& front) {
  front.route_prefix(kKeyServerPrefix, [this](const api::HttpRequest& r) { return handle(r); });
}

std::string KeyServer::key_uri(const std::string& host, const std::string& resource_id, const Block& kid) {
  std::string uri = "http://";
  uri.append(host).append("/_mediaemu/speke/key?resource=").append(api::percent_encode(resource_id));
  uri.append("&kid=").append(uuid_text(kid));
  return uri;
}

std::string KeyServer::clearkey_licence_url(const std::string& host, const std::string& resource_id) {
  return "http://" + host + "/_mediaemu/speke/clearkey?resource=" + api::percent_encode(resource_id);
}

api::HttpResponse KeyServer::handle(const api::HttpRequest& request) const {
  const std::string_view path = request.path();
  if (request.method == "OPTIONS") {  // CORS preflight of the ClearKey POST
    api::HttpResponse r;
    r.status = 204;
    allow_any_origin(r);
    return r;
  }
  if (request.method == "POST" && (path == "/_mediaemu/speke/v1" || path == "/_mediaemu/speke/v2"))
    return cpix(request);
  if (request.method == "GET" && path == "/_mediaemu/speke/key") return key(request);
  if (request.method == "POST" && path == "/_mediaemu/speke/clearkey") return clearkey(request);
  return not_found(request);
}

api::HttpResponse KeyServer::cpix(const api::HttpRequest& request) const {
  std::string host(request.header("host"));
  if (host.empty()) host = "127.0.0.1";
  CpixSummary summary;
  std::string answer;
  try {
    answer = answer_cpix_request(
        request.body,
        [&](const std::string& content_id, const Block& kid, const std::string& scheme) {
          KeyAnswer answer;
          answer.key = vault_.key(content_id, kid);
          answer.uri_ext_x_key = key_uri(host, content_id, kid);
          // DASH-IF ClearKey's MPD signalling: where this server's ClearKey licences are.
          answer.content_protection_data[std::string(pipeline::crypto::kDashIfClearKeySystemId)] =
              clearkey_laurl(clearkey_licence_url(host, content_id));
          // Widevine's and PlayReady's signalling, as a DRM vendor's key server gives it.
          answer.pssh[std::string(pipeline::crypto::kWidevineSystemId)] = widevine_pssh(kid, content_id, scheme);
          const std::vector<uint8_t> playready = playready_object(kid, scheme);
          answer.pssh[std::string(pipeline::crypto::kPlayReadySystemId)] = playready_pssh(playready);
          answer.content_protection_data[std::string(pipeline::crypto::kPlayReadySystemId)] = mspr_pro(playready);
          answer.protection_header[std::string(pipeline::crypto::kPlayReadySystemId)] = playready;
          return answer;
        },
        summary);
  } catch (const CpixError& e) {
    return bad_request("CPIX request", e.what());
  }
  std::string periods;
  for (int64_t p : summary.period_indexes) {
    if (!periods.empty()) periods += ',';
    periods += std::to_string(p);
  }
  // One line per answered request: the integration suite counts them per key rotation.
  std::string kids;
  for (const auto& kid : summary.kids) kids += (kids.empty() ? "" : ",") + kid;
  spdlog::info("speke: CPIX answer (SPEKE {}) for resource {} kid {} key period {}", summary.v2 ? "v2" : "v1",
               summary.content_id, kids, periods.empty() ? "-" : periods);
  api::HttpResponse r;
  r.set_header("Content-Type", "application/xml");
  const std::string version(request.header("x-speke-version"));
  if (!version.empty()) {
    r.set_header("X-Speke-Version", version);
    r.set_header("X-Speke-User-Agent", kUserAgent);
  } else {
    r.set_header("Speke-User-Agent", kUserAgent);
  }
  r.body = std::move(answer);
  return r;
}

api::HttpResponse KeyServer::key(const api::HttpRequest& request) const {
  const std::string resource = query_value(request, "resource");
  const std::string kid_text = query_value(request, "kid");
  auto kid = block_from_uuid(kid_text);
  if (resource.empty() || !kid)
    return bad_request("key request", "GET /_mediaemu/speke/key needs ?resource=<ResourceId>&kid=<key id as a UUID>");
  api::HttpResponse r;
  r.set_header("Content-Type", "application/octet-stream");
  r.set_header("Cache-Control", "no-store");
  allow_any_origin(r);
  r.body = as_bytes(vault_.key(resource, *kid));
  return r;
}

api::HttpResponse KeyServer::clearkey(const api::HttpRequest& request) const {
  const std::string resource = query_value(request, "resource");
  if (resource.empty())
    return bad_request("ClearKey request", "POST /_mediaemu/speke/clearkey needs ?resource=<ResourceId>");
  json in = json::parse(request.body, nullptr, false);
  if (in.is_discarded() || !in.is_object() || !in.contains("kids") || !in["kids"].is_array())
    return bad_request("ClearKey request",
                       R"(the body must be W3C ClearKey JSON: {"kids":["<base64url key id>"],"type":"temporary"})");
  json keys = json::array();
  for (const auto& k : in["kids"]) {
    auto kid = k.is_string() ? block_from_base64url(k.get<std::string>()) : std::nullopt;
    if (!kid) return bad_request("ClearKey request", "kids[] must be base64url encodings of 16-byte key ids");
    keys.push_back({{"kty", "oct"}, {"k", base64url(vault_.key(resource, *kid))}, {"kid", base64url(*kid)}});
  }
  spdlog::info("speke: ClearKey licence for resource {} ({} keys)", resource, keys.size());
  api::HttpResponse r;
  r.set_header("Content-Type", "application/json");
  allow_any_origin(r);
  r.body = json{{"keys", keys}, {"type", in.value("type", "temporary")}}.dump();
  return r;
}

}  // namespace mediaemu::speke
