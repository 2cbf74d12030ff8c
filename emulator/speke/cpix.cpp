#include "emulator/speke/cpix.hpp"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <map>
#include <pugixml.hpp>
#include <sstream>

#include "api/base64.hpp"
#include "pipeline/crypto/pssh.hpp"
#include "pipeline/crypto/system_ids.hpp"

namespace mediaemu::speke {
namespace {

using pipeline::crypto::block_from_uuid;
using pipeline::crypto::uuid_text;

std::string_view local_name(const pugi::xml_node& n) {
  std::string_view name = n.name();
  auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& parent, std::string_view local) {
  for (pugi::xml_node c : parent.children())
    if (c.type() == pugi::node_element && local_name(c) == local) return c;
  return {};
}

std::vector<pugi::xml_node> children(const pugi::xml_node& parent, std::string_view local) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c : parent.children())
    if (c.type() == pugi::node_element && local_name(c) == local) out.push_back(c);
  return out;
}

void parse(pugi::xml_document& doc, std::string_view body) {
  if (body.empty()) throw CpixError("the body is empty; a CPIX document (application/xml) was expected");
  const auto options = pugi::parse_default | pugi::parse_doctype;
  pugi::xml_parse_result result = doc.load_buffer(body.data(), body.size(), options, pugi::encoding_utf8);
  if (!result)
    throw CpixError(std::string("the body is not XML: ") + result.description() + " at offset " +
                    std::to_string(result.offset));
  for (pugi::xml_node n : doc.children())
    if (n.type() == pugi::node_doctype) throw CpixError("a DOCTYPE is not allowed in a CPIX document");
  if (local_name(doc.document_element()) != "CPIX")
    throw CpixError("the root element is <" + std::string(doc.document_element().name()) + ">, not <cpix:CPIX>");
}

// "cpix:" when the root is <cpix:CPIX>, "" when the default namespace is CPIX's.
std::string prefix_of(const pugi::xml_node& n) {
  std::string_view name = n.name();
  auto colon = name.find(':');
  return colon == std::string_view::npos ? "" : std::string(name.substr(0, colon + 1));
}

// The prefix bound to `ns` on the root, declaring `fallback` when there is none.
std::string namespace_prefix(pugi::xml_node root, const char* ns, const char* fallback) {
  for (pugi::xml_attribute a : root.attributes()) {
    std::string_view name = a.name();
    if (name.starts_with("xmlns:") && std::strcmp(a.value(), ns) == 0) return std::string(name.substr(6)) + ":";
  }
  root.append_attribute((std::string("xmlns:") + fallback).c_str()) = ns;
  return std::string(fallback) + ":";
}

Block kid_of(const pugi::xml_node& n, const char* what) {
  const char* text = n.attribute("kid").value();
  auto kid = block_from_uuid(text);
  if (!kid) throw CpixError(std::string(what) + "@kid \"" + text + "\" is not a UUID");
  return *kid;
}

void set_only_child_text(pugi::xml_node parent, const std::string& name, const std::string& text) {
  pugi::xml_node c = child(parent, name.substr(name.find(':') + 1));
  if (!c) c = parent.append_child(name.c_str());
  while (c.first_child()) c.remove_child(c.first_child());
  c.text().set(text.c_str());
}

