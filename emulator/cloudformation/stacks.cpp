// Stacks: create, update, delete (executed by the StackEngine), and everything that reads them.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
#include <spdlog/spdlog.h>

#include "api/errors.hpp"
#include "emulator/cloudformation/cloudformation.hpp"
#include "emulator/cloudformation/stack_engine.hpp"
#include "emulator/cloudformation/stack_records.hpp"
#include "emulator/cloudformation/stack_requests.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::cloudformation {
namespace {

using api::ApiError;
using api::ErrorKind;

// A copy of the stack, taken under the read lock (preparing a template takes locks of its own).
std::optional<Record> stack_copy(Domain& d, const std::string& region, const std::string& name) {
  auto lock = d.read();
  const Record* r = find_stack(d, region, name);
  return r ? std::optional<Record>(*r) : std::nullopt;
}

bool updatable(const std::string& status) {
  for (const char* s : {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
                        "IMPORT_ROLLBACK_COMPLETE"})
    if (status == s) return true;
  return false;
}

json values_of(const ResolvedParameters& p) {
  json v = json::object();
  for (const auto& [k, value] : p.values) v[k] = value;
  return v;
}

json create_stack(Domain& d, const api::AwsApi& api, StackEngine& engine, const CallContext& c, const json& in) {
  const std::string name = str(in, "StackName");
  if (stack_copy(d, c.region, name)) throw ApiError(ErrorKind::Conflict, "AlreadyExistsException", "Stack [" + name + "] already exists");
  PreparedTemplate prepared = prepare_template(d, api, c, in, name, nullptr);
  std::string uuid = new_uuid();
  json doc = {{"StackId", cloudformation_arn(c, "stack", name, uuid)},
              {"StackName", name},
              {"Parameters", prepared.parameters.listing},
              {"CreationTime", now_seconds(d)},
              {"StackStatus", "CREATE_IN_PROGRESS"},
              {"StackStatusReason", "User Initiated"},
              {"DisableRollback", in.value("DisableRollback", false) || in.value("OnFailure", "") == "DO_NOTHING"},
              {"NotificationARNs", in.value("NotificationARNs", json::array())},
              {"Capabilities", in.value("Capabilities", json::array())},
              {"Tags", in.value("Tags", json::array())},
              {"EnableTerminationProtection", in.value("EnableTerminationProtection", false)},
              {"RollbackConfiguration", json::object()},
              {"DriftInformation", {{"StackDriftStatus", "NOT_CHECKED"}}}};
  if (prepared.tpl.contains("Description")) doc["Description"] = prepared.tpl["Description"];
  if (in.contains("TimeoutInMinutes")) doc["TimeoutInMinutes"] = in["TimeoutInMinutes"];
  std::string on_failure = in.value("OnFailure", in.value("DisableRollback", false) ? "DO_NOTHING" : "ROLLBACK");
  json internal = {{"Template", prepared.tpl},
                   {"Body", prepared.body},
                   {"ParameterValues", values_of(prepared.parameters)},
                   {"Resources", json::object()},
                   {"Events", json::array({stack_event(doc, name, "AWS::CloudFormation::Stack", doc["StackId"],
                                                       "CREATE_IN_PROGRESS", "User Initiated", now_seconds(d))})},
                   {"Operation", {{"Action", "CREATE"},
                                  {"Template", prepared.tpl},
                                  {"Body", prepared.body},
                                  {"ParameterValues", values_of(prepared.parameters)},
                                  {"Listing", prepared.parameters.listing},
                                  {"OnFailure", on_failure}}}};
  if (in.contains("StackPolicyBody")) internal["StackPolicy"] = in["StackPolicyBody"];
  auto tx = d.write();
  // Checked again under the write lock: two CreateStack calls with one name race to here.
  if (find_stack(d, c.region, name)) throw ApiError(ErrorKind::Conflict, "AlreadyExistsException", "Stack [" + name + "] already exists");
  Key key{kStack, c.region, uuid};
  tx->create(key, doc, internal);
  tx->after_commit([&engine, key] { engine.submit_and_settle(key); });
  tx->commit();
  return {{"StackId", doc["StackId"]}};
}

json update_stack(Domain& d, const api::AwsApi& api, StackEngine& engine, const CallContext& c, const json& in) {
  const std::string name = str(in, "StackName");
  auto stack = stack_copy(d, c.region, name);
  if (!stack) validation_error("Stack [" + name + "] does not exist");
  std::string status = stack->doc.value("StackStatus", "");
  if (!updatable(status))
    validation_error("Stack:" + stack->doc.value("StackId", "") + " is in " + status + " state and can not be updated.");
  PreparedTemplate prepared = prepare_template(d, api, c, in, stack->doc.value("StackName", ""), &*stack);
  json values = values_of(prepared.parameters);
  bool same_tags = !in.contains("Tags") || in["Tags"] == stack->doc.value("Tags", json::array());
  if (prepared.tpl == stack->internal.value("Template", json()) && values == stack->internal.value("ParameterValues", json()) &&
      same_tags)
    validation_error("No updates are to be performed.");
  auto tx = d.write();
  const Record* current = tx->find(stack->key);
  if (!current || current->doc.value("StackStatus", "") != status)
    validation_error("Stack:" + stack->doc.value("StackId", "") + " is in " +
            (current ? current->doc.value("StackStatus", "") : "DELETE_COMPLETE") + " state and can not be updated.");
  Record& r = tx->modify(stack->key);
  r.doc["StackStatus"] = "UPDATE_IN_PROGRESS";
  r.doc["StackStatusReason"] = "User Initiated";
  r.doc["LastUpdatedTime"] = now_seconds(d);
  if (in.contains("Capabilities")) r.doc["Capabilities"] = in["Capabilities"];
  if (in.contains("Tags")) r.doc["Tags"] = in["Tags"];
  if (in.contains("NotificationARNs")) r.doc["NotificationARNs"] = in["NotificationARNs"];
  r.internal["Events"].insert(r.internal["Events"].begin(),
                              stack_event(r.doc, r.doc["StackName"], "AWS::CloudFormation::Stack", r.doc["StackId"],
                                          "UPDATE_IN_PROGRESS", "User Initiated", now_seconds(d)));
  r.internal["Operation"] = {{"Action", "UPDATE"},
                             {"Template", prepared.tpl},
                             {"Body", prepared.body},
                             {"ParameterValues", values},
                             {"Listing", prepared.parameters.listing},
                             {"PreviousTemplate", r.internal.value("Template", json::object())}};
  if (in.contains("StackPolicyDuringUpdateBody")) r.internal["Operation"]["StackPolicy"] = in["StackPolicyDuringUpdateBody"];
  Key key = r.key;
  json out = {{"StackId", r.doc["StackId"]}};
  tx->after_commit([&engine, key] { engine.submit_and_settle(key); });
  tx->commit();
  return out;
}

// DeleteStack answers 200 for a stack that does not exist (or is already deleted), as AWS does.
json delete_stack(Domain& d, StackEngine& engine, const CallContext& c, const json& in) {
  auto tx = d.write();
  const Record* stack = find_stack(d, c.region, str(in, "StackName"));
  if (!stack || stack->doc.value("StackStatus", "") == "DELETE_COMPLETE") {
    tx->commit();
    return json::object();
  }
  const std::string name = stack->doc.value("StackName", "");
  if (stack->doc.value("EnableTerminationProtection", false))
    validation_error("Stack [" + name + "] cannot be deleted while TerminationProtection is enabled");
  Record& r = tx->modify(stack->key);
  if (r.internal.contains("Operation")) {
    // Runs when the operation in progress ends (stack_engine.cpp finish()).
    r.internal["DeleteRequested"] = true;
    tx->commit();
    return json::object();
  }
  r.doc["StackStatus"] = "DELETE_IN_PROGRESS";
  r.doc["StackStatusReason"] = "User Initiated";
  r.internal["Events"].insert(r.internal["Events"].begin(),
                              stack_event(r.doc, name, "AWS::CloudFormation::Stack", r.doc["StackId"], "DELETE_IN_PROGRESS",
                                          "User Initiated", now_seconds(d)));
  r.internal["Operation"] = {{"Action", "DELETE"}, {"RetainResources", in.value("RetainResources", json::array())}};
  Key key = r.key;
  tx->after_commit([&engine, key] { engine.submit_and_settle(key); });
  tx->commit();
  return json::object();
}

json describe_stacks(Domain& d, const CallContext& c, const json& in) {
  auto lock = d.read();
  json stacks = json::array();
  if (in.contains("StackName")) {
    stacks.push_back(require_stack(d, c.region, str(in, "StackName")).doc);
  } else {
    for (const Record* r : d.list(kStack, c.region))
      if (r->doc.value("StackStatus", "") != "DELETE_COMPLETE") stacks.push_back(r->doc);
  }
  return {{"Stacks", stacks}};
}

json list_stacks(Domain& d, const CallContext& c, const json& in) {
  auto lock = d.read();
  json filter = in.value("StackStatusFilter", json::array()), summaries = json::array();
  for (const Record* r : d.list(kStack, c.region)) {
    const json& s = r->doc;
    if (!filter.empty() && std::find(filter.begin(), filter.end(), s["StackStatus"]) == filter.end()) continue;
    json summary = {{"StackId", s["StackId"]}, {"StackName", s["StackName"]}, {"CreationTime", s["CreationTime"]},
                    {"StackStatus", s["StackStatus"]}, {"DriftInformation", {{"StackDriftStatus", "NOT_CHECKED"}}}};
    for (const char* k : {"LastUpdatedTime", "DeletionTime", "StackStatusReason"}) copy_member(summary, s, k);
    if (s.contains("Description")) summary["TemplateDescription"] = s["Description"];
    summaries.push_back(summary);
  }
  return {{"StackSummaries", summaries}};
}

json describe_events(Domain& d, const CallContext& c, const json& in) {
  auto lock = d.read();
  const std::string name = str(in, "StackName");
  const Record* r = find_stack(d, c.region, name);
  // DescribeStackEvents words a missing stack differently from DescribeStacks; the CDK CLI's
  // event poller matches exactly this text to learn that a stack it deletes is gone
  // (aws-cdk-cli packages/@aws-cdk/toolkit-lib/lib/api/stack-events/stack-event-poller.ts).
  if (!r) validation_error("Stack [" + name + "] does not exist");
  return {{"StackEvents", r->internal.value("Events", json::array())}};
}

json resource_view(const Record& stack, const std::string& logical, const json& res, const char* time_member) {
  json v = {{"StackName", stack.doc["StackName"]},
            {"StackId", stack.doc["StackId"]},
            {"LogicalResourceId", logical},
            {"PhysicalResourceId", res.value("PhysicalResourceId", "")},
            {"ResourceType", res.value("Type", "")},
            {time_member, res.value("Timestamp", 0.0)},
            {"ResourceStatus", res.value("ResourceStatus", "")},
            {"DriftInformation", {{"StackResourceDriftStatus", "NOT_CHECKED"}}}};
  copy_member(v, res, "ResourceStatusReason");
  return v;
}

json describe_resources(Domain& d, const CallContext& c, const json& in) {
  auto lock = d.read();
  const Record* stack = nullptr;
  std::string physical = str(in, "PhysicalResourceId");
  if (in.contains("StackName")) {
    stack = &require_stack(d, c.region, str(in, "StackName"));
  } else if (!physical.empty()) {
    for (const Record* r : d.list(kStack, c.region))
      for (const auto& [logical, res] : section(r->internal, "Resources").items())
        if (res.value("PhysicalResourceId", "") == physical) stack = r;
    if (!stack) validation_error("Stack for " + physical + " does not exist");
  } else {
    validation_error("Either StackName or PhysicalResourceId must be specified.");
  }
  json out = json::array();
  for (const auto& [logical, res] : section(stack->internal, "Resources").items()) {
    if (in.contains("LogicalResourceId") && logical != str(in, "LogicalResourceId")) continue;
    if (!physical.empty() && res.value("PhysicalResourceId", "") != physical) continue;
    out.push_back(resource_view(*stack, logical, res, "Timestamp"));
  }
  return {{"StackResources", out}};
}

json describe_resource(Domain& d, const CallContext& c, const json& in) {
  auto lock = d.read();
  const Record& stack = require_stack(d, c.region, str(in, "StackName"));
  std::string logical = str(in, "LogicalResourceId");
  const json resources = stack.internal.value("Resources", json::object());
  if (!resources.contains(logical))
    validation_error("Resource " + logical + " does not exist for stack " + stack.doc.value("StackName", ""));
  json detail = resource_view(stack, logical, resources[logical], "LastUpdatedTimestamp");
  const json definition = stack.internal.value("Template", json::object()).value("Resources", json::object()).value(logical, json::object());
  if (definition.contains("Metadata")) detail["Metadata"] = definition["Metadata"].dump();
  return {{"StackResourceDetail", detail}};
}

json list_resources(Domain& d, const CallContext& c, const json& in) {
  auto lock = d.read();
  const Record& stack = require_stack(d, c.region, str(in, "StackName"));
  json out = json::array();
  for (const auto& [logical, res] : section(stack.internal, "Resources").items()) {
    json v = resource_view(stack, logical, res, "LastUpdatedTimestamp");
    v.erase("StackName");
    v.erase("StackId");
    out.push_back(v);
  }
  return {{"StackResourceSummaries", out}};
}

json get_template(Domain& d, const CallContext& c, const json& in) {
  auto lock = d.read();
  if (in.contains("ChangeSetName")) {
    std::string id = str(in, "ChangeSetName");
    const Record* cs = id.rfind("arn:", 0) == 0 ? find_by_id(d, kChangeSet, id) : nullptr;
    if (!cs && in.contains("StackName"))
      for (const Record* r : d.list(kChangeSet, c.region))
        if (r->doc.value("ChangeSetName", "") == id) {
          const Record* s = find_stack(d, c.region, str(in, "StackName"));
          if (s && r->doc.value("StackId", "") == s->doc.value("StackId", "")) cs = r;
        }
    if (!cs) throw ApiError(ErrorKind::NotFound, "ChangeSetNotFound", "ChangeSet [" + id + "] does not exist");
    return {{"TemplateBody", cs->internal.value("Body", "")}, {"StagesAvailable", {"Original", "Processed"}}};
  }
  const Record& stack = require_stack(d, c.region, str(in, "StackName"));
  return {{"TemplateBody", stack.internal.value("Body", "")}, {"StagesAvailable", {"Original", "Processed"}}};
}

json update_termination_protection(Domain& d, const CallContext& c, const json& in) {
  auto tx = d.write();
  const Record& stack = require_stack(d, c.region, str(in, "StackName"));
  Record& r = tx->modify(stack.key);
  r.doc["EnableTerminationProtection"] = in.value("EnableTerminationProtection", false);
  json out = {{"StackId", r.doc["StackId"]}};
  tx->commit();
  return out;
}

json set_stack_policy(Domain& d, const CallContext& c, const json& in) {
  if (in.contains("StackPolicyURL")) throw ApiError(ErrorKind::NotImplemented, "mediaemu does not read StackPolicyURL yet; pass StackPolicyBody");
  auto tx = d.write();
  const Record& stack = require_stack(d, c.region, str(in, "StackName"));
  json policy = json::parse(str(in, "StackPolicyBody"), nullptr, false);
  if (policy.is_discarded()) validation_error("Error validating stack policy: Invalid stack policy");
  tx->modify(stack.key).internal["StackPolicy"] = str(in, "StackPolicyBody");
  tx->commit();
  return json::object();
}

json get_stack_policy(Domain& d, const CallContext& c, const json& in) {
  auto lock = d.read();
  const Record& stack = require_stack(d, c.region, str(in, "StackName"));
  json out = json::object();
  if (stack.internal.contains("StackPolicy")) out["StackPolicyBody"] = stack.internal["StackPolicy"];
  return out;
}

json list_exports(Domain& d, const CallContext& c, const json&) {
  auto lock = d.read();
  json out = json::array();
  for (const auto& [name, value] : exports(d, c.region))
    out.push_back({{"ExportingStackId", value.second}, {"Name", name}, {"Value", value.first}});
  return {{"Exports", out}};
}

json list_imports(Domain& d, const CallContext& c, const json& in) {
  auto lock = d.read();
  std::string name = str(in, "ExportName");
  json out = json::array();
  for (const Record* r : d.list(kStack, c.region)) {
    std::string status = r->doc.value("StackStatus", "");
    if (status == "DELETE_COMPLETE" || status == "REVIEW_IN_PROGRESS") continue;
    if (imported_names(r->internal.value("Template", json::object())).count(name)) out.push_back(r->doc["StackName"]);
  }
  if (out.empty()) validation_error("Export '" + name + "' is not imported by any stack.");
  return {{"Imports", out}};
}

}  // namespace

