// TagResource, UntagResource and ListTagsForResource for metric alarms, the only CloudWatch
// resource mediaemu keeps (PutMetricAlarm stores the Tags of a new alarm). A tag key given again
// takes the new value, as AWS does.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_TagResource.html
#include "emulator/cloudwatch/cloudwatch.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::cloudwatch {
namespace {

// The alarm the ARN names, or AWS's ResourceNotFoundException for any other ARN: dashboards,
// Contributor Insights rules and metric streams do not exist here.
const Record& tagged(const Domain& d, const json& in) {
  const std::string& arn = in.at("ResourceARN").get_ref<const std::string&>();
  const Record* r = d.find_by_arn(arn);
  if (!r || r->key.kind != kAlarm) {
    throw api::ApiError(api::ErrorKind::NotFound, "ResourceNotFoundException", "Resource " + arn + " does not exist");
  }
  return *r;
}

}  // namespace

void add_tag_operations(api::OperationTable& t, Domain& d) {
  t["TagResource"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    merge_tag_list(tx->modify(tagged(tx->domain(), in).key).doc["Tags"], in.at("Tags"));
    tx->commit();
    return json::object();
  };
  t["UntagResource"] = [&d](const CallContext&, const json& in) {
    auto tx = d.write();
    remove_tag_list(tx->modify(tagged(tx->domain(), in).key).doc["Tags"], in.at("TagKeys"));
    tx->commit();
    return json::object();
  };
  t["ListTagsForResource"] = [&d](const CallContext&, const json& in) {
    auto lock = d.read();
    return json{{"Tags", tagged(d, in).doc.value("Tags", json::array())}};
  };
}

}  // namespace mediaemu::cloudwatch
