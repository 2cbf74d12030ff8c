// One AWS wire protocol as a strategy over the same ServiceModel and the same handlers: how a
// request names its operation, how its input is read (into model form: member names, typed
// values, validated by shape_codec's decode_value), and how output and errors are written. A
// handler never learns which protocol carried its request.
//
//   rest-json           method + URI template; JSON body            (MediaLive, MediaPackage, MediaConnect)
//   rest-xml            method + URI template (+ query keys); XML    (S3, CloudFront)
//   json 1.0/1.1        POST /, X-Amz-Target: Prefix.Operation       (SSM, Secrets Manager, Logs, ECR)
//   query               POST form: Action=Operation&Member.1=...     (STS, IAM, SNS, CloudFormation)
//   smithy-rpc-v2-cbor  POST /service/<Prefix>/operation/<Operation> (CloudWatch, newer SDKs)
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/http_types.hpp"
#include "api/model.hpp"
#include "api/protocols/protocol_errors.hpp"
#include "api/uri_template.hpp"

namespace mediaemu::api {

using json = nlohmann::json;

struct RoutedRequest {
  const Operation* op = nullptr;
  UriTemplate::Labels labels;  // rest protocols
};

class WireProtocol {
 public:
  virtual ~WireProtocol() = default;
  virtual Protocol id() const = 0;

  // Finds the operation the request names among `routes` (the model's operations, most specific
  // URI first). On failure fills `error` (unknown operation, wrong method) and returns false.
  virtual bool route(const ServiceModel& model, const std::vector<const Operation*>& routes,
                     const HttpRequest& request, RoutedRequest& out, ErrorReply& error) const = 0;
  // The operation's input in model form. Throws ApiError(Validation) for malformed or invalid input.
  virtual json read_input(const ServiceModel& model, const RoutedRequest& routed, const HttpRequest& request) const = 0;
  // The handler's output (model form) as this protocol's success response.
  virtual HttpResponse write_output(const ServiceModel& model, const Operation& op, const json& output,
                                    const std::string& request_id) const = 0;
};

// The RPC protocols' routing once the request has named its operation: `op` (null when the name
// matched none, answered `unknown_status` UnknownOperationException with `unknown_message`), and
// POST only.
bool route_rpc(const ServiceModel& model, const Operation* op, const HttpRequest& request, int unknown_status,
               const std::string& unknown_message, RoutedRequest& out, ErrorReply& error);

// The strategy for a protocol (one instance each, stateless).
const WireProtocol& wire_protocol(Protocol protocol);

// Each strategy's instance (defined in its own file).
const WireProtocol& rest_json_protocol();
const WireProtocol& rest_xml_protocol();
const WireProtocol& json_rpc_protocol();
const WireProtocol& query_protocol();
const WireProtocol& rpc_v2_cbor_protocol();

}  // namespace mediaemu::api
