#include "api/shape_codec.hpp"

#include <cmath>
#include <sstream>

#include "api/errors.hpp"
#include "api/timestamps.hpp"

namespace mediaemu::api {
namespace {

const char* type_name(ShapeType t) {
  switch (t) {
    case ShapeType::Structure: return "object";
    case ShapeType::List: return "list";
    case ShapeType::Map: return "map";
    case ShapeType::String: return "string";
    case ShapeType::Integer: return "integer";
    case ShapeType::Long: return "long";
    case ShapeType::Double: return "double";
    case ShapeType::Float: return "float";
    case ShapeType::Boolean: return "boolean";
    case ShapeType::Timestamp: return "timestamp";
    case ShapeType::Blob: return "blob";
  }
  return "value";
}

const char* json_type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::object: return "object";
    case json::value_t::array: return "list";
    case json::value_t::string: return "string";
    case json::value_t::boolean: return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    default: return "null";
  }
}

std::string shown(const json& v) {
  std::string s = v.dump();
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

[[noreturn]] void invalid(const std::string& message) { throw ApiError(ErrorKind::Validation, message); }

[[noreturn]] void wrong_type(const Shape& shape, const json& v, const std::string& path) {
  invalid("Invalid type for parameter '" + path + "': expected " + type_name(shape.type) + ", got " +
          json_type_name(v) + " " + shown(v));
}

std::string number_text(double d) {
  std::ostringstream os;
  os << d;
  return os.str();
}

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

void check_length(const Shape& shape, size_t length, const std::string& path, const char* unit) {
  if (shape.min && length < *shape.min) {
    invalid("Invalid length for parameter '" + path + "': " + std::to_string(length) + " " + unit +
            ", minimum is " + number_text(*shape.min));
  }
  if (shape.max && length > *shape.max) {
    invalid("Invalid length for parameter '" + path + "': " + std::to_string(length) + " " + unit +
            ", maximum is " + number_text(*shape.max));
  }
}

std::string join_path(const std::string& path, const std::string& wire) {
  return path.empty() ? wire : path + "." + wire;
}

}  // namespace

void check_constraints(const Shape& shape, const json& value, const std::string& path) {
  if (shape.type == ShapeType::String) {
    const auto& s = value.get_ref<const std::string&>();
    if (!shape.enum_values.empty() &&
        std::find(shape.enum_values.begin(), shape.enum_values.end(), s) == shape.enum_values.end()) {
      std::string allowed;
      for (const auto& e : shape.enum_values) allowed += (allowed.empty() ? "" : ", ") + e;
      invalid("Invalid value " + shown(value) + " for parameter '" + path + "': expected one of " + allowed);
    }
    check_length(shape, utf8_length(s), path, "characters");
  } else if (shape.is_number()) {
    double d = value.get<double>();
    if (shape.min && d < *shape.min) {
      invalid("Invalid value " + shown(value) + " for parameter '" + path + "': minimum is " + number_text(*shape.min));
    }
    if (shape.max && d > *shape.max) {
      invalid("Invalid value " + shown(value) + " for parameter '" + path + "': maximum is " + number_text(*shape.max));
    }
  }
}

