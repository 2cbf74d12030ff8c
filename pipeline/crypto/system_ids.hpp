// DRM system ids the packagers and the local key server know (DASH-IF registry,
// dashif.org/identifiers/content_protection). Header-only: the key server in the binary uses it
// without linking the pipeline's crypto.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace mediaemu::pipeline::crypto {

// W3C Common PSSH, which ClearKey uses in init segments (crypto::w3c_common_pssh).
inline constexpr std::string_view kW3cClearKeySystemId = "1077efec-c0b2-4d02-ace3-3c1e52e2fb4b";
// DASH-IF ClearKey: signalled in an MPD by its licence URL (emulator/speke/cpix.hpp); players take
// its key ids from cenc:default_KID (no pssh: crypto::pssh_boxes_for says why).
inline constexpr std::string_view kDashIfClearKeySystemId = "e2719d58-a985-b3c9-781a-b030af78d30e";

// Widevine and PlayReady: the local key server gives each a pssh box of its own format
// (emulator/speke/drm_pssh.hpp); their licences come from their vendors' servers.
inline constexpr std::string_view kWidevineSystemId = "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed";
inline constexpr std::string_view kPlayReadySystemId = "9a04f079-9840-4286-ab92-e65be0885f95";

// A system id as the registry writes it (lower case), whatever case SystemIds used.
inline std::string normalized_system_id(std::string_view id) {
  std::string out(id);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace mediaemu::pipeline::crypto
