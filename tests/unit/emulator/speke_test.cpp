// The local SPEKE key server: CPIX requests (SPEKE v1 and v2) answered with the keys and
// URIExtXKey, malformed CPIX refused with 400, deterministic keys (same secret, same keys; the
// secret kept in the data directory), the key URI and the W3C ClearKey licence; and the
// encryptor's request/answer round trip (what the packager's SpekeKeyProvider sends and reads).
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "api/base64.hpp"
#include "emulator/speke/cpix.hpp"
#include "emulator/speke/key_server.hpp"
#include "emulator/speke/speke_client.hpp"
#include "pipeline/crypto/pssh.hpp"

using namespace mediaemu;
using namespace mediaemu::speke;
using pipeline::crypto::block_from_uuid;
using pipeline::crypto::uuid_text;
namespace fs = std::filesystem;

namespace {

std::array<uint8_t, 32> test_secret() {
  std::array<uint8_t, 32> s{};
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<uint8_t>(i);
  return s;
}

api::HttpRequest post(const std::string& target, std::string body,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  api::HttpRequest r;
  r.method = "POST";
  r.target = target;
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.headers.emplace_back("host", "127.0.0.1:4566");
  return r;
}

// The SPEKE v1 live example's shape (docs.aws.amazon.com/speke/latest/documentation/live-workflow-methods.html).
const char* kV1Request = R"(<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX id="abc123" xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:speke="urn:aws:amazon:com:speke">
  <cpix:ContentKeyList>
    <cpix:ContentKey kid="98ee5596-cd3e-a20d-163a-e382420c6eff" explicitIV="OFj2IjCsPJFfMAxmQxLGPw=="></cpix:ContentKey>
  </cpix:ContentKeyList>
  <cpix:DRMSystemList>
    <cpix:DRMSystem kid="98ee5596-cd3e-a20d-163a-e382420c6eff" systemId="81376844-f976-481e-a84e-cc25d39b0b33">
      <cpix:URIExtXKey></cpix:URIExtXKey>
      <speke:KeyFormat></speke:KeyFormat>
      <speke:KeyFormatVersions></speke:KeyFormatVersions>
    </cpix:DRMSystem>
  </cpix:DRMSystemList>
  <cpix:ContentKeyPeriodList>
    <cpix:ContentKeyPeriod id="keyPeriod_e64248f6-f307-4b63-8b4c-6f24a5ea8b1e" index="11425"/>
  </cpix:ContentKeyPeriodList>
  <cpix:ContentKeyUsageRuleList>
    <cpix:ContentKeyUsageRule kid="98ee5596-cd3e-a20d-163a-e382420c6eff">
      <cpix:KeyPeriodFilter periodId="keyPeriod_e64248f6-f307-4b63-8b4c-6f24a5ea8b1e"/>
    </cpix:ContentKeyUsageRule>
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>)";

}  // namespace

