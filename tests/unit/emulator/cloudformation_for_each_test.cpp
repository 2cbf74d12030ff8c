// Fn::ForEach of the AWS::LanguageExtensions transform: expansion in Resources, Outputs and
// Conditions, ${} and &{} substitution, Ref to the identifier, nested loops, list parameters, and
// the malformed loops refused before anything is created.
#include <catch2/catch.hpp>

#include "api/errors.hpp"
#include "emulator/cloudformation/for_each.hpp"
#include "emulator/cloudformation/template_parser.hpp"

using namespace mediaemu;
using namespace mediaemu::cloudformation;

namespace {

std::string for_each_error_of(const json& tpl, const std::map<std::string, json>& parameters = {}) {
  try {
    expand_for_each(tpl, parameters);
  } catch (const api::ApiError& e) {
    return e.what();
  }
  return "";
}

json with_transform(json tpl) {
  tpl["Transform"] = "AWS::LanguageExtensions";
  return tpl;
}

}  // namespace

TEST_CASE("Fn::ForEach expands resources with ${} and &{} and Ref to the identifier", "[cloudformation]") {
  json tpl = parse_template(R"(
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Params:
    - Name
    - [alpha, beta-1]
    - Param&{Name}:
        Type: AWS::SSM::Parameter
        Properties:
          Name: !Sub /app/${Name}
          Value: !Ref Name
Outputs:
  Fn::ForEach::Outs:
    - Name
    - [alpha, beta-1]
    - Out&{Name}:
        Value: !Ref Param&{Name}
)");
  REQUIRE(uses_for_each(tpl));
  json out = expand_for_each(tpl, {});
  REQUIRE(out["Resources"].size() == 2);
  REQUIRE(out["Resources"]["Paramalpha"]["Properties"]["Name"] == json{{"Fn::Sub", "/app/alpha"}});
  REQUIRE(out["Resources"]["Parambeta1"]["Properties"]["Value"] == "beta-1");
  REQUIRE(out["Outputs"]["Outbeta1"]["Value"] == json{{"Ref", "Parambeta1"}});
  check_template(out);  // the expansion is a plain, valid template
}

TEST_CASE("Fn::ForEach nests, reads list parameters and works in Conditions", "[cloudformation]") {
  json tpl = parse_template(R"(
Transform: AWS::LanguageExtensions
Parameters:
  Envs: {Type: CommaDelimitedList, Default: 'dev, prod'}
Conditions:
  Fn::ForEach::Conds:
    - Env
    - !Ref Envs
    - Is${Env}: !Equals [!Ref AWS::Region, '${Env}']
Resources:
  Fn::ForEach::Outer:
    - Env
    - !Ref Envs
    - Fn::ForEach::Inner:
        - Kind
        - [a, b]
        - ${Env}${Kind}: {Type: AWS::SNS::Topic}
)");
  // The defaults when no values are given (ValidateTemplate), the values when they are.
  json by_default = expand_for_each(tpl, {});
  REQUIRE(by_default["Resources"].size() == 4);
  REQUIRE(by_default["Resources"].contains("proda"));
  REQUIRE(by_default["Conditions"].contains("Isdev"));
  json given = expand_for_each(tpl, {{"Envs", json::array({"qa"})}});
  REQUIRE(given["Resources"].size() == 2);
  REQUIRE(given["Resources"].contains("qab"));
  REQUIRE(given["Conditions"] == json{{"Isqa", {{"Fn::Equals", {{{"Ref", "AWS::Region"}}, "qa"}}}}});
}

TEST_CASE("Fn::ForEach refuses malformed loops and duplicate logical ids", "[cloudformation]") {
  auto resources = [](json loop) { return with_transform({{"Resources", {{"Fn::ForEach::L", loop}}}}); };
  REQUIRE_THAT(for_each_error_of(resources({"X", {"a"}})), Catch::Contains("layout is incorrect"));
  REQUIRE_THAT(for_each_error_of(resources({"X", "a", {{"R${X}", {{"Type", "AWS::SNS::Topic"}}}}})),
               Catch::Contains("collection must be a list"));
  REQUIRE_THAT(for_each_error_of(resources({"X", {"a"}, {{"Fixed", {{"Type", "AWS::SNS::Topic"}}}}})),
               Catch::Contains("must contain ${X} or &{X}"));
  // Two items that lose their only difference to &{} make one logical id twice.
  REQUIRE_THAT(for_each_error_of(resources({"X", {"a-1", "a1"}, {{"R&{X}", {{"Type", "AWS::SNS::Topic"}}}}})),
               Catch::Contains("Ra1, which is already defined"));
  // A generated id that a plain resource already has.
  json clash = with_transform({{"Resources",
                                {{"Ra", {{"Type", "AWS::SNS::Topic"}}},
                                 {"Fn::ForEach::L", {"X", {"a"}, {{"R${X}", {{"Type", "AWS::SNS::Topic"}}}}}}}}});
  REQUIRE_THAT(for_each_error_of(clash), Catch::Contains("already defined"));
  // The loop name may not be a resource's logical id.
  json named = with_transform({{"Resources",
                                {{"L", {{"Type", "AWS::SNS::Topic"}}},
                                 {"Fn::ForEach::L", {"X", {"a"}, {{"R${X}", {{"Type", "AWS::SNS::Topic"}}}}}}}}});
  REQUIRE_THAT(for_each_error_of(named), Catch::Contains("also the logical id"));
  REQUIRE_THAT(for_each_error_of(resources({"X", {{"Ref", "Missing"}}, {{"R${X}", {{"Type", "AWS::SNS::Topic"}}}}})),
               Catch::Contains("Missing"));
  // Without the transform, nothing is expanded (check_template then refuses the loop).
  json plain = {{"Resources", {{"Fn::ForEach::L", {"X", {"a"}, {{"R${X}", {{"Type", "AWS::SNS::Topic"}}}}}}}}};
  REQUIRE_FALSE(uses_for_each(plain));
  REQUIRE(expand_for_each(plain, {}) == plain);
}
