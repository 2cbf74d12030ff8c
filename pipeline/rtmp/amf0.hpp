// AMF0 (Adobe "Action Message Format -- AMF 0", 2007): the encoding of RTMP command and data
// messages. A decoder with depth and size limits (input comes from the network) and an encoder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mediaemu::pipeline::rtmp {

class Amf0Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Type markers, AMF0 spec 2.1. MovieClip (0x04), RecordSet (0x0E) are reserved and never sent;
// Reference (0x07) and AVM+ (0x11) are not supported by this decoder.
enum class Amf0Marker : uint8_t {
  Number = 0x00,
  Boolean = 0x01,
  String = 0x02,
  Object = 0x03,
  Null = 0x05,
  Undefined = 0x06,
  Reference = 0x07,
  EcmaArray = 0x08,
  ObjectEnd = 0x09,
  StrictArray = 0x0A,
  Date = 0x0B,
  LongString = 0x0C,
  Unsupported = 0x0D,
  XmlDocument = 0x0F,
  TypedObject = 0x10,
  AvmPlus = 0x11,
};

enum class Amf0Type { Number, Boolean, String, Object, Null, Undefined, EcmaArray, StrictArray, Date, XmlDocument,
                      TypedObject, Unsupported };

struct Amf0Property;

// One AMF0 value. String and LongString decode to the same type; the encoder picks the marker by
// length (a long string only above 65535 bytes, AMF0 spec 2.14).
struct Amf0Value {
  Amf0Type type = Amf0Type::Null;
  double number = 0;                      // Number; Date (ms since the Unix epoch)
  bool boolean = false;                   // Boolean
  int16_t timezone = 0;                   // Date (reserved, sent as 0)
  std::string text;                       // String, XmlDocument; class name of a TypedObject
  std::vector<Amf0Property> properties;   // Object, EcmaArray, TypedObject (in wire order)
  std::vector<Amf0Value> items;           // StrictArray

  static Amf0Value make_number(double v);
  static Amf0Value make_boolean(bool v);
  static Amf0Value make_string(std::string v);
  static Amf0Value make_null();
  static Amf0Value make_undefined();
  static Amf0Value make_object(std::vector<Amf0Property> props);
  static Amf0Value make_ecma_array(std::vector<Amf0Property> props);
  static Amf0Value make_strict_array(std::vector<Amf0Value> items);
  static Amf0Value make_date(double ms, int16_t tz = 0);

  bool is_string() const { return type == Amf0Type::String; }
  bool is_number() const { return type == Amf0Type::Number; }
  bool has_properties() const {
    return type == Amf0Type::Object || type == Amf0Type::EcmaArray || type == Amf0Type::TypedObject;
  }
  // The named property of an object-like value, or nullptr.
  const Amf0Value* get(std::string_view name) const;
  // The named property's string value, or `fallback` when absent or not a string.
  std::string get_string(std::string_view name, std::string fallback = {}) const;
  // Human-readable text: numbers without trailing zeros ("320", "29.97"), "true"/"false", strings
  // as they are, objects and arrays in a compact JSON-like form.
  std::string to_text() const;

  bool operator==(const Amf0Value& other) const;
};

struct Amf0Property {
  std::string name;
  Amf0Value value;
  bool operator==(const Amf0Property& other) const { return name == other.name && value == other.value; }
};

struct Amf0Limits {
  std::size_t max_depth = 32;        // nesting of objects and arrays
  std::size_t max_values = 100'000;  // values decoded from one buffer, all levels together
};

// Decodes every value in [data, data + size). Throws Amf0Error with the byte offset and what
// was wrong on malformed or over-limit input.
std::vector<Amf0Value> amf0_decode_all(const uint8_t* data, std::size_t size, const Amf0Limits& limits = {});

void amf0_encode(const Amf0Value& value, std::vector<uint8_t>& out);
std::vector<uint8_t> amf0_encode_all(const std::vector<Amf0Value>& values);

}  // namespace mediaemu::pipeline::rtmp