TEST_CASE("key vault: keys depend on the secret, the resource and the key id only", "[speke]") {
  KeyVault a(test_secret()), b(test_secret());
  const auto kid = *block_from_uuid("98ee5596-cd3e-a20d-163a-e382420c6eff");
  const auto other = *block_from_uuid("98ee5596-cd3e-a20d-163a-e382420c6e00");
  CHECK(a.key("res", kid) == b.key("res", kid));
  CHECK(a.key("res", kid) != a.key("res2", kid));
  CHECK(a.key("res", kid) != a.key("res", other));
  auto secret = test_secret();
  secret[0] ^= 1;
  CHECK(KeyVault(secret).key("res", kid) != a.key("res", kid));

  // Kept in the data directory: a second instance (a restart) derives the same keys.
  const fs::path dir = fs::temp_directory_path() / ("speke_vault_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  KeyVault first(dir);
  KeyVault again(dir);
  CHECK(first.key("res", kid) == again.key("res", kid));
  CHECK(fs::file_size(dir / "speke" / "secret") == 32);
  CHECK((fs::status(dir / "speke" / "secret").permissions() & fs::perms::others_read) == fs::perms::none);
  fs::remove_all(dir);
}

TEST_CASE("key server: SPEKE v1 request answered with key and URIExtXKey", "[speke]") {
  KeyServer server{KeyVault(test_secret())};
  auto r = server.handle(post("/_mediaemu/speke/v1", kV1Request));
  REQUIRE(r.status == 200);
  CHECK(r.header("Content-Type") == "application/xml");
  CHECK(r.header("Speke-User-Agent") != "");
  const auto kid = *block_from_uuid("98ee5596-cd3e-a20d-163a-e382420c6eff");
  // The encryptor's reading of the answer gives the vault's key and the key URI.
  KeyAnswer answer = read_cpix_answer(r.body, kid);
  CHECK(answer.key == KeyVault(test_secret()).key("abc123", kid));
  CHECK(answer.uri_ext_x_key ==
        "http://127.0.0.1:4566/_mediaemu/speke/key?resource=abc123&kid=98ee5596-cd3e-a20d-163a-e382420c6eff");
  CHECK(r.body.find("index=\"11425\"") != std::string::npos);  // the rest of the request is echoed

  // The key URI serves the 16 bytes.
  api::HttpRequest get;
  get.method = "GET";
  get.target = "/_mediaemu/speke/key?resource=abc123&kid=98ee5596-cd3e-a20d-163a-e382420c6eff";
  auto k = server.handle(get);
  REQUIRE(k.status == 200);
  CHECK(k.header("Content-Type") == "application/octet-stream");
  CHECK(k.body == std::string(reinterpret_cast<const char*>(answer.key.data()), 16));
}

TEST_CASE("key server: SPEKE v2 (contentId, X-Speke-Version) and any prefix", "[speke]") {
  KeyServer server{KeyVault(test_secret())};
  const std::string v2 =
      R"(<CPIX xmlns="urn:dashif:org:cpix" xmlns:p="urn:ietf:params:xml:ns:keyprov:pskc" contentId="live-1" version="2.3">
  <ContentKeyList><ContentKey kid="11111111-2222-3333-4444-555555555555" commonEncryptionScheme="cbcs"/></ContentKeyList>
  <DRMSystemList><DRMSystem kid="11111111-2222-3333-4444-555555555555" systemId="81376844-f976-481e-a84e-cc25d39b0b33"/></DRMSystemList>
  <ContentKeyUsageRuleList><ContentKeyUsageRule kid="11111111-2222-3333-4444-555555555555" intendedTrackType="ALL"/></ContentKeyUsageRuleList>
</CPIX>)";
  auto r = server.handle(post("/_mediaemu/speke/v2", v2, {{"x-speke-version", "2.0"}}));
  REQUIRE(r.status == 200);
  CHECK(r.header("X-Speke-Version") == "2.0");
  CHECK(r.header("X-Speke-User-Agent") != "");
  CHECK(r.body.find("<p:PlainValue>") != std::string::npos);  // the sender's pskc prefix
  const auto kid = *block_from_uuid("11111111-2222-3333-4444-555555555555");
  CHECK(read_cpix_answer(r.body, kid).key == KeyVault(test_secret()).key("live-1", kid));
}

