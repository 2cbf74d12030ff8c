// Change sets: the changes an update (or a create, ChangeSetType CREATE, which makes a stack in
// REVIEW_IN_PROGRESS) would make, computed when the change set is created; ExecuteChangeSet
// runs them as the StackEngine runs any create or update. `aws cloudformation deploy` and
// `cdk deploy` work this way.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html
#include "api/errors.hpp"
#include "emulator/cloudformation/cloudformation.hpp"
#include "emulator/cloudformation/providers/provider.hpp"
#include "emulator/cloudformation/stack_engine.hpp"
#include "emulator/cloudformation/stack_graph.hpp"
#include "emulator/cloudformation/stack_records.hpp"
#include "emulator/cloudformation/stack_requests.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::cloudformation {
namespace {

using api::ApiError;
using api::ErrorKind;

// "The submitted information didn't contain changes." is what `aws cloudformation deploy`
// matches to report "No changes to deploy" and exit 0.
const char* kNoChanges = "The submitted information didn't contain changes. Submit different information to create a change set.";

json resource_change(const std::string& action, const std::string& logical, const std::string& physical,
                     const std::string& type, const std::string& replacement) {
  json c = {{"Action", action}, {"LogicalResourceId", logical}, {"ResourceType", type}, {"Scope", json::array()},
            {"Details", json::array()}};
  if (!physical.empty()) c["PhysicalResourceId"] = physical;
  if (!replacement.empty()) c["Replacement"] = replacement;
  return {{"Type", "Resource"}, {"ResourceChange", c}};
}

// Add / Modify / Remove per resource, comparing the new template's resolved properties with
// what each resource was last given. A property that cannot be resolved yet (it names a resource
// the change set adds) makes the change Conditional, as CloudFormation reports it.
json changes(Domain& d, const Record& stack, const json& tpl, const std::map<std::string, json>& values) {
  const json resources = stack.internal.value("Resources", json::object());
  const json old_tpl = stack.internal.value("Template", json::object());
  Scope scope = stack_scope(d, stack.doc, tpl, values, resources);
  auto order = creation_order(tpl, &scope.conditions);
  json out = json::array();
  for (const auto& logical : order) {
    const json& definition = tpl["Resources"][logical];
    std::string type = definition["Type"];
    bool exists = resources.contains(logical) && resources[logical].value("ResourceStatus", "") != "DELETE_COMPLETE";
    if (!exists) {
      out.push_back(resource_change("Add", logical, "", type, ""));
      continue;
    }
    const json& current = resources[logical];
    if (current.value("Type", "") != type) {
      out.push_back(resource_change("Modify", logical, current.value("PhysicalResourceId", ""), type, "True"));
      continue;
    }
    std::string replacement;
    try {
      json props = evaluate_object(definition.value("Properties", json::object()), scope);
      if (props == current.value("Properties", json::object())) continue;
      replacement = requires_replacement(current, type, props) ? "True" : "False";
    } catch (const ApiError&) {
      const json old_definition = old_tpl.value("Resources", json::object()).value(logical, json::object());
      if (old_definition.value("Properties", json::object()) == definition.value("Properties", json::object())) continue;
      replacement = "Conditional";
    }
    out.push_back(resource_change("Modify", logical, current.value("PhysicalResourceId", ""), type, replacement));
  }
  for (const auto& [logical, r] : resources.items())
    if (std::find(order.begin(), order.end(), logical) == order.end() && r.value("ResourceStatus", "") != "DELETE_COMPLETE")
      out.push_back(resource_change("Remove", logical, r.value("PhysicalResourceId", ""), r.value("Type", ""), ""));
  return out;
}

const Record& require_change_set(const Domain& d, const CallContext& c, const json& in) {
  std::string id = str(in, "ChangeSetName");
  if (id.rfind("arn:", 0) == 0) {
    if (const Record* r = find_by_id(d, kChangeSet, id)) return *r;
  } else if (in.contains("StackName")) {
    if (const Record* stack = find_stack(d, c.region, str(in, "StackName")))
      for (const Record* r : d.list(kChangeSet, c.region))
        if (r->doc.value("ChangeSetName", "") == id && r->doc.value("StackId", "") == stack->doc.value("StackId", ""))
          return *r;
  } else {
    validation_error("StackName must be specified if ChangeSetName is not specified as an ARN.");
  }
  throw ApiError(ErrorKind::NotFound, "ChangeSetNotFound", "ChangeSet [" + id + "] does not exist");
}

json create_change_set(Domain& d, const api::AwsApi& api, const CallContext& c, const json& in) {
  const std::string stack_name = str(in, "StackName"), name = str(in, "ChangeSetName");
  const std::string type = in.value("ChangeSetType", "UPDATE");
  if (type == "IMPORT") throw ApiError(ErrorKind::NotImplemented, "mediaemu does not import existing resources into stacks yet");
  std::optional<Record> stack;
  {
    auto lock = d.read();
    if (const Record* r = find_stack(d, c.region, stack_name)) stack = *r;
  }
  std::string status = stack ? stack->doc.value("StackStatus", "") : "";
  if (type == "CREATE" && stack && status != "REVIEW_IN_PROGRESS")
    throw ApiError(ErrorKind::Conflict, "AlreadyExistsException", "Stack [" + stack_name + "] already exists");
  if (type == "UPDATE") {
    if (!stack) validation_error("Stack [" + stack_name + "] does not exist");
    if (status == "REVIEW_IN_PROGRESS" || in_progress(status) || status.find("FAILED") != std::string::npos ||
        status == "ROLLBACK_COMPLETE")
      validation_error("Stack:" + stack->doc.value("StackId", "") + " is in " + status + " state and can not be updated.");
  }
  PreparedTemplate prepared = prepare_template(d, api, c, in, stack_name, stack ? &*stack : nullptr);
  json values = json::object();
  for (const auto& [k, v] : prepared.parameters.values) values[k] = v;
  // Computed before the write lock: resolving properties may read SSM, secrets and exports.
  Record view = stack ? *stack : Record{{kStack, c.region, ""},
                                           {{"StackName", stack_name}, {"StackId", cloudformation_arn(c, "stack", stack_name, "")}},
                                           json::object()};
  json list = changes(d, view, prepared.tpl, prepared.parameters.values);

  auto tx = d.write();
  const Record* live = find_stack(d, c.region, stack_name);
  Key stack_key;
  json stack_doc;
  if (live) {
    stack_key = live->key;
    stack_doc = live->doc;
  } else {
    // ChangeSetType CREATE: the stack exists from now on, in REVIEW_IN_PROGRESS, with no resources.
    std::string uuid = new_uuid();
    stack_key = {kStack, c.region, uuid};
    stack_doc = {{"StackId", cloudformation_arn(c, "stack", stack_name, uuid)},
                 {"StackName", stack_name},
                 {"CreationTime", now_seconds(d)},
                 {"StackStatus", "REVIEW_IN_PROGRESS"},
                 {"StackStatusReason", "User Initiated"},
                 {"DisableRollback", false},
                 {"NotificationARNs", json::array()},
                 {"Tags", in.value("Tags", json::array())},
                 {"EnableTerminationProtection", false},
                 {"RollbackConfiguration", json::object()},
                 {"DriftInformation", {{"StackDriftStatus", "NOT_CHECKED"}}}};
    tx->create(stack_key, stack_doc,
               {{"Resources", json::object()},
                {"Events", json::array({stack_event(stack_doc, stack_name, "AWS::CloudFormation::Stack",
                                                    stack_doc["StackId"], "REVIEW_IN_PROGRESS", "User Initiated", now_seconds(d))})}});
  }
  for (const Record* r : d.list(kChangeSet, c.region))
    if (r->doc.value("ChangeSetName", "") == name && r->doc.value("StackId", "") == stack_doc.value("StackId", ""))
      throw ApiError(ErrorKind::Conflict, "AlreadyExistsException", "ChangeSet " + name + " already exists");
  bool empty = list.empty() && live && status != "REVIEW_IN_PROGRESS" &&
               prepared.tpl == live->internal.value("Template", json()) &&
               values == live->internal.value("ParameterValues", json());
  std::string uuid = new_uuid();
  json doc = {{"ChangeSetName", name},
              {"ChangeSetId", cloudformation_arn(c, "changeSet", name, uuid)},
              {"StackId", stack_doc["StackId"]},
              {"StackName", stack_name},
              {"Parameters", prepared.parameters.listing},
              {"CreationTime", now_seconds(d)},
              {"ExecutionStatus", empty ? "UNAVAILABLE" : "AVAILABLE"},
              {"Status", empty ? "FAILED" : "CREATE_COMPLETE"},
              {"NotificationARNs", in.value("NotificationARNs", json::array())},
              {"Capabilities", in.value("Capabilities", json::array())},
              {"Tags", in.value("Tags", json::array())},
              {"Changes", list},
              {"IncludeNestedStacks", false},
              {"RollbackConfiguration", json::object()}};
  if (empty) doc["StatusReason"] = kNoChanges;
  copy_member(doc, in, "Description");
  json internal = {{"Type", type}, {"Template", prepared.tpl}, {"Body", prepared.body}, {"ParameterValues", values},
                   {"OnFailure", in.value("OnStackFailure", "ROLLBACK")}};
  tx->create({kChangeSet, c.region, uuid}, doc, internal);
  tx->commit();
  return {{"Id", doc["ChangeSetId"]}, {"StackId", doc["StackId"]}};
}

json describe_change_set(Domain& d, const CallContext& c, const json& in) {
  auto lock = d.read();
  return require_change_set(d, c, in).doc;
}

json list_change_sets(Domain& d, const CallContext& c, const json& in) {
  auto lock = d.read();
  const Record& stack = require_stack(d, c.region, str(in, "StackName"));
  json out = json::array();
  for (const Record* r : d.list(kChangeSet, c.region)) {
    if (r->doc.value("StackId", "") != stack.doc.value("StackId", "")) continue;
    json s = json::object();
    for (const char* k : {"StackId", "StackName", "ChangeSetId", "ChangeSetName", "ExecutionStatus", "Status", "StatusReason",
                          "CreationTime", "Description", "IncludeNestedStacks"})
      copy_member(s, r->doc, k);
    out.push_back(s);
  }
  return {{"Summaries", out}};
}

json delete_change_set(Domain& d, const CallContext& c, const json& in) {
  auto tx = d.write();
  const Record& cs = require_change_set(d, c, in);
  if (cs.doc.value("ExecutionStatus", "") == "EXECUTE_IN_PROGRESS")
    throw ApiError(ErrorKind::Validation, "InvalidChangeSetStatus",
                   "Cannot delete ChangeSet " + cs.doc.value("ChangeSetId", "") + " while it is being executed");
  tx->remove(cs.key);
  tx->commit();
  return json::object();
}

json execute_change_set(Domain& d, StackEngine& engine, const CallContext& c, const json& in) {
  auto tx = d.write();
  const Record& cs = require_change_set(d, c, in);
  if (cs.doc.value("ExecutionStatus", "") != "AVAILABLE")
    throw ApiError(ErrorKind::Validation, "InvalidChangeSetStatus",
                   "ChangeSet [" + cs.doc.value("ChangeSetId", "") + "] cannot be executed in its current status of [" +
                       cs.doc.value("Status", "") + "]");
  const Record* stack = find_by_id(d, kStack, cs.doc.value("StackId", ""));
  if (!stack || stack->doc.value("StackStatus", "") == "DELETE_COMPLETE")
    validation_error("Stack [" + cs.doc.value("StackName", "") + "] does not exist");
  std::string status = stack->doc.value("StackStatus", "");
  bool create = status == "REVIEW_IN_PROGRESS";
  if (!create && (in_progress(status) || status.find("FAILED") != std::string::npos || status == "ROLLBACK_COMPLETE"))
    validation_error("Stack:" + stack->doc.value("StackId", "") + " is in " + status + " state and can not be updated.");
  Record& r = tx->modify(stack->key);
  std::string action = create ? "CREATE" : "UPDATE";
  r.doc["StackStatus"] = action + "_IN_PROGRESS";
  r.doc["StackStatusReason"] = "User Initiated";
  r.doc["Capabilities"] = cs.doc.value("Capabilities", json::array());
  if (!create) r.doc["LastUpdatedTime"] = now_seconds(d);
  if (create) {
    r.doc["Parameters"] = cs.doc["Parameters"];
    if (cs.internal["Template"].contains("Description")) r.doc["Description"] = cs.internal["Template"]["Description"];
    r.internal["Template"] = cs.internal["Template"];
    r.internal["Body"] = cs.internal["Body"];
    r.internal["ParameterValues"] = cs.internal["ParameterValues"];
  }
  r.internal["Events"].insert(r.internal["Events"].begin(),
                              stack_event(r.doc, r.doc["StackName"], "AWS::CloudFormation::Stack", r.doc["StackId"],
                                          action + "_IN_PROGRESS", "User Initiated", now_seconds(d)));
  r.internal["Operation"] = {{"Action", action},
                             {"Template", cs.internal["Template"]},
                             {"Body", cs.internal["Body"]},
                             {"ParameterValues", cs.internal["ParameterValues"]},
                             {"Listing", cs.doc["Parameters"]},
                             {"OnFailure", cs.internal.value("OnFailure", "ROLLBACK")},
                             {"ChangeSetId", cs.doc["ChangeSetId"]},
                             {"PreviousTemplate", r.internal.value("Template", json::object())}};
  tx->modify(cs.key).doc["ExecutionStatus"] = "EXECUTE_IN_PROGRESS";
  // "After you execute a change set, CloudFormation deletes any additional change sets that are
  // associated with the stack because they're no longer valid for the updated stack" (CFN-UG
  // using-cfn-updating-stacks-changesets-execute); the executed one stays listed.
  std::vector<Key> others;
  for (const Record* other : d.list(kChangeSet, c.region))
    if (other->key.id != cs.key.id && other->doc.value("StackId", "") == r.doc.value("StackId", ""))
      others.push_back(other->key);
  for (const Key& other : others) tx->remove(other);
  Key key = r.key;
  tx->after_commit([&engine, key] { engine.submit_and_settle(key); });
  tx->commit();
  return json::object();
}

}  // namespace

void add_change_set_operations(api::OperationTable& t, Domain& d, const api::AwsApi& api, StackEngine& engine) {
  t["CreateChangeSet"] = [&d, &api](const CallContext& c, const json& in) { return create_change_set(d, api, c, in); };
  t["DescribeChangeSet"] = [&d](const CallContext& c, const json& in) { return describe_change_set(d, c, in); };
  t["ListChangeSets"] = [&d](const CallContext& c, const json& in) { return list_change_sets(d, c, in); };
  t["DeleteChangeSet"] = [&d](const CallContext& c, const json& in) { return delete_change_set(d, c, in); };
  t["ExecuteChangeSet"] = [&d, &engine](const CallContext& c, const json& in) { return execute_change_set(d, engine, c, in); };
}

}  // namespace mediaemu::cloudformation
