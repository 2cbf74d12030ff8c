#include "api/protocols/protocol_errors.hpp"

#include <nlohmann/json.hpp>

#include "api/model_registry.hpp"

namespace mediaemu::api {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;  // text content: quotes need no escape outside attributes
      default: out += c;
    }
  }
  return out;
}

std::string xml_element(const char* name, const std::string& text) {
  return std::string("<") + name + ">" + xml_escape(text) + "</" + name + ">";
}

}  // namespace

Protocol protocol_named(std::string_view name) {
  if (name == "json") return Protocol::Json;
  if (name == "query") return Protocol::Query;
  if (name == "ec2") return Protocol::Ec2;
  if (name == "rest-xml") return Protocol::RestXml;
  if (name == "smithy-rpc-v2-cbor") return Protocol::RpcV2Cbor;
  return Protocol::RestJson;
}

Protocol protocol_of_request(const HttpRequest& request, Protocol model_protocol) {
  std::string_view content_type = request.header("content-type");
  if (request.header("smithy-protocol") == "rpc-v2-cbor") return Protocol::RpcV2Cbor;
  if (!request.header("x-amz-target").empty() || starts_with(content_type, "application/x-amz-json-"))
    return Protocol::Json;
  if (request.method == "POST" && starts_with(content_type, "application/x-www-form-urlencoded"))
    return model_protocol == Protocol::Ec2 ? Protocol::Ec2 : Protocol::Query;
  return model_protocol;
}

HttpResponse protocol_error(Protocol protocol, int status, const std::string& code, const std::string& message,
                            const std::string& request_id) {
  return protocol_error(protocol, ErrorReply(status, code, message, status < 500), request_id);
}

HttpResponse protocol_error(Protocol protocol, const ErrorReply& error, const std::string& request_id) {
  const std::string& code = error.code;
  const std::string& message = error.message;
  HttpResponse r;
  r.status = error.status;
  r.set_header("x-amzn-RequestId", request_id);
  // botocore's JSON and CBOR parsers read the query code from here for awsQueryCompatible models.
  if (!error.query_code.empty() && (protocol == Protocol::Json || protocol == Protocol::RpcV2Cbor))
    r.set_header("x-amzn-query-error", error.query_code + (error.sender_fault ? ";Sender" : ";Receiver"));
  switch (protocol) {
    case Protocol::RestJson:
      r.set_header("Content-Type", "application/json");
      r.set_header("x-amzn-ErrorType", code);
      r.body = nlohmann::json{{"message", message}}.dump();
      break;
    case Protocol::Json:
      r.set_header("Content-Type", "application/x-amz-json-1.1");
      r.body = nlohmann::json{{"__type", code}, {"message", message}}.dump();
      break;
    case Protocol::RpcV2Cbor: {
      r.set_header("Content-Type", "application/cbor");
      r.set_header("smithy-protocol", "rpc-v2-cbor");
      auto cbor = nlohmann::json::to_cbor(nlohmann::json{{"__type", code}, {"message", message}});
      r.body.assign(cbor.begin(), cbor.end());
      break;
    }
    case Protocol::Query:
      r.set_header("Content-Type", "text/xml");
      r.body = std::string("<ErrorResponse><Error><Type>") + (error.sender_fault ? "Sender" : "Receiver") +
               "</Type>" + xml_element("Code", code) +
               xml_element("Message", message) + "</Error>" + xml_element("RequestId", request_id) +
               "</ErrorResponse>";
      break;
    case Protocol::Ec2:
      r.set_header("Content-Type", "text/xml");
      r.body = "<Response><Errors><Error>" + xml_element("Code", code) + xml_element("Message", message) +
               "</Error></Errors>" + xml_element("RequestID", request_id) + "</Response>";
      break;
    case Protocol::RestXml:
      r.set_header("x-amz-request-id", request_id);  // S3's name for it
      r.set_header("Content-Type", "application/xml");
      r.body = "<Error>" + xml_element("Code", code) + xml_element("Message", message) +
               xml_element("RequestId", request_id) + "</Error>";
      break;
  }
  return r;
}

std::string_view model_protocol_for_signing_name(std::string_view signing_name) {
  for (const auto& known : known_service_protocols())
    if (known.signing_name == signing_name) return known.protocol;
  return {};
}

}  // namespace mediaemu::api
