// CmafPackage.Encryption in the endpoint plan: SAMPLE_AES -> 'cbcs' (the default), AES_CTR ->
// 'cenc' without the constant IV ('cenc' forbids one, ISO/IEC 23001-7 §9.1), rotation as given.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "emulator/media/plan/endpoint_plan.hpp"

using mediaemu::pipeline::crypto::EncryptionSpec;

TEST_CASE("CmafPackage.Encryption becomes cbcs (SAMPLE_AES, the default) or cenc (AES_CTR)", "[plan]") {
  using nlohmann::json;
  json speke = {{"Url", "http://127.0.0.1:4566/_mediaemu/speke/v1"}, {"ResourceId", "cmaf-1"},
                {"RoleArn", "arn:aws:iam::123456789012:role/Speke"},
                {"SystemIds", {"1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"}}};
  json cmaf = {{"Id", "ep"}, {"ChannelId", "pkg"},
               {"CmafPackage", {{"HlsManifests", {{{"Id", "m"}}}},
                                {"Encryption", {{"KeyRotationIntervalSeconds", 30},
                                                {"ConstantInitializationVector", "00112233445566778899aabbccddeeff"},
                                                {"SpekeKeyProvider", speke}}}}}};
  auto plan = mediaemu::media::plan_origin_endpoint("us-east-1", cmaf, "/data/origin/abc");
  REQUIRE(plan.spec);
  REQUIRE(plan.spec->encryption);
  CHECK(plan.spec->encryption->method == EncryptionSpec::Method::Cbcs);
  CHECK(plan.spec->encryption->constant_iv_hex == "00112233445566778899aabbccddeeff");
  CHECK(plan.spec->encryption->key_rotation_interval_seconds == 30);
  CHECK(plan.spec->encryption->resource_id == "cmaf-1");
  CHECK(plan.spec->encryption->system_ids == std::vector<std::string>{"1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"});

  cmaf["CmafPackage"]["Encryption"]["EncryptionMethod"] = "AES_CTR";
  cmaf["CmafPackage"]["Encryption"].erase("KeyRotationIntervalSeconds");
  plan = mediaemu::media::plan_origin_endpoint("us-east-1", cmaf, "/d");
  REQUIRE(plan.spec->encryption);
  CHECK(plan.spec->encryption->method == EncryptionSpec::Method::Cenc);
  CHECK(plan.spec->encryption->constant_iv_hex.empty());
  CHECK(plan.spec->encryption->key_rotation_interval_seconds == 60);

  cmaf["CmafPackage"].erase("Encryption");
  CHECK_FALSE(mediaemu::media::plan_origin_endpoint("us-east-1", cmaf, "/d").spec->encryption);
}