TEST_CASE("key server: malformed CPIX gets 400 with a message", "[speke]") {
  KeyServer server{KeyVault(test_secret())};
  auto status_and_body = [&](const std::string& body) {
    auto r = server.handle(post("/_mediaemu/speke/v1", body));
    return std::pair{r.status, r.body};
  };
  CHECK(status_and_body("this is not xml").first == 400);
  CHECK(status_and_body("").first == 400);
  CHECK(status_and_body("<a/>").second.find("cpix:CPIX") != std::string::npos);
  CHECK(status_and_body(R"(<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyList/></cpix:CPIX>)").first ==
        400);
  CHECK(status_and_body(R"(<cpix:CPIX id="x" xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyList/></cpix:CPIX>)")
            .second.find("ContentKey") != std::string::npos);
  CHECK(
      status_and_body(
          R"(<cpix:CPIX id="x" xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyList><cpix:ContentKey kid="nope"/></cpix:ContentKeyList></cpix:CPIX>)")
          .second.find("not a UUID") != std::string::npos);
  // A DOCTYPE (and so any entity definition) is refused outright.
  const std::string entity =
      R"(<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><cpix:CPIX id="&e;" xmlns:cpix="urn:dashif:org:cpix"/>)";
  CHECK(status_and_body(entity).second.find("DOCTYPE") != std::string::npos);
  // A DRMSystem for a key that is not in the request.
  std::string stray = kV1Request;
  stray.replace(stray.find("kid=\"98ee5596-cd3e-a20d-163a-e382420c6eff\" systemId"), 42,
                "kid=\"00000000-cd3e-a20d-163a-e382420c6eff\"");
  CHECK(status_and_body(stray).first == 400);
  // Other routes.
  api::HttpRequest bad;
  bad.method = "GET";
  bad.target = "/_mediaemu/speke/key?resource=abc";
  CHECK(server.handle(bad).status == 400);
  bad.target = "/_mediaemu/speke/nothing";
  CHECK(server.handle(bad).status == 404);
}

TEST_CASE("key server: W3C ClearKey licence", "[speke]") {
  KeyServer server{KeyVault(test_secret())};
  const auto kid = *block_from_uuid("98ee5596-cd3e-a20d-163a-e382420c6eff");
  // base64url of the kid, without padding.
  std::string b64 = api::base64_encode(std::string(reinterpret_cast<const char*>(kid.data()), 16));
  for (char& c : b64) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (b64.back() == '=') b64.pop_back();
  auto r = server.handle(
      post("/_mediaemu/speke/clearkey?resource=abc123", R"({"kids":[")" + b64 + R"("],"type":"temporary"})"));
  REQUIRE(r.status == 200);
  auto licence = nlohmann::json::parse(r.body);
  CHECK(licence["type"] == "temporary");
  REQUIRE(licence["keys"].size() == 1);
  CHECK(licence["keys"][0]["kty"] == "oct");
  CHECK(licence["keys"][0]["kid"] == b64);
  std::string k = licence["keys"][0]["k"];
  CHECK(k.find('=') == std::string::npos);
  for (char& c : k) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (k.size() % 4) k += '=';
  const auto key = KeyVault(test_secret()).key("abc123", kid);
  CHECK(*api::base64_decode(k) == std::string(reinterpret_cast<const char*>(key.data()), 16));
  CHECK(server.handle(post("/_mediaemu/speke/clearkey?resource=abc123", "{")).status == 400);
  CHECK(server.handle(post("/_mediaemu/speke/clearkey?resource=abc123", R"({"kids":["short"]})")).status == 400);
}

TEST_CASE("encryptor request: SPEKE v1 with a key period, answered by the key server", "[speke]") {
  CpixKeyRequest request;
  request.resource_id = "endpoint-1";
  request.kid = SpekeKeyProvider::key_id("endpoint-1", 170000000);
  CHECK(request.kid == SpekeKeyProvider::key_id("endpoint-1", 170000000));  // same content and period: same kid
  CHECK(request.kid != SpekeKeyProvider::key_id("endpoint-1", 170000001));
  request.system_ids = {kHlsAes128SystemId};
  request.period_index = 170000000;
  const std::string xml = render_cpix_request(request);
  CHECK(xml.find("<cpix:CPIX id=\"endpoint-1\"") != std::string::npos);
  CHECK(xml.rfind("<?xml", 0) == 0);  // one XML declaration, at the very start
  CHECK(xml.find("<?xml", 1) == std::string::npos);
  CHECK(xml.find("index=\"170000000\"") != std::string::npos);
  CHECK(xml.find("<cpix:KeyPeriodFilter periodId=") != std::string::npos);
  KeyServer server{KeyVault(test_secret())};
  auto r = server.handle(post("/_mediaemu/speke/v1", xml));
  REQUIRE(r.status == 200);
  KeyAnswer answer = read_cpix_answer(r.body, request.kid);
  CHECK(answer.key == KeyVault(test_secret()).key("endpoint-1", request.kid));
  CHECK(answer.uri_ext_x_key.find("kid=" + uuid_text(request.kid)) != std::string::npos);
  CHECK_THROWS_AS(read_cpix_answer("garbage", request.kid), CpixError);
  CHECK_THROWS_AS(read_cpix_answer(xml, request.kid), CpixError);  // the request: no key value
}

