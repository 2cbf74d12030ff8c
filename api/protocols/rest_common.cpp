#include "api/protocols/rest_common.hpp"

#include <algorithm>
#include <cctype>

#include "api/errors.hpp"
#include "api/shape_codec.hpp"

namespace mediaemu::api {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool chunked_upload(const HttpRequest& request) {
  std::string_view encoding = request.header("content-encoding");
  return encoding.find("aws-chunked") != std::string_view::npos ||
         request.header("x-amz-content-sha256").substr(0, 10) == "STREAMING-";
}

// How many of the operation's required query and header members the request carries, or -1
// when one is missing.
int required_members_present(const Operation& op, const std::vector<std::pair<std::string, std::string>>& query,
                             const HttpRequest& request) {
  if (!op.input) return 0;
  int present = 0;
  for (const auto& m : op.input->members) {
    if (!m.required) continue;
    bool found = false;
    if (m.location == Location::Query) {
      for (const auto& [k, v] : query) found |= k == m.wire;
    } else if (m.location == Location::Header) {
      found = !request.header(lower(m.wire)).empty();
    } else {
      continue;
    }
    if (!found) return -1;
    ++present;
  }
  return present;
}

}  // namespace

bool route_rest(const ServiceModel& model, const std::vector<const Operation*>& routes, const HttpRequest& request,
                std::string_view path, RoutedRequest& out, ErrorReply& error, const char* unknown_code) {
  auto parts = split_path(path);
  auto query = parse_query(request.query());
  std::vector<std::string> other_methods;
  // S3 serves several operations at one method and URI (PUT /{Bucket}/{Key+} is PutObject,
  // CopyObject, UploadPart and UploadPartCopy); what tells them apart is which required query
  // and header members the request carries (uploadId, x-amz-copy-source). Among routes of equal
  // URI specificity, the one whose required members are all present, and the most of them, wins.
  const Operation* best = nullptr;
  int best_score = -2;
  for (const Operation* op : routes) {
    if (best && (op->uri.specificity() != best->uri.specificity() ||
                 op->uri.query_specificity() != best->uri.query_specificity()))
      break;
    auto labels = op->uri.match(parts);
    if (!labels || !op->uri.query_matches(query)) continue;
    if (op->method != request.method) {
      if (std::find(other_methods.begin(), other_methods.end(), op->method) == other_methods.end())
        other_methods.push_back(op->method);
      continue;
    }
    // The first candidate is kept even with a member missing, so its handler names what is missing.
    int score = required_members_present(*op, query, request);
    if (score > best_score) {
      out = RoutedRequest{op, std::move(*labels)};
      best = op;
      best_score = score;
    }
  }
  if (best) return true;
  // Not AWS-exact on purpose: API Gateway-fronted AWS endpoints answer an unknown route with
  // 403 MissingAuthenticationTokenException, which sends people hunting for credential
  // problems. We say what is wrong instead.
  const std::string& name = model.service_id();
  if (!other_methods.empty()) {
    std::sort(other_methods.begin(), other_methods.end());
    std::string allowed;
    for (const auto& m : other_methods) allowed += (allowed.empty() ? "" : ", ") + m;
    error = ErrorReply{405, "MethodNotAllowed" + std::string(model.protocols().front() == "rest-xml" ? "" : "Exception"),
                       name + " has no " + request.method + " operation at " + std::string(path) + "; allowed: " + allowed};
  } else {
    error = ErrorReply{404, unknown_code, "No " + name + " operation matches " + request.method + " " + std::string(path)};
  }
  return false;
}

void read_rest_members(const Shape& input, const RoutedRequest& routed, const HttpRequest& request, json& value) {
  for (const auto& [label, text] : routed.labels) {
    for (const auto& m : input.members) {
      if (m.location == Location::Uri && m.wire == label) value[m.name] = decode_text(*m.shape, text, m.wire);
    }
  }
  auto query = parse_query(request.query());
  for (const auto& m : input.members) {
    if (m.location == Location::Query) {
      if (m.shape->type == ShapeType::List) {
        json items = json::array();
        for (const auto& [k, v] : query)
          if (k == m.wire) items.push_back(decode_text(*m.shape->member_shape, v, m.wire));
        if (!items.empty()) value[m.name] = items;
      } else if (m.shape->type == ShapeType::Map) {
        json map = json::object();
        for (const auto& [k, v] : query) map[k] = v;
        if (!map.empty()) value[m.name] = map;
      } else {
        for (const auto& [k, v] : query)
          if (k == m.wire) value[m.name] = decode_text(*m.shape, v, m.wire);
      }
    } else if (m.location == Location::Header) {
      auto v = request.header(lower(m.wire));
      if (!v.empty()) value[m.name] = decode_text(*m.shape, std::string(v), m.wire);
    } else if (m.location == Location::Headers) {
      // A map of every header with this prefix ("x-amz-meta-"), keyed by the rest of the name.
      std::string prefix = lower(m.wire);
      json map = json::object();
      for (const auto& [k, v] : request.headers)
        if (k.size() > prefix.size() && k.compare(0, prefix.size(), prefix) == 0) map[k.substr(prefix.size())] = v;
      if (!map.empty()) value[m.name] = map;
    }
  }
  for (const auto& m : input.members) {
    if (m.required && m.location != Location::Body && !value.contains(m.name)) {
      throw ApiError(ErrorKind::Validation, "Missing required parameter '" + m.wire + "'");
    }
  }
}

std::string rest_body(const HttpRequest& request) {
  if (!chunked_upload(request)) return request.body;
  // aws-chunked (SigV4 streaming): "<hex size>[;chunk-signature=...]\r\n<bytes>\r\n" repeated,
  // a zero-size chunk, then optional trailers ("x-amz-checksum-crc32:...") and "\r\n".
  // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
  const std::string& in = request.body;
  std::string out;
  size_t at = 0;
  auto broken = [] { return ApiError(ErrorKind::Validation, "IncompleteBody", "The aws-chunked request body is malformed", 400); };
  while (true) {
    size_t eol = in.find("\r\n", at);
    if (eol == std::string::npos) throw broken();
    std::string header = in.substr(at, eol - at);
    header = header.substr(0, header.find(';'));
    size_t size = 0;
    try {
      size_t used = 0;
      size = std::stoull(header, &used, 16);
      if (used != header.size()) throw broken();
    } catch (const std::logic_error&) {
      throw broken();
    }
    at = eol + 2;
    if (size == 0) break;
    if (at + size + 2 > in.size() || in.compare(at + size, 2, "\r\n") != 0) throw broken();
    out.append(in, at, size);
    at += size + 2;
  }
  return out;
}

json write_rest_members(const Shape& output, const json& value, HttpResponse& response, std::string_view skip) {
  json rest = json::object();
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!skip.empty() && it.key() == skip) continue;
    if (it.key() == kHttpStatusMember) {
      response.status = it->get<int>();
      continue;
    }
    const Member* m = output.member(it.key());
    if (!m) {
      rest[it.key()] = *it;
      continue;
    }
    switch (m->location) {
      case Location::Header:
        if (!it->is_null()) response.set_header(m->wire, encode_text(*m->shape, *it));
        break;
      case Location::Headers:
        if (it->is_object())
          for (auto h = it->begin(); h != it->end(); ++h) response.set_header(m->wire + h.key(), h->get<std::string>());
        break;
      case Location::StatusCode: response.status = it->get<int>(); break;
      default: rest[it.key()] = *it;
    }
  }
  return rest;
}

}  // namespace mediaemu::api
