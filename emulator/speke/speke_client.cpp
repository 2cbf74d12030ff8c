#include "emulator/speke/speke_client.hpp"

#include <openssl/sha.h>

#include <algorithm>

#include "emulator/loopback_http.hpp"
#include "emulator/speke/cpix.hpp"

namespace mediaemu::speke {

using pipeline::crypto::KeyFetch;

SpekeKeyProvider::SpekeKeyProvider(const pipeline::crypto::EncryptionSpec& spec)
    : url_(spec.speke_url),
      resource_id_(spec.resource_id),
      system_ids_(spec.system_ids),
      rotates_(spec.key_rotation_interval_seconds > 0),
      scheme_(spec.method == pipeline::crypto::EncryptionSpec::Method::Cbcs ? "cbcs" : "cenc") {
  if (spec.speke_v2()) {
    contract_ = pipeline::crypto::preset_keys(spec.preset_video, spec.preset_audio);
    hls_signalling_ = spec.hls_manifests;
    if (!hls_signalling_) return;  // DASH signalling only: PSSH and ContentProtectionData
  }
  // The HLS AES-128 signalling (URIExtXKey) is what an HLS AES_128 endpoint needs, whatever
  // SystemIds lists (MediaPackage's console offers it as the one system for AES-128).
  if (std::find(system_ids_.begin(), system_ids_.end(), kHlsAes128SystemId) == system_ids_.end())
    system_ids_.push_back(kHlsAes128SystemId);
}

pipeline::crypto::Block SpekeKeyProvider::key_id(const std::string& resource_id, int64_t period,
                                                 const std::string& track_type) {
  std::string seed = resource_id + "\n" + std::to_string(period);
  if (!track_type.empty()) seed += "\n" + track_type;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(seed.data()), seed.size(), digest);
  pipeline::crypto::Block kid{};
  std::copy(digest, digest + kid.size(), kid.begin());
  return kid;
}

KeyFetch SpekeKeyProvider::fetch(int64_t period) {
  KeyFetch result;
  CpixKeyRequest cpix;
  cpix.resource_id = resource_id_;
  cpix.system_ids = system_ids_;
  if (!contract_.empty()) {
    cpix.common_encryption_scheme = scheme_;
    cpix.hls_signalling = hls_signalling_;
    for (const auto& rule : contract_) cpix.contract.push_back({key_id(resource_id_, 0, rule.track_type), rule});
  } else {
    cpix.kid = key_id(resource_id_, period);
    if (rotates_) cpix.period_index = period;
  }
  auto body = post(cpix, result.error);
  if (!body) return result;
  auto content_key = [&](const Block& kid, bool need_uri) {
    KeyAnswer answer = read_cpix_answer(*body, kid, need_uri);
    pipeline::crypto::ContentKey key;
    key.period = period;
    key.kid = kid;
    key.key = answer.key;
    key.uri = answer.uri_ext_x_key;
    key.key_format = answer.key_format;
    key.key_format_versions = answer.key_format_versions;
    key.content_protection_data = std::move(answer.content_protection_data);
    key.pssh = std::move(answer.pssh);
    key.protection_header = std::move(answer.protection_header);
    key.hls_key_tags = std::move(answer.hls_key_tags);
    // SPEKE v2.0 for HLS manifests: the EXT-X-KEY tags come from HLSSignalingData alone.
    if (hls_signalling_ && key.hls_key_tags.empty())
      throw CpixError("the answer has no HLSSignalingData (playlist \"media\") for key " +
                      pipeline::crypto::uuid_text(kid) + ", which the endpoint's HLS manifests need");
    return key;
  };
  try {
    if (cpix.contract.empty()) {
      result.key = content_key(cpix.kid, true);
      return result;
    }
    std::vector<pipeline::crypto::ContentKey> keys;
    for (const auto& k : cpix.contract) {
      keys.push_back(content_key(k.kid, false));
      keys.back().track_type = k.rule.track_type;
    }
    result.key = keys.front();
    result.key->track_keys = std::move(keys);
  } catch (const CpixError& e) {
    result.error = std::string("unusable CPIX answer: ") + e.what();
  }
  return result;
}

std::optional<std::string> SpekeKeyProvider::post(const CpixKeyRequest& cpix, std::string& error) const {
  LoopbackRequest request;
  if (!split_http_url(url_, request)) {
    error = "the SpekeKeyProvider Url " + url_ + " is not an http:// URL (mediaemu calls key servers on loopback, without TLS)";
    return std::nullopt;
  }
  request.method = "POST";
  request.headers = {{"Content-Type", "application/xml"}};
  if (!cpix.contract.empty()) request.headers.emplace_back("X-Speke-Version", "2.0");
  request.body = render_cpix_request(cpix);
  request.timeout = std::chrono::seconds(5);
  LoopbackResponse response = loopback_http(request);
  if (response.status == 0) {
    error = response.error;
    return std::nullopt;
  }
  if (response.status != 200) {
    error = "HTTP " + std::to_string(response.status) + ": " + response.body.substr(0, 200);
    return std::nullopt;
  }
  return std::move(response.body);
}

}  // namespace mediaemu::speke