// The attributes of the EXT-X-KEY a system's HLS signalling names (SPEKE v2.0), "" for systems
// without HLS signalling: HLS AES-128's identity key at the key server's URI, FairPlay's skd://
// URI, and, from the answer's boxes, Widevine's pssh box and PlayReady's PlayReady Object as data
// URIs under their KEYFORMATs (the layout Shaka Player's HLS parser reads, as shaka-packager
// writes it). METHOD follows the key's scheme: SAMPLE-AES for 'cbcs', SAMPLE-AES-CTR for 'cenc'.
std::string hls_key_attributes(const std::string& system_id, const std::string& kid, const KeyAnswer& answer,
                               const std::string& scheme) {
  const std::string method = scheme == "cenc" ? "SAMPLE-AES-CTR" : "SAMPLE-AES";
  const std::string system = pipeline::crypto::normalized_system_id(system_id);
  if (system == kHlsAes128SystemId) return "METHOD=" + method + ",URI=\"" + answer.uri_ext_x_key + "\"";
  if (system == kFairPlaySystemId)
    return "METHOD=SAMPLE-AES,URI=\"skd://" + kid + "\",KEYFORMAT=\"" + kFairPlayKeyFormat + "\",KEYFORMATVERSIONS=\"1\"";
  if (auto box = answer.pssh.find(system); box != answer.pssh.end() && system == pipeline::crypto::kWidevineSystemId) {
    std::string hex_kid = kid;
    hex_kid.erase(std::remove(hex_kid.begin(), hex_kid.end(), '-'), hex_kid.end());
    return "METHOD=" + method + ",URI=\"data:text/plain;base64," + api::base64_encode(box->second) + "\",KEYID=0x" + hex_kid +
           ",KEYFORMAT=\"urn:uuid:" + system + "\",KEYFORMATVERSIONS=\"1\"";
  }
  if (auto pro = answer.protection_header.find(system);
      pro != answer.protection_header.end() && system == pipeline::crypto::kPlayReadySystemId)
    return "METHOD=" + method + ",URI=\"data:text/plain;charset=UTF-16;base64," + api::base64_encode(pro->second) +
           "\",KEYFORMAT=\"com.microsoft.playready\",KEYFORMATVERSIONS=\"1\"";
  return "";
}

}  // namespace

