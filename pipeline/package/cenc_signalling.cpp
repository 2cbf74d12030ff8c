#include "pipeline/package/cenc_signalling.hpp"

#include <algorithm>
#include <set>

#include "pipeline/bytes.hpp"
#include "pipeline/crypto/block_text.hpp"
#include "pipeline/crypto/cenc.hpp"
#include "pipeline/crypto/pssh.hpp"

namespace mediaemu::pipeline {

std::string dash_content_protection(const Fmp4Protection& protection, const std::string& indent, bool key_rotates) {
  std::string out = indent + "<ContentProtection schemeIdUri=\"urn:mpeg:dash:mp4protection:2011\" value=\"cenc\"" +
                    (key_rotates ? "" : " cenc:default_KID=\"" + crypto::uuid_text(protection.default_kid) + "\"") + "/>\n";
  std::set<std::string> written;
  for (const auto& id : protection.system_ids) {
    const std::string system = crypto::normalized_system_id(id);
    if (!written.insert(system).second) continue;
    auto box = std::find_if(protection.pssh_boxes.begin(), protection.pssh_boxes.end(),
                            [&](const auto& b) { return crypto::pssh_box_system_id(b) == system; });
    const bool in_band = key_rotates && box != protection.pssh_boxes.end();  // signalled, keys in the segments
    auto pssh = key_rotates ? protection.pssh_boxes.end() : box;
    auto data = protection.content_protection_data.find(system);
    // A system with nothing to say (no PSSH, no data from the key provider) gets no element.
    if (pssh == protection.pssh_boxes.end() && data == protection.content_protection_data.end() && !in_band) continue;
    out += indent + "<ContentProtection schemeIdUri=\"urn:uuid:" + system + "\">\n";
    if (pssh != protection.pssh_boxes.end()) out += indent + "  <cenc:pssh>" + base64(*pssh) + "</cenc:pssh>\n";
    if (data != protection.content_protection_data.end()) out += indent + "  " + data->second + "\n";
    out += indent + "</ContentProtection>\n";
  }
  return out;
}

}  // namespace mediaemu::pipeline
