#include "api/aws_api.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "api/model_registry.hpp"
#include "api/protocols/protocol_errors.hpp"
#include "api/protocols/wire_protocol.hpp"
#include "api/uri_template.hpp"

namespace mediaemu::api {
namespace {

// The credential scope of a SigV4 Authorization header:
// "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/medialive/aws4_request, SignedHeaders=..."
struct CredentialScope {
  std::string region, service, access_key;
};

std::optional<CredentialScope> credential_scope(std::string_view authorization) {
  auto at = authorization.find("Credential=");
  if (at == std::string_view::npos) return std::nullopt;
  auto rest = authorization.substr(at + 11);
  rest = rest.substr(0, rest.find_first_of(", "));
  std::vector<std::string_view> parts;
  while (true) {
    auto slash = rest.find('/');
    parts.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (parts.size() != 5) return std::nullopt;
  return CredentialScope{std::string(parts[2]), std::string(parts[3]), std::string(parts[0])};
}

// Which error shape a domain error kind becomes in a given service. Services that lack the
// natural shape fall back the way the service itself does: MediaPackage declares neither
// BadRequestException nor ConflictException and answers 422 UnprocessableEntityException.
const Shape* error_shape_for(const ServiceModel& model, ErrorKind kind) {
  auto first = [&](std::initializer_list<const char*> names) -> const Shape* {
    for (const char* n : names)
      if (const Shape* s = model.error_shape(n)) return s;
    return nullptr;
  };
  switch (kind) {
    case ErrorKind::Validation: return first({"BadRequestException", "UnprocessableEntityException", "ValidationException"});
    case ErrorKind::NotFound: return first({"NotFoundException", "ResourceNotFoundException"});
    case ErrorKind::Conflict: return first({"ConflictException", "UnprocessableEntityException", "BadRequestException"});
    case ErrorKind::Unprocessable: return first({"UnprocessableEntityException", "BadRequestException", "ValidationException"});
    case ErrorKind::Forbidden: return first({"ForbiddenException", "AccessDeniedException"});
    case ErrorKind::TooManyRequests: return first({"TooManyRequestsException", "ThrottlingException"});
    case ErrorKind::Internal: return first({"InternalServerErrorException", "InternalServerException"});
    case ErrorKind::NotImplemented: return nullptr;
  }
  return nullptr;
}

int default_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Validation: return 400;
    case ErrorKind::NotFound: return 404;
    case ErrorKind::Conflict: return 409;
    case ErrorKind::Unprocessable: return 422;
    case ErrorKind::Forbidden: return 403;
    case ErrorKind::TooManyRequests: return 429;
    case ErrorKind::NotImplemented: return 501;
    case ErrorKind::Internal: return 500;
  }
  return 500;
}

const char* default_type(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Validation: return "BadRequestException";
    case ErrorKind::NotFound: return "NotFoundException";
    case ErrorKind::Conflict: return "ConflictException";
    case ErrorKind::Unprocessable: return "UnprocessableEntityException";
    case ErrorKind::Forbidden: return "ForbiddenException";
    case ErrorKind::TooManyRequests: return "TooManyRequestsException";
    case ErrorKind::NotImplemented: return "NotImplementedException";
    case ErrorKind::Internal: return "InternalServerErrorException";
  }
  return "InternalServerErrorException";
}

}  // namespace

std::string new_request_id() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  b[6] = (b[6] & 0x0F) | 0x40;
  b[8] = (b[8] & 0x3F) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

HttpResponse error_response(int status, const std::string& type, const std::string& message,
                            const std::string& request_id) {
  HttpResponse r;
  r.status = status;
  r.set_header("Content-Type", "application/json");
  r.set_header("x-amzn-RequestId", request_id);
  r.set_header("x-amzn-ErrorType", type);
  r.body = json{{"message", message}}.dump();
  return r;
}

HttpResponse error_response(const ServiceModel* model, ErrorKind kind, const std::string& message,
                            const std::string& request_id) {
  const Shape* shape = model ? error_shape_for(*model, kind) : nullptr;
  if (!shape) return error_response(default_status(kind), default_type(kind), message, request_id);
  return error_response(shape->http_status ? shape->http_status : default_status(kind), shape->name, message,
                        request_id);
}

AwsApi::AwsApi() {
  for (const auto& embedded : embedded_models()) {
    Service s;
    s.model = ServiceModel::parse(embedded.service, embedded.json);
    for (const Operation* op : s.model->operations()) s.routes.push_back(op);
    // Most literal segments first, then the routes that need more query keys (S3's "?acl").
    std::stable_sort(s.routes.begin(), s.routes.end(), [](const Operation* a, const Operation* b) {
      if (a->uri.specificity() != b->uri.specificity()) return a->uri.specificity() > b->uri.specificity();
      return a->uri.query_specificity() > b->uri.query_specificity();
    });
    for (const auto& p : s.model->protocols()) s.protocols.push_back(protocol_named(p));
    services_.push_back(std::move(s));
  }
}

