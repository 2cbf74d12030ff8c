// CPIX documents as SPEKE exchanges them (DASH-IF CPIX 2.x, https://dashif.org/docs/CPIX2.4/Cpix.html,
// profiled by SPEKE v1 (docs.aws.amazon.com/speke/latest/documentation/speke-constraints.html)
// and v2 (.../speke-constraints-v2-1.html, .../standard-payload-components-v2-1.html)).
//
// A request (encryptor -> key provider, POST, application/xml) names the content (CPIX@id in v1,
// CPIX@contentId and CPIX@version in v2), one cpix:ContentKey per key (@kid, a UUID the encryptor
// chooses), one cpix:DRMSystem per key and DRM system (@kid, @systemId) whose signalling the
// provider fills in, and for key rotation a cpix:ContentKeyPeriodList (ContentKeyPeriod @id
// @index) tied to keys by cpix:ContentKeyUsageRule/cpix:KeyPeriodFilter@periodId. The answer is
// the same document with each ContentKey's cpix:Data/pskc:Secret/pskc:PlainValue (the key,
// base64) and, for HLS AES-128 (systemId 81376844-f976-481e-a84e-cc25d39b0b33, SPEKE v1 live
// example), cpix:URIExtXKey: base64 of the key URI that EXT-X-KEY carries as is.
//
// XML is read with pugixml, which expands no DTD entities at all (only the five predefined ones
// and character references); a document with a DOCTYPE is refused anyway. Elements are matched by
// local name, whatever prefixes the sender chose.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/crypto/content_key.hpp"
#include "pipeline/crypto/speke_presets.hpp"

