// AWS JSON 1.0 / 1.1: POST / with X-Amz-Target "<targetPrefix>.<Operation>" and the input as a
// JSON object (SSM, Secrets Manager, CloudWatch Logs, ECR; CloudWatch as one of its three).
// https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
#include "api/errors.hpp"
#include "api/protocols/wire_protocol.hpp"
#include "api/shape_codec.hpp"

namespace mediaemu::api {
namespace {

class JsonRpc final : public WireProtocol {
 public:
  Protocol id() const override { return Protocol::Json; }

  bool route(const ServiceModel& model, const std::vector<const Operation*>&, const HttpRequest& request,
             RoutedRequest& out, ErrorReply& error) const override {
    std::string_view target = request.header("x-amz-target");
    auto dot = target.rfind('.');
    std::string_view prefix = dot == std::string_view::npos ? std::string_view{} : target.substr(0, dot);
    const Operation* op = nullptr;
    if (prefix == model.target_prefix()) op = model.operation(target.substr(dot + 1));
    return route_rpc(model, op, request, 400,
                     target.empty() ? model.service_id() + " requests name their operation in X-Amz-Target"
                                    : model.service_id() + " has no operation " + std::string(target),
                     out, error);
  }

  json read_input(const ServiceModel&, const RoutedRequest& routed, const HttpRequest& request) const override {
    json body = json::object();
    if (request.body.find_first_not_of(" \t\r\n") != std::string::npos) {
      body = json::parse(request.body, nullptr, false);
      if (body.is_discarded()) throw ApiError(ErrorKind::Validation, "SerializationException", "The request body is not valid JSON", 400);
      if (!body.is_object()) throw ApiError(ErrorKind::Validation, "SerializationException", "The request body must be a JSON object", 400);
    }
    return routed.op->input ? decode_value(*routed.op->input, body, "") : json::object();
  }

  HttpResponse write_output(const ServiceModel& model, const Operation& op, const json& output,
                            const std::string& request_id) const override {
    HttpResponse r;
    r.set_header("x-amzn-RequestId", request_id);
    r.set_header("Content-Type", "application/x-amz-json-" + model.json_version());
    r.body = op.output ? encode_value(*op.output, output).dump() : "{}";
    return r;
  }
};

}  // namespace

bool route_rpc(const ServiceModel& model, const Operation* op, const HttpRequest& request, int unknown_status,
               const std::string& unknown_message, RoutedRequest& out, ErrorReply& error) {
  if (!op) {
    error = ErrorReply(unknown_status, "UnknownOperationException", unknown_message);
    return false;
  }
  if (request.method != "POST") {
    error = ErrorReply(405, "MethodNotAllowedException", model.service_id() + " operations are POSTed, not " + request.method);
    return false;
  }
  out = RoutedRequest{op, {}};
  return true;
}

const WireProtocol& json_rpc_protocol() {
  static const JsonRpc instance;
  return instance;
}

}  // namespace mediaemu::api
