#include "pipeline/rtmp/amf0.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

namespace mediaemu::pipeline::rtmp {

namespace {

// Reads one buffer; every read checks the remaining length first (the input is untrusted).
class Amf0Decoder {
 public:
  Amf0Decoder(const uint8_t* data, std::size_t size, const Amf0Limits& limits)
      : data_(data), size_(size), limits_(limits) {}

  bool at_end() const { return pos_ >= size_; }

  Amf0Value value(std::size_t depth) {
    if (depth > limits_.max_depth) fail("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    if (++values_ > limits_.max_values) fail("more than " + std::to_string(limits_.max_values) + " values");
    std::size_t marker_at = pos_;
    auto marker = static_cast<Amf0Marker>(u8());
    switch (marker) {
      case Amf0Marker::Number:
        return Amf0Value::make_number(f64());
      case Amf0Marker::Boolean:
        return Amf0Value::make_boolean(u8() != 0);
      case Amf0Marker::String:
        return Amf0Value::make_string(utf8(u16()));
      case Amf0Marker::LongString:
        return Amf0Value::make_string(utf8(u32()));
      case Amf0Marker::XmlDocument: {
        Amf0Value v;
        v.type = Amf0Type::XmlDocument;
        v.text = utf8(u32());
        return v;
      }
      case Amf0Marker::Object:
        return Amf0Value::make_object(properties(depth, false));
      case Amf0Marker::TypedObject: {
        Amf0Value v;
        v.type = Amf0Type::TypedObject;
        v.text = utf8(u16());
        v.properties = properties(depth, false);
        return v;
      }
      case Amf0Marker::EcmaArray:
        // The count is only a hint (AMF0 spec 2.10): encoders get it wrong, so read until the
        // object-end marker, and never reserve memory from it.
        u32();
        return Amf0Value::make_ecma_array(properties(depth, true));
      case Amf0Marker::StrictArray: {
        uint32_t count = u32();
        Amf0Value v = Amf0Value::make_strict_array({});
        // Each item takes at least one byte, so a count beyond the remaining bytes is a lie.
        if (count > size_ - pos_) fail("strict array of " + std::to_string(count) + " items in " +
                                       std::to_string(size_ - pos_) + " bytes");
        for (uint32_t i = 0; i < count; ++i) v.items.push_back(value(depth + 1));
        return v;
      }
      case Amf0Marker::Date: {
        double ms = f64();
        auto tz = static_cast<int16_t>(u16());
        return Amf0Value::make_date(ms, tz);
      }
      case Amf0Marker::Null:
        return Amf0Value::make_null();
      case Amf0Marker::Undefined:
        return Amf0Value::make_undefined();
      case Amf0Marker::Unsupported: {
        Amf0Value v;
        v.type = Amf0Type::Unsupported;
        return v;
      }
      case Amf0Marker::ObjectEnd:
        fail_at(marker_at, "object-end marker outside an object");
      case Amf0Marker::Reference:
        fail_at(marker_at, "AMF0 references (marker 0x07) are not supported");
      case Amf0Marker::AvmPlus:
        fail_at(marker_at, "AMF3 values (marker 0x11) are not supported");
      default:
        break;
    }
    fail_at(marker_at, "unknown type marker 0x" + hex(static_cast<uint8_t>(marker)));
  }

 private:
  // Name/value pairs up to the empty name + object-end marker (AMF0 spec 2.5). A buffer that ends
  // right after the last pair is tolerated: some encoders drop the end marker of the last value.
  std::vector<Amf0Property> properties(std::size_t depth, bool lenient_end) {
    std::vector<Amf0Property> props;
    for (;;) {
      if (at_end() && lenient_end) return props;
      std::string name = utf8(u16());
      if (name.empty() && pos_ < size_ && data_[pos_] == static_cast<uint8_t>(Amf0Marker::ObjectEnd)) {
        ++pos_;
        return props;
      }
      props.push_back({std::move(name), value(depth + 1)});
    }
  }

  void need(std::size_t n) {
    if (n > size_ - pos_) fail("truncated: needs " + std::to_string(n) + " more bytes, " +
                               std::to_string(size_ - pos_) + " left");
  }
  uint8_t u8() {
    need(1);
    return data_[pos_++];
  }
  uint16_t u16() {
    need(2);
    uint16_t v = static_cast<uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  uint32_t u32() {
    need(4);
    uint32_t v = uint32_t(data_[pos_]) << 24 | uint32_t(data_[pos_ + 1]) << 16 | uint32_t(data_[pos_ + 2]) << 8 |
                 data_[pos_ + 3];
    pos_ += 4;
    return v;
  }
  double f64() {
    need(8);
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits = bits << 8 | data_[pos_ + i];
    pos_ += 8;
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  std::string utf8(uint32_t length) {
    need(length);
    std::string s(reinterpret_cast<const char*>(data_ + pos_), length);
    pos_ += length;
    return s;
  }

  static std::string hex(uint8_t b) {
    const char* digits = "0123456789abcdef";
    return {digits[b >> 4], digits[b & 15]};
  }
  [[noreturn]] void fail(const std::string& what) const { fail_at(pos_, what); }
  [[noreturn]] void fail_at(std::size_t at, const std::string& what) const {
    throw Amf0Error("AMF0 at byte " + std::to_string(at) + ": " + what);
  }

  const uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  const Amf0Limits& limits_;
  std::size_t values_ = 0;
};

void put_u16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}
void put_f64(std::vector<uint8_t>& out, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(bits >> shift));
}
void put_marker(std::vector<uint8_t>& out, Amf0Marker m) { out.push_back(static_cast<uint8_t>(m)); }
void put_short_utf8(std::vector<uint8_t>& out, const std::string& s) {
  // Property names and class names have a 16-bit length (AMF0 spec 1.3, UTF-8); longer ones are
  // cut rather than written with a wrong length.
  std::size_t n = std::min<std::size_t>(s.size(), 0xFFFF);
  put_u16(out, static_cast<uint16_t>(n));
  out.insert(out.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
}
void put_long_utf8(std::vector<uint8_t>& out, const std::string& s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}
void put_properties(std::vector<uint8_t>& out, const std::vector<Amf0Property>& props) {
  for (const auto& p : props) {
    put_short_utf8(out, p.name);
    amf0_encode(p.value, out);
  }
  put_u16(out, 0);
  put_marker(out, Amf0Marker::ObjectEnd);
}

std::string number_text(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15) {
    return std::to_string(static_cast<long long>(v));
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

void append_text(const Amf0Value& v, std::string& out, bool nested) {
  auto props = [&](const char* open, const char* close) {
    out += open;
    for (std::size_t i = 0; i < v.properties.size(); ++i) {
      if (i) out += ", ";
      out += '"' + v.properties[i].name + "\": ";
      append_text(v.properties[i].value, out, true);
    }
    out += close;
  };
  switch (v.type) {
    case Amf0Type::Number: out += number_text(v.number); break;
    case Amf0Type::Boolean: out += v.boolean ? "true" : "false"; break;
    case Amf0Type::String:
    case Amf0Type::XmlDocument: out += nested ? '"' + v.text + '"' : v.text; break;
    case Amf0Type::Null: out += "null"; break;
    case Amf0Type::Undefined:
    case Amf0Type::Unsupported: out += "undefined"; break;
    case Amf0Type::Date: out += "date(" + number_text(v.number) + ")"; break;
    case Amf0Type::Object:
    case Amf0Type::EcmaArray:
    case Amf0Type::TypedObject: props("{", "}"); break;
    case Amf0Type::StrictArray:
      out += '[';
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ", ";
        append_text(v.items[i], out, true);
      }
      out += ']';
      break;
  }
}

}  // namespace

Amf0Value Amf0Value::make_number(double v) {
  Amf0Value r;
  r.type = Amf0Type::Number;
  r.number = v;
  return r;
}
Amf0Value Amf0Value::make_boolean(bool v) {
  Amf0Value r;
  r.type = Amf0Type::Boolean;
  r.boolean = v;
  return r;
}
Amf0Value Amf0Value::make_string(std::string v) {
  Amf0Value r;
  r.type = Amf0Type::String;
  r.text = std::move(v);
  return r;
}
Amf0Value Amf0Value::make_null() { return Amf0Value{}; }
Amf0Value Amf0Value::make_undefined() {
  Amf0Value r;
  r.type = Amf0Type::Undefined;
  return r;
}
Amf0Value Amf0Value::make_object(std::vector<Amf0Property> props) {
  Amf0Value r;
  r.type = Amf0Type::Object;
  r.properties = std::move(props);
  return r;
}
Amf0Value Amf0Value::make_ecma_array(std::vector<Amf0Property> props) {
  Amf0Value r = make_object(std::move(props));
  r.type = Amf0Type::EcmaArray;
  return r;
}
Amf0Value Amf0Value::make_strict_array(std::vector<Amf0Value> items) {
  Amf0Value r;
  r.type = Amf0Type::StrictArray;
  r.items = std::move(items);
  return r;
}
Amf0Value Amf0Value::make_date(double ms, int16_t tz) {
  Amf0Value r;
  r.type = Amf0Type::Date;
  r.number = ms;
  r.timezone = tz;
  return r;
}

const Amf0Value* Amf0Value::get(std::string_view name) const {
  if (!has_properties()) return nullptr;
  for (const auto& p : properties)
    if (p.name == name) return &p.value;
  return nullptr;
}

std::string Amf0Value::get_string(std::string_view name, std::string fallback) const {
  const Amf0Value* v = get(name);
  return v && v->is_string() ? v->text : fallback;
}

std::string Amf0Value::to_text() const {
  std::string out;
  append_text(*this, out, false);
  return out;
}

bool Amf0Value::operator==(const Amf0Value& o) const {
  if (type != o.type) return false;
  switch (type) {
    case Amf0Type::Number:
      // Bitwise, so that NaN round-trips compare equal.
      return std::memcmp(&number, &o.number, sizeof number) == 0;
    case Amf0Type::Date:
      return std::memcmp(&number, &o.number, sizeof number) == 0 && timezone == o.timezone;
    case Amf0Type::Boolean: return boolean == o.boolean;
    case Amf0Type::String:
    case Amf0Type::XmlDocument: return text == o.text;
    case Amf0Type::Object:
    case Amf0Type::EcmaArray: return properties == o.properties;
    case Amf0Type::TypedObject: return text == o.text && properties == o.properties;
    case Amf0Type::StrictArray: return items == o.items;
    case Amf0Type::Null:
    case Amf0Type::Undefined:
    case Amf0Type::Unsupported: return true;
  }
  return false;
}

std::vector<Amf0Value> amf0_decode_all(const uint8_t* data, std::size_t size, const Amf0Limits& limits) {
  Amf0Decoder decoder(data, size, limits);
  std::vector<Amf0Value> values;
  while (!decoder.at_end()) values.push_back(decoder.value(0));
  return values;
}

void amf0_encode(const Amf0Value& v, std::vector<uint8_t>& out) {
  switch (v.type) {
    case Amf0Type::Number:
      put_marker(out, Amf0Marker::Number);
      put_f64(out, v.number);
      break;
    case Amf0Type::Boolean:
      put_marker(out, Amf0Marker::Boolean);
      out.push_back(v.boolean ? 1 : 0);
      break;
    case Amf0Type::String:
      if (v.text.size() > 0xFFFF) {
        put_marker(out, Amf0Marker::LongString);
        put_long_utf8(out, v.text);
      } else {
        put_marker(out, Amf0Marker::String);
        put_short_utf8(out, v.text);
      }
      break;
    case Amf0Type::XmlDocument:
      put_marker(out, Amf0Marker::XmlDocument);
      put_long_utf8(out, v.text);
      break;
    case Amf0Type::Object:
      put_marker(out, Amf0Marker::Object);
      put_properties(out, v.properties);
      break;
    case Amf0Type::TypedObject:
      put_marker(out, Amf0Marker::TypedObject);
      put_short_utf8(out, v.text);
      put_properties(out, v.properties);
      break;
    case Amf0Type::EcmaArray:
      put_marker(out, Amf0Marker::EcmaArray);
      put_u32(out, static_cast<uint32_t>(v.properties.size()));
      put_properties(out, v.properties);
      break;
    case Amf0Type::StrictArray:
      put_marker(out, Amf0Marker::StrictArray);
      put_u32(out, static_cast<uint32_t>(v.items.size()));
      for (const auto& item : v.items) amf0_encode(item, out);
      break;
    case Amf0Type::Date:
      put_marker(out, Amf0Marker::Date);
      put_f64(out, v.number);
      put_u16(out, static_cast<uint16_t>(v.timezone));
      break;
    case Amf0Type::Null: put_marker(out, Amf0Marker::Null); break;
    case Amf0Type::Undefined: put_marker(out, Amf0Marker::Undefined); break;
    case Amf0Type::Unsupported: put_marker(out, Amf0Marker::Unsupported); break;
  }
}

std::vector<uint8_t> amf0_encode_all(const std::vector<Amf0Value>& values) {
  std::vector<uint8_t> out;
  for (const auto& v : values) amf0_encode(v, out);
  return out;
}

}  // namespace mediaemu::pipeline::rtmp