namespace mediaemu::speke {

using pipeline::crypto::Block;

inline constexpr const char* kHlsAes128SystemId = "81376844-f976-481e-a84e-cc25d39b0b33";
// Apple FairPlay (dashif.org/identifiers/content_protection): its HLS signalling is an skd:// key
// URI with KEYFORMAT "com.apple.streamingkeydelivery", KEYFORMATVERSIONS "1".
inline constexpr const char* kFairPlaySystemId = "94ce86fb-07ff-4f43-adb8-93d2fa968ca2";
inline constexpr const char* kFairPlayKeyFormat = "com.apple.streamingkeydelivery";
// DASH-IF ClearKey (pipeline::crypto::kDashIfClearKeySystemId): in a DASH MPD its ContentProtection
// carries the licence server URL as <dashif:Laurl> (DASH-IF "Content protection and security"
// guidelines, §9.3, namespace https://dashif.org/CPS), which dash.js and Shaka read; its key ids
// come from cenc:default_KID.
inline constexpr const char* kDashIfCpsNamespace = "https://dashif.org/CPS";
inline constexpr const char* kCpixNamespace = "urn:dashif:org:cpix";
inline constexpr const char* kPskcNamespace = "urn:ietf:params:xml:ns:keyprov:pskc";
inline constexpr const char* kSpekeNamespace = "urn:aws:amazon:com:speke";

// A request or answer SPEKE cannot use; the message says what is wrong.
struct CpixError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---- key server side ------------------------------------------------------------------------

struct KeyAnswer {
  Block key{};
  std::string uri_ext_x_key;  // the URI players fetch the key from
  // speke:KeyFormat / speke:KeyFormatVersions of the DRM system whose URIExtXKey was taken: what
  // EXT-X-KEY's KEYFORMAT / KEYFORMATVERSIONS carry (empty: not written).
  std::string key_format, key_format_versions;
  // cpix:ContentProtectionData by DRM system id (lower case): the XML a DASH MPD's
  // ContentProtection element for that system carries (CPIX 2.x, DRMSystem; SPEKE v1 DASH).
  std::map<std::string, std::string> content_protection_data;
  // cpix:PSSH by DRM system id (lower case): the whole pssh box (ISO/IEC 23001-7 §8.1.2) that
  // DASH and CMAF init segments carry, and the MPD in <cenc:pssh> (SPEKE v1 and v2 DASH).
  std::map<std::string, std::vector<uint8_t>> pssh;
  // speke:ProtectionHeader by DRM system id (lower case), decoded: the header a Smooth Streaming
  // manifest's ProtectionHeader carries ("To support MSS PlayReady, SPEKE uses a custom parameter
  // under the DRMSystem tag, SPEKE:ProtectionHeader", SPEKE v1 constraints); for PlayReady, the
  // PlayReady Object.
  std::map<std::string, std::vector<uint8_t>> protection_header;
  // SPEKE v2.0 HLSSignalingData (playlist "media"), decoded: the EXT-X-KEY tag of each DRM system
  // that gave one, in DRMSystem order.
  std::vector<std::string> hls_key_tags;
};
// The key (and its URI and DRM systems' data) for a content id and key id. `scheme` is the
// ContentKey@commonEncryptionScheme ("cenc" | "cbcs") a SPEKE v2.0 request names, "" in v1.
using KeyLookup =
    std::function<KeyAnswer(const std::string& content_id, const Block& kid, const std::string& scheme)>;

struct CpixSummary {  // for the key server's log line
  std::string content_id;
  bool v2 = false;  // CPIX@contentId (SPEKE v2) rather than CPIX@id (v1)
  std::vector<std::string> kids;
  std::vector<int64_t> period_indexes;
};

// The answer to a request: the request with the keys and URIExtXKey filled in. Throws CpixError.
std::string answer_cpix_request(std::string_view body, const KeyLookup& lookup, CpixSummary& summary);

// The ContentProtectionData of DASH-IF ClearKey: <dashif:Laurl> naming `licence_url`.
std::string clearkey_laurl(const std::string& licence_url);

// ---- encryptor side -------------------------------------------------------------------------

struct CpixKeyRequest {
  std::string resource_id;
  Block kid{};
  std::vector<std::string> system_ids;
  std::optional<int64_t> period_index;  // key rotation: ContentKeyPeriod@index
  // SPEKE v2.0: the encryption contract, one key per intended track type. When set, the request
  // is CPIX 2.3 (CPIX@contentId, @version) and `kid` is not used.
  struct ContractKey {
    Block kid{};
    pipeline::crypto::PresetKey rule;
  };
  std::vector<ContractKey> contract;
  std::string common_encryption_scheme;  // SPEKE v2.0 ContentKey@commonEncryptionScheme: "cenc" | "cbcs"
  // SPEKE v2.0 for an endpoint with HLS manifests: each DRMSystem asks for HLSSignalingData
  // (playlist "media" and "master").
  bool hls_signalling = false;
};
// A SPEKE v1 request for one key, as MediaPackage v1 sends it for an HLS endpoint; or, with a
// contract, a SPEKE v2.0 request for its keys, each with a ContentKeyUsageRule naming its
// intendedTrackType and a VideoFilter (minPixels/maxPixels) or AudioFilter (minChannels/
// maxChannels) per sub-component ("SD+HD1": two; "ALL": a bare one of each), as the SPEKE v2
// encryption contract specifies (docs.aws.amazon.com/speke/latest/documentation/encryption-contract-v2.html).
std::string render_cpix_request(const CpixKeyRequest& request);

// The key and HLS signalling the answer gives for `kid`: the URIExtXKey (and KeyFormat,
// KeyFormatVersions) of a DRM system other than HLS AES-128 when the answer has one (FairPlay),
// else HLS AES-128's; each system's ContentProtectionData and PSSH (DASH) and ProtectionHeader
// (MSS). Throws CpixError
// (not XML, no such key, no key value, no URIExtXKey, ContentProtectionData that is not XML, a
// PSSH that is not one pssh box of its DRMSystem's systemId).
// `need_key_uri` false (SPEKE v2.0): an answer without URIExtXKey is fine.
KeyAnswer read_cpix_answer(std::string_view body, const Block& kid, bool need_key_uri = true);

}  // namespace mediaemu::speke
