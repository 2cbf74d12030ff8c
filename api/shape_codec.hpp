// Converts between the wire form of a rest-json body (locationNames, e.g. "channelId") and the
// model form the domain works in (member names, e.g. "ChannelId", like boto3's dictionaries),
// validating as it decodes. Members the model does not know are kept under their wire name and
// echoed back unchanged: newer SDKs send members an older model lacks, and rejecting them would
// break those clients.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/model.hpp"

namespace mediaemu::api {

using json = nlohmann::json;

// Wire → model. Throws ApiError(Validation) naming the first offending member by its wire path
// ("encoderSettings.videoDescriptions[0].width").
json decode_value(const Shape& shape, const json& wire, const std::string& path);

// Checks the scalar constraints of an already-typed model value (used for URI, query and header
// members, which arrive as strings and are converted first). Throws ApiError(Validation).
void check_constraints(const Shape& shape, const json& value, const std::string& path);

// Converts a string from a URI label, query parameter or header into the shape's type.
json decode_text(const Shape& shape, const std::string& text, const std::string& path);

// Model → wire, for body members of an output shape. Timestamps are written per the shape's
// timestampFormat (rest-json body default: epoch seconds).
json encode_value(const Shape& shape, const json& model);

// One string for a header / URI / query value of an output member.
std::string encode_text(const Shape& shape, const json& model);

}  // namespace mediaemu::api
