#include "pipeline/package/cenc_signalling.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include "pipeline/crypto/block_text.hpp"
#include "pipeline/crypto/cenc.hpp"

namespace mediaemu::pipeline {
namespace {

std::string base64_of(const std::vector<uint8_t>& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// The system id of a pssh box (bytes 12..27, ISO/IEC 23001-7 §8.1.2).
std::string pssh_system_id(const std::vector<uint8_t>& box) {
  crypto::Block id{};
  if (box.size() >= 28) std::copy(box.begin() + 12, box.begin() + 28, id.begin());
  return crypto::uuid_text(id);
}

}  // namespace

std::string dash_content_protection(const Fmp4Protection& protection, const std::string& indent) {
  std::string out = indent + "<ContentProtection schemeIdUri=\"urn:mpeg:dash:mp4protection:2011\" value=\"cenc\"" +
                    " cenc:default_KID=\"" + crypto::uuid_text(protection.default_kid) + "\"/>\n";
  for (const auto& pssh : protection.pssh_boxes) {
    const std::string system = pssh_system_id(pssh);
    out += indent + "<ContentProtection schemeIdUri=\"urn:uuid:" + system + "\">\n";
    out += indent + "  <cenc:pssh>" + base64_of(pssh) + "</cenc:pssh>\n";
    out += indent + "</ContentProtection>\n";
  }
  return out;
}

}  // namespace mediaemu::pipeline