TEST_CASE("FairPlay: the key server answers its HLS signalling and the encryptor prefers it to AES-128's", "[speke]") {
  CpixKeyRequest request;
  request.resource_id = "fairplay-endpoint";
  request.kid = SpekeKeyProvider::key_id("fairplay-endpoint", 0);
  request.system_ids = {kFairPlaySystemId, kHlsAes128SystemId};  // as the client asks (AES-128 always added)
  KeyServer server{KeyVault(test_secret())};
  auto r = server.handle(post("/_mediaemu/speke/v1", render_cpix_request(request)));
  REQUIRE(r.status == 200);
  KeyAnswer answer = read_cpix_answer(r.body, request.kid);
  CHECK(answer.key == KeyVault(test_secret()).key("fairplay-endpoint", request.kid));
  CHECK(answer.uri_ext_x_key == "skd://" + uuid_text(request.kid));
  CHECK(answer.key_format == kFairPlayKeyFormat);
  CHECK(answer.key_format_versions == "1");
  // HLS AES-128 alone: its key URI, and no KEYFORMAT.
  request.system_ids = {kHlsAes128SystemId};
  KeyAnswer aes = read_cpix_answer(server.handle(post("/_mediaemu/speke/v1", render_cpix_request(request))).body, request.kid);
  CHECK(aes.uri_ext_x_key.rfind("http", 0) == 0);
  CHECK(aes.key_format.empty());
}

TEST_CASE("DASH-IF ClearKey: the key server answers its licence URL as ContentProtectionData", "[speke]") {
  CpixKeyRequest request;
  request.resource_id = "dash & co";
  request.kid = SpekeKeyProvider::key_id(request.resource_id, 0);
  request.system_ids = {"E2719D58-A985-B3C9-781A-B030AF78D30E", kHlsAes128SystemId};
  const std::string xml = render_cpix_request(request);
  CHECK(xml.find("<cpix:ContentProtectionData") != std::string::npos);  // asked for, as SPEKE v1 DASH does
  KeyServer server{KeyVault(test_secret())};
  auto r = server.handle(post("/_mediaemu/speke/v1", xml));
  REQUIRE(r.status == 200);
  KeyAnswer answer = read_cpix_answer(r.body, request.kid);
  REQUIRE(answer.content_protection_data.count("e2719d58-a985-b3c9-781a-b030af78d30e") == 1);
  // The resource id is percent-encoded in the URL, which pugixml escapes for XML: the fragment goes
  // into the MPD as it is.
  CHECK(answer.content_protection_data.at("e2719d58-a985-b3c9-781a-b030af78d30e") ==
        "<dashif:Laurl xmlns:dashif=\"https://dashif.org/CPS\">"
        "http://127.0.0.1:4566/_mediaemu/speke/clearkey?resource=dash%20%26%20co</dashif:Laurl>");
  // Not asked for: not answered.
  request.system_ids = {kHlsAes128SystemId};
  KeyAnswer aes = read_cpix_answer(server.handle(post("/_mediaemu/speke/v1", render_cpix_request(request))).body, request.kid);
  CHECK(aes.content_protection_data.empty());
  // A key provider's ContentProtectionData that is not XML is refused, not written into an MPD.
  std::string bad = r.body;
  const auto at = bad.find("ContentProtectionData>") + std::string("ContentProtectionData>").size();
  const auto end = bad.find('<', at);
  bad.replace(at, end - at, "PG5vdA==");  // base64 of "<not"
  CHECK_THROWS_AS(read_cpix_answer(bad, request.kid), CpixError);
}

