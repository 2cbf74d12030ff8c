// AWS query: a form POST (or GET) of Action=<Operation>&Version=...&<members flattened>, answered
// in XML: <OperationResponse><OperationResult>...</OperationResult><ResponseMetadata>...
// (STS, IAM, SNS, CloudFormation; CloudWatch as AWS CLI v2 2.9 sends it).
// Member keys: "Name" for a scalar, "Name.Sub" inside a structure, "Name.member.N" for list items
// (1-based; "Name.N" when flattened; a bare "Name=" is an empty list), "Name.entry.N.key" /
// ".value" for maps. https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
#include <map>

#include "api/errors.hpp"
#include "api/protocols/wire_protocol.hpp"
#include "api/protocols/xml_codec.hpp"
#include "api/shape_codec.hpp"

namespace mediaemu::api {
namespace {

using Params = std::map<std::string, std::string, std::less<>>;

Params form_params(const HttpRequest& request) {
  Params params;
  for (auto& [k, v] : parse_query(request.query())) params.emplace(k, v);
  if (request.method == "POST")
    for (auto& [k, v] : parse_query(request.body)) params[k] = v;
  return params;
}

// Whether any key starts with "prefix." (a structure, list or map was sent under `prefix`).
bool present_dot(const Params& params, const std::string& prefix) {
  auto it = params.lower_bound(prefix + ".");
  return it != params.end() && it->first.compare(0, prefix.size() + 1, prefix + ".") == 0;
}

json params_to_wire(const Shape& shape, const Params& params, const std::string& key, bool flattened);

json list_to_wire(const Shape& list, const Params& params, const std::string& key, bool flattened) {
  json items = json::array();
  std::string base = flattened ? key + "." : key + "." + list.member_name + ".";
  for (int n = 1;; ++n) {
    std::string item = base + std::to_string(n);
    if (!params.count(item) && !present_dot(params, item)) break;
    items.push_back(params_to_wire(*list.member_shape, params, item, false));
  }
  return items;
}

json map_to_wire(const Shape& map, const Params& params, const std::string& key, bool flattened) {
  json entries = json::object();
  std::string base = flattened ? key + "." : key + ".entry.";
  for (int n = 1;; ++n) {
    std::string entry = base + std::to_string(n);
    auto k = params.find(entry + "." + map.key_name);
    if (k == params.end()) break;
    entries[k->second] = params_to_wire(*map.value_shape, params, entry + "." + map.value_name, false);
  }
  return entries;
}

// The form parameters under `key` as the wire JSON of `shape` (null when absent).
json params_to_wire(const Shape& shape, const Params& params, const std::string& key, bool flattened) {
  switch (shape.type) {
    case ShapeType::Structure: {
      json out = json::object();
      for (const Member& m : shape.members) {
        std::string sub = key.empty() ? m.wire : key + "." + m.wire;
        if (!params.count(sub) && !present_dot(params, sub)) continue;
        json v = params_to_wire(*m.shape, params, sub, m.flattened || m.shape->flattened);
        if (!v.is_null()) out[m.wire] = std::move(v);
      }
      return out;
    }
    case ShapeType::List: return list_to_wire(shape, params, key, flattened);
    case ShapeType::Map: return map_to_wire(shape, params, key, flattened);
    default: {
      auto it = params.find(key);
      if (it == params.end()) return nullptr;
      if (shape.type == ShapeType::String || shape.type == ShapeType::Blob) return it->second;
      return decode_text(shape, it->second, key);
    }
  }
}

class Query final : public WireProtocol {
 public:
  Protocol id() const override { return Protocol::Query; }

  bool route(const ServiceModel& model, const std::vector<const Operation*>&, const HttpRequest& request,
             RoutedRequest& out, ErrorReply& error) const override {
    Params params = form_params(request);
    auto action = params.find("Action");
    if (action == params.end()) {
      error = ErrorReply{400, "MissingAction", model.service_id() + " query requests name their operation in Action"};
      return false;
    }
    const Operation* op = model.operation(action->second);
    if (!op) {
      error = ErrorReply{400, "InvalidAction",
                         "The action " + action->second + " is not valid for this web service (" + model.service_id() + ")"};
      return false;
    }
    out = RoutedRequest{op, {}};
    return true;
  }

  json read_input(const ServiceModel&, const RoutedRequest& routed, const HttpRequest& request) const override {
    if (!routed.op->input) return json::object();
    Params params = form_params(request);
    return decode_value(*routed.op->input, params_to_wire(*routed.op->input, params, "", false), "");
  }

  HttpResponse write_output(const ServiceModel& model, const Operation& op, const json& output,
                            const std::string& request_id) const override {
    pugi::xml_document doc;
    pugi::xml_node response = doc.append_child((op.name + "Response").c_str());
    if (!model.xml_namespace().empty()) response.append_attribute("xmlns") = model.xml_namespace().c_str();
    if (op.output) {
      pugi::xml_node result = op.result_wrapper.empty() ? response : response.append_child(op.result_wrapper.c_str());
      write_xml_members(result, *op.output, output);
    }
    response.append_child("ResponseMetadata").append_child("RequestId").text().set(request_id.c_str());
    HttpResponse r;
    r.set_header("x-amzn-RequestId", request_id);
    r.set_header("Content-Type", "text/xml");
    r.body = xml_string(doc);
    return r;
  }
};

}  // namespace

const WireProtocol& query_protocol() {
  static const Query instance;
  return instance;
}

}  // namespace mediaemu::api
