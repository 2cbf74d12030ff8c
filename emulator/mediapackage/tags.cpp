// TagResource, UntagResource and ListTagsForResource for MediaPackage and MediaPackage VOD.
// Both APIs serve /tags/{resource-arn}; each answers only for ARNs of its own service
// ("arn:aws:mediapackage:..." vs "arn:aws:mediapackage-vod:..."), and 404 NotFoundException
// for an ARN it does not know.
#include "emulator/mediapackage/mediapackage.hpp"

namespace mediaemu::mediapackage {
namespace {

const std::string& own_arn(const CallContext& ctx, const json& in) {
  const std::string& arn = in.at("ResourceArn").get_ref<const std::string&>();
  if (arn.rfind("arn:aws:" + ctx.service + ":", 0) != 0) {
    throw api::not_found("No " + ctx.service + " resource with ARN " + arn);
  }
  return arn;
}

}  // namespace

void add_tag_operations(api::OperationTable& t, Domain& d) {
  t["ListTagsForResource"] = [&d](const CallContext& c, const json& in) {
    return json{{"Tags", tags_for_arn(d, own_arn(c, in))}};
  };
  t["TagResource"] = [&d](const CallContext& c, const json& in) {
    add_tags(d, own_arn(c, in), in.value("Tags", json::object()));
    return json::object();
  };
  t["UntagResource"] = [&d](const CallContext& c, const json& in) {
    remove_tags(d, own_arn(c, in), in.value("TagKeys", json::array()));
    return json::object();
  };
}

}  // namespace mediaemu::mediapackage