TEST_CASE("SPEKE client: unreachable, non-loopback and https key servers give an error, never a key", "[speke]") {
  pipeline::crypto::EncryptionSpec spec;
  spec.resource_id = "r";
  spec.speke_url = "http://127.0.0.1:1/speke/v1";  // nothing listens on port 1
  auto refused = SpekeKeyProvider(spec).fetch(7);
  CHECK_FALSE(refused.key);
  CHECK_FALSE(refused.error.empty());
  spec.speke_url = "https://keys.example.com/speke/v1";
  auto tls = SpekeKeyProvider(spec).fetch(7);
  CHECK_FALSE(tls.key);
  CHECK_THAT(tls.error, Catch::Contains("http://"));
  spec.speke_url = "http://192.0.2.1/speke/v1";  // not loopback: refused without a connection attempt
  auto remote = SpekeKeyProvider(spec).fetch(7);
  CHECK_FALSE(remote.key);
  CHECK_FALSE(remote.error.empty());
}

TEST_CASE("encryptor request: SPEKE v2.0 encryption contract, one key per intended track type, answered by the key server", "[speke]") {
  CpixKeyRequest request;
  request.resource_id = "presets";
  request.system_ids = {"e2719d58-a985-b3c9-781a-b030af78d30e"};
  request.common_encryption_scheme = "cenc";
  for (const auto& rule : pipeline::crypto::preset_keys("PRESET-VIDEO-7", "PRESET-AUDIO-1"))
    request.contract.push_back({SpekeKeyProvider::key_id("presets", 0, rule.track_type), rule});
  REQUIRE(request.contract.size() == 4);  // SD+HD1, HD2, UHD, AUDIO
  CHECK(request.contract[0].kid != request.contract[1].kid);
  const std::string xml = render_cpix_request(request);
  INFO(xml);
  CHECK(xml.find("<cpix:CPIX contentId=\"presets\" version=\"2.3\"") != std::string::npos);
  CHECK(xml.find("commonEncryptionScheme=\"cenc\"") != std::string::npos);
  // The encryption contract: a filter per sub-component, with the presets' pixel and channel bounds.
  CHECK(xml.find("intendedTrackType=\"SD+HD1\">\n      <cpix:VideoFilter maxPixels=\"589824\" />\n"
                 "      <cpix:VideoFilter minPixels=\"589825\" maxPixels=\"921600\" />") != std::string::npos);
  CHECK(xml.find("intendedTrackType=\"HD2\">\n      <cpix:VideoFilter minPixels=\"921601\" maxPixels=\"2073600\" />") !=
        std::string::npos);
  CHECK(xml.find("intendedTrackType=\"UHD\">\n      <cpix:VideoFilter minPixels=\"2073601\" />") != std::string::npos);
  CHECK(xml.find("intendedTrackType=\"AUDIO\">\n      <cpix:AudioFilter />") != std::string::npos);
  CHECK(xml.find("URIExtXKey") == std::string::npos);  // DASH signalling only
  KeyServer server{KeyVault(test_secret())};
  auto r = server.handle(post("/_mediaemu/speke/v2", xml, {{"x-speke-version", "2.0"}}));
  REQUIRE(r.status == 200);
  CHECK(r.header("X-Speke-Version") == "2.0");
  for (const auto& k : request.contract) {
    KeyAnswer answer = read_cpix_answer(r.body, k.kid, false);
    CHECK(answer.key == KeyVault(test_secret()).key("presets", k.kid));
    CHECK(answer.content_protection_data.count("e2719d58-a985-b3c9-781a-b030af78d30e") == 1);
  }
  CHECK_THROWS_AS(read_cpix_answer(r.body, request.contract[0].kid), CpixError);  // v1 needs a key URI

  // For HLS manifests (CMAF): HLSSignalingData asked of each system; the key server answers the
  // EXT-X-KEY for HLS AES-128's identity key, METHOD by the key's scheme.
  request.hls_signalling = true;
  request.common_encryption_scheme = "cbcs";
  request.system_ids = {kHlsAes128SystemId, "1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"};
  const std::string hls_xml = render_cpix_request(request);
  CHECK(hls_xml.find("<cpix:HLSSignalingData playlist=\"media\" />") != std::string::npos);
  CHECK(hls_xml.find("<cpix:HLSSignalingData playlist=\"master\" />") != std::string::npos);
  auto hls = server.handle(post("/_mediaemu/speke/v2", hls_xml, {{"x-speke-version", "2.0"}}));
  REQUIRE(hls.status == 200);
  KeyAnswer tags = read_cpix_answer(hls.body, request.contract[3].kid, false);
  REQUIRE(tags.hls_key_tags.size() == 1);  // ClearKey has no HLS signalling
  CHECK(tags.hls_key_tags[0] == "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"" +
                                    KeyServer::key_uri("127.0.0.1:4566", "presets", request.contract[3].kid) + "\"");
  CHECK(hls.body.find(api::base64_encode("#EXT-X-SESSION-KEY:" + tags.hls_key_tags[0].substr(11))) != std::string::npos);
  // A provider's HLSSignalingData that is not one EXT-X-KEY tag is refused, not written into a playlist.
  std::string bad = hls.body;
  const std::string good = api::base64_encode(tags.hls_key_tags[0]);
  bad.replace(bad.find(good), good.size(), api::base64_encode("#EXT-X-KEY:METHOD=NONE\n#EXT-X-ENDLIST"));
  CHECK_THROWS_AS(read_cpix_answer(bad, request.contract[3].kid, false), CpixError);

  // SHARED: one key for every track, with a bare filter of each kind.
  request.contract.clear();
  for (const auto& rule : pipeline::crypto::preset_keys("SHARED", "SHARED"))
    request.contract.push_back({SpekeKeyProvider::key_id("presets", 0, rule.track_type), rule});
  CHECK(render_cpix_request(request).find("intendedTrackType=\"ALL\">\n      <cpix:AudioFilter />\n      <cpix:VideoFilter />") !=
        std::string::npos);
}

