#include "emulator/mediapackage/hls_ingest.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "api/aws_api.hpp"
#include "emulator/media_plans.hpp"
#include "emulator/mediapackage/mediapackage.hpp"

namespace mediaemu::mediapackage {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > i) parts.emplace_back(path.substr(i, slash - i));
    i = slash + 1;
  }
  return parts;
}

api::HttpResponse refusal(int status, const std::string& type, const std::string& message) {
  return api::error_response(status, type, message, api::new_request_id());
}

bool is_upload(const std::string& method) { return method == "PUT" || method == "POST"; }

}  // namespace

std::optional<api::HttpResponse> HlsIngestDoor::check(const api::HttpRequest& r, Target& target) {
  // /in/v2/<channel GUID>/<ingest endpoint id>/<file>: a file name, no deeper path.
  auto parts = split_path(r.path());
  if (parts.size() != 5 || parts[0] != "in" || parts[1] != "v2" || parts[4] == "." || parts[4] == "..")
    return refusal(404, "NotFoundException", "Not a MediaPackage ingest URL: expected /in/v2/<channel>/<endpoint>/<file>");
  if (!is_upload(r.method) && r.method != "DELETE") {
    auto out = refusal(405, "MethodNotAllowedException",
                       "MediaPackage ingest URLs take PUT, POST and DELETE (WebDAV uploads), not " + r.method);
    out.set_header("Allow", "PUT, POST, DELETE");
    return out;
  }
  std::string username, password;
  {
    auto lock = domain_.read();
    const Record* channel = find_channel_by_guid(domain_, parts[2]);
    int index = channel ? ingest_endpoint_index(*channel, parts[3]) : -1;
    if (index < 0) return refusal(404, "NotFoundException", "No MediaPackage channel has this ingest URL");
    const auto& endpoint = channel->doc["HlsIngest"]["IngestEndpoints"][static_cast<size_t>(index)];
    username = endpoint.value("Username", "");
    password = endpoint.value("Password", "");
    target = {channel->key.region, channel->key.id, parts[3], parts[4], index};
  }
  auto result = auth_.verify(r.header("authorization"), r.method, username, password);
  if (result == api::DigestAuth::Result::Ok) return std::nullopt;
  if (result != api::DigestAuth::Result::Missing)  // the first, unauthenticated try is the protocol, not news
    spdlog::warn("hls ingest: refused {} {} from {}: {}", r.method, std::string(r.path()), r.peer,
                 api::DigestAuth::describe(result));
  auto out = refusal(401, "UnauthorizedException",
                     "HLS ingest needs HTTP digest authentication with the ingest endpoint's Username and Password");
  out.set_header("WWW-Authenticate", auth_.challenge(result == api::DigestAuth::Result::StaleNonce));
  return out;
}

std::optional<api::HttpResponse> HlsIngestDoor::screen(const api::HttpRequest& headers_only) {
  auto started = std::chrono::steady_clock::now();
  Target target;
  auto refused = check(headers_only, target);
  if (refused) count(target, *refused, 0, started);  // answered before its body: a request all the same
  return refused;
}

api::HttpResponse HlsIngestDoor::handle(const api::HttpRequest& r) {
  auto started = std::chrono::steady_clock::now();
  Target target;
  api::HttpResponse out = answer(r, target);
  count(target, out, is_upload(r.method) ? r.body.size() : 0, started);  // a DELETE takes no bytes
  return out;
}

void HlsIngestDoor::count(const Target& target, const api::HttpResponse& out, size_t taken,
                          std::chrono::steady_clock::time_point started) {
  if (target.channel_id.empty()) return;  // no channel's URL: nothing to count it against
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  traffic_.count(target.region, target.channel_id, target.ingest_endpoint_id, out.status, taken, ms);
}

api::HttpResponse HlsIngestDoor::answer(const api::HttpRequest& r, Target& target) {
  // Checked again although screen() passed the headers: the credentials may have rotated, or the
  // channel gone, while the body was arriving (a digest check is a few hashes).
  if (auto refused = check(r, target)) return *refused;
  media::HlsIngestDelivery delivery;
  delivery.region = target.region;
  delivery.mediapackage_channel_id = target.channel_id;
  delivery.ingest_index = target.index;
  delivery.remove = r.method == "DELETE";
  delivery.file = target.file;
  delivery.body = r.body;
  delivery.plan_endpoints = [this, region = target.region, id = target.channel_id] {
    auto lock = domain_.read();
    return mediapackage_endpoint_plans(domain_, region, id);
  };
  media::HlsIngestAnswer answer = media_.hls_ingest(std::move(delivery));
  if (answer.status >= 300) {
    spdlog::warn("hls ingest: {} {} not taken ({}): {}", r.method, std::string(r.path()), answer.status, answer.why);
    return refusal(answer.status, answer.status == 409 ? "ConflictException" : "ServiceUnavailableException",
                   answer.why);
  }
  api::HttpResponse out;
  out.status = answer.status;
  return out;
}

}  // namespace mediaemu::mediapackage
