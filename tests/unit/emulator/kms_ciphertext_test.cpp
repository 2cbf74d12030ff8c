// KMS ciphertext blobs: they name their key, round-trip, and refuse another context, another
// key's secret or a flipped byte.
#include <catch2/catch.hpp>

#include "emulator/kms/ciphertext.hpp"

using namespace mediaemu::kms;
using nlohmann::json;

TEST_CASE("a KMS blob names its key and round-trips with the same context", "[kms]") {
  std::string secret = new_key_secret();
  REQUIRE(secret.size() == 32);
  json context = {{"purpose", "test"}, {"stage", "1"}};
  std::string blob = seal("1234abcd-12ab-34cd-56ef-1234567890ab", secret, "hello media", context);
  REQUIRE(blob_key_id(blob) == std::optional<std::string>("1234abcd-12ab-34cd-56ef-1234567890ab"));
  REQUIRE(blob.size() == 2 + 36 + 12 + 16 + 11);
  REQUIRE(open(blob, secret, context) == std::optional<std::string>("hello media"));
  // The same pairs in another order authenticate alike (an object's keys are sorted).
  REQUIRE(open(blob, secret, json::parse(R"({"stage":"1","purpose":"test"})")) == std::optional<std::string>("hello media"));
  // Two seals of the same plaintext differ (a fresh IV each time).
  REQUIRE(seal("k", secret, "x", nullptr) != seal("k", secret, "x", nullptr));
}

TEST_CASE("a KMS blob refuses another context, another secret and tampering", "[kms]") {
  std::string secret = new_key_secret();
  std::string blob = seal("key-1", secret, "payload", json{{"a", "b"}});
  REQUIRE_FALSE(open(blob, secret, json::object()));
  REQUIRE_FALSE(open(blob, secret, json{{"a", "B"}}));
  REQUIRE_FALSE(open(blob, new_key_secret(), json{{"a", "b"}}));
  std::string flipped = blob;
  flipped.back() = static_cast<char>(flipped.back() ^ 1);
  REQUIRE_FALSE(open(flipped, secret, json{{"a", "b"}}));
  // The key id is authenticated too: a blob relabelled to another key does not open.
  std::string relabelled = blob;
  relabelled[2 + 4] = '2';
  REQUIRE(blob_key_id(relabelled) == std::optional<std::string>("key-2"));
  REQUIRE_FALSE(open(relabelled, secret, json{{"a", "b"}}));
  // Without context, an empty context and none are the same.
  std::string plain = seal("key-1", secret, "p", nullptr);
  REQUIRE(open(plain, secret, json::object()) == std::optional<std::string>("p"));
  REQUIRE_FALSE(blob_key_id("not a blob"));
  REQUIRE_FALSE(open("\x01", secret, nullptr));
}
