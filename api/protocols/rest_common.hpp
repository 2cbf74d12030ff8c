// What rest-json and rest-xml share: routing by method + URI template (+ the query keys S3 uses
// to tell operations apart), members bound to URI labels, query parameters and headers on the way
// in, and header / status-code members on the way out. Only the body format differs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/protocols/wire_protocol.hpp"

namespace mediaemu::api {

// Routes `path` (raw, percent-encoded) with the request's method and query. On failure: 404 with
// `unknown_code`, or 405 naming the methods the path allows.
bool route_rest(const ServiceModel& model, const std::vector<const Operation*>& routes, const HttpRequest& request,
                std::string_view path, RoutedRequest& out, ErrorReply& error, const char* unknown_code);

// Adds the members bound to URI labels, the query string and headers to `value`, then checks
// that every required member is present.
void read_rest_members(const Shape& input, const RoutedRequest& routed, const HttpRequest& request, json& value);

// The request body with any aws-chunked framing removed (SigV4 streaming uploads:
// Content-Encoding aws-chunked / x-amz-content-sha256 STREAMING-*). Throws ApiError(Validation)
// when the framing is broken.
std::string rest_body(const HttpRequest& request);

// A handler may set the HTTP status of a success response that the model gives no member for
// (S3 GetObject answers 206 to a Range request and 304 to a failed If-None-Match) with this
// member of its output; it never reaches the wire.
inline constexpr const char* kHttpStatusMember = "$httpStatus";

// Writes the output members that travel in headers or the status line; returns the rest (the
// body and payload members, still in model form).
// `skip` names a member left out of the returned rest (a blob payload the caller sends as is,
// so that an S3 object body is copied once, not twice).
json write_rest_members(const Shape& output, const json& value, HttpResponse& response, std::string_view skip = {});

}  // namespace mediaemu::api
