#include "emulator/cloudwatch/cloudwatch.hpp"

#include <algorithm>

namespace mediaemu::cloudwatch {

std::string series_id(const std::string& ns, const std::string& name, const nlohmann::json& dimensions) {
  std::vector<std::string> dims;
  for (const auto& d : dimensions) dims.push_back(d.value("Name", "") + "=" + d.value("Value", ""));
  std::sort(dims.begin(), dims.end());
  std::string id = ns + "\n" + name + "\n";
  for (size_t i = 0; i < dims.size(); ++i) id += (i ? "," : "") + dims[i];
  return id;
}

api::OperationTable operations(Domain& domain, AlarmNotifier notify) {
  api::OperationTable t;
  add_metric_operations(t, domain);
  add_alarm_operations(t, domain, std::move(notify));
  add_tag_operations(t, domain);
  return t;
}

}  // namespace mediaemu::cloudwatch
