// rest-xml: method + URI template (+ the query keys that tell S3's operations apart), members in
// labels / query / headers, the body an XML document (S3, CloudFront). S3 is also addressed
// virtual-hosted style: a Host of "<bucket>.s3.<anything>" or "<bucket>.localhost" names the
// bucket, and the path is then the key.
// https://smithy.io/2.0/aws/protocols/aws-restxml-protocol.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
#include <unordered_map>

#include "api/errors.hpp"
#include "api/protocols/rest_common.hpp"
#include "api/protocols/xml_codec.hpp"
#include "api/shape_codec.hpp"

namespace mediaemu::api {
namespace {

// The bucket a virtual-hosted S3 request names in its Host header, or empty for path style.
std::string host_bucket(const HttpRequest& request) {
  std::string_view host = request.header("host");
  host = host.substr(0, host.rfind(':') == std::string_view::npos || host.back() == ']' ? host.size() : host.rfind(':'));
  if (auto s3 = host.find(".s3."); s3 != std::string_view::npos && s3 > 0) return std::string(host.substr(0, s3));
  if (auto s3 = host.find(".s3-"); s3 != std::string_view::npos && s3 > 0) return std::string(host.substr(0, s3));
  constexpr std::string_view kLocal = ".localhost";
  if (host.size() > kLocal.size() && host.substr(host.size() - kLocal.size()) == kLocal) {
    std::string_view name = host.substr(0, host.size() - kLocal.size());
    // "<bucket>.localhost", but not the other services' local hosts ("<id>.cloudfront.localhost"),
    // nor "s3.localhost" itself, the endpoint of a virtual-hosted client's ListBuckets.
    if (name.find('.') == std::string_view::npos && name != "s3") return std::string(name);
  }
  return {};
}

// The element S3 writes around an output that has no payload member. botocore's models do not
// carry it (its parser ignores the root), so it is listed here from the S3 API reference's
// response syntax; anything else gets "<Operation>Result".
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
std::string root_element(const Operation& op) {
  static const std::unordered_map<std::string, std::string> roots = {
      {"ListBuckets", "ListAllMyBucketsResult"},
      {"ListObjects", "ListBucketResult"},
      {"ListObjectsV2", "ListBucketResult"},
      {"ListObjectVersions", "ListVersionsResult"},
      {"CreateMultipartUpload", "InitiateMultipartUploadResult"},
      {"DeleteObjects", "DeleteResult"},
      {"GetBucketLocation", "LocationConstraint"},
      {"GetBucketVersioning", "VersioningConfiguration"},
      {"GetBucketTagging", "Tagging"},
      {"GetObjectTagging", "Tagging"},
      {"GetBucketCors", "CORSConfiguration"},
      {"GetBucketLifecycleConfiguration", "LifecycleConfiguration"},
      {"GetBucketWebsite", "WebsiteConfiguration"},
      {"GetBucketAcl", "AccessControlPolicy"},
      {"GetObjectAcl", "AccessControlPolicy"},
      {"GetBucketNotificationConfiguration", "NotificationConfiguration"},
      {"GetBucketAccelerateConfiguration", "AccelerateConfiguration"},
      {"GetBucketRequestPayment", "RequestPaymentConfiguration"},
      {"GetBucketLogging", "BucketLoggingStatus"},
  };
  auto it = roots.find(op.name);
  return it != roots.end() ? it->second : op.name + "Result";
}

class RestXml final : public WireProtocol {
 public:
  Protocol id() const override { return Protocol::RestXml; }

  bool route(const ServiceModel& model, const std::vector<const Operation*>& routes, const HttpRequest& request,
             RoutedRequest& out, ErrorReply& error) const override {
    std::string path(request.path());
    if (model.signing_name() == "s3") {
      if (std::string bucket = host_bucket(request); !bucket.empty()) path = "/" + bucket + path;
    }
    // S3 answers an unknown route with its generic 400/405 codes; say what was asked.
    return route_rest(model, routes, request, path, out, error, "InvalidRequest");
  }

  json read_input(const ServiceModel& model, const RoutedRequest& routed, const HttpRequest& request) const override {
    const Shape* input = routed.op->input;
    if (!input) return json::object();
    // Labels were matched on the rewritten path, so a virtual-hosted bucket is already a label.
    std::string body = rest_body(request);
    json value = json::object();
    if (!input->payload.empty()) {
      const Member* payload = input->member(input->payload);
      if (payload && payload->shape->type == ShapeType::Structure) {
        if (body.find_first_not_of(" \t\r\n") != std::string::npos) {
          pugi::xml_document doc;
          parse_xml(body, doc);
          value[payload->name] = decode_value(*payload->shape,
                                              xml_to_wire(*payload->shape, doc.document_element(), payload->wire),
                                              payload->wire);
        }
      } else if (payload) {
        value[payload->name] = std::move(body);  // a blob or string payload: the raw bytes
      }
    } else if (body.find_first_not_of(" \t\r\n") != std::string::npos) {
      pugi::xml_document doc;
      parse_xml(body, doc);
      value = decode_value(*input, xml_to_wire(*input, doc.document_element(), ""), "");
    } else {
      value = decode_value(*input, json::object(), "");
    }
    read_rest_members(*input, routed, request, value);
    return value;
  }

  HttpResponse write_output(const ServiceModel& model, const Operation& op, const json& output,
                            const std::string& request_id) const override {
    HttpResponse r;
    r.status = op.success_code;
    r.set_header("x-amz-request-id", request_id);
    r.set_header("x-amzn-RequestId", request_id);
    const Shape* shape = op.output;
    if (!shape) return r;
    const Member* payload = shape->payload.empty() ? nullptr : shape->member(shape->payload);
    bool raw_payload = payload && payload->shape->type != ShapeType::Structure;
    json rest = write_rest_members(*shape, output, r, raw_payload ? shape->payload : std::string_view{});
    if (raw_payload) {  // a blob or string payload (an S3 object): its bytes, copied once
      auto it = output.find(shape->payload);
      if (it != output.end() && it->is_string()) r.body = it->get_ref<const std::string&>();
      return r;
    }
    if (payload) {
      const Member* m = payload;
      auto it = rest.find(shape->payload);
      if (it == rest.end()) return r;
      pugi::xml_document doc;
      write_xml(doc, m->wire, *m->shape, *it, false,
                m->xml_namespace.empty() ? model.xml_namespace() : m->xml_namespace);
      r.set_header("Content-Type", "application/xml");
      r.body = xml_string(doc);
      return r;
    }
    bool has_body = false;
    for (const Member& m : shape->members) has_body |= m.location == Location::Body;
    if (!has_body) return r;
    pugi::xml_document doc;
    pugi::xml_node root = doc.append_child(root_element(op).c_str());
    if (!model.xml_namespace().empty()) root.append_attribute("xmlns") = model.xml_namespace().c_str();
    if (op.name == "GetBucketLocation") {
      // The one S3 answer whose root element is the value: <LocationConstraint>eu-west-1</...>
      // (empty for us-east-1); botocore reads the root's text for it.
      root.text().set(rest.value("LocationConstraint", "").c_str());
    } else {
      write_xml_members(root, *shape, rest);
    }
    r.set_header("Content-Type", "application/xml");
    r.body = xml_string(doc);
    return r;
  }
};

}  // namespace

const WireProtocol& rest_xml_protocol() {
  static const RestXml instance;
  return instance;
}

}  // namespace mediaemu::api
