#include <chrono>
#include <thread>

#include "api/errors.hpp"
#include "api/shape_codec.hpp"
#include "api/timestamps.hpp"
#include "emulator/cloudformation/intrinsics.hpp"
#include "emulator/cloudformation/providers/provider.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::cloudformation {
namespace {

using api::Shape;
using api::ShapeType;

// CloudFormation validates properties against the type's schema before any call, with this
// wording ("Properties validation failed for resource X with message: #/Path: ...").
struct Invalid {
  std::string path, what;
};

json coerce(const Shape& shape, const json& v, const std::string& path) {
  switch (shape.type) {
    case ShapeType::Structure: {
      if (!v.is_object()) throw Invalid{path, "expected type: JSONObject, found: " + std::string(v.type_name())};
      json out = json::object();
      for (const auto& [key, value] : v.items()) {
        const api::Member* m = shape.member(key);
        if (!m) throw Invalid{path, "extraneous key [" + key + "] is not permitted"};
        out[key] = coerce(*m->shape, value, path + "/" + key);
      }
      for (const auto& m : shape.members)
        if (m.required && !out.contains(m.name) && m.location == api::Location::Body)
          throw Invalid{path, "required key [" + m.name + "] not found"};
      return out;
    }
    case ShapeType::List: {
      if (!v.is_array()) throw Invalid{path, "expected type: JSONArray, found: " + std::string(v.type_name())};
      json out = json::array();
      for (size_t i = 0; i < v.size(); ++i) out.push_back(coerce(*shape.member_shape, v[i], path + "/" + std::to_string(i)));
      return out;
    }
    case ShapeType::Map: {
      if (!v.is_object()) throw Invalid{path, "expected type: JSONObject, found: " + std::string(v.type_name())};
      json out = json::object();
      for (const auto& [key, value] : v.items()) out[key] = coerce(*shape.value_shape, value, path + "/" + key);
      return out;
    }
    case ShapeType::String:
      if (v.is_structured() || v.is_null()) throw Invalid{path, "expected type: String, found: " + std::string(v.type_name())};
      return as_text(v);
    case ShapeType::Integer:
    case ShapeType::Long: {
      if (v.is_number_integer()) return v;
      if (v.is_number_float() && v.get<double>() == static_cast<double>(static_cast<int64_t>(v.get<double>())))
        return static_cast<int64_t>(v.get<double>());
      if (v.is_string()) {
        try {
          size_t used = 0;
          long long n = std::stoll(v.get<std::string>(), &used);
          if (used == v.get<std::string>().size()) return n;
        } catch (const std::exception&) {
        }
      }
      throw Invalid{path, "expected type: Integer, found: " + std::string(v.type_name())};
    }
    case ShapeType::Double:
    case ShapeType::Float: {
      if (v.is_number()) return v;
      if (v.is_string()) {
        try {
          size_t used = 0;
          double d = std::stod(v.get<std::string>(), &used);
          if (used == v.get<std::string>().size()) return d;
        } catch (const std::exception&) {
        }
      }
      throw Invalid{path, "expected type: Number, found: " + std::string(v.type_name())};
    }
    case ShapeType::Boolean:
      if (v.is_boolean()) return v;
      if (v == "true" || v == "false") return v == "true";
      throw Invalid{path, "expected type: Boolean, found: " + std::string(v.type_name())};
    case ShapeType::Timestamp:
      if (v.is_number()) return v;
      if (v.is_string())
        if (auto t = api::parse_timestamp(v.get<std::string>())) return *t;
      throw Invalid{path, "expected a timestamp, found: " + v.dump()};
    case ShapeType::Blob: return v;
  }
  return v;
}

}  // namespace

