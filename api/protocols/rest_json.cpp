// rest-json: method + URI template, members in labels / query / headers, the rest a JSON object
// named by locationName (MediaLive, MediaPackage, MediaConnect).
#include "api/errors.hpp"
#include "api/protocols/rest_common.hpp"
#include "api/shape_codec.hpp"

namespace mediaemu::api {
namespace {

json parse_json_body(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) throw ApiError(ErrorKind::Validation, "The request body is not valid JSON");
  return parsed;
}

bool blank(const std::string& body) { return body.find_first_not_of(" \t\r\n") == std::string::npos; }

class RestJson final : public WireProtocol {
 public:
  Protocol id() const override { return Protocol::RestJson; }

  bool route(const ServiceModel& model, const std::vector<const Operation*>& routes, const HttpRequest& request,
             RoutedRequest& out, ErrorReply& error) const override {
    return route_rest(model, routes, request, request.path(), out, error, "UnknownOperationException");
  }

  json read_input(const ServiceModel&, const RoutedRequest& routed, const HttpRequest& request) const override {
    const Shape* input = routed.op->input;
    if (!input) return json::object();
    json value = json::object();
    if (!input->payload.empty()) {
      const Member* payload = input->member(input->payload);
      if (payload && !request.body.empty()) {
        value[payload->name] = payload->shape->type == ShapeType::Structure
                                   ? decode_value(*payload->shape, parse_json_body(request.body), payload->wire)
                                   : json(request.body);
      }
    } else if (!blank(request.body)) {
      json body = parse_json_body(request.body);
      if (!body.is_object()) throw ApiError(ErrorKind::Validation, "The request body must be a JSON object");
      value = decode_value(*input, body, "");
    } else {
      value = decode_value(*input, json::object(), "");
    }
    read_rest_members(*input, routed, request, value);
    return value;
  }

  HttpResponse write_output(const ServiceModel&, const Operation& op, const json& output,
                            const std::string& request_id) const override {
    HttpResponse r;
    r.status = op.success_code;
    r.set_header("x-amzn-RequestId", request_id);
    const Shape* shape = op.output;
    if (!shape) {
      if (r.status != 204) {
        r.set_header("Content-Type", "application/json");
        r.body = "{}";
      }
      return r;
    }
    json rest = write_rest_members(*shape, output, r);
    if (!shape->payload.empty() && rest.contains(shape->payload)) {
      const Member* m = shape->member(shape->payload);
      const json& v = rest[shape->payload];
      r.body = m->shape->type == ShapeType::Structure ? encode_value(*m->shape, v).dump() : v.get<std::string>();
      return r;
    }
    json body = encode_value(*shape, rest);
    if (r.status == 204 && body.empty()) return r;
    r.set_header("Content-Type", "application/json");
    r.body = body.dump();
    return r;
  }
};

}  // namespace

const WireProtocol& rest_json_protocol() {
  static const RestJson instance;
  return instance;
}

const WireProtocol& wire_protocol(Protocol protocol) {
  switch (protocol) {
    case Protocol::RestXml: return rest_xml_protocol();
    case Protocol::Json: return json_rpc_protocol();
    case Protocol::Query: return query_protocol();
    case Protocol::RpcV2Cbor: return rpc_v2_cbor_protocol();
    default: return rest_json_protocol();
  }
}

}  // namespace mediaemu::api