namespace {

// The fields of a protocol buffer message: field number -> its length-delimited or varint values
// (as bytes), enough to read WidevinePsshData.
std::multimap<int, std::string> protobuf_fields(const std::vector<uint8_t>& m) {
  std::multimap<int, std::string> out;
  size_t at = 0;
  auto varint = [&] {
    uint64_t v = 0;
    for (int shift = 0; at < m.size(); shift += 7) {
      const uint8_t b = m[at++];
      v |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) break;
    }
    return v;
  };
  while (at < m.size()) {
    const uint64_t tag = varint();
    if ((tag & 7) == 2) {
      const size_t n = varint();
      out.emplace(static_cast<int>(tag >> 3), std::string(m.begin() + at, m.begin() + at + n));
      at += n;
    } else {
      out.emplace(static_cast<int>(tag >> 3), std::to_string(varint()));
    }
  }
  return out;
}

// The Data of a version 0 pssh box.
std::vector<uint8_t> pssh_data(const std::vector<uint8_t>& box) {
  REQUIRE(box.size() >= 32);
  REQUIRE(box[8] == 0);
  return std::vector<uint8_t>(box.begin() + 32, box.end());
}

}  // namespace

TEST_CASE("key server: Widevine and PlayReady get pssh boxes of their own formats, naming the key", "[speke]") {
  const std::string widevine = "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed", playready = "9a04f079-9840-4286-ab92-e65be0885f95";
  CpixKeyRequest request;
  request.resource_id = "drm-signalling";
  request.kid = *block_from_uuid("0a0b0c0d-0e0f-1011-1213-141516171819");
  request.system_ids = {"EDEF8BA9-79D6-4ACE-A3C8-27DCD51D21ED", playready};
  const std::string xml = render_cpix_request(request);
  CHECK(xml.find("<cpix:PSSH") != std::string::npos);  // asked for, as SPEKE v1 DASH does
  KeyServer server{KeyVault(test_secret())};
  auto r = server.handle(post("/_mediaemu/speke/v1", xml));
  REQUIRE(r.status == 200);
  KeyAnswer answer = read_cpix_answer(r.body, request.kid, false);
  REQUIRE(answer.pssh.count(widevine) == 1);
  REQUIRE(answer.pssh.count(playready) == 1);
  CHECK(pipeline::crypto::pssh_box_system_id(answer.pssh.at(widevine)) == widevine);
  CHECK(pipeline::crypto::pssh_box_system_id(answer.pssh.at(playready)) == playready);

  // Widevine: WidevinePsshData with the key id (2) and the content id (4); SPEKE v1 names no scheme.
  auto fields = protobuf_fields(pssh_data(answer.pssh.at(widevine)));
  CHECK(fields.count(2) == 1);
  CHECK(fields.find(2)->second == std::string("\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19", 16));
  CHECK(fields.find(4)->second == "drm-signalling");
  CHECK(fields.count(9) == 0);

  // PlayReady: a PlayReady Object of one record, a v4.3.0.0 header naming the key id as a
  // little-endian GUID (0d0c0b0a-0f0e-1110-...), with no ALGID as the scheme is not named.
  auto pro = pssh_data(answer.pssh.at(playready));
  auto le = [&](size_t at, int bytes) {
    uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = v << 8 | pro[at + i];
    return v;
  };
  CHECK(le(0, 4) == pro.size());
  CHECK(le(4, 2) == 1);
  CHECK(le(6, 2) == 1);
  CHECK(le(8, 2) == pro.size() - 10);
  std::string header;
  for (size_t i = 10; i + 1 < pro.size(); i += 2) {
    CHECK(pro[i + 1] == 0);  // UTF-16LE of ASCII
    header += static_cast<char>(pro[i]);
  }
  const std::string guid("\x0d\x0c\x0b\x0a\x0f\x0e\x11\x10\x12\x13\x14\x15\x16\x17\x18\x19", 16);
  CHECK(header ==
        "<WRMHEADER xmlns=\"http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader\" version=\"4.3.0.0\"><DATA>"
        "<PROTECTINFO><KIDS><KID VALUE=\"" + api::base64_encode(guid) +
        "\"></KID></KIDS></PROTECTINFO></DATA></WRMHEADER>");

  // In the MPD too, as <mspr:pro> (the key provider's ContentProtectionData for PlayReady).
  CHECK(answer.content_protection_data.at(playready) ==
        "<mspr:pro xmlns:mspr=\"urn:microsoft:playready\">" + api::base64_encode(std::string(pro.begin(), pro.end())) +
            "</mspr:pro>");
  CHECK(answer.content_protection_data.count(widevine) == 0);
  // And for Smooth manifests as speke:ProtectionHeader (asked for, as SPEKE v1 MSS does).
  CHECK(xml.find("<speke:ProtectionHeader") != std::string::npos);
  CHECK(answer.protection_header.at(playready) == pro);
  CHECK(answer.protection_header.count(widevine) == 0);

  // SPEKE v2.0 names the scheme: Widevine's protection_scheme and PlayReady's ALGID follow it.
  CpixKeyRequest v2 = request;
  v2.common_encryption_scheme = "cbcs";
  for (const auto& rule : pipeline::crypto::preset_keys("PRESET-VIDEO-1", "PRESET-AUDIO-1"))
    v2.contract.push_back({SpekeKeyProvider::key_id("drm-signalling", 0, rule.track_type), rule});
  auto r2 = server.handle(post("/_mediaemu/speke/v2", render_cpix_request(v2), {{"x-speke-version", "2.0"}}));
  REQUIRE(r2.status == 200);
  CHECK(r2.body.find("ProtectionHeader") == std::string::npos);  // SPEKE v1's element: not asked for in v2
  KeyAnswer cbcs = read_cpix_answer(r2.body, v2.contract.front().kid, false);
  auto fields2 = protobuf_fields(pssh_data(cbcs.pssh.at(widevine)));
  CHECK(fields2.find(9)->second == std::to_string(0x63626373));  // 'cbcs'
  std::string header2;
  auto pro2 = pssh_data(cbcs.pssh.at(playready));
  for (size_t i = 10; i < pro2.size(); i += 2) header2 += static_cast<char>(pro2[i]);
  CHECK_THAT(header2, Catch::Contains("<KID ALGID=\"AESCBC\" VALUE=\""));

  // SPEKE v2.0 HLS signalling (CMAF): each system's EXT-X-KEY, its data in a data URI.
  v2.hls_signalling = true;
  auto r3 = server.handle(post("/_mediaemu/speke/v2", render_cpix_request(v2), {{"x-speke-version", "2.0"}}));
  REQUIRE(r3.status == 200);
  KeyAnswer hls = read_cpix_answer(r3.body, v2.contract.front().kid, false);
  REQUIRE(hls.hls_key_tags.size() == 2);
  std::string kid_hex = uuid_text(v2.contract.front().kid);
  kid_hex.erase(std::remove(kid_hex.begin(), kid_hex.end(), '-'), kid_hex.end());
  const auto& wv = cbcs.pssh.at(widevine);
  CHECK(hls.hls_key_tags[0] == "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"data:text/plain;base64," +
                                   api::base64_encode(std::string(wv.begin(), wv.end())) + "\",KEYID=0x" + kid_hex +
                                   ",KEYFORMAT=\"urn:uuid:" + widevine + "\",KEYFORMATVERSIONS=\"1\"");
  CHECK(hls.hls_key_tags[1] == "#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"data:text/plain;charset=UTF-16;base64," +
                                   api::base64_encode(std::string(pro2.begin(), pro2.end())) +
                                   "\",KEYFORMAT=\"com.microsoft.playready\",KEYFORMATVERSIONS=\"1\"");

  // Not asked for: not answered.
  request.system_ids = {kHlsAes128SystemId};
  CHECK(read_cpix_answer(server.handle(post("/_mediaemu/speke/v1", render_cpix_request(request))).body, request.kid)
            .pssh.empty());
}