json ProviderContext::invoke(const std::string& service, const std::string& operation, json input) const {
  const api::ServiceModel* model = api_.model(service);
  const api::Operation* op = model ? model->operation(operation) : nullptr;
  if (op && op->input) {
    // Idempotency tokens (MediaLive's RequestId) are filled in, as every SDK fills them.
    for (const auto& m : op->input->members)
      if (m.idempotency_token && !input.contains(m.name)) input[m.name] = random_hex(16);
    try {
      input = coerce(*op->input, input, "#");
      for (const auto& m : op->input->members)
        if (input.contains(m.name)) api::check_constraints(*m.shape, input[m.name], m.name);
    } catch (const Invalid& e) {
      throw api::ApiError(api::ErrorKind::Validation, "ValidationError",
                          "Properties validation failed for resource " + logical_id_ + " with message: " + e.path +
                              ": " + e.what);
    }
  }
  return api_.invoke(service, operation, call_, input);
}

void ProviderContext::wait_until(const std::string& what, const std::function<bool()>& done, int seconds) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      throw api::ApiError(api::ErrorKind::Internal, "Resource " + logical_id_ + " did not stabilize: " + what +
                                                        " did not happen within " + std::to_string(seconds) + " s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string ProviderContext::generated_name(size_t max_length) const {
  std::string suffix = random_hex(6);
  for (auto& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string base = stack_name_ + "-" + logical_id_;
  if (base.size() + 1 + suffix.size() > max_length) base.resize(max_length - 1 - suffix.size());
  return base + "-" + suffix;
}

const ProviderTable& providers() {
  static const ProviderTable table = [] {
    ProviderTable t;
    add_medialive_providers(t);
    add_mediapackage_providers(t);
    add_mediaconnect_providers(t);
    add_iam_providers(t);
    add_storage_providers(t);
    add_monitoring_providers(t);
    add_nested_stack_provider(t);
    add_cloudfront_provider(t);
    add_kms_providers(t);
    return t;
  }();
  return table;
}

json tag_map(const json& tag_list) {
  json out = json::object();
  if (tag_list.is_object()) return tag_list;
  for (const auto& t : tag_list) out[as_text(t.value("Key", json(""))) ] = as_text(t.value("Value", json("")));
  return out;
}

void sync_tags(ProviderContext& ctx, const TagOperations& ops, const std::string& arn, const json& before_tags,
               const json& after_tags) {
  const json before = tag_map(before_tags), after = tag_map(after_tags);
  json gone = json::array();
  for (const auto& [k, v] : before.items())
    if (!after.contains(k)) gone.push_back(k);
  if (!gone.empty()) ctx.invoke(ops.service, ops.untag, {{"ResourceArn", arn}, {"TagKeys", gone}});
  if (!after.empty() && after != before) ctx.invoke(ops.service, ops.tag, {{"ResourceArn", arn}, {"Tags", after}});
}

void ignore_missing(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const api::ApiError& e) {
    if (e.kind() != api::ErrorKind::NotFound) throw;
  }
}

bool requires_replacement(const json& current, const std::string& type, const json& properties) {
  auto p = providers().find(type);
  if (current.value("Type", "") != type || p == providers().end() || !p->second.update || current.value("Placeholder", false))
    return true;
  const json& before = section(current, "Properties");
  // A name may be a path ("Configuration/Standard/NetworkInterfaceArn"), as the schemas'
  // createOnlyProperties name a property inside another.
  auto at = [](const json& props, const json::json_pointer& path) { return props.contains(path) ? props.at(path) : json(); };
  for (const auto& name : p->second.create_only) {
    const json::json_pointer path("/" + name);
    if (at(before, path) != at(properties, path)) return true;
  }
  return false;
}

json with_tag_map(json properties) {
  if (properties.contains("Tags")) properties["Tags"] = tag_map(properties["Tags"]);
  return properties;
}

std::string text(const json& properties, const char* name) {
  auto it = properties.find(name);
  return it == properties.end() ? "" : as_text(*it);
}

json without(json from, std::initializer_list<const char*> names) {
  for (const char* n : names) from.erase(n);
  return from;
}

}  // namespace mediaemu::cloudformation
