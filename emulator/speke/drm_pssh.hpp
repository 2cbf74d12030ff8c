// The pssh boxes the local SPEKE server gives Widevine and PlayReady, so that a DASH or CMAF
// endpoint asking for those systems signals them as it would with a DRM vendor's key server: the
// MPD's <cenc:pssh> and the init segment's box, from which a browser's CDM makes its licence
// request (to the licence server the player is configured with; mediaemu issues no Widevine or
// PlayReady licences).
//
// Widevine: a version 0 box whose Data is a WidevinePsshData protocol buffer (the format
// Widevine's "Common Encryption" integration documents and shaka-packager writes): key_ids (field
// 2, the 16-byte key id), content_id (field 4, the SPEKE content id) and, when the request names
// the scheme, protection_scheme (field 9, the 'cenc' or 'cbcs' four-character code).
//
// PlayReady: a version 0 box whose Data is a PlayReady Object (PlayReady Header Specification §2,
// little-endian: length, record count, then record type 1 = the PlayReady Header) holding a
// PlayReady Header v4.3.0.0 (§3.6: UTF-16LE XML, <KID VALUE> the key id as a little-endian GUID in
// base64, ALGID AESCTR for 'cenc' or AESCBC for 'cbcs', left out when the request does not name
// the scheme, which v4.3 allows). No LA_URL: players name their licence server. The same
// PlayReady Object also goes into the MPD as <mspr:pro> (DASH-IF IOP §7.7.3.1 PlayReady
// ContentProtection; namespace urn:microsoft:playready), as the key provider's
// ContentProtectionData, and into Smooth manifests as its speke:ProtectionHeader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/crypto/aes_cbc.hpp"

namespace mediaemu::speke {

// `scheme`: "cenc" | "cbcs" | "" (not named: SPEKE v1).
std::vector<uint8_t> widevine_pssh(const pipeline::crypto::Block& kid, const std::string& content_id,
                                   const std::string& scheme);
std::vector<uint8_t> playready_object(const pipeline::crypto::Block& kid, const std::string& scheme);
std::vector<uint8_t> playready_pssh(const std::vector<uint8_t>& playready_object);
std::string mspr_pro(const std::vector<uint8_t>& playready_object);

}  // namespace mediaemu::speke
