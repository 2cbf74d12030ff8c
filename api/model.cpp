#include "api/model.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>
#include <cctype>
#include <optional>
#include <stdexcept>
#include <unordered_set>

namespace mediaemu::api {
namespace {

using json = nlohmann::json;

ShapeType parse_type(const std::string& t) {
  static const std::unordered_map<std::string, ShapeType> types = {
      {"structure", ShapeType::Structure}, {"list", ShapeType::List},       {"map", ShapeType::Map},
      {"string", ShapeType::String},       {"integer", ShapeType::Integer}, {"long", ShapeType::Long},
      {"double", ShapeType::Double},       {"float", ShapeType::Float},     {"boolean", ShapeType::Boolean},
      {"timestamp", ShapeType::Timestamp}, {"blob", ShapeType::Blob},
  };
  auto it = types.find(t);
  if (it == types.end()) throw std::runtime_error("unknown shape type " + t);
  return it->second;
}

Location parse_location(const std::string& l) {
  if (l == "uri") return Location::Uri;
  if (l == "querystring") return Location::Query;
  if (l == "header") return Location::Header;
  if (l == "headers") return Location::Headers;
  if (l == "statusCode") return Location::StatusCode;
  return Location::Body;
}

// botocore drops the Smithy @range/@length traits from the MediaLive model, but the generated
// shape names still carry them: "__integerMin1000Max30000", "__stringMin1Max255",
// "__doubleMinNegative59Max0". Recover them so validation matches the service's own rules.
// (Read by hand: std::regex over every shape name was a third of the model's parse time.)
std::optional<double> bound_after(std::string_view& rest, std::string_view tag) {
  if (rest.substr(0, tag.size()) != tag) return std::nullopt;
  std::string_view r = rest.substr(tag.size());
  double sign = 1;
  if (r.substr(0, 8) == "Negative") {
    sign = -1;
    r.remove_prefix(8);
  }
  size_t digits = 0;
  while (digits < r.size() && std::isdigit(static_cast<unsigned char>(r[digits]))) ++digits;
  if (digits == 0) return std::nullopt;
  double value = sign * std::stod(std::string(r.substr(0, digits)));
  rest = r.substr(digits);
  return value;
}

void constraints_from_name(Shape& shape) {
  std::string_view rest = shape.name;
  bool typed = false;
  for (std::string_view type : {"__integer", "__long", "__double", "__float", "__string"}) {
    if (rest.substr(0, type.size()) == type) {
      rest.remove_prefix(type.size());
      typed = true;
      break;
    }
  }
  if (!typed) return;
  auto min = bound_after(rest, "Min");
  auto max = bound_after(rest, "Max");
  if (!shape.min && min) shape.min = min;
  if (!shape.max && max) shape.max = max;
}

// "xmlNamespace": "http://..." or {"uri": "http://...", "prefix": ...}. A prefixed one (S3's
// Grantee: xmlns:xsi, for its xsi:type attribute) is kept as "xmlns:<prefix>=<uri>", the
// declaration add_namespace() writes.
std::string xml_namespace_of(const json& def) {
  auto it = def.find("xmlNamespace");
  if (it == def.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  std::string prefix = it->value("prefix", "");
  return prefix.empty() ? it->value("uri", "") : "xmlns:" + prefix + "=" + it->value("uri", "");
}

}  // namespace

const Member* Shape::member(std::string_view n) const {
  auto it = member_by_name.find(std::string(n));
  return it == member_by_name.end() ? nullptr : &members[it->second];
}

const Member* Shape::member_by_wire_name(std::string_view wire) const {
  auto it = member_by_wire.find(std::string(wire));
  return it == member_by_wire.end() ? nullptr : &members[it->second];
}

// The model is read one shape and one operation at a time (a parser callback that converts
// each as soon as it is complete, then drops it) rather than as one JSON document: the whole
// document costs ~1,100 page faults, which on these VMs was most of the binary's start-up.
std::unique_ptr<ServiceModel> ServiceModel::parse(std::string_view service, std::string_view json_text) {
  auto model = std::make_unique<ServiceModel>();
  model->service_ = std::string(service);
  std::unordered_set<std::string> defined;
  // A reference may come before the shape it names: the entry is made now, filled in later.
  auto link = [&](const json& ref) -> const Shape* { return &model->shapes_[ref.at("shape").get<std::string>()]; };

  auto add_shape = [&](const std::string& name, const json& def) {
    Shape& s = model->shapes_[name];
    defined.insert(name);
    s.name = name;
    s.type = parse_type(def.at("type").get<std::string>());
    if (def.contains("enum")) s.enum_values = def["enum"].get<std::vector<std::string>>();
    if (def.contains("min")) s.min = def["min"].get<double>();
    if (def.contains("max")) s.max = def["max"].get<double>();
    s.timestamp_format = def.value("timestampFormat", "");
    s.exception = def.value("exception", false);
    if (def.value("fault", false)) s.sender_fault = false;
    if (def.contains("error")) {
      s.http_status = def["error"].value("httpStatusCode", 0);
      s.error_code = def["error"].value("code", "");
      s.sender_fault = def["error"].value("senderFault", s.sender_fault);
    }
    if (s.error_code.empty()) s.error_code = name;
    s.flattened = def.value("flattened", false);
    s.xml_namespace = xml_namespace_of(def);
    s.payload = def.value("payload", "");
    constraints_from_name(s);
    switch (s.type) {
      case ShapeType::List:
        s.member_shape = link(def.at("member"));
        s.member_name = def["member"].value("locationName", "member");
        break;
      case ShapeType::Map:
        s.key_shape = link(def.at("key"));
        s.value_shape = link(def.at("value"));
        s.key_name = def["key"].value("locationName", "key");
        s.value_name = def["value"].value("locationName", "value");
        break;
      case ShapeType::Structure: {
        std::vector<std::string> required = def.value("required", std::vector<std::string>{});
        auto members = def.find("members");
        if (members == def.end()) break;
        for (auto m = members->begin(); m != members->end(); ++m) {
          Member member;
          member.name = m.key();
          member.wire = m->value("locationName", m.key());
          member.shape = link(*m);
          member.location = parse_location(m->value("location", ""));
          member.idempotency_token = m->value("idempotencyToken", false);
          member.flattened = m->value("flattened", false);
          member.xml_attribute = m->value("xmlAttribute", false);
          member.xml_namespace = xml_namespace_of(*m);
          member.required = std::find(required.begin(), required.end(), m.key()) != required.end();
          s.member_by_name[member.name] = s.members.size();
          if (member.location == Location::Body) s.member_by_wire[member.wire] = s.members.size();
          s.members.push_back(std::move(member));
        }
        break;
      }
      default:
        break;
    }
  };

  std::set<std::string> deprecated;
  auto add_operation = [&](const std::string& name, const json& def) {
    Operation op;
    op.name = name;
    const auto& http = def.at("http");
    op.method = http.at("method").get<std::string>();
    op.uri = UriTemplate(http.at("requestUri").get<std::string>());
    op.success_code = http.value("responseCode", 200);
    if (def.contains("input")) op.input = link(def["input"]);
    if (def.contains("output")) {
      op.output = link(def["output"]);
      op.result_wrapper = def["output"].value("resultWrapper", "");
    }
    if (auto errors = def.find("errors"); errors != def.end())
      for (const auto& e : *errors) op.errors.push_back(link(e));
    if (def.value("deprecated", false)) deprecated.insert(op.name);
    model->operations_.emplace(op.name, std::move(op));
  };

  // Depth 1 keys name the sections; depth 2 keys name a shape or an operation, whose value is
  // complete at its object_end (depth 2). metadata (small) is kept as a document.
  std::string section, entry;
  json metadata;
  auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key) {
      if (depth == 1) section = parsed.get<std::string>();
      if (depth == 2) entry = parsed.get<std::string>();
      return true;
    }
    if (event != json::parse_event_t::object_end || depth > 2) return true;
    if (depth == 2 && section == "shapes") {
      add_shape(entry, parsed);
      return false;
    }
    if (depth == 2 && section == "operations") {
      add_operation(entry, parsed);
      return false;
    }
    if (depth == 1 && section == "metadata") metadata = parsed;
    return true;  // the section skeletons stay, emptied as their entries are dropped
  };
  // What parse returns is the emptied skeleton; the callback above kept everything needed.
  [[maybe_unused]] const json skeleton = json::parse(json_text, callback);