void add_template_summary_operations(api::OperationTable& t, Domain& d, const api::AwsApi& api);
void add_change_set_operations(api::OperationTable& t, Domain& d, const api::AwsApi& api, StackEngine& engine);

api::OperationTable operations(Domain& d, const api::AwsApi& api, StackEngine& engine) {
  api::OperationTable t;
  t["CreateStack"] = [&d, &api, &engine](const CallContext& c, const json& in) { return create_stack(d, api, engine, c, in); };
  t["UpdateStack"] = [&d, &api, &engine](const CallContext& c, const json& in) { return update_stack(d, api, engine, c, in); };
  t["DeleteStack"] = [&d, &engine](const CallContext& c, const json& in) { return delete_stack(d, engine, c, in); };
  t["DescribeStacks"] = [&d](const CallContext& c, const json& in) { return describe_stacks(d, c, in); };
  t["ListStacks"] = [&d](const CallContext& c, const json& in) { return list_stacks(d, c, in); };
  t["DescribeStackEvents"] = [&d](const CallContext& c, const json& in) { return describe_events(d, c, in); };
  t["DescribeStackResources"] = [&d](const CallContext& c, const json& in) { return describe_resources(d, c, in); };
  t["DescribeStackResource"] = [&d](const CallContext& c, const json& in) { return describe_resource(d, c, in); };
  t["ListStackResources"] = [&d](const CallContext& c, const json& in) { return list_resources(d, c, in); };
  t["GetTemplate"] = [&d](const CallContext& c, const json& in) { return get_template(d, c, in); };
  t["UpdateTerminationProtection"] = [&d](const CallContext& c, const json& in) {
    return update_termination_protection(d, c, in);
  };
  t["SetStackPolicy"] = [&d](const CallContext& c, const json& in) { return set_stack_policy(d, c, in); };
  t["GetStackPolicy"] = [&d](const CallContext& c, const json& in) { return get_stack_policy(d, c, in); };
  t["ListExports"] = [&d](const CallContext& c, const json& in) { return list_exports(d, c, in); };
  t["ListImports"] = [&d](const CallContext& c, const json& in) { return list_imports(d, c, in); };
  add_template_summary_operations(t, d, api);
  add_change_set_operations(t, d, api, engine);
  return t;
}

}  // namespace mediaemu::cloudformation
