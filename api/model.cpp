#include "api/model.hpp"

#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>

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
void constraints_from_name(Shape& shape) {
  static const std::regex pattern(R"(^__(?:integer|long|double|float|string)(?:Min(Negative)?(\d+))?(?:Max(Negative)?(\d+))?)");
  std::smatch m;
  if (!std::regex_search(shape.name, m, pattern)) return;
  if (!shape.min && m[2].matched) shape.min = (m[1].matched ? -1.0 : 1.0) * std::stod(m[2].str());
  if (!shape.max && m[4].matched) shape.max = (m[3].matched ? -1.0 : 1.0) * std::stod(m[4].str());
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

std::unique_ptr<ServiceModel> ServiceModel::parse(std::string_view service, std::string_view json_text) {
  json doc = json::parse(json_text);
  auto model = std::make_unique<ServiceModel>();
  const auto& meta = doc.at("metadata");
  if (meta.value("protocol", "") != "rest-json") {
    throw std::runtime_error(std::string(service) + ": only rest-json models are supported");
  }
  model->service_ = std::string(service);
  model->signing_name_ = meta.value("signingName", meta.value("endpointPrefix", model->service_));
  model->api_version_ = meta.value("apiVersion", "");
  model->service_id_ = meta.value("serviceId", "");

  // Pass 1: create every shape so references can be linked regardless of order.
  const auto& shapes = doc.at("shapes");
  for (auto it = shapes.begin(); it != shapes.end(); ++it) {
    Shape& s = model->shapes_[it.key()];
    s.name = it.key();
    s.type = parse_type(it->at("type").get<std::string>());
  }
  auto link = [&](const json& ref) -> const Shape* {
    auto found = model->shapes_.find(ref.at("shape").get<std::string>());
    if (found == model->shapes_.end()) throw std::runtime_error("dangling shape " + ref.dump());
    return &found->second;
  };
  // Pass 2: members, element shapes and constraints.
  for (auto it = shapes.begin(); it != shapes.end(); ++it) {
    Shape& s = model->shapes_[it.key()];
    const json& def = *it;
    if (def.contains("enum")) s.enum_values = def["enum"].get<std::vector<std::string>>();
    if (def.contains("min")) s.min = def["min"].get<double>();
    if (def.contains("max")) s.max = def["max"].get<double>();
    s.timestamp_format = def.value("timestampFormat", "");
    s.exception = def.value("exception", false);
    if (def.contains("error")) s.http_status = def["error"].value("httpStatusCode", 400);
    s.payload = def.value("payload", "");
    constraints_from_name(s);
    switch (s.type) {
      case ShapeType::List:
        s.member_shape = link(def.at("member"));
        break;
      case ShapeType::Map:
        s.key_shape = link(def.at("key"));
        s.value_shape = link(def.at("value"));
        break;
      case ShapeType::Structure: {
        std::vector<std::string> required = def.value("required", std::vector<std::string>{});
        const json& members = def.value("members", json::object());
        for (auto m = members.begin(); m != members.end(); ++m) {
          Member member;
          member.name = m.key();
          member.wire = m->value("locationName", m.key());
          member.shape = link(*m);
          member.location = parse_location(m->value("location", ""));
          member.idempotency_token = m->value("idempotencyToken", false);
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
  }

  const auto& ops = doc.at("operations");
  for (auto it = ops.begin(); it != ops.end(); ++it) {
    Operation op;
    op.name = it.key();
    const auto& http = it->at("http");
    op.method = http.at("method").get<std::string>();
    op.uri = UriTemplate(http.at("requestUri").get<std::string>());
    op.success_code = http.value("responseCode", 200);
    if (it->contains("input")) op.input = link((*it)["input"]);
    if (it->contains("output")) op.output = link((*it)["output"]);
    for (const auto& e : it->value("errors", json::array())) op.errors.push_back(link(e));
    model->operations_.emplace(op.name, std::move(op));
  }
  for (const auto& [name, op] : model->operations_) model->ordered_ops_.push_back(&op);
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
