#include "api/protocols/xml_codec.hpp"

#include <cmath>
#include <sstream>

#include "api/errors.hpp"
#include "api/shape_codec.hpp"
#include "api/timestamps.hpp"

namespace mediaemu::api {
namespace {

bool named(pugi::xml_node node, std::string_view name) {
  return node.type() == pugi::node_element && local_name(node) == name;
}

pugi::xml_node first_child(pugi::xml_node parent, std::string_view name) {
  for (pugi::xml_node c : parent.children())
    if (named(c, name)) return c;
  return {};
}

std::string scalar_text(const Shape& shape, const json& v) {
  switch (shape.type) {
    case ShapeType::Boolean: return v.is_boolean() ? (v.get<bool>() ? "true" : "false") : v.dump();
    case ShapeType::Timestamp:
      if (!v.is_number()) return v.is_string() ? v.get<std::string>() : v.dump();
      if (shape.timestamp_format == "unixTimestamp") return json(v.get<double>()).dump();
      if (shape.timestamp_format == "rfc822") return format_rfc822(v.get<double>());
      return format_iso8601(v.get<double>());
    case ShapeType::Double:
    case ShapeType::Float: {
      if (!v.is_number()) return v.is_string() ? v.get<std::string>() : v.dump();
      double d = v.get<double>();
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      std::ostringstream os;
      os.precision(17);
      os << d;
      return os.str();
    }
    default: return v.is_string() ? v.get<std::string>() : v.dump();
  }
}

// A default namespace ("http://...") or a prefixed declaration ("xmlns:xsi=http://...", model.cpp).
void add_namespace(pugi::xml_node element, const std::string& xml_namespace) {
  if (xml_namespace.empty()) return;
  if (xml_namespace.rfind("xmlns:", 0) == 0) {
    auto eq = xml_namespace.find('=');
    element.append_attribute(xml_namespace.substr(0, eq).c_str()) = xml_namespace.substr(eq + 1).c_str();
    return;
  }
  element.append_attribute("xmlns") = xml_namespace.c_str();
}

json map_entry_to_wire(const Shape& map, pugi::xml_node entry, json& out, const std::string& path) {
  pugi::xml_node key = first_child(entry, map.key_name), value = first_child(entry, map.value_name);
  if (!key) throw ApiError(ErrorKind::Validation, "A map entry of '" + path + "' has no <" + map.key_name + ">");
  std::string k = key.child_value();
  out[k] = value ? xml_to_wire(*map.value_shape, value, path + "." + k) : json("");
  return out;
}

}  // namespace

std::string_view local_name(pugi::xml_node node) {
  std::string_view n = node.name();
  auto colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

void parse_xml(std::string_view body, pugi::xml_document& doc) {
  // parse_default: elements, attributes, CDATA and the five predefined entities; no DOCTYPE
  // processing (pugixml has no entity declarations at all).
  pugi::xml_parse_result result = doc.load_buffer(body.data(), body.size(), pugi::parse_default);
  if (!result) {
    // S3's code for a body that is not XML (ErrorResponses.html#ErrorCodeList: MalformedXML, 400).
    throw ApiError(ErrorKind::Validation, "MalformedXML",
                   std::string("The XML you provided was not well-formed or did not validate against our "
                               "published schema: ") +
                       result.description() + " at offset " + std::to_string(result.offset),
                   400);
  }
  if (!doc.document_element())
    throw ApiError(ErrorKind::Validation, "MalformedXML", "The XML you provided has no element", 400);
}

json xml_to_wire(const Shape& shape, pugi::xml_node element, const std::string& path) {
  auto child_path = [&](const std::string& name) { return path.empty() ? name : path + "." + name; };
  switch (shape.type) {
    case ShapeType::Structure: {
      json out = json::object();
      for (const Member& m : shape.members) {
        if (m.location != Location::Body) continue;
        if (m.xml_attribute) {
          if (pugi::xml_attribute a = element.attribute(m.wire.c_str()))
            out[m.wire] = m.shape->type == ShapeType::String ? json(a.value())
                                                             : decode_text(*m.shape, a.value(), child_path(m.wire));
          continue;
        }
        bool flattened = m.flattened || m.shape->flattened;
        if (flattened && m.shape->type == ShapeType::List) {
          json items = json::array();
          for (pugi::xml_node c : element.children())
            if (named(c, m.wire))
              items.push_back(xml_to_wire(*m.shape->member_shape, c, child_path(m.wire) + "[" +
                                                                         std::to_string(items.size()) + "]"));
          if (!items.empty()) out[m.wire] = items;
        } else if (flattened && m.shape->type == ShapeType::Map) {
          json entries = json::object();
          for (pugi::xml_node c : element.children())
            if (named(c, m.wire)) map_entry_to_wire(*m.shape, c, entries, child_path(m.wire));
          if (!entries.empty()) out[m.wire] = entries;
        } else if (pugi::xml_node c = first_child(element, m.wire)) {
          out[m.wire] = xml_to_wire(*m.shape, c, child_path(m.wire));
        }
      }
      return out;
    }
    case ShapeType::List: {
      json items = json::array();
      for (pugi::xml_node c : element.children())
        if (named(c, shape.member_name))
          items.push_back(xml_to_wire(*shape.member_shape, c, path + "[" + std::to_string(items.size()) + "]"));
      return items;
    }
    case ShapeType::Map: {
      json entries = json::object();
      for (pugi::xml_node c : element.children())
        if (named(c, "entry")) map_entry_to_wire(shape, c, entries, path);
      return entries;
    }
    case ShapeType::String:
    case ShapeType::Blob:
      return element.child_value();
    default:
      return decode_text(shape, element.child_value(), path);
  }
}

void write_xml(pugi::xml_node parent, const std::string& name, const Shape& shape, const json& value, bool flattened,
               const std::string& xml_namespace) {
  switch (shape.type) {
    case ShapeType::Structure: {
      pugi::xml_node el = parent.append_child(name.c_str());
      add_namespace(el, xml_namespace.empty() ? shape.xml_namespace : xml_namespace);
      write_xml_members(el, shape, value);
      return;
    }
    case ShapeType::List: {
      if (!value.is_array()) return;
      if (flattened) {
        for (const auto& item : value) write_xml(parent, name, *shape.member_shape, item);
        return;
      }
      pugi::xml_node el = parent.append_child(name.c_str());
      add_namespace(el, xml_namespace);
      for (const auto& item : value) write_xml(el, shape.member_name, *shape.member_shape, item);
      return;
    }
    case ShapeType::Map: {
      if (!value.is_object()) return;
      pugi::xml_node holder = parent;
      if (!flattened) {
        holder = parent.append_child(name.c_str());
        add_namespace(holder, xml_namespace);
      }
      for (auto it = value.begin(); it != value.end(); ++it) {
        pugi::xml_node entry = holder.append_child(flattened ? name.c_str() : "entry");
        entry.append_child(shape.key_name.c_str()).text().set(it.key().c_str());
        write_xml(entry, shape.value_name, *shape.value_shape, *it);
      }
      return;
    }
    default: {
      pugi::xml_node el = parent.append_child(name.c_str());
      add_namespace(el, xml_namespace);
      el.text().set(scalar_text(shape, value).c_str());
    }
  }
}

void write_xml_members(pugi::xml_node element, const Shape& structure, const json& value) {
  if (!value.is_object()) return;
  // Model order, as AWS writes them (and as strict XML-schema readers expect).
  for (const Member& m : structure.members) {
    if (m.location != Location::Body) continue;
    auto it = value.find(m.name);
    if (it == value.end() || it->is_null()) continue;
    if (m.xml_attribute) {
      element.append_attribute(m.wire.c_str()) = scalar_text(*m.shape, *it).c_str();
      continue;
    }
    write_xml(element, m.wire, *m.shape, *it, m.flattened || m.shape->flattened, m.xml_namespace);
  }
}

std::string xml_string(const pugi::xml_document& doc) {
  std::ostringstream os;
  doc.save(os, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + os.str();
}

}  // namespace mediaemu::api
