// Templates as CloudFormation reads them: JSON, or YAML with the short-form intrinsic tags
// (`!Ref X`, `!GetAtt A.B`, `!Sub ...`), both turned into the same JSON tree (`{"Ref": "X"}`,
// `{"Fn::GetAtt": ["A", "B"]}`), so everything after parsing sees one form.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-formats.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mediaemu::cloudformation {

using json = nlohmann::json;

// Parses a template body. Throws ApiError(Validation, "ValidationError") with CloudFormation's
// "Template format error: ..." wording when it is neither well-formed JSON nor YAML, or not a
// mapping at the top.
json parse_template(const std::string& body);

// The template's structure, checked before anything is created: known top-level sections, at
// least one resource, a Type on every resource, known intrinsic functions, references that name
// a parameter, pseudo parameter or resource, known conditions. Throws ApiError(Validation).
void check_template(const json& tpl);

}  // namespace mediaemu::cloudformation
