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

// Where a structure member travels on the wire (rest-json).
enum class Location { Body, Uri, Query, Header, Headers, StatusCode };

struct Shape;

struct Member {
  std::string name;       // model name, e.g. "ChannelId" (the domain speaks these)
  std::string wire;       // locationName, e.g. "channelId" (defaults to name)
  const Shape* shape = nullptr;
  Location location = Location::Body;
  bool required = false;
  bool idempotency_token = false;
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
  int http_status = 0;  // error shapes
  // List / map
  const Shape* member_shape = nullptr;  // list element
  const Shape* key_shape = nullptr;     // map key
  const Shape* value_shape = nullptr;   // map value
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
};

class ServiceModel {
 public:
  // Throws std::runtime_error if the JSON is not a rest-json botocore model.
  static std::unique_ptr<ServiceModel> parse(std::string_view service, std::string_view json_text);

  const std::string& service() const { return service_; }            // "medialive"
  const std::string& signing_name() const { return signing_name_; }  // credential-scope service
  const std::string& api_version() const { return api_version_; }
  const std::string& service_id() const { return service_id_; }

  const Shape* shape(std::string_view name) const;
  const Operation* operation(std::string_view name) const;
  const std::vector<const Operation*>& operations() const { return ordered_ops_; }
  // The model's own error shape of that name, or null when the service does not declare it.
  const Shape* error_shape(std::string_view name) const;

 private:
  std::string service_, signing_name_, api_version_, service_id_;
  std::unordered_map<std::string, Shape> shapes_;
  std::map<std::string, Operation, std::less<>> operations_;
  std::vector<const Operation*> ordered_ops_;
};

}  // namespace mediaemu::api