void AwsApi::set_handlers(const std::string& service, OperationTable table) {
  for (auto& s : services_) {
    if (s.model->service() != service) continue;
    for (auto& [name, handler] : table) {
      if (s.model->operation(name)) {
        s.handlers[name] = std::move(handler);
        continue;
      }
      s.skipped.push_back(name);
      spdlog::warn("{}: the embedded model ({}) has no operation {}; it is not served (build with newer "
                   "botocore models to get it)", service, kModelSource, name);
    }
    return;
  }
  throw std::logic_error("no embedded model for service " + service);
}

const ServiceModel* AwsApi::model(std::string_view service) const {
  for (const auto& s : services_)
    if (s.model->service() == service) return s.model.get();
  return nullptr;
}

json AwsApi::invoke(const std::string& service, const std::string& operation, const CallContext& ctx,
                    const json& input) const {
  for (const auto& s : services_) {
    if (s.model->service() != service) continue;
    auto handler = s.handlers.find(operation);
    if (handler == s.handlers.end() || !s.model->operation(operation)) break;
    CallContext call = ctx;
    call.service = service;
    call.operation = operation;
    if (call.request_id.empty()) call.request_id = new_request_id();
    return handler->second(call, input);
  }
  throw ApiError(ErrorKind::NotImplemented, "mediaemu does not implement " + service + " " + operation + " yet");
}

std::vector<std::string> AwsApi::services() const {
  std::vector<std::string> out;
  for (const auto& s : services_) out.push_back(s.model->service());
  return out;
}

json AwsApi::skipped_handlers() const {
  json out = json::object();
  for (const auto& s : services_)
    if (!s.skipped.empty()) out[s.model->service()] = s.skipped;
  return out;
}

json AwsApi::coverage() const {
  json out = json::object();
  for (const auto& s : services_) {
    json implemented = json::array(), missing = json::array();
    for (const Operation* op : s.model->operations()) {
      (s.handlers.count(op->name) ? implemented : missing).push_back(op->name);
    }
    out[s.model->service()] = {{"apiVersion", s.model->api_version()},
                               {"implemented", implemented},
                               {"notImplemented", missing}};
  }
  return out;
}

namespace {

std::optional<CredentialScope> scope_of(const HttpRequest& request) {
  if (auto scope = credential_scope(request.header("authorization"))) return scope;
  // A presigned URL (S3) carries the same scope as a query parameter.
  for (const auto& [k, v] : parse_query(request.query()))
    if (k == "X-Amz-Credential") return credential_scope("Credential=" + v);
  return std::nullopt;
}

const char* default_code(Protocol protocol, ErrorKind kind) {
  if (kind == ErrorKind::Validation) {
    switch (protocol) {
      case Protocol::Query: return "ValidationError";
      case Protocol::Json:
      case Protocol::RpcV2Cbor: return "ValidationException";
      case Protocol::RestXml: return "InvalidArgument";
      default: break;
    }
  }
  if (kind == ErrorKind::NotImplemented && protocol == Protocol::RestXml) return "NotImplemented";
  return default_type(kind);
}

bool is_xml(Protocol p) { return p == Protocol::Query || p == Protocol::RestXml || p == Protocol::Ec2; }

}  // namespace

ErrorReply AwsApi::error_reply(const ServiceModel* model, Protocol protocol, const ApiError& e) {
  const Shape* shape = nullptr;
  if (model) shape = e.code().empty() ? error_shape_for(*model, e.kind()) : model->error_shape(e.code());
  ErrorReply reply;
  reply.message = e.what();
  if (shape) {
    // XML protocols put the model's error code on the wire ("NoSuchEntity"); the JSON ones the
    // shape's name ("NoSuchEntityException"), which is what their SDKs match.
    reply.code = is_xml(protocol) ? shape->error_code : shape->name;
    // An error shape without an HTTP status (the JSON and query services') is a 400, or a 500
    // for a server fault: Smithy's default for errors with no @httpError.
    int unmodelled = shape->sender_fault ? 400 : 500;
    reply.status = e.status() ? e.status() : shape->http_status ? shape->http_status : unmodelled;
    reply.sender_fault = shape->sender_fault;
    if (model->query_compatible()) reply.query_code = shape->error_code;
  } else {
    reply.code = e.code().empty() ? default_code(protocol, e.kind()) : e.code();
    reply.status = e.status() ? e.status() : default_status(e.kind());
    reply.sender_fault = reply.status < 500;
  }
  return reply;
}

