#include <catch2/catch.hpp>
#include <cmath>

#include "pipeline/rtmp/amf0.hpp"

using namespace mediaemu::pipeline::rtmp;

namespace {

std::vector<Amf0Value> decode(const std::vector<uint8_t>& bytes, Amf0Limits limits = {}) {
  return amf0_decode_all(bytes.data(), bytes.size(), limits);
}

Amf0Value s(const char* text) { return Amf0Value::make_string(text); }
Amf0Value n(double v) { return Amf0Value::make_number(v); }

}  // namespace

TEST_CASE("amf0: every type round-trips", "[rtmp][amf0]") {
  std::vector<Amf0Value> values = {
      n(0),
      n(-1.5),
      n(std::nan("")),
      Amf0Value::make_boolean(true),
      Amf0Value::make_boolean(false),
      s(""),
      s("connect"),
      Amf0Value::make_string(std::string(70000, 'x')),  // a long string (marker 0x0C)
      Amf0Value::make_null(),
      Amf0Value::make_undefined(),
      Amf0Value::make_object({{"app", s("live")}, {"nested", Amf0Value::make_object({{"n", n(3)}})}}),
      Amf0Value::make_ecma_array({{"width", n(320)}, {"height", n(180)}}),
      Amf0Value::make_strict_array({n(1), s("two"), Amf0Value::make_null()}),
      Amf0Value::make_date(1.7e12, 0),
      Amf0Value::make_object({}),
  };
  auto bytes = amf0_encode_all(values);
  auto back = decode(bytes);
  REQUIRE(back.size() == values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    INFO("value " << i);
    CHECK(back[i] == values[i]);
  }
  CHECK(bytes[bytes.size() - 4] == 0x03);  // the last (empty) object: marker, 00 00, 09
  CHECK(bytes.back() == 0x09);
}

TEST_CASE("amf0: wire format matches the spec's examples", "[rtmp][amf0]") {
  // Number 1.0 (AMF0 spec 2.2): marker 0, IEEE-754 big endian.
  CHECK(amf0_encode_all({n(1)}) == std::vector<uint8_t>{0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0});
  // String "ab" (2.4): marker 2, u16 length.
  CHECK(amf0_encode_all({s("ab")}) == std::vector<uint8_t>{0x02, 0, 2, 'a', 'b'});
  // Long strings switch to marker 0x0C with a u32 length.
  auto long_bytes = amf0_encode_all({Amf0Value::make_string(std::string(65536, 'a'))});
  CHECK(long_bytes[0] == 0x0C);
  CHECK(long_bytes.size() == 1 + 4 + 65536);
  // Boolean, null, undefined.
  CHECK(amf0_encode_all({Amf0Value::make_boolean(true), Amf0Value::make_null(), Amf0Value::make_undefined()}) ==
        std::vector<uint8_t>{0x01, 1, 0x05, 0x06});
}

TEST_CASE("amf0: ECMA array counts are hints and a missing final end marker is tolerated", "[rtmp][amf0]") {
  // ECMA array claiming 5 entries, holding 1, ended properly.
  std::vector<uint8_t> wrong_count = {0x08, 0, 0, 0, 5, 0, 1, 'w', 0x00, 0x40, 0x74, 0, 0, 0, 0, 0, 0, 0, 0, 0x09};
  auto v = decode(wrong_count);
  REQUIRE(v.size() == 1);
  REQUIRE(v[0].type == Amf0Type::EcmaArray);
  CHECK(v[0].get("w")->number == 320);
  // The same, cut right after the last value.
  std::vector<uint8_t> no_end(wrong_count.begin(), wrong_count.end() - 3);
  CHECK(decode(no_end)[0].get("w")->number == 320);
  // An object (not an ECMA array) must end properly.
  std::vector<uint8_t> object_no_end = {0x03, 0, 1, 'w', 0x05};
  CHECK_THROWS_AS(decode(object_no_end), Amf0Error);
}

TEST_CASE("amf0: malformed input raises Amf0Error, never crashes", "[rtmp][amf0]") {
  auto bad = [](std::vector<uint8_t> bytes, const char* fragment) {
    INFO("expecting: " << fragment);
    try {
      decode(bytes);
      FAIL("decoded malformed input");
    } catch (const Amf0Error& e) {
      CHECK_THAT(e.what(), Catch::Contains(fragment));
    }
  };
  bad({0x00, 0x3F}, "truncated");                         // number cut short
  bad({0x02, 0x00, 0x05, 'a'}, "truncated");              // string longer than the buffer
  bad({0x0C, 0xFF, 0xFF, 0xFF, 0xFF}, "truncated");       // long string of 4 GiB
  bad({0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x05}, "strict array");  // count beyond the bytes left
  bad({0x09}, "object-end marker outside an object");
  bad({0x07, 0, 1}, "references");
  bad({0x11, 0x01}, "AMF3");
  bad({0x42}, "unknown type marker 0x42");
  bad({0x03, 0, 1, 'a'}, "truncated");                    // property without a value
}

TEST_CASE("amf0: depth and value-count limits", "[rtmp][amf0]") {
  std::vector<uint8_t> deep;
  for (int i = 0; i < 40; ++i) deep.insert(deep.end(), {0x0A, 0, 0, 0, 1});  // strict arrays of one
  deep.push_back(0x05);
  CHECK_THROWS_WITH(decode(deep), Catch::Contains("nesting deeper than 32"));
  Amf0Limits roomy;
  roomy.max_depth = 64;
  CHECK_NOTHROW(decode(deep, roomy));

  std::vector<uint8_t> many(1000, 0x05);  // a thousand nulls
  Amf0Limits few;
  few.max_values = 100;
  CHECK_THROWS_WITH(decode(many, few), Catch::Contains("more than 100 values"));
  CHECK(decode(many).size() == 1000);
}

TEST_CASE("amf0: values as text for metadata", "[rtmp][amf0]") {
  CHECK(n(320).to_text() == "320");
  CHECK(n(29.97).to_text() == "29.97");
  CHECK(n(-2).to_text() == "-2");
  CHECK(Amf0Value::make_boolean(true).to_text() == "true");
  CHECK(s("Lavf59.27.100").to_text() == "Lavf59.27.100");
  CHECK(Amf0Value::make_object({{"a", n(1)}, {"b", s("x")}}).to_text() == "{\"a\": 1, \"b\": \"x\"}");
  CHECK(Amf0Value::make_strict_array({n(1), n(2)}).to_text() == "[1, 2]");
  auto obj = Amf0Value::make_object({{"app", s("live")}, {"n", n(2)}});
  CHECK(obj.get_string("app") == "live");
  CHECK(obj.get_string("n", "fallback") == "fallback");
  CHECK(obj.get("missing") == nullptr);
}
