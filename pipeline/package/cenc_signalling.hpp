// How an encrypted fMP4 endpoint signals its key: the MPD's ContentProtection (DASH). The init
// segment's protection (default_KID, pssh boxes, 'cenc' or 'cbcs') is fmp4_protection()
// (fmp4_encryption.hpp), which the DASH and CMAF packagers share, with its pssh boxes from
// crypto::pssh_boxes_for.
//
// PSSH: the box the key provider's CPIX answer gives for a system (cpix:PSSH, "PSSH comes from
// CPIX", MP-UG) is written as it is, base64 in <cenc:pssh> and whole in the init segment; the
// local SPEKE server gives Widevine's and PlayReady's (emulator/speke/drm_pssh.hpp). W3C ClearKey
// needs nothing but the key ids: without a provider's box, the W3C Common PSSH
// (1077efec-c0b2-4d02-ace3-3c1e52e2fb4b) of the key is written.
// ContentProtectionData: what the key provider's CPIX answer gives for a system is written inside
// its element as it is; the local server gives DASH-IF ClearKey its licence URL (<dashif:Laurl>,
// emulator/speke/cpix.hpp), from which dash.js and Shaka fetch ClearKey licences with no player
// configuration. A system with neither gets no ContentProtection element.
//
// MPD (DASH-IF IOP v4.3 §7.7.2, ISO/IEC 23009-1 §5.8.5.2, ISO/IEC 23001-7 §11): in each
// AdaptationSet, first the mp4protection descriptor
//   <ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="cenc" cenc:default_KID="<uuid>"/>
// then one per DRM system in SystemIds order, <ContentProtection schemeIdUri="urn:uuid:<SystemId>">
// with <cenc:pssh>base64 of the whole pssh box</cenc:pssh> and/or the ContentProtectionData
// elements (each declaring its own namespace); the MPD element declares
// xmlns:cenc="urn:mpeg:cenc:2013" (DASH-IF IOP §7.4.1.1 and §7.4.1.3). dash.js and Shaka read
// this layout; MediaPackage's exact attribute order and placement were not checked against AWS.
#pragma once

#include <string>
#include <vector>

#include "pipeline/crypto/content_key.hpp"
#include "pipeline/package/fmp4.hpp"

namespace mediaemu::pipeline {

inline constexpr const char* kCencNamespace = "urn:mpeg:cenc:2013";

// The ContentProtection elements of an AdaptationSet, each line prefixed by `indent`.
// `key_rotates`: the keys change in-band, so the MPD names no key (no cenc:default_KID, no
// cenc:pssh), as MediaPackage does for rotating endpoints without a key-rotation period trigger
// ("endpoints with DRM key rotation will not show the default_KID and pssh values in the
// manifest", MP-UG multi-period): players then take each key from the init segment's and the
// fragments' pssh boxes (the 'encrypted' events EME raises for them).
std::string dash_content_protection(const Fmp4Protection& protection, const std::string& indent,
                                    bool key_rotates = false);

}  // namespace mediaemu::pipeline
