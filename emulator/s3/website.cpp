// Static website hosting: GET and HEAD of a bucket that has a website configuration, answering
// as S3's website endpoint does (HTML errors, index documents, the error document with 404).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/IndexDocumentSupport.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/CustomErrorDocSupport.html
#include "api/timestamps.hpp"
#include "api/uri_template.hpp"
#include "emulator/s3/object_headers.hpp"
#include "emulator/s3/s3.hpp"

namespace mediaemu::s3 {
namespace {

std::string host_without_port(const api::HttpRequest& request) {
  std::string host(request.header("host"));
  if (auto colon = host.rfind(':'); colon != std::string::npos && host.find(']') == std::string::npos) host.resize(colon);
  return host;
}

// "<bucket>.s3-website.localhost", "<bucket>.s3-website-us-east-1.amazonaws.com", "<bucket>.s3-website.<region>..."
std::string website_host_bucket(const api::HttpRequest& request) {
  std::string host = host_without_port(request);
  auto at = host.find(".s3-website");
  return at == std::string::npos || at == 0 ? std::string() : host.substr(0, at);
}

api::HttpResponse html_error(int status, const std::string& code, const std::string& message) {
  api::HttpResponse r;
  r.status = status;
  r.set_header("Content-Type", "text/html; charset=utf-8");
  std::string title = std::to_string(status) + (status == 404 ? " Not Found" : status == 403 ? " Forbidden" : " Error");
  r.body = "<html>\n<head><title>" + title + "</title></head>\n<body>\n<h1>" + title + "</h1>\n<ul>\n<li>Code: " + code +
           "</li>\n<li>Message: " + message + "</li>\n<li>RequestId: " + api::new_request_id() +
           "</li>\n</ul>\n<hr/>\n</body>\n</html>\n";
  return r;
}

api::HttpResponse object_response(S3Service& s3, const std::string& bucket, const std::string& key,
                                  const ObjectInfo& info, int status) {
  api::HttpResponse r;
  r.status = status;
  r.set_header("Content-Type", info.content_type());
  r.set_header("ETag", quoted_etag(info.etag));
  r.set_header("Last-Modified", api::format_rfc822(info.last_modified()));
  for (const auto& [member, header] : {std::pair{"CacheControl", "Cache-Control"}, {"ContentEncoding", "Content-Encoding"},
                                       {"ContentDisposition", "Content-Disposition"}, {"ContentLanguage", "Content-Language"}})
    if (info.headers.contains(member)) r.set_header(header, info.headers[member].get<std::string>());
  if (info.headers.contains("Metadata"))
    for (const auto& [name, value] : info.headers["Metadata"].items()) r.set_header("x-amz-meta-" + name, value.get<std::string>());
  r.body = s3.objects.read(bucket, key, 0, info.size);
  return r;
}

}  // namespace

bool is_website_request(const api::HttpRequest& request) {
  return request.path().rfind(kWebsitePathPrefix, 0) == 0 || !website_host_bucket(request).empty();
}

api::HttpResponse serve_website(S3Service& s3, const api::HttpRequest& request) {
  std::string bucket = website_host_bucket(request);
  std::string path = api::percent_decode(request.path());
  if (bucket.empty()) {  // /_website/<bucket>/<key>
    path.erase(0, std::string(kWebsitePathPrefix).size());
    auto slash = path.find('/');
    bucket = path.substr(0, slash);
    if (slash == std::string::npos) {
      api::HttpResponse r;  // the bucket's root without its slash: relative links need one
      r.status = 302;
      r.set_header("Location", std::string(kWebsitePathPrefix) + bucket + "/");
      return r;
    }
    path.erase(0, slash);
  }
  if (request.method != "GET" && request.method != "HEAD") {
    auto r = html_error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    r.set_header("Allow", "GET, HEAD");
    return r;
  }
  json website;
  {
    auto lock = s3.domain.read();
    const Record* r = s3.domain.find(bucket_key(bucket));
    if (!r) return html_error(404, "NoSuchBucket", "The specified bucket does not exist");
    if (!r->doc.contains("Website"))
      return html_error(404, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration");
    website = r->doc["Website"];
  }
  if (website.contains("RedirectAllRequestsTo")) {
    const json& to = website["RedirectAllRequestsTo"];
    api::HttpResponse r;
    r.status = 301;
    r.set_header("Location", to.value("Protocol", "http") + "://" + to.value("HostName", "") + path);
    return r;
  }
  std::string suffix = website.value("IndexDocument", json::object()).value("Suffix", "index.html");
  std::string key = path.empty() ? "" : path.substr(1);
  if (key.empty() || key.back() == '/') key += suffix;
  if (auto info = s3.objects.head(bucket, key)) return object_response(s3, bucket, key, *info, 200);
  // "photos" when "photos/index.html" exists: S3 redirects to the folder (IndexDocumentSupport.html).
  if (s3.objects.head(bucket, key + "/" + suffix)) {
    api::HttpResponse r;
    r.status = 302;
    r.set_header("Location", std::string(request.path()) + "/");
    return r;
  }
  if (website.contains("ErrorDocument")) {
    std::string error_key = website["ErrorDocument"].value("Key", "");
    if (auto info = s3.objects.head(bucket, error_key)) return object_response(s3, bucket, error_key, *info, 404);
  }
  return html_error(404, "NoSuchKey", "The specified key does not exist.");
}

}  // namespace mediaemu::s3
