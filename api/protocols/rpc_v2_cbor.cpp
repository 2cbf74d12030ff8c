// Smithy RPC v2 CBOR: POST /service/<ServiceName>/operation/<Operation> with smithy-protocol:
// rpc-v2-cbor and the input as a CBOR map (CloudWatch for the SDKs that pick it first, botocore
// >= 1.37 among them). Timestamps are tag 1 (epoch seconds), blobs byte strings.
// https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html
// Decoding uses nlohmann_json's CBOR reader (through cbor_reader.hpp, for tag-1 timestamps);
// output is written by walking the output shape, since the tag-1 timestamps need the shape
// (nlohmann writes tags only around byte strings).
#include <cstring>

#include "api/base64.hpp"
#include "api/errors.hpp"
#include "api/protocols/cbor_reader.hpp"
#include "api/protocols/wire_protocol.hpp"
#include "api/shape_codec.hpp"

namespace mediaemu::api {
namespace {

// Byte strings arrive as nlohmann binary values; the model form of a blob is base64 text.
json binary_to_base64(json v) {
  if (v.is_binary()) {
    const auto& bytes = v.get_binary();
    return base64_encode(std::span<const uint8_t>(bytes));
  }
  if (v.is_object() || v.is_array())
    for (auto& item : v) item = binary_to_base64(std::move(item));
  return v;
}

void put_head(std::string& out, int major, uint64_t n) {
  auto m = static_cast<char>(major << 5);
  if (n < 24) {
    out.push_back(static_cast<char>(m | n));
  } else if (n <= 0xFF) {
    out.push_back(static_cast<char>(m | 24));
    out.push_back(static_cast<char>(n));
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<char>(m | 25));
    for (int s = 8; s >= 0; s -= 8) out.push_back(static_cast<char>(n >> s));
  } else if (n <= 0xFFFFFFFFull) {
    out.push_back(static_cast<char>(m | 26));
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>(n >> s));
  } else {
    out.push_back(static_cast<char>(m | 27));
    for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<char>(n >> s));
  }
}

void put_text(std::string& out, const std::string& s) {
  put_head(out, 3, s.size());
  out += s;
}

void put_double(std::string& out, double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  out.push_back(static_cast<char>(0xFB));
  for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<char>(bits >> s));
}

void put_number(std::string& out, const json& v) {
  if (v.is_number_unsigned()) {
    put_head(out, 0, v.get<uint64_t>());
  } else if (v.is_number_integer()) {
    int64_t i = v.get<int64_t>();
    if (i >= 0) put_head(out, 0, static_cast<uint64_t>(i));
    else put_head(out, 1, static_cast<uint64_t>(-1 - i));
  } else {
    put_double(out, v.get<double>());
  }
}

// A value with no shape (an echoed unknown member): its JSON type decides.
void put_plain(std::string& out, const json& v) {
  auto cbor = json::to_cbor(v);
  out.append(reinterpret_cast<const char*>(cbor.data()), cbor.size());
}

void put_value(std::string& out, const Shape& shape, const json& v) {
  switch (shape.type) {
    case ShapeType::Structure: {
      if (!v.is_object()) return put_plain(out, v);
      size_t n = 0;
      for (auto it = v.begin(); it != v.end(); ++it) n += !it->is_null();
      put_head(out, 5, n);
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (it->is_null()) continue;
        const Member* m = shape.member(it.key());
        put_text(out, m ? m->wire : it.key());
        if (m) put_value(out, *m->shape, *it);
        else put_plain(out, *it);
      }
      return;
    }
    case ShapeType::List:
      if (!v.is_array()) return put_plain(out, v);
      put_head(out, 4, v.size());
      for (const auto& item : v) put_value(out, *shape.member_shape, item);
      return;
    case ShapeType::Map:
      if (!v.is_object()) return put_plain(out, v);
      put_head(out, 5, v.size());
      for (auto it = v.begin(); it != v.end(); ++it) {
        put_text(out, it.key());
        put_value(out, *shape.value_shape, *it);
      }
      return;
    case ShapeType::Timestamp:
      if (!v.is_number()) return put_plain(out, v);
      put_head(out, 6, 1);
      put_double(out, v.get<double>());
      return;
    case ShapeType::Blob: {
      auto bytes = v.is_string() ? base64_decode(v.get<std::string>()) : std::nullopt;
      if (!bytes) return put_plain(out, v);
      put_head(out, 2, bytes->size());
      out += *bytes;
      return;
    }
    case ShapeType::Double:
    case ShapeType::Float:
      if (!v.is_number()) return put_plain(out, v);
      put_double(out, v.get<double>());
      return;
    case ShapeType::Integer:
    case ShapeType::Long:
      if (!v.is_number()) return put_plain(out, v);
      put_number(out, v);
      return;
    default: put_plain(out, v);
  }
}

class RpcV2Cbor final : public WireProtocol {
 public:
  Protocol id() const override { return Protocol::RpcV2Cbor; }

  bool route(const ServiceModel& model, const std::vector<const Operation*>&, const HttpRequest& request,
             RoutedRequest& out, ErrorReply& error) const override {
    auto parts = split_path(request.path());
    const Operation* op = nullptr;
    if (parts.size() == 4 && parts[0] == "service" && parts[1] == model.target_prefix() && parts[2] == "operation")
      op = model.operation(parts[3]);
    return route_rpc(model, op, request, 404,
                     "No " + model.service_id() + " operation at " + std::string(request.path()) +
                         " (expected /service/" + model.target_prefix() + "/operation/<Operation>)",
                     out, error);
  }

  json read_input(const ServiceModel&, const RoutedRequest& routed, const HttpRequest& request) const override {
    json body = json::object();
    if (!request.body.empty()) {
      body = read_cbor(request.body);
      if (body.is_discarded()) throw ApiError(ErrorKind::Validation, "SerializationException", "The request body is not valid CBOR", 400);
      if (!body.is_object()) throw ApiError(ErrorKind::Validation, "SerializationException", "The request body must be a CBOR map", 400);
      body = binary_to_base64(std::move(body));
    }
    return routed.op->input ? decode_value(*routed.op->input, body, "") : json::object();
  }

  HttpResponse write_output(const ServiceModel&, const Operation& op, const json& output,
                            const std::string& request_id) const override {
    HttpResponse r;
    r.set_header("x-amzn-RequestId", request_id);
    r.set_header("smithy-protocol", "rpc-v2-cbor");
    r.set_header("Content-Type", "application/cbor");
    if (op.output) put_value(r.body, *op.output, output.is_object() ? output : json::object());
    else put_head(r.body, 5, 0);
    return r;
  }
};

}  // namespace

const WireProtocol& rpc_v2_cbor_protocol() {
  static const RpcV2Cbor instance;
  return instance;
}

}  // namespace mediaemu::api