const AwsApi::Service* AwsApi::service_for(const HttpRequest& request, std::string& region,
                                           HttpResponse& error) const {
  region = kDefaultRegion;
  if (auto scope = scope_of(request)) {
    region = scope->region.empty() ? kDefaultRegion : scope->region;
    for (const auto& s : services_)
      if (s.model->signing_name() == scope->service) return &s;
    // Answered in the protocol that service's clients speak, so that an XML client (EC2, Route 53)
    // shows this message rather than failing to parse JSON.
    std::string names;
    for (const auto& s : services_) names += (names.empty() ? "" : ", ") + s.model->service();
    Protocol protocol =
        protocol_of_request(request, protocol_named(model_protocol_for_signing_name(scope->service)));
    error = protocol_error(protocol, 501, "NotImplementedException",
                           "mediaemu does not emulate the AWS service '" + scope->service +
                               "' (signed for it in the Authorization header); it serves: " + names,
                           new_request_id());
    return nullptr;
  }
  // Unsigned: the request's own shape names the service.
  std::string_view target = request.header("x-amz-target");
  std::string_view path = request.path();
  for (const auto& s : services_) {
    const std::string& prefix = s.model->target_prefix();
    if (prefix.empty()) continue;
    if (!target.empty() && target.substr(0, target.rfind('.')) == prefix) return &s;
    if (path.substr(0, 9) == "/service/" && path.substr(9, prefix.size() + 1) == prefix + "/") return &s;
  }
  auto parts = split_path(path);
  if (parts.size() >= 2 && parts[0] == "tags") {  // a tags path names its service inside the ARN
    std::string arn = percent_decode(parts[1]);
    for (const auto& s : services_)
      if (arn.rfind("arn:aws:" + s.model->signing_name() + ":", 0) == 0) return &s;
  }
  // rest-json first: S3's "/{Bucket}" would match any one-segment path.
  for (Protocol rest : {Protocol::RestJson, Protocol::RestXml}) {
    for (const auto& s : services_) {
      if (s.protocols.front() != rest) continue;
      for (const Operation* op : s.routes)
        if (op->uri.match(parts)) return &s;
    }
  }
  error = error_response(404, "UnknownOperationException",
                         "No operation of any emulated service matches " + request.method + " " + std::string(path),
                         new_request_id());
  return nullptr;
}

Protocol AwsApi::protocol_for(const Service& service, const HttpRequest& request) const {
  Protocol sent = protocol_of_request(request, service.protocols.front());
  for (Protocol p : service.protocols)
    if (p == sent) return p;
  return service.protocols.front();
}

HttpResponse AwsApi::handle(const HttpRequest& request) const {
  auto started = std::chrono::steady_clock::now();
  HttpResponse response;
  std::string region;
  const Service* service = service_for(request, region, response);
  if (!service) return response;
  Protocol protocol = protocol_for(*service, request);
  const WireProtocol& wire = wire_protocol(protocol);
  RoutedRequest routed;
  ErrorReply no_route;
  if (!wire.route(*service->model, service->routes, request, routed, no_route)) {
    response = protocol_error(protocol, no_route, new_request_id());
    if (no_route.status == 405) response.set_header("Allow", no_route.message.substr(no_route.message.rfind(": ") + 2));
    spdlog::debug("{} {} -> {} (no route)", request.method, request.target, response.status);
    return response;
  }
  const Operation& op = *routed.op;
  CallContext ctx;
  ctx.service = service->model->service();
  ctx.operation = op.name;
  ctx.region = region;
  ctx.request_id = new_request_id();
  ctx.peer = request.peer;
  ctx.host = std::string(request.header("host"));
  if (auto scope = scope_of(request)) ctx.access_key = scope->access_key;
  try {
    json input = wire.read_input(*service->model, routed, request);
    auto handler = service->handlers.find(op.name);
    if (handler == service->handlers.end()) {
      throw ApiError(ErrorKind::NotImplemented, "mediaemu does not implement " + service->model->service_id() + " " +
                                                    op.name + " yet; no resource was changed");
    }
    json output = handler->second(ctx, input);
    response = wire.write_output(*service->model, op, output, ctx.request_id);
  } catch (const ApiError& e) {
    response = protocol_error(protocol, error_reply(service->model.get(), protocol, e), ctx.request_id);
    for (const auto& [name, value] : e.headers()) response.set_header(name, value);
  } catch (const std::exception& e) {
    spdlog::error("{} {} failed: {}", ctx.service, ctx.operation, e.what());
    ApiError internal(ErrorKind::Internal, std::string("Internal error in mediaemu: ") + e.what());
    response = protocol_error(protocol, error_reply(service->model.get(), protocol, internal), ctx.request_id);
  }
  if (spdlog::should_log(spdlog::level::debug)) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    spdlog::debug("{} {}:{} {} {} -> {} ({} us)", region, ctx.service, ctx.operation, request.method, request.target,
                  response.status, us);
  }
  return response;
}

}  // namespace mediaemu::api