TEST_CASE("encryptor: a key provider's PSSH is taken as it is, and one that is not a box of its system is refused", "[speke]") {
  const Block kid = *block_from_uuid("98ee5596-cd3e-a20d-163a-e382420c6eff");
  const std::string widevine = "edef8ba9-79d6-4ace-a3c8-27dcd51d21ed";
  const auto box = pipeline::crypto::pssh_box(*block_from_uuid(widevine), 1, {kid}, {1, 2, 3});
  auto answer_with = [&](const std::string& system_id, const std::string& pssh_base64) {
    return std::string(R"(<cpix:CPIX id="r" xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc">
  <cpix:ContentKeyList><cpix:ContentKey kid="98ee5596-cd3e-a20d-163a-e382420c6eff"><cpix:Data><pskc:Secret>
    <pskc:PlainValue>AAECAwQFBgcICQoLDA0ODw==</pskc:PlainValue></pskc:Secret></cpix:Data></cpix:ContentKey></cpix:ContentKeyList>
  <cpix:DRMSystemList><cpix:DRMSystem kid="98ee5596-cd3e-a20d-163a-e382420c6eff" systemId=")") +
           system_id + "\"><cpix:PSSH>" + pssh_base64 + "</cpix:PSSH></cpix:DRMSystem></cpix:DRMSystemList></cpix:CPIX>";
  };
  const std::string encoded = api::base64_encode(std::string(box.begin(), box.end()));
  KeyAnswer answer = read_cpix_answer(answer_with("EDEF8BA9-79D6-4ACE-A3C8-27DCD51D21ED", encoded), kid, false);
  REQUIRE(answer.pssh.count(widevine) == 1);
  CHECK(answer.pssh.at(widevine) == box);
  // Another system's box, or bytes that are no box, would go into init segments: refused.
  CHECK_THROWS_AS(read_cpix_answer(answer_with("9a04f079-9840-4286-ab92-e65be0885f95", encoded), kid, false), CpixError);
  CHECK_THROWS_AS(read_cpix_answer(answer_with(widevine, api::base64_encode("not a box")), kid, false), CpixError);
  // An empty PSSH (the request's element, unanswered) gives nothing.
  CHECK(read_cpix_answer(answer_with(widevine, ""), kid, false).pssh.empty());
}