std::string answer_cpix_request(std::string_view body, const KeyLookup& lookup, CpixSummary& summary) {
  pugi::xml_document doc;
  parse(doc, body);
  pugi::xml_node root = doc.document_element();
  const std::string cpix = prefix_of(root);
  summary.v2 = !root.attribute("contentId").empty();
  summary.content_id = summary.v2 ? root.attribute("contentId").value() : root.attribute("id").value();
  if (summary.content_id.empty())
    throw CpixError("CPIX@id (SPEKE v1) or CPIX@contentId (SPEKE v2) must name the content (the ResourceId)");

  pugi::xml_node key_list = child(root, "ContentKeyList");
  std::vector<pugi::xml_node> keys = children(key_list, "ContentKey");
  if (keys.empty()) throw CpixError("cpix:ContentKeyList with at least one cpix:ContentKey is required");
  const std::string pskc = namespace_prefix(root, kPskcNamespace, "pskc");
  std::map<std::string, KeyAnswer> answers;  // by kid text
  std::map<std::string, std::string> schemes;  // by kid text: ContentKey@commonEncryptionScheme (SPEKE v2.0)
  for (pugi::xml_node key : keys) {
    const Block kid = kid_of(key, "ContentKey");
    schemes[uuid_text(kid)] = key.attribute("commonEncryptionScheme").value();
    KeyAnswer answer = lookup(summary.content_id, kid, schemes[uuid_text(kid)]);
    // cpix:Data/pskc:Secret/pskc:PlainValue: the key in the clear (CPIX §5.3.3; SPEKE without
    // content key encryption). Replaces whatever the request carried there.
    if (pugi::xml_node old = child(key, "Data")) key.remove_child(old);
    key.append_child((cpix + "Data").c_str())
        .append_child((pskc + "Secret").c_str())
        .append_child((pskc + "PlainValue").c_str())
        .text()
        .set(api::base64_encode(answer.key).c_str());
    summary.kids.push_back(uuid_text(kid));
    answers[uuid_text(kid)] = std::move(answer);
  }

  pugi::xml_node system_list = child(root, "DRMSystemList");
  std::vector<pugi::xml_node> systems = children(system_list, "DRMSystem");
  if (systems.empty()) throw CpixError("cpix:DRMSystemList with at least one cpix:DRMSystem is required");
  for (pugi::xml_node system : systems) {
    const std::string kid = uuid_text(kid_of(system, "DRMSystem"));
    auto answer = answers.find(kid);
    if (answer == answers.end()) throw CpixError("DRMSystem@kid " + kid + " names no cpix:ContentKey of the request");
    const std::string system_id = system.attribute("systemId").value();
    if (system_id.empty()) throw CpixError("DRMSystem@systemId is missing (kid " + kid + ")");
    if (system_id == kHlsAes128SystemId)
      set_only_child_text(system, cpix + "URIExtXKey", api::base64_encode(answer->second.uri_ext_x_key));
    auto data = answer->second.content_protection_data.find(pipeline::crypto::normalized_system_id(system_id));
    if (data != answer->second.content_protection_data.end())
      set_only_child_text(system, cpix + "ContentProtectionData", api::base64_encode(data->second));
    // cpix:PSSH: base64 of the whole box, for the systems the request names (SPEKE v1 and v2 DASH).
    auto pssh = answer->second.pssh.find(pipeline::crypto::normalized_system_id(system_id));
    if (pssh != answer->second.pssh.end())
      set_only_child_text(system, cpix + "PSSH",
                          api::base64_encode(pssh->second));
    // speke:ProtectionHeader, SPEKE v1's own element (MSS PlayReady): only where it is asked for.
    auto header = answer->second.protection_header.find(pipeline::crypto::normalized_system_id(system_id));
    if (header != answer->second.protection_header.end() && child(system, "ProtectionHeader"))
      set_only_child_text(system, namespace_prefix(root, kSpekeNamespace, "speke") + "ProtectionHeader",
                          api::base64_encode(header->second));
    for (pugi::xml_node signalling : children(system, "HLSSignalingData")) {
      // SPEKE v2.0 (standard-payload-components-v2): base64 of the tag for the media playlists
      // (#EXT-X-KEY) or the master (#EXT-X-SESSION-KEY), for the systems with HLS signalling.
      const std::string tag = hls_key_attributes(system_id, kid, answer->second, schemes[kid]);
      if (tag.empty()) continue;
      const bool master = std::string_view(signalling.attribute("playlist").value()) == "master";
      signalling.text().set(api::base64_encode((master ? "#EXT-X-SESSION-KEY:" : "#EXT-X-KEY:") + tag).c_str());
    }
    if (system_id == kFairPlaySystemId) {
      // The FairPlay signalling a key provider returns (SPEKE v1: URIExtXKey, speke:KeyFormat and
      // speke:KeyFormatVersions, each base64). mediaemu issues no FairPlay licences: the skd://
      // URI names the key id, for players' signalling tests.
      const std::string speke = namespace_prefix(root, kSpekeNamespace, "speke");
      set_only_child_text(system, cpix + "URIExtXKey", api::base64_encode("skd://" + kid));
      set_only_child_text(system, speke + "KeyFormat", api::base64_encode(kFairPlayKeyFormat));
      set_only_child_text(system, speke + "KeyFormatVersions", api::base64_encode("1"));
    }
  }

  for (pugi::xml_node period : children(child(root, "ContentKeyPeriodList"), "ContentKeyPeriod")) {
    pugi::xml_attribute index = period.attribute("index");
    if (index.empty()) throw CpixError("ContentKeyPeriod@index is missing (SPEKE tracks key periods by it)");
    summary.period_indexes.push_back(index.as_llong());
  }

  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

std::string clearkey_laurl(const std::string& licence_url) {
  pugi::xml_document doc;
  pugi::xml_node laurl = doc.append_child("dashif:Laurl");
  laurl.append_attribute("xmlns:dashif") = kDashIfCpsNamespace;
  laurl.text().set(licence_url.c_str());  // escaped by pugixml
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  return out.str();
}

namespace {

// SD+HD1's sub-components SD and HD1 (speke_presets.hpp's bounds), each its own filter.
std::vector<pipeline::crypto::PresetKey> sub_components(const pipeline::crypto::PresetKey& key) {
  if (key.track_type != "SD+HD1") return {key};
  auto hd1 = pipeline::crypto::preset_keys("PRESET-VIDEO-5", "UNENCRYPTED");
  return {hd1.at(0), hd1.at(1)};  // SD, HD1
}

// A DRMSystem of a request: the key and system it is for, and the empty elements the key provider
// is asked to fill in.
pugi::xml_node append_drm_system(pugi::xml_node list, const std::string& kid, const std::string& system_id,
                                 std::initializer_list<const char*> asked) {
  pugi::xml_node s = list.append_child("cpix:DRMSystem");
  s.append_attribute("kid") = kid.c_str();
  s.append_attribute("systemId") = system_id.c_str();
  for (const char* name : asked) s.append_child(name);
  return s;
}

void append_usage_rule(pugi::xml_node list, const std::string& kid, const pipeline::crypto::PresetKey& key) {
  pugi::xml_node rule = list.append_child("cpix:ContentKeyUsageRule");
  rule.append_attribute("kid") = kid.c_str();
  rule.append_attribute("intendedTrackType") = key.track_type.c_str();
  if (key.track_type == "ALL") {  // a bare filter of each kind: every track
    rule.append_child("cpix:AudioFilter");
    rule.append_child("cpix:VideoFilter");
    return;
  }
  for (const auto& part : sub_components(key)) {
    pugi::xml_node filter = rule.append_child(part.video ? "cpix:VideoFilter" : "cpix:AudioFilter");
    const char* min = part.video ? "minPixels" : "minChannels";
    const char* max = part.video ? "maxPixels" : "maxChannels";
    if (part.min_exclusive > 0) filter.append_attribute(min) = static_cast<long long>(part.min_exclusive + 1);
    if (part.max_inclusive) filter.append_attribute(max) = static_cast<long long>(*part.max_inclusive);
  }
}

}  // namespace

std::string render_cpix_request(const CpixKeyRequest& request) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("cpix:CPIX");
  if (!request.contract.empty()) {
    root.append_attribute("contentId") = request.resource_id.c_str();
    root.append_attribute("version") = "2.3";
    root.append_attribute("xmlns:cpix") = kCpixNamespace;
    root.append_attribute("xmlns:pskc") = kPskcNamespace;
    pugi::xml_node keys = root.append_child("cpix:ContentKeyList");
    pugi::xml_node systems = root.append_child("cpix:DRMSystemList");
    pugi::xml_node rules = root.append_child("cpix:ContentKeyUsageRuleList");
    for (const auto& k : request.contract) {
      const std::string kid = uuid_text(k.kid);
      pugi::xml_node key = keys.append_child("cpix:ContentKey");
      key.append_attribute("kid") = kid.c_str();
      key.append_attribute("commonEncryptionScheme") = request.common_encryption_scheme.c_str();
      for (const auto& id : request.system_ids) {
        pugi::xml_node s = append_drm_system(systems, kid, id, {"cpix:PSSH", "cpix:ContentProtectionData"});
        if (request.hls_signalling) {
          s.append_child("cpix:HLSSignalingData").append_attribute("playlist") = "media";
          s.append_child("cpix:HLSSignalingData").append_attribute("playlist") = "master";
        }
      }
      append_usage_rule(rules, kid, k.rule);
    }
    std::ostringstream out;
    doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
    return out.str();
  }
  root.append_attribute("id") = request.resource_id.c_str();
  root.append_attribute("xmlns:cpix") = kCpixNamespace;
  root.append_attribute("xmlns:pskc") = kPskcNamespace;
  root.append_attribute("xmlns:speke") = kSpekeNamespace;
  const std::string kid = uuid_text(request.kid);
  root.append_child("cpix:ContentKeyList").append_child("cpix:ContentKey").append_attribute("kid") = kid.c_str();
  pugi::xml_node systems = root.append_child("cpix:DRMSystemList");
  for (const auto& id : request.system_ids)
    append_drm_system(systems, kid, id,
                      {"cpix:PSSH", "cpix:ContentProtectionData", "cpix:URIExtXKey", "speke:KeyFormat",
                       "speke:KeyFormatVersions", "speke:ProtectionHeader"});
  if (request.period_index) {
    const std::string period_id = "keyPeriod_" + kid;
    pugi::xml_node p = root.append_child("cpix:ContentKeyPeriodList").append_child("cpix:ContentKeyPeriod");
    p.append_attribute("id") = period_id.c_str();
    p.append_attribute("index") = static_cast<long long>(*request.period_index);
    pugi::xml_node rule = root.append_child("cpix:ContentKeyUsageRuleList").append_child("cpix:ContentKeyUsageRule");
    rule.append_attribute("kid") = kid.c_str();
    rule.append_child("cpix:KeyPeriodFilter").append_attribute("periodId") = period_id.c_str();
  }
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);  // with <?xml version="1.0"?>, once
  return out.str();
}

