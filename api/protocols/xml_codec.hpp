// Model values <-> XML elements, for the two XML protocols (query responses, rest-xml bodies),
// with pugixml (which never expands DTD entities: a DOCTYPE is skipped, so an XML bomb is inert).
// The rules are botocore's (serialize.py RestXMLSerializer, parsers.py BaseXMLResponseParser):
// a member is an element named by its locationName; a list is a wrapper element holding one
// <member> (or the list member's locationName) per item, or, when flattened, the items repeated
// under the member's own name; a map is <entry><key/><value/></entry> the same way; timestamps
// are ISO 8601 unless the shape says otherwise; blobs are base64; booleans "true"/"false".
#pragma once

#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "api/model.hpp"

namespace mediaemu::api {

using json = nlohmann::json;

// Parses a request body. Throws ApiError(Validation) naming the problem when it is not XML.
void parse_xml(std::string_view body, pugi::xml_document& doc);

// An element as the wire JSON of `shape` (wire names, typed scalars), for decode_value() to
// validate and convert. Unknown elements are ignored.
json xml_to_wire(const Shape& shape, pugi::xml_node element, const std::string& path);

// Appends `value` (model form) as the element(s) `name` of `parent`.
void write_xml(pugi::xml_node parent, const std::string& name, const Shape& shape, const json& value,
               bool flattened = false, const std::string& xml_namespace = "");
// Appends the body members of a structure value to `element` (its children).
void write_xml_members(pugi::xml_node element, const Shape& structure, const json& value);

// The document as text, with an XML declaration.
std::string xml_string(const pugi::xml_document& doc);

// The element name without a namespace prefix ("s3:Key" -> "Key").
std::string_view local_name(pugi::xml_node node);

}  // namespace mediaemu::api
