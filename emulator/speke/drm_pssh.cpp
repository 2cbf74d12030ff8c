#include "emulator/speke/drm_pssh.hpp"

#include "api/base64.hpp"
#include "pipeline/crypto/pssh.hpp"
#include "pipeline/crypto/system_ids.hpp"

namespace mediaemu::speke {
namespace {

using pipeline::crypto::Block;

// Protocol buffer encoding: a varint, and a length-delimited field (wire type 2).
void varint(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

void bytes_field(std::vector<uint8_t>& out, int field, const uint8_t* data, size_t size) {
  varint(out, static_cast<uint64_t>(field) << 3 | 2);
  varint(out, size);
  out.insert(out.end(), data, data + size);
}

uint32_t fourcc(const std::string& s) {
  return uint32_t{static_cast<uint8_t>(s[0])} << 24 | uint32_t{static_cast<uint8_t>(s[1])} << 16 |
         uint32_t{static_cast<uint8_t>(s[2])} << 8 | static_cast<uint8_t>(s[3]);
}

void le16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

}  // namespace

std::vector<uint8_t> widevine_pssh(const Block& kid, const std::string& content_id, const std::string& scheme) {
  std::vector<uint8_t> data;
  bytes_field(data, 2, kid.data(), kid.size());  // key_ids
  bytes_field(data, 4, reinterpret_cast<const uint8_t*>(content_id.data()), content_id.size());  // content_id
  if (scheme == "cenc" || scheme == "cbcs") {
    varint(data, 9 << 3 | 0);  // protection_scheme, a varint
    varint(data, fourcc(scheme));
  }
  return pipeline::crypto::pssh_box(*pipeline::crypto::block_from_uuid(pipeline::crypto::kWidevineSystemId), 0, {},
                                    data);
}

std::vector<uint8_t> playready_object(const Block& kid, const std::string& scheme) {
  // A GUID's first three fields are little-endian in PlayReady's KID (§3.6.2.1).
  Block guid = kid;
  std::swap(guid[0], guid[3]);
  std::swap(guid[1], guid[2]);
  std::swap(guid[4], guid[5]);
  std::swap(guid[6], guid[7]);
  const std::string algid = scheme == "cenc" ? "AESCTR" : scheme == "cbcs" ? "AESCBC" : "";
  // §3.6: attributes in alphabetical order, every element closed by its own closing tag.
  const std::string header =
      "<WRMHEADER xmlns=\"http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader\" version=\"4.3.0.0\"><DATA>"
      "<PROTECTINFO><KIDS><KID " +
      (algid.empty() ? "" : "ALGID=\"" + algid + "\" ") + "VALUE=\"" +
      api::base64_encode(guid) +
      "\"></KID></KIDS></PROTECTINFO></DATA></WRMHEADER>";
  std::vector<uint8_t> record;
  for (char c : header) le16(record, static_cast<uint8_t>(c));  // UTF-16LE of ASCII
  std::vector<uint8_t> object;
  const uint32_t length = static_cast<uint32_t>(4 + 2 + 2 + 2 + record.size());
  for (int i = 0; i < 4; ++i) object.push_back(static_cast<uint8_t>(length >> (8 * i)));
  le16(object, 1);  // one record
  le16(object, 1);  // type 1: a PlayReady Header
  le16(object, static_cast<uint16_t>(record.size()));
  object.insert(object.end(), record.begin(), record.end());
  return object;
}

std::vector<uint8_t> playready_pssh(const std::vector<uint8_t>& playready_object) {
  return pipeline::crypto::pssh_box(*pipeline::crypto::block_from_uuid(pipeline::crypto::kPlayReadySystemId), 0, {},
                                    playready_object);
}

std::string mspr_pro(const std::vector<uint8_t>& playready_object) {
  return "<mspr:pro xmlns:mspr=\"urn:microsoft:playready\">" +
         api::base64_encode(playready_object) +
         "</mspr:pro>";
}

}  // namespace mediaemu::speke
