// The origin's XML manifests (MPD, Smooth) as it reads and rewrites them: the declaration kept on
// the way in, written back indented, as the packagers wrote them.
#pragma once

#include <sstream>
#include <string>

#include <pugixml.hpp>

namespace mediaemu::api {

inline bool load_manifest_xml(pugi::xml_document& doc, const std::string& text) {
  return static_cast<bool>(doc.load_buffer(text.data(), text.size(), pugi::parse_default | pugi::parse_declaration));
}

inline std::string manifest_xml_text(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

}  // namespace mediaemu::api