KeyAnswer read_cpix_answer(std::string_view body, const Block& kid, bool need_key_uri) {
  pugi::xml_document doc;
  parse(doc, body);
  pugi::xml_node root = doc.document_element();
  const std::string wanted = uuid_text(kid);
  KeyAnswer answer;
  bool found = false;
  for (pugi::xml_node key : children(child(root, "ContentKeyList"), "ContentKey")) {
    if (uuid_text(kid_of(key, "ContentKey")) != wanted) continue;
    std::string value = child(child(child(key, "Data"), "Secret"), "PlainValue").text().get();
    auto bytes = api::base64_decode(value);
    if (!bytes || bytes->size() != 16)
      throw CpixError("the answer's ContentKey " + wanted +
                      " has no 16-byte pskc:PlainValue (encrypted keys are not supported)");
    std::copy(bytes->begin(), bytes->end(), answer.key.begin());
    found = true;
  }
  if (!found) throw CpixError("the answer has no cpix:ContentKey with kid " + wanted);
  auto decoded = [](const pugi::xml_node& n) {
    auto bytes = api::base64_decode(n.text().get());
    return bytes ? std::string(bytes->begin(), bytes->end()) : std::string();
  };
  bool from_other_system = false;  // a DRM system's signalling wins over HLS AES-128's
  for (pugi::xml_node system : children(child(root, "DRMSystemList"), "DRMSystem")) {
    if (uuid_text(kid_of(system, "DRMSystem")) != wanted) continue;
    const bool aes128 = std::string_view(system.attribute("systemId").value()) == kHlsAes128SystemId;
    const std::string uri = decoded(child(system, "URIExtXKey"));
    if (uri.empty() || (aes128 && from_other_system)) continue;
    answer.uri_ext_x_key = uri;
    answer.key_format = decoded(child(system, "KeyFormat"));
    answer.key_format_versions = decoded(child(system, "KeyFormatVersions"));
    from_other_system |= !aes128;
  }
  for (pugi::xml_node system : children(child(root, "DRMSystemList"), "DRMSystem")) {
    if (uuid_text(kid_of(system, "DRMSystem")) != wanted) continue;
    for (pugi::xml_node signalling : children(system, "HLSSignalingData")) {
      if (std::string_view(signalling.attribute("playlist").value()) != "media") continue;
      std::string tag = decoded(signalling);
      if (tag.empty()) continue;
      // Written into media playlists as it is: one tag line (RFC 8216 §4.1: no line breaks inside).
      if (tag.rfind("#EXT-X-KEY:", 0) != 0 || tag.find_first_of("\r\n") != std::string::npos)
        throw CpixError("the HLSSignalingData of DRM system " + std::string(system.attribute("systemId").value()) +
                        " is not one #EXT-X-KEY tag");
      answer.hls_key_tags.push_back(std::move(tag));
    }
    const std::string system_id = pipeline::crypto::normalized_system_id(system.attribute("systemId").value());
    if (const std::string box = decoded(child(system, "PSSH")); !box.empty()) {
      // Written into init segments as it is: it must be one whole pssh box, of this system.
      std::vector<uint8_t> bytes(box.begin(), box.end());
      if (pipeline::crypto::pssh_box_system_id(bytes) != system_id)
        throw CpixError("the PSSH of DRM system " + system_id + " is not one pssh box of that system");
      answer.pssh[system_id] = std::move(bytes);
    }
    if (const std::string header = decoded(child(system, "ProtectionHeader")); !header.empty())
      answer.protection_header[system_id] = std::vector<uint8_t>(header.begin(), header.end());
    std::string xml = decoded(child(system, "ContentProtectionData"));
    if (xml.empty()) continue;
    // Written into the MPD as it is: it must be XML elements (a fragment), nothing else.
    pugi::xml_document fragment;
    if (!fragment.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_fragment, pugi::encoding_utf8) ||
        !fragment.first_child())
      throw CpixError("the ContentProtectionData of DRM system " + std::string(system.attribute("systemId").value()) +
                      " is not XML");
    answer.content_protection_data[system_id] = std::move(xml);
  }
  if (need_key_uri && answer.uri_ext_x_key.empty())
    throw CpixError("the answer has no cpix:URIExtXKey for the key (HLS AES-128 systemId " +
                    std::string(kHlsAes128SystemId) + " or another DRM system)");
  return answer;
}

}  // namespace mediaemu::speke