  if (metadata.contains("protocols")) model->protocols_ = metadata["protocols"].get<std::vector<std::string>>();
  if (model->protocols_.empty()) model->protocols_.push_back(metadata.value("protocol", ""));
  static const std::unordered_set<std::string> spoken = {"rest-json", "json", "query", "rest-xml",
                                                         "smithy-rpc-v2-cbor"};
  for (const auto& p : model->protocols_) {
    if (!spoken.count(p)) throw std::runtime_error(std::string(service) + ": protocol " + p + " is not supported");
  }
  model->target_prefix_ = metadata.value("targetPrefix", "");
  model->json_version_ = metadata.value("jsonVersion", "1.0");
  model->xml_namespace_ = metadata.value("xmlNamespace", "");
  model->query_compatible_ = metadata.contains("awsQueryCompatible");
  // rest-xml models (S3, CloudFront) declare their namespace only on the members that carry a
  // document; responses use the same one.
  for (const auto& [name, shape] : model->shapes_) {
    for (const auto& m : shape.members)
      if (model->xml_namespace_.empty() && !m.xml_namespace.empty()) model->xml_namespace_ = m.xml_namespace;
  }
  model->signing_name_ = metadata.value("signingName", metadata.value("endpointPrefix", model->service_));
  model->api_version_ = metadata.value("apiVersion", "");
  model->service_id_ = metadata.value("serviceId", "");
  for (const auto& [name, shape] : model->shapes_) {
    if (!defined.count(name)) throw std::runtime_error(std::string(service) + ": dangling shape reference " + name);
  }
  for (const auto& [name, op] : model->operations_) model->ordered_ops_.push_back(&op);
  // Deprecated operations last: where an old and a new operation share a route (S3's
  // GetBucketLifecycle and GetBucketLifecycleConfiguration both are GET /{Bucket}?lifecycle),
  // the router, which keeps this order among equals, picks the one today's SDKs call.
  std::stable_partition(model->ordered_ops_.begin(), model->ordered_ops_.end(),
                        [&](const Operation* op) { return !deprecated.count(op->name); });
  return model;
}

const Shape* ServiceModel::shape(std::string_view name) const {
  auto it = shapes_.find(std::string(name));
  return it == shapes_.end() ? nullptr : &it->second;
}

const Operation* ServiceModel::operation(std::string_view name) const {
  auto it = operations_.find(name);
  return it == operations_.end() ? nullptr : &it->second;
}

const Shape* ServiceModel::error_shape(std::string_view name) const {
  const Shape* s = shape(name);
  return s && s->exception ? s : nullptr;
}

}  // namespace mediaemu::api
