#include "api/aws_api.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "api/model_registry.hpp"
#include "api/protocols/protocol_errors.hpp"
#include "api/shape_codec.hpp"

namespace mediaemu::api {
namespace {

// The credential scope of a SigV4 Authorization header:
// "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/medialive/aws4_request, SignedHeaders=..."
struct CredentialScope {
  std::string region, service;
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
  return CredentialScope{std::string(parts[2]), std::string(parts[3])};
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

void require_present(const Shape& input, const json& value) {
  for (const auto& m : input.members) {
    if (m.required && m.location != Location::Body && !value.contains(m.name)) {
      throw ApiError(ErrorKind::Validation, "Missing required parameter '" + m.wire + "'");
    }
  }
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
    std::stable_sort(s.routes.begin(), s.routes.end(), [](const Operation* a, const Operation* b) {
      return a->uri.specificity() > b->uri.specificity();
    });
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

const AwsApi::Service* AwsApi::service_for(const HttpRequest& request, std::string& region,
                                           HttpResponse& error) const {
  region = kDefaultRegion;
  if (auto scope = credential_scope(request.header("authorization"))) {
    region = scope->region.empty() ? kDefaultRegion : scope->region;
    for (const auto& s : services_)
      if (s.model->signing_name() == scope->service) return &s;
    // Answered in the protocol that service's clients speak, so that an XML client (S3, STS, IAM)
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
  // Unsigned request: the path decides. A tags path names its service inside the ARN.
  auto parts = split_path(request.path());
  if (parts.size() >= 2 && parts[0] == "tags") {
    std::string arn = percent_decode(parts[1]);
    for (const auto& s : services_)
      if (arn.rfind("arn:aws:" + s.model->signing_name() + ":", 0) == 0) return &s;
  }
  for (const auto& s : services_) {
    for (const Operation* op : s.routes)
      if (op->uri.match(parts)) return &s;
  }
  error = error_response(404, "UnknownOperationException",
                         "No operation of any emulated service matches " + request.method + " " +
                             std::string(request.path()),
                         new_request_id());
  return nullptr;
}

bool AwsApi::route(const Service& service, const HttpRequest& request, Route& out, HttpResponse& error) const {
  auto parts = split_path(request.path());
  std::vector<std::string> other_methods;
  for (const Operation* op : service.routes) {
    auto labels = op->uri.match(parts);
    if (!labels) continue;
    if (op->method != request.method) {
      if (std::find(other_methods.begin(), other_methods.end(), op->method) == other_methods.end())
        other_methods.push_back(op->method);
      continue;
    }
    out = Route{&service, op, std::move(*labels)};
    return true;
  }
  // Not AWS-exact on purpose: API Gateway-fronted AWS endpoints answer an unknown route with
  // 403 MissingAuthenticationTokenException, which sends people hunting for credential
  // problems. We say what is wrong instead.
  const std::string& name = service.model->service_id();
  if (!other_methods.empty()) {
    std::sort(other_methods.begin(), other_methods.end());
    std::string allowed;
    for (const auto& m : other_methods) allowed += (allowed.empty() ? "" : ", ") + m;
    error = error_response(405, "MethodNotAllowedException",
                           name + " has no " + request.method + " operation at " + std::string(request.path()) +
                               "; allowed: " + allowed,
                           new_request_id());
    error.set_header("Allow", allowed);
  } else {
    error = error_response(404, "UnknownOperationException",
                           "No " + name + " operation matches " + request.method + " " + std::string(request.path()),
                           new_request_id());
  }
  return false;
}

json AwsApi::read_input(const Route& route, const HttpRequest& request) const {
  const Shape* input = route.op->input;
  if (!input) return json::object();

  json value = json::object();
  // Body first; members from the URI, query and headers are added on top.
  if (!input->payload.empty()) {
    const Member* payload = input->member(input->payload);
    if (payload && !request.body.empty()) {
      if (payload->shape->type == ShapeType::Structure) {
        json body = json::parse(request.body, nullptr, false);
        if (body.is_discarded()) throw ApiError(ErrorKind::Validation, "The request body is not valid JSON");
        value[payload->name] = decode_value(*payload->shape, body, payload->wire);
      } else {
        value[payload->name] = request.body;
      }
    }
  } else if (!request.body.empty() &&
             request.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded()) {
      throw ApiError(ErrorKind::Validation, "The request body is not valid JSON");
    }
    if (!body.is_object()) throw ApiError(ErrorKind::Validation, "The request body must be a JSON object");
    value = decode_value(*input, body, "");
  } else {
    value = decode_value(*input, json::object(), "");
  }

  for (const auto& [label, text] : route.labels) {
    for (const auto& m : input->members) {
      if (m.location == Location::Uri && m.wire == label) value[m.name] = decode_text(*m.shape, text, m.wire);
    }
  }
  auto query = parse_query(request.query());
  for (const auto& m : input->members) {
    if (m.location == Location::Query) {
      if (m.shape->type == ShapeType::List) {
        json items = json::array();
        for (const auto& [k, v] : query)
          if (k == m.wire) items.push_back(decode_text(*m.shape->member_shape, v, m.wire));
        if (!items.empty()) value[m.name] = items;
      } else if (m.shape->type == ShapeType::Map) {
        json map = json::object();
        for (const auto& [k, v] : query) map[k] = v;
        if (!map.empty()) value[m.name] = map;
      } else {
        for (const auto& [k, v] : query)
          if (k == m.wire) value[m.name] = decode_text(*m.shape, v, m.wire);
      }
    } else if (m.location == Location::Header) {
      std::string lower = m.wire;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      auto v = request.header(lower);
      if (!v.empty()) value[m.name] = decode_text(*m.shape, std::string(v), m.wire);
    }
  }
  require_present(*input, value);
  return value;
}

HttpResponse AwsApi::write_output(const Route& route, const json& output, const std::string& request_id) const {
  HttpResponse r;
  r.status = route.op->success_code;
  r.set_header("x-amzn-RequestId", request_id);
  const Shape* shape = route.op->output;
  if (!shape) {
    if (r.status != 204) {
      r.set_header("Content-Type", "application/json");
      r.body = "{}";
    }
    return r;
  }
  json body = json::object();
  for (auto it = output.begin(); it != output.end(); ++it) {
    const Member* m = shape->member(it.key());
    if (!m) {
      body[it.key()] = *it;
      continue;
    }
    switch (m->location) {
      case Location::Header: r.set_header(m->wire, encode_text(*m->shape, *it)); break;
      case Location::StatusCode: r.status = it->get<int>(); break;
      default:
        if (shape->payload == m->name) {
          r.body = m->shape->type == ShapeType::Structure ? encode_value(*m->shape, *it).dump() : it->get<std::string>();
          return r;
        }
        body[m->wire] = encode_value(*m->shape, *it);
    }
  }
  if (r.status == 204 && body.empty()) return r;
  r.set_header("Content-Type", "application/json");
  r.body = body.dump();
  return r;
}

HttpResponse AwsApi::handle(const HttpRequest& request) const {
  auto started = std::chrono::steady_clock::now();
  HttpResponse response;
  std::string region;
  const Service* service = service_for(request, region, response);
  if (!service) return response;
  Route route;
  if (!this->route(*service, request, route, response)) {
    spdlog::debug("{} {} -> {} (no route)", request.method, request.target, response.status);
    return response;
  }
  CallContext ctx{service->model->service(), route.op->name, region, kAccountId, new_request_id(), request.peer};
  try {
    json input = read_input(route, request);
    auto handler = service->handlers.find(route.op->name);
    if (handler == service->handlers.end()) {
      throw ApiError(ErrorKind::NotImplemented, "mediaemu does not implement " + service->model->service_id() + " " +
                                                    route.op->name + " yet; no resource was changed");
    }
    json output = handler->second(ctx, input);
    response = write_output(route, output, ctx.request_id);
  } catch (const ApiError& e) {
    response = error_response(service->model.get(), e.kind(), e.what(), ctx.request_id);
  } catch (const std::exception& e) {
    spdlog::error("{} {} failed: {}", ctx.service, ctx.operation, e.what());
    response = error_response(service->model.get(), ErrorKind::Internal,
                              std::string("Internal error in mediaemu: ") + e.what(), ctx.request_id);
  }
  if (spdlog::should_log(spdlog::level::debug)) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    spdlog::debug("{} {}:{} {} {} -> {} ({} us)", region, ctx.service, ctx.operation, request.method, request.target,
                  response.status, us);
  }
  return response;
}

}  // namespace mediaemu::api
