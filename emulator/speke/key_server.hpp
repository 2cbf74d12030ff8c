// mediaemu's local SPEKE key server, on the API port (so at http://127.0.0.1:4566 by default):
//
//   POST /_mediaemu/speke/v1  SPEKE v1 (CPIX with CPIX@id): answers the keys and, for HLS AES-128,
//   POST /_mediaemu/speke/v2  URIExtXKey; for DASH-IF ClearKey (e2719d58-…), ContentProtectionData
//                             naming the ClearKey licence URL below (<dashif:Laurl>, cpix.hpp).
//                             Both paths answer both versions; a request with
//                             X-Speke-Version (SPEKE v2) gets it echoed with X-Speke-User-Agent
//                             (docs.aws.amazon.com/speke/latest/documentation/live-workflow-methods-v2.html),
//                             a v1 request gets Speke-User-Agent (.../live-workflow-methods.html).
//   GET  /_mediaemu/speke/key?resource=<ResourceId>&kid=<uuid>
//                             the 16 key bytes (application/octet-stream): the URI put in URIExtXKey,
//                             which HLS players fetch (RFC 8216 §5.2).
//   POST /_mediaemu/speke/clearkey?resource=<ResourceId>
//                             a W3C ClearKey licence (Encrypted Media Extensions, "Clear Key":
//                             https://www.w3.org/TR/encrypted-media/#clear-key-request-format):
//                             {"kids":[b64url],"type":"temporary"} -> {"keys":[{"kty":"oct","k":..,
//                             "kid":..}],"type":"temporary"}, base64url without padding.
//
// Under /_mediaemu/, mediaemu's own namespace (health, time): no S3 bucket name starts with "_",
// so path-style S3 requests never reach it.
//
// Keys are derived from the instance secret (key_vault.hpp), so nothing is stored per key. No
// authentication: it is a local test server (MediaPackage's RoleArn is not checked either).
// Handlers are pure CPU work (XML, HMAC), fine on the HTTP threads. Malformed requests get 400
// with a message and a log line.
#pragma once

#include <filesystem>
#include <string>

#include "api/front_door.hpp"
#include "api/http_types.hpp"
#include "emulator/speke/key_vault.hpp"

namespace mediaemu::speke {

inline constexpr const char* kKeyServerPrefix = "/_mediaemu/speke/";

class KeyServer {
 public:
  explicit KeyServer(const std::filesystem::path& data_dir) : vault_(data_dir) {}
  explicit KeyServer(KeyVault vault) : vault_(std::move(vault)) {}

  void install(api::FrontDoor& front);
  api::HttpResponse handle(const api::HttpRequest& request) const;

  // The key URI for a ResourceId and key id, on the server that `host` (a Host header) names.
  static std::string key_uri(const std::string& host, const std::string& resource_id, const Block& kid);
  // Where a resource's ClearKey licences are (the DASH-IF ClearKey ContentProtection's Laurl).
  static std::string clearkey_licence_url(const std::string& host, const std::string& resource_id);

 private:
  api::HttpResponse cpix(const api::HttpRequest& request) const;
  api::HttpResponse key(const api::HttpRequest& request) const;
  api::HttpResponse clearkey(const api::HttpRequest& request) const;

  KeyVault vault_;
};

}  // namespace mediaemu::speke
