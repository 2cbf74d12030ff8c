// The model-driven AWS protocol engine. For each embedded service it picks the protocol the
// request was sent in (among those its model lists), lets that protocol's strategy
// (api/protocols/) route the operation and turn the request into the operation's input in model
// form (validated), calls the domain's handler, and has the strategy write the output with the
// model's wire names. Errors leave as the service's own error shapes in the protocol's own form.
// An operation the domain has no handler for answers 501 naming it.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/errors.hpp"
#include "api/http_types.hpp"
#include "api/model.hpp"
#include "api/protocols/protocol_errors.hpp"

namespace mediaemu::api {

using json = nlohmann::json;

constexpr const char* kAccountId = "123456789012";
constexpr const char* kDefaultRegion = "us-east-1";

struct CallContext {
  std::string service;    // botocore name, "medialive"
  std::string operation;  // "CreateChannel"
  std::string region;     // from the SigV4 credential scope
  std::string account = kAccountId;
  std::string request_id;
  std::string peer;  // caller's IP address
  std::string host;  // the Host header (local URLs in responses name the host the client used)
  std::string access_key;  // the SigV4 credential's access key id (STS maps session keys to roles)
};

// Input and output are in model form (member names, as in boto3).
using Handler = std::function<json(const CallContext&, const json& input)>;
using OperationTable = std::unordered_map<std::string, Handler>;

class AwsApi {
 public:
  // Parses every embedded model. Throws if one is malformed (a build problem, not a user one).
  AwsApi();

  // Installs the domain's handlers for a service. A handler whose operation the embedded model
  // lacks (an older botocore, e.g. Debian's 1.29 has no MediaLive ListAlerts) is skipped with one
  // log line and listed by skipped_handlers(), so mediaemu serves whatever model it was built
  // with. Throws std::logic_error for a service without an embedded model.
  void set_handlers(const std::string& service, OperationTable table);
  // Per service, the handler names set_handlers() skipped (health and the unit tests read it).
  json skipped_handlers() const;

  // Handles one AWS API request. Never throws.
  HttpResponse handle(const HttpRequest& request) const;

  // Calls a service's handler in-process with an input already in model form, the way a
  // request would reach it: the door CloudFormation's resource providers use, so a stack and the
  // CLI run the same behaviour. Throws the handler's ApiError, or NotImplemented naming the
  // operation when it has no handler (or the model lacks it).
  json invoke(const std::string& service, const std::string& operation, const CallContext& ctx,
              const json& input) const;

  const ServiceModel* model(std::string_view service) const;
  std::vector<std::string> services() const;
  // Operations with a handler / without one, per service (health and coverage report).
  json coverage() const;

  // A domain error as the service's own error (shape, code, status) in `protocol`.
  static ErrorReply error_reply(const ServiceModel* model, Protocol protocol, const ApiError& error);

 private:
  struct Service {
    std::unique_ptr<ServiceModel> model;
    std::vector<Protocol> protocols;       // the model's, preferred first
    std::vector<const Operation*> routes;  // rest protocols: most specific URI first
    OperationTable handlers;
    std::vector<std::string> skipped;  // handlers for operations this model does not have
  };

  const Service* service_for(const HttpRequest& request, std::string& region, HttpResponse& error) const;
  // The protocol the request was sent in, when the model lists it; else the model's preferred one.
  Protocol protocol_for(const Service& service, const HttpRequest& request) const;

  std::vector<Service> services_;
};

// An AWS-shaped error response: status from the service's error shape, x-amzn-ErrorType and
// {"message": ...}. `service_model` may be null (no service could be determined).
HttpResponse error_response(const ServiceModel* service_model, ErrorKind kind, const std::string& message,
                            const std::string& request_id);
HttpResponse error_response(int status, const std::string& type, const std::string& message,
                            const std::string& request_id);

std::string new_request_id();

}  // namespace mediaemu::api
