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
      rotates_(spec.key_rotation_interval_seconds > 0) {
  // The HLS AES-128 signalling (URIExtXKey) is what an HLS AES_128 endpoint needs, whatever
  // SystemIds lists (MediaPackage's console offers it as the one system for AES-128).
  if (std::find(system_ids_.begin(), system_ids_.end(), kHlsAes128SystemId) == system_ids_.end())
    system_ids_.push_back(kHlsAes128SystemId);
}

pipeline::crypto::Block SpekeKeyProvider::key_id(const std::string& resource_id, int64_t period) {
  const std::string seed = resource_id + "\n" + std::to_string(period);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(seed.data()), seed.size(), digest);
  pipeline::crypto::Block kid{};
  std::copy(digest, digest + kid.size(), kid.begin());
  return kid;
}

KeyFetch SpekeKeyProvider::fetch(int64_t period) {
  KeyFetch result;
  LoopbackRequest request;
  if (!split_http_url(url_, request)) {
    result.error = "the SpekeKeyProvider Url " + url_ +
                   " is not an http:// URL (mediaemu calls key servers on loopback, without TLS)";
    return result;
  }
  CpixKeyRequest cpix;
  cpix.resource_id = resource_id_;
  cpix.kid = key_id(resource_id_, period);
  cpix.system_ids = system_ids_;
  if (rotates_) cpix.period_index = period;
  request.method = "POST";
  request.headers = {{"Content-Type", "application/xml"}};
  request.body = render_cpix_request(cpix);
  request.timeout = std::chrono::seconds(5);
  LoopbackResponse response = loopback_http(request);
  if (response.status == 0) {
    result.error = response.error;
    return result;
  }
  if (response.status != 200) {
    result.error = "HTTP " + std::to_string(response.status) + ": " + response.body.substr(0, 200);
    return result;
  }
  try {
    KeyAnswer answer = read_cpix_answer(response.body, cpix.kid);
    pipeline::crypto::ContentKey key;
    key.period = period;
    key.kid = cpix.kid;
    key.key = answer.key;
    key.uri = answer.uri_ext_x_key;
    key.key_format = answer.key_format;
    key.key_format_versions = answer.key_format_versions;
    key.content_protection_data = std::move(answer.content_protection_data);
    result.key = std::move(key);
  } catch (const CpixError& e) {
    result.error = std::string("unusable CPIX answer: ") + e.what();
  }
  return result;
}

}  // namespace mediaemu::speke