json decode_value(const Shape& shape, const json& v, const std::string& path) {
  switch (shape.type) {
    case ShapeType::Structure: {
      if (!v.is_object()) wrong_type(shape, v, path);
      json out = json::object();
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (it->is_null()) continue;  // AWS treats an explicit null as absent
        const Member* m = shape.member_by_wire_name(it.key());
        if (!m) {
          out[it.key()] = *it;  // unknown: kept and echoed, never rejected
          continue;
        }
        out[m->name] = decode_value(*m->shape, *it, join_path(path, m->wire));
      }
      for (const auto& m : shape.members) {
        if (m.required && m.location == Location::Body && !out.contains(m.name)) {
          invalid("Missing required parameter '" + join_path(path, m.wire) + "'");
        }
      }
      return out;
    }
    case ShapeType::List: {
      if (!v.is_array()) wrong_type(shape, v, path);
      check_length(shape, v.size(), path, "items");
      json out = json::array();
      for (size_t i = 0; i < v.size(); ++i) {
        out.push_back(decode_value(*shape.member_shape, v[i], path + "[" + std::to_string(i) + "]"));
      }
      return out;
    }
    case ShapeType::Map: {
      if (!v.is_object()) wrong_type(shape, v, path);
      check_length(shape, v.size(), path, "entries");
      json out = json::object();
      for (auto it = v.begin(); it != v.end(); ++it) {
        std::string key_path = path + "." + it.key();
        check_constraints(*shape.key_shape, json(it.key()), key_path);
        out[it.key()] = decode_value(*shape.value_shape, *it, key_path);
      }
      return out;
    }
    case ShapeType::String:
    case ShapeType::Blob:
      if (!v.is_string()) wrong_type(shape, v, path);
      if (shape.type == ShapeType::String) check_constraints(shape, v, path);
      return v;
    case ShapeType::Boolean:
      if (!v.is_boolean()) wrong_type(shape, v, path);
      return v;
    case ShapeType::Integer:
    case ShapeType::Long: {
      if (!v.is_number()) wrong_type(shape, v, path);
      json out = v;
      if (v.is_number_float()) {
        double d = v.get<double>();
        if (std::floor(d) != d || !std::isfinite(d)) wrong_type(shape, v, path);
        out = static_cast<int64_t>(d);  // 128000.0 is an integer; 1.5 is not
      }
      if (shape.type == ShapeType::Integer) {
        int64_t i = out.get<int64_t>();
        if (i < INT32_MIN || i > INT32_MAX) {
          invalid("Invalid value " + shown(v) + " for parameter '" + path + "': out of range for a 32-bit integer");
        }
      }
      check_constraints(shape, out, path);
      return out;
    }
    case ShapeType::Double:
    case ShapeType::Float:
      if (!v.is_number()) wrong_type(shape, v, path);
      check_constraints(shape, v, path);
      return v;
    case ShapeType::Timestamp: {
      if (v.is_number()) return v;
      if (v.is_string()) {
        if (auto t = parse_timestamp(v.get_ref<const std::string&>())) return *t;
      }
      wrong_type(shape, v, path);
    }
  }
  return v;
}

json decode_text(const Shape& shape, const std::string& text, const std::string& path) {
  json value;
  switch (shape.type) {
    case ShapeType::String:
    case ShapeType::Blob:
      value = text;
      break;
    case ShapeType::Boolean:
      if (text != "true" && text != "false") {
        invalid("Invalid value \"" + text + "\" for parameter '" + path + "': expected true or false");
      }
      value = text == "true";
      break;
    case ShapeType::Integer:
    case ShapeType::Long: {
      size_t used = 0;
      long long parsed = 0;
      try {
        parsed = std::stoll(text, &used);
      } catch (...) {
        used = 0;
      }
      if (used == 0 || used != text.size()) {
        invalid("Invalid value \"" + text + "\" for parameter '" + path + "': expected " + type_name(shape.type));
      }
      value = static_cast<int64_t>(parsed);
      break;
    }
    case ShapeType::Double:
    case ShapeType::Float: {
      size_t used = 0;
      double parsed = 0;
      try {
        parsed = std::stod(text, &used);
      } catch (...) {
        used = 0;
      }
      if (used == 0 || used != text.size()) {
        invalid("Invalid value \"" + text + "\" for parameter '" + path + "': expected a number");
      }
      value = parsed;
      break;
    }
    case ShapeType::Timestamp: {
      auto t = parse_timestamp(text);
      if (!t) invalid("Invalid value \"" + text + "\" for parameter '" + path + "': expected a timestamp");
      value = *t;
      break;
    }
    default:
      invalid("Parameter '" + path + "' cannot be sent as text");
  }
  check_constraints(shape, value, path);
  return value;
}

json encode_value(const Shape& shape, const json& v) {
  switch (shape.type) {
    case ShapeType::Structure: {
      if (!v.is_object()) return v;
      json out = json::object();
      for (auto it = v.begin(); it != v.end(); ++it) {
        const Member* m = shape.member(it.key());
        if (!m) {
          out[it.key()] = *it;  // an echoed unknown member, already in wire form
        } else if (m->location == Location::Body) {
          out[m->wire] = encode_value(*m->shape, *it);
        }
      }
      return out;
    }
    case ShapeType::List: {
      if (!v.is_array()) return v;
      json out = json::array();
      for (const auto& item : v) out.push_back(encode_value(*shape.member_shape, item));
      return out;
    }
    case ShapeType::Map: {
      if (!v.is_object()) return v;
      json out = json::object();
      for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = encode_value(*shape.value_shape, *it);
      return out;
    }
    case ShapeType::Timestamp:
      if (!v.is_number()) return v;
      if (shape.timestamp_format == "iso8601") return format_iso8601(v.get<double>());
      if (shape.timestamp_format == "rfc822") return format_rfc822(v.get<double>());
      return v;
    default:
      return v;
  }
}

std::string encode_text(const Shape& shape, const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (shape.type == ShapeType::Timestamp && v.is_number()) {
    return shape.timestamp_format == "iso8601" ? format_iso8601(v.get<double>()) : format_rfc822(v.get<double>());
  }
  return v.dump();
}

}  // namespace mediaemu::api
