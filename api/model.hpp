// A botocore service model (service-2.json), parsed once into linked shapes and operations.
// Everything the protocol engine knows about names, locations, constraints, success codes and
// error shapes comes from here; nothing about an operation is written by hand.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/uri_template.hpp"

namespace mediaemu::api {

enum class ShapeType { Structure, List, Map, String, Integer, Long, Double, Float, Boolean, Timestamp, Blob };

// Where a structure member travels on the wire (the rest protocols; everything is Body otherwise).
enum class Location { Body, Uri, Query, Header, Headers, StatusCode };

struct Shape;

struct Member {
  std::string name;       // model name, e.g. "ChannelId" (the domain speaks these)
  std::string wire;       // locationName, e.g. "channelId" (defaults to name)
  const Shape* shape = nullptr;
  Location location = Location::Body;
  bool required = false;
  bool idempotency_token = false;
  // XML protocols (query, rest-xml): a list or map written without its wrapper element, an
  // attribute rather than an element, and a namespace declared on the element.
  bool flattened = false;
  bool xml_attribute = false;
  std::string xml_namespace;
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::String;
  // Structure
  std::vector<Member> members;
  std::unordered_map<std::string, size_t> member_by_name;
  std::unordered_map<std::string, size_t> member_by_wire;  // body members only
  std::string payload;                                      // member sent as the whole body
  bool exception = false;
  int http_status = 0;      // error shapes; 0: none modelled (400, or 500 for a server fault)
  std::string error_code;   // the code on the wire: the model's error.code ("NoSuchEntity") or the name
  bool sender_fault = true; // query errors: <Type>Sender</Type> or Receiver
  std::string xml_namespace;
  // List / map
  const Shape* member_shape = nullptr;  // list element
  const Shape* key_shape = nullptr;     // map key
  const Shape* value_shape = nullptr;   // map value
  bool flattened = false;               // XML: list items / map entries without a wrapper
  std::string member_name = "member";   // XML: element name of a list item
  std::string key_name = "key", value_name = "value";  // XML: map entry children
  // Scalars
  std::vector<std::string> enum_values;
  std::optional<double> min;  // value for numbers, length for strings, lists and maps
  std::optional<double> max;
  std::string timestamp_format;  // "iso8601", "unixTimestamp", "rfc822" or empty (protocol default)

  const Member* member(std::string_view name) const;
  const Member* member_by_wire_name(std::string_view wire) const;
  bool is_number() const {
    return type == ShapeType::Integer || type == ShapeType::Long || type == ShapeType::Double || type == ShapeType::Float;
  }
};

struct Operation {
  std::string name;
  std::string method;
  UriTemplate uri;
  int success_code = 200;
  const Shape* input = nullptr;   // may be null
  const Shape* output = nullptr;  // may be null
  std::vector<const Shape*> errors;
  std::string result_wrapper;  // query: the <OperationResult> element around the output
};

class ServiceModel {
 public:
  // Throws std::runtime_error if the JSON is not a botocore model of a protocol mediaemu speaks.
  static std::unique_ptr<ServiceModel> parse(std::string_view service, std::string_view json_text);

  const std::string& service() const { return service_; }            // "medialive"
  const std::string& signing_name() const { return signing_name_; }  // credential-scope service
  const std::string& api_version() const { return api_version_; }
  const std::string& service_id() const { return service_id_; }
  // The protocols the model lists, its preferred one first ("smithy-rpc-v2-cbor", "json", "query").
  const std::vector<std::string>& protocols() const { return protocols_; }
  const std::string& target_prefix() const { return target_prefix_; }  // json: X-Amz-Target prefix
  const std::string& json_version() const { return json_version_; }    // json: "1.0" or "1.1"
  const std::string& xml_namespace() const { return xml_namespace_; }  // query: response xmlns
  // awsQueryCompatible: a former query service (CloudWatch) whose json/cbor errors also carry the
  // query error code in x-amzn-query-error, which the SDKs prefer.
  bool query_compatible() const { return query_compatible_; }

  const Shape* shape(std::string_view name) const;
  const Operation* operation(std::string_view name) const;
  const std::vector<const Operation*>& operations() const { return ordered_ops_; }
  // The model's own error shape of that name, or null when the service does not declare it.
  const Shape* error_shape(std::string_view name) const;

 private:
  std::string service_, signing_name_, api_version_, service_id_;
  std::vector<std::string> protocols_;
  std::string target_prefix_, json_version_, xml_namespace_;
  bool query_compatible_ = false;
  std::unordered_map<std::string, Shape> shapes_;
  std::map<std::string, Operation, std::less<>> operations_;
  std::vector<const Operation*> ordered_ops_;
};

}  // namespace mediaemu::api
