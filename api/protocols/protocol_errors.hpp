// Errors in each AWS protocol's own shape, so that every client can parse them. The first piece of
// api/protocols/ (one strategy per protocol, see ../shared/DESIGN.md): today it answers requests
// for a service mediaemu does not emulate, in the protocol that service's clients speak, instead
// of JSON that an XML client cannot read.
//
//   rest-json  {"message": ...} with x-amzn-ErrorType              (MediaLive, MediaPackage, ...)
//   json       {"__type": ..., "message": ...}                      (SSM, Secrets Manager, Logs, ECR)
//   query      <ErrorResponse><Error><Type>Sender</Type><Code>...   (STS, IAM, SNS, CloudFormation)
//   ec2        <Response><Errors><Error><Code>...                   (EC2)
//   rest-xml   <Error><Code>...<Message>...                         (S3, CloudFront)
//   rpc-v2-cbor the json shape, CBOR-encoded, smithy-protocol header (CloudWatch, newer SDKs)
// Sources: the AWS SDKs' protocol test suites as botocore parses them (botocore/parsers.py:
// BaseJSONParser, QueryParser, EC2QueryParser, RestXMLParser, BaseCBORParser).
#pragma once

#include <string>
#include <string_view>

#include "api/http_types.hpp"

namespace mediaemu::api {

enum class Protocol { RestJson, Json, Query, Ec2, RestXml, RpcV2Cbor };

// A botocore metadata protocol name ("rest-xml", "smithy-rpc-v2-cbor", ...); rest-json if unknown.
Protocol protocol_named(std::string_view name);

// The protocol a request was sent in: its headers tell JSON RPC (X-Amz-Target or an
// application/x-amz-json content type), CBOR (smithy-protocol: rpc-v2-cbor) and query (a form
// POST) apart; otherwise it is the service model's own (rest-xml or rest-json by the URL alone).
Protocol protocol_of_request(const HttpRequest& request, Protocol model_protocol);

// One error, before a protocol writes it.
struct ErrorReply {
  ErrorReply() = default;
  ErrorReply(int status, std::string code, std::string message, bool sender_fault = true)
      : status(status), code(std::move(code)), message(std::move(message)), sender_fault(sender_fault) {}
  int status = 400;
  std::string code;     // "NoSuchEntity", "ValidationException"
  std::string message;
  bool sender_fault = true;     // query: <Type>Sender</Type>, else Receiver
  std::string query_code;       // awsQueryCompatible services: the query code for x-amzn-query-error
};

// An error response in `protocol`'s shape, with the request id where that protocol carries it.
HttpResponse protocol_error(Protocol protocol, const ErrorReply& error, const std::string& request_id);
HttpResponse protocol_error(Protocol protocol, int status, const std::string& code, const std::string& message,
                            const std::string& request_id);

// The botocore metadata protocol of the AWS service signed as `signing_name` ("s3", "monitoring"),
// from every model the build found (tools/embed-models.py), or empty when no model names it.
std::string_view model_protocol_for_signing_name(std::string_view signing_name);

}  // namespace mediaemu::api
