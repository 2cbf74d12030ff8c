// AWS::CloudFront::Distribution. CloudFormation writes a DistributionConfig's lists as plain
// lists where the API wraps each in {Quantity, Items}, and names a few members differently
// (OriginCustomHeaders, OriginSSLProtocols, IPV6Enabled, CachedMethods beside AllowedMethods,
// GeoRestriction.Locations): the translation walks the API's own DistributionConfig shape, so a
// list becomes {Quantity, Items} wherever the model says so. CloudFormation waits for a
// distribution to be Deployed, and a deletion disables it first, as the API requires.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-cloudfront-distribution-distributionconfig.html
#include "api/errors.hpp"
#include "api/model.hpp"
#include "emulator/cloudformation/providers/provider.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::cloudformation {
namespace {

using api::Shape;
using api::ShapeType;

// CloudFormation's name -> the API's member name.
const std::map<std::string, std::string> kRenamed = {
    {"OriginCustomHeaders", "CustomHeaders"}, {"OriginSSLProtocols", "OriginSslProtocols"},
    {"IPV6Enabled", "IsIPV6Enabled"},         {"AcmCertificateArn", "ACMCertificateArn"},
    {"IamCertificateId", "IAMCertificateId"}, {"SslSupportMethod", "SSLSupportMethod"},
    {"Locations", "Items"}};

bool quantity_items(const Shape& s) {
  return s.type == ShapeType::Structure && s.member("Quantity") && s.member("Items");
}

json to_api(const json& value, const Shape& shape) {
  if (quantity_items(shape) && value.is_array()) {
    const Shape& item = *shape.member("Items")->shape->member_shape;
    json items = json::array();
    for (const auto& v : value) items.push_back(to_api(v, item));
    return {{"Quantity", items.size()}, {"Items", items}};
  }
  if (shape.type == ShapeType::List && value.is_array()) {
    json out = json::array();
    for (const auto& v : value) out.push_back(to_api(v, *shape.member_shape));
    return out;
  }
  if (shape.type != ShapeType::Structure || !value.is_object()) return value;
  json in = value;
  // A cache behavior's CachedMethods live inside its AllowedMethods in the API.
  if (in.contains("CachedMethods") && shape.member("AllowedMethods")) {
    json allowed = to_api(in.value("AllowedMethods", json::array()), *shape.member("AllowedMethods")->shape);
    allowed["CachedMethods"] = {{"Quantity", in["CachedMethods"].size()}, {"Items", in["CachedMethods"]}};
    in.erase("CachedMethods");
    in["AllowedMethods"] = allowed;
  }
  json out = json::object();
  for (const auto& [key, v] : in.items()) {
    auto renamed = kRenamed.find(key);
    std::string name = renamed != kRenamed.end() && shape.member(renamed->second) ? renamed->second : key;
    const api::Member* m = shape.member(name);
    out[name] = m && !(name == "AllowedMethods" && v.is_object()) ? to_api(v, *m->shape) : v;
  }
  if (quantity_items(shape) && !out.contains("Quantity")) out["Quantity"] = out.contains("Items") ? out["Items"].size() : 0;
  return out;
}

json distribution_config(ProviderContext& ctx, const json& props, const std::string& caller_reference) {
  const api::ServiceModel* model = ctx.api().model("cloudfront");
  const Shape* shape = model ? model->shape("DistributionConfig") : nullptr;
  if (!shape) throw api::ApiError(api::ErrorKind::Internal, "the CloudFront model has no DistributionConfig");
  json config = to_api(props.value("DistributionConfig", json::object()), *shape);
  config["CallerReference"] = caller_reference;
  if (!config.contains("Comment")) config["Comment"] = "";
  return config;
}

json distribution(ProviderContext& ctx, const std::string& id) {
  return ctx.invoke("cloudfront", "GetDistribution", {{"Id", id}});
}

void wait_deployed(ProviderContext& ctx, const std::string& id) {
  ctx.wait_until("distribution " + id + " Deployed",
                 [&] { return distribution(ctx, id).at("Distribution").value("Status", "") == "Deployed"; }, 120);
}

Provided result(const json& d, const std::string& caller_reference) {
  return {d.value("Id", ""), {{"Id", d.value("Id", "")}, {"DomainName", d.value("DomainName", "")},
                              {"CallerReference", caller_reference}}};
}

Provider distribution_provider() {
  Provider p;
  p.create = [](ProviderContext& ctx, const json& props) {
    std::string reference = ctx.generated_name();
    json d = ctx.invoke("cloudfront", "CreateDistribution", {{"DistributionConfig", distribution_config(ctx, props, reference)}})
                 .at("Distribution");
    ctx.created(d.value("Id", ""));
    wait_deployed(ctx, d.value("Id", ""));
    return result(d, reference);
  };
  p.update = [](ProviderContext& ctx, const StackResource& current, const json& props) {
    std::string reference = current.attributes.value("CallerReference", ctx.generated_name());
    std::string etag = ctx.invoke("cloudfront", "GetDistributionConfig", {{"Id", current.physical_id}}).value("ETag", "");
    json d = ctx.invoke("cloudfront", "UpdateDistribution",
                        {{"Id", current.physical_id}, {"IfMatch", etag},
                         {"DistributionConfig", distribution_config(ctx, props, reference)}})
                 .at("Distribution");
    wait_deployed(ctx, current.physical_id);
    return result(d, reference);
  };
  p.remove = [](ProviderContext& ctx, const StackResource& current) {
    const std::string& id = current.physical_id;
    ignore_missing([&] {
      json got = ctx.invoke("cloudfront", "GetDistributionConfig", {{"Id", id}});
      std::string etag = got.value("ETag", "");
      json config = got.at("DistributionConfig");
      if (config.value("Enabled", false)) {  // DeleteDistribution needs a disabled distribution
        config["Enabled"] = false;
        etag = ctx.invoke("cloudfront", "UpdateDistribution", {{"Id", id}, {"IfMatch", etag}, {"DistributionConfig", config}})
                   .value("ETag", "");
      }
      wait_deployed(ctx, id);
      ctx.invoke("cloudfront", "DeleteDistribution", {{"Id", id}, {"IfMatch", etag}});
    });
  };
  return p;
}

}  // namespace

void add_cloudfront_provider(ProviderTable& t) { t["AWS::CloudFront::Distribution"] = distribution_provider(); }

}  // namespace mediaemu::cloudformation
