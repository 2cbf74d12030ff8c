#include "emulator/cloudformation/stack_engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <memory>
#include <set>
#include <thread>

#include "api/errors.hpp"
#include "emulator/cloudformation/cloudformation.hpp"
#include "emulator/cloudformation/providers/provider.hpp"
#include "emulator/cloudformation/stack_graph.hpp"
#include "emulator/cloudformation/stack_records.hpp"
#include "emulator/cloudformation/stack_requests.hpp"

namespace mediaemu::cloudformation {
namespace {

const char* kStackType = "AWS::CloudFormation::Stack";

// What went wrong, for the stack's status reason and the failing resource's event.
struct Failure {
  std::string logical;  // empty: the stack itself (outputs, exports, conditions)
  std::string reason;
};

StackResource as_stack_resource(const json& r) {
  return {r.value("Type", ""), r.value("PhysicalResourceId", ""), r.value("Properties", json::object()),
          r.value("Attributes", json::object())};
}

bool is_custom(const std::string& type) {
  return type.rfind("Custom::", 0) == 0 || type == "AWS::CloudFormation::CustomResource";
}

// One stack operation, run on the engine's thread from the stack's persisted record. It works on
// its own copy of the parts it owns (status, outputs, resources, events, operation) and writes
// them back after every step, leaving the parts the API may change meanwhile (termination
// protection, a stack policy) alone.
class Deployment {
 public:
  Deployment(Domain& domain, const api::AwsApi& api, const Key& key) : domain_(domain), api_(api), key_(key) {}

  void run() {
    {
      auto lock = domain_.read();
      const Record* r = domain_.find(key_);
      if (!r || !r->internal.contains("Operation")) return;
      doc_ = r->doc;
      internal_ = r->internal;
    }
    json& op = internal_["Operation"];
    const std::string action = op.value("Action", "");
    const bool resumed = op.value("Started", false);
    const std::string phase = op.value("Phase", "FORWARD");
    op["Started"] = true;
    persist();
    spdlog::info("cloudformation: {} stack {} ({}{})", action, doc_.value("StackName", ""), phase,
                 resumed ? ", resumed after a restart" : "");
    const std::string interrupted = "The operation was interrupted: mediaemu stopped while it ran.";
    if (action == "CREATE") {
      if (phase == "ROLLBACK" || resumed) rollback_create(resumed && phase == "FORWARD" ? Failure{"", interrupted} : Failure{});
      else create();
    } else if (action == "UPDATE") {
      if (phase == "CLEANUP") cleanup_update();
      else if (phase == "ROLLBACK" || resumed) rollback_update(phase == "FORWARD" ? Failure{"", interrupted} : Failure{});
      else update();
    } else if (action == "DELETE") {
      remove_stack();
    }
  }

 private:
  json& resources() {
    if (!internal_.contains("Resources")) internal_["Resources"] = json::object();
    return internal_["Resources"];
  }
  json& op() { return internal_["Operation"]; }
  double now() const { return now_seconds(domain_); }

  // Writes the parts this operation owns back to the record, durably.
  void persist() {
    auto tx = domain_.write();
    const Record* current = tx->find(key_);
    if (!current) return;
    Record& r = tx->modify(key_);
    for (const char* k : {"StackStatus", "StackStatusReason", "Outputs", "Parameters", "Description", "LastUpdatedTime",
                          "DeletionTime", "Capabilities", "NotificationARNs", "Tags", "DisableRollback"})
      if (doc_.contains(k)) r.doc[k] = doc_[k];
      else r.doc.erase(k);
    for (const char* k : {"Template", "Body", "ParameterValues", "Resources", "Events", "Operation"})
      if (internal_.contains(k)) r.internal[k] = internal_[k];
      else r.internal.erase(k);
    tx->commit();
  }

  void add_event(json event) {
    if (!internal_.contains("Events")) internal_["Events"] = json::array();
    internal_["Events"].insert(internal_["Events"].begin(), std::move(event));
  }

  void set_status(const std::string& status, const std::string& reason = "") {
    doc_["StackStatus"] = status;
    if (reason.empty()) doc_.erase("StackStatusReason");
    else doc_["StackStatusReason"] = reason;
    add_event(stack_event(doc_, doc_.value("StackName", ""), kStackType, doc_.value("StackId", ""), status, reason, now()));
    persist();
    spdlog::info("cloudformation: stack {} {}{}{}", doc_.value("StackName", ""), status, reason.empty() ? "" : ": ", reason);
  }

  void resource_status(const std::string& logical, const std::string& status, const std::string& reason = "",
                       const json* properties = nullptr) {
    json& r = resources()[logical];
    r["ResourceStatus"] = status;
    r["Timestamp"] = now();
    if (reason.empty()) r.erase("ResourceStatusReason");
    else r["ResourceStatusReason"] = reason;
    json event = stack_event(doc_, logical, r.value("Type", ""), r.value("PhysicalResourceId", ""), status, reason, now());
    if (properties) event["ResourceProperties"] = properties->dump();
    add_event(std::move(event));
    persist();
  }

  ProviderContext context(const std::string& logical) {
    api::CallContext call;
    call.region = key_.region;
    call.request_id = api::new_request_id();
    return ProviderContext(api_, domain_, call, doc_.value("StackName", ""), logical);
  }

  // The provider's create, or a placeholder (--cfn-unsupported=placeholder), or the reason none.
  Provided provide(const std::string& logical, const std::string& type, const json& props, bool& placeholder) {
    placeholder = false;
    if (is_custom(type))
      throw api::ApiError(api::ErrorKind::NotImplemented, "mediaemu runs no Lambda functions, so the custom resource " +
                                                              logical + " (" + type + ") cannot be created");
    auto p = providers().find(type);
    if (p == providers().end()) {
      if (!domain_.config().cfn_placeholders)
        throw api::ApiError(api::ErrorKind::NotImplemented,
                            "mediaemu has no provider for resource type " + type +
                                " yet; start mediaemu with --cfn-unsupported=placeholder to create placeholders instead");
      placeholder = true;
      return {context(logical).generated_name(), {}};
    }
    auto ctx = context(logical);
    ctx.on_created = [this, logical](const std::string& physical_id) {
      resources()[logical]["PhysicalResourceId"] = physical_id;
      persist();
    };
    return p->second.create(ctx, props);
  }

  // Creates one resource; its events and record. nullopt on success.
  std::optional<Failure> create_resource(const std::string& logical, const std::string& type, const json& props,
                                         const std::string& did, const json& before = nullptr) {
    json& r = resources()[logical];
    r = {{"Type", type}, {"PhysicalResourceId", ""}, {"Properties", props}, {"Attributes", json::object()}};
    if (did == "replaced") {
      r["PhysicalResourceId"] = before.value("PhysicalResourceId", "");
      resource_status(logical, "UPDATE_IN_PROGRESS",
                      "Requested update requires the creation of a new physical resource; hence creating one.", &props);
    } else {
      resource_status(logical, "CREATE_IN_PROGRESS", "", &props);
    }
    try {
      bool placeholder = false;
      Provided p = provide(logical, type, props, placeholder);
      r["PhysicalResourceId"] = p.physical_id;
      r["Attributes"] = p.attributes;
      if (placeholder) r["Placeholder"] = true;
      op()["Journal"].push_back({{"Logical", logical}, {"Did", did}, {"Before", before}});
      std::string reason = placeholder ? "mediaemu has no provider for " + type +
                                             ": created a placeholder (--cfn-unsupported=placeholder)"
                                       : "";
      resource_status(logical, did == "replaced" ? "UPDATE_COMPLETE" : "CREATE_COMPLETE", reason);
      return std::nullopt;
    } catch (const std::exception& e) {
      if (did == "replaced") r = before;
      resource_status(logical, did == "replaced" ? "UPDATE_FAILED" : "CREATE_FAILED", e.what());
      return Failure{logical, e.what()};
    }
  }

  // Deletes one resource (or skips it for DeletionPolicy Retain). False on failure.
  bool delete_resource(const std::string& logical, const json& tpl, bool erase) {
    json r = resources()[logical];
    std::string status = r.value("ResourceStatus", "");
    if (status == "DELETE_COMPLETE" || status == "DELETE_SKIPPED") return true;
    bool nothing = r.value("PhysicalResourceId", "").empty() || r.value("Placeholder", false);
    const json definition = tpl.value("Resources", json::object()).value(logical, json::object());
    const json retained = op().value("RetainResources", json::array());
    bool retain = definition.value("DeletionPolicy", "Delete") == "Retain" ||
                  std::find(retained.begin(), retained.end(), logical) != retained.end();
    if (retain && !nothing) {
      resource_status(logical, "DELETE_SKIPPED");
      if (erase) {
        resources().erase(logical);
        persist();
      }
      return true;
    }
    resource_status(logical, "DELETE_IN_PROGRESS");
    if (!nothing) {
      auto p = providers().find(r.value("Type", ""));
      try {
        if (p != providers().end()) {
          auto ctx = context(logical);
          p->second.remove(ctx, as_stack_resource(r));
        }
      } catch (const std::exception& e) {
        resource_status(logical, "DELETE_FAILED", e.what());
        return false;
      }
    }
    resource_status(logical, "DELETE_COMPLETE");
    if (erase) {
      resources().erase(logical);
      persist();
    }
    return true;
  }

  // Every resource of the stack, dependents first. Resources no longer in the template go first.
  std::vector<std::string> deletion_order(const json& tpl) {
    std::vector<std::string> order;
    std::vector<std::string> created = tpl.contains("Resources") ? creation_order(tpl) : std::vector<std::string>{};
    std::set<std::string> in_template(created.begin(), created.end());
    for (const auto& [logical, r] : resources().items())
      if (!in_template.count(logical)) order.push_back(logical);
    for (auto it = created.rbegin(); it != created.rend(); ++it)
      if (resources().contains(*it)) order.push_back(*it);
    return order;
  }

  // Deletes the resources in `logicals` (all when empty); the names of those that failed.
  std::vector<std::string> delete_all(const json& tpl, bool erase, const std::set<std::string>* only = nullptr) {
    std::vector<std::string> failed;
    for (const auto& logical : deletion_order(tpl))
      if ((!only || only->count(logical)) && !delete_resource(logical, tpl, erase)) failed.push_back(logical);
    return failed;
  }

  json outputs(const json& tpl, const Scope& scope) {
    json out = json::array();
    for (const auto& [key, o] : section(tpl, "Outputs").items()) {
      if (o.contains("Condition") && !scope.conditions.at(o["Condition"].get<std::string>())) continue;
      auto value = evaluate(o.value("Value", json("")), scope);
      json entry = {{"OutputKey", key}};
      if (value) {
        std::string text;
        if (value->is_array()) {
          for (const auto& item : *value) text += (text.empty() ? "" : ",") + as_text(item);
        } else {
          text = as_text(*value);
        }
        entry["OutputValue"] = text;
      }
      if (o.contains("Description")) entry["Description"] = as_text(o["Description"]);
      if (o.contains("Export")) entry["ExportName"] = as_text(evaluate_object(o["Export"], scope).value("Name", json("")));
      out.push_back(entry);
    }
    // Export names are unique in a region.
    auto lock = domain_.read();
    auto existing = exports(domain_, key_.region);
    for (const auto& o : out)
      if (o.contains("ExportName")) {
        auto it = existing.find(o["ExportName"]);
        if (it != existing.end() && it->second.second != doc_.value("StackId", ""))
          throw api::ApiError(api::ErrorKind::Validation, "ValidationError",
                              "Export with name " + o["ExportName"].get<std::string>() + " is already exported by stack " +
                                  it->second.second);
      }
    return out;
  }

  std::map<std::string, json> parameter_values(const json& values) {
    std::map<std::string, json> out;
    for (const auto& [k, v] : values.items()) out[k] = v;
    return out;
  }

  // --- create ----------------------------------------------------------------------------------

  // The forward pass of a create or an update: `step` for each resource of the operation's
  // template whose condition holds, dependencies first, then the outputs. The first failure.
  using Step = std::function<std::optional<Failure>(const std::string& logical, const json& tpl, const Scope& scope)>;
  std::optional<Failure> forward(const json& tpl, const Step& step) {
    op()["Journal"] = json::array();
    try {
      Scope scope = stack_scope(domain_, doc_, tpl, parameter_values(op()["ParameterValues"]), resources());
      for (const auto& logical : creation_order(tpl, &scope.conditions))
        if (auto failure = step(logical, tpl, scope)) return failure;
      doc_["Outputs"] = outputs(tpl, scope);
    } catch (const std::exception& e) {
      return Failure{"", e.what()};
    }
    return std::nullopt;
  }

  void create() {
    const json tpl = op()["Template"];
    auto failure = forward(tpl, [this](const std::string& logical, const json& tpl, const Scope& scope) {
      const json& definition = tpl["Resources"][logical];
      json props;
      try {
        props = evaluate_object(definition.value("Properties", json::object()), scope);
      } catch (const std::exception& e) {
        resources()[logical] = {{"Type", definition["Type"]}, {"PhysicalResourceId", ""}};
        resource_status(logical, "CREATE_FAILED", e.what());
        return std::optional<Failure>(Failure{logical, e.what()});
      }
      return create_resource(logical, definition["Type"], props, "created");
    });
    if (failure) return rollback_create(*failure);
    finish("CREATE_COMPLETE");
  }

  void rollback_create(const Failure& failure) {
    const json tpl = op()["Template"];
    std::string on_failure = op().value("OnFailure", "ROLLBACK");
    std::string reason = failure.logical.empty() ? failure.reason + " "
                                                 : "The following resource(s) failed to create: [" + failure.logical + "]. ";
    if (on_failure == "DO_NOTHING" && op().value("Phase", "FORWARD") == "FORWARD") {
      internal_["Template"] = tpl;
      internal_["Body"] = op()["Body"];
      return finish("CREATE_FAILED", reason);
    }
    if (op().value("Phase", "FORWARD") == "FORWARD") {
      op()["Phase"] = "ROLLBACK";
      set_status(on_failure == "DELETE" ? "DELETE_IN_PROGRESS" : "ROLLBACK_IN_PROGRESS",
                 reason + (on_failure == "DELETE" ? "" : "Rollback requested by user."));
    }
    auto failed = delete_all(tpl, false);
    internal_["Template"] = tpl;
    internal_["Body"] = op()["Body"];
    if (on_failure == "DELETE") {
      if (failed.empty()) doc_["DeletionTime"] = now();
      return finish(failed.empty() ? "DELETE_COMPLETE" : "DELETE_FAILED");
    }
    finish(failed.empty() ? "ROLLBACK_COMPLETE" : "ROLLBACK_FAILED");
  }

  // --- update ----------------------------------------------------------------------------------

  void update() {
    const json tpl = op()["Template"];
    auto failure = forward(tpl, [this](const std::string& logical, const json& t, const Scope& scope) {
      return update_resource(logical, t, scope);
    });
    if (failure) return rollback_update(*failure);
    // The new template is in force: what it no longer has, and what was replaced, goes.
    internal_["Template"] = tpl;
    internal_["Body"] = op()["Body"];
    internal_["ParameterValues"] = op()["ParameterValues"];
    doc_["Parameters"] = op()["Listing"];
    if (op()["Template"].contains("Description")) doc_["Description"] = op()["Template"]["Description"];
    else doc_.erase("Description");
    op()["Phase"] = "CLEANUP";
    set_status("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS");
    cleanup_update();
  }

  std::optional<Failure> update_resource(const std::string& logical, const json& tpl, const Scope& scope) {
    const json& definition = tpl["Resources"][logical];
    const std::string type = definition["Type"];
    json props;
    try {
      props = evaluate_object(definition.value("Properties", json::object()), scope);
    } catch (const std::exception& e) {
      return Failure{logical, e.what()};
    }
    if (!resources().contains(logical) || resources()[logical].value("ResourceStatus", "") == "DELETE_COMPLETE")
      return create_resource(logical, type, props, "created");
    json before = resources()[logical];
    if (before.value("Type", "") == type && before.value("Properties", json::object()) == props) return std::nullopt;
    if (requires_replacement(before, type, props)) return create_resource(logical, type, props, "replaced", before);
    auto p = providers().find(type);
    resource_status(logical, "UPDATE_IN_PROGRESS", "", &props);
    try {
      auto ctx = context(logical);
      Provided result = p->second.update(ctx, as_stack_resource(before), props);
      json& r = resources()[logical];
      r["Properties"] = props;
      r["Attributes"] = result.attributes;
      op()["Journal"].push_back({{"Logical", logical}, {"Did", "updated"}, {"Before", before}});
      resource_status(logical, "UPDATE_COMPLETE");
      return std::nullopt;
    } catch (const std::exception& e) {
      resource_status(logical, "UPDATE_FAILED", e.what());
      return Failure{logical, e.what()};
    }
  }

  // Deletes the physical resource a replacement superseded, under the resource's own logical id
  // (its events carry the old physical id), unless UpdateReplacePolicy is Retain.
  void delete_replaced(const std::string& logical, const json& old, const json& tpl) {
    const std::string type = old.value("Type", ""), physical = old.value("PhysicalResourceId", "");
    auto event = [&](const std::string& status, const std::string& reason = "") {
      add_event(stack_event(doc_, logical, type, physical, status, reason, now()));
      persist();
    };
    if (physical.empty() || old.value("Placeholder", false)) return;
    if (section(section(tpl, "Resources"), logical).value("UpdateReplacePolicy", "Delete") == "Retain")
      return event("DELETE_SKIPPED");
    event("DELETE_IN_PROGRESS");
    try {
      auto p = providers().find(type);
      if (p != providers().end()) {
        auto ctx = context(logical);
        p->second.remove(ctx, as_stack_resource(old));
      }
      event("DELETE_COMPLETE");
    } catch (const std::exception& e) {
      // As CloudFormation does, a failed cleanup leaves the old resource and the update stands.
      event("DELETE_FAILED", e.what());
    }
  }

  // Deletes what the update replaced (the old physical resources) and what the new template no
  // longer has.
  void cleanup_update() {
    const json tpl = internal_["Template"];
    json& journal = op()["Journal"];
    while (!journal.empty()) {
      json entry = journal.back();
      if (entry.value("Did", "") == "replaced") delete_replaced(entry["Logical"], entry["Before"], tpl);
      journal.erase(journal.size() - 1);
      persist();
    }
    Scope scope = stack_scope(domain_, doc_, tpl, parameter_values(internal_["ParameterValues"]), resources());
    auto wanted = creation_order(tpl, &scope.conditions);
    std::set<std::string> gone;
    for (const auto& [logical, r] : resources().items())
      if (std::find(wanted.begin(), wanted.end(), logical) == wanted.end()) gone.insert(logical);
    json old_template = op().value("PreviousTemplate", tpl);
    delete_all(old_template, true, &gone);
    finish("UPDATE_COMPLETE");
  }

  void rollback_update(const Failure& failure) {
    if (op().value("Phase", "FORWARD") == "FORWARD") {
      op()["Phase"] = "ROLLBACK";
      set_status("UPDATE_ROLLBACK_IN_PROGRESS",
                 failure.logical.empty() ? failure.reason
                                         : "The following resource(s) failed to update: [" + failure.logical + "]. ");
    }
    const json tpl = op()["Template"];
    json& journal = op()["Journal"];
    bool ok = true;
    while (!journal.empty()) {
      json entry = journal.back();
      std::string logical = entry["Logical"], did = entry["Did"];
      if (did == "created") {
        ok = delete_resource(logical, tpl, true) && ok;
      } else if (did == "updated" || did == "replaced") {
        const json before = entry["Before"];
        if (did == "replaced") {
          ok = delete_resource(logical, tpl, false) && ok;
        } else {
          resource_status(logical, "UPDATE_IN_PROGRESS");
          try {
            auto p = providers().find(before.value("Type", ""));
            auto ctx = context(logical);
            Provided result = p->second.update(ctx, as_stack_resource(resources()[logical]), before["Properties"]);
            resources()[logical]["Attributes"] = result.attributes;
          } catch (const std::exception& e) {
            resource_status(logical, "UPDATE_FAILED", e.what());
            ok = false;
          }
        }
        resources()[logical] = before;
        resource_status(logical, "UPDATE_COMPLETE");
      }
      journal.erase(journal.size() - 1);
      persist();
    }
    if (!ok) return finish("UPDATE_ROLLBACK_FAILED");
    set_status("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS");
    finish("UPDATE_ROLLBACK_COMPLETE");
  }

  // --- delete ----------------------------------------------------------------------------------

  // An export that another stack imports keeps the stack: the deletion fails, deleting nothing.
  std::string export_in_use() {
    auto lock = domain_.read();
    for (const auto& o : doc_.value("Outputs", json::array())) {
      if (!o.contains("ExportName")) continue;
      for (const Record* other : domain_.list(kStack, key_.region)) {
        std::string status = other->doc.value("StackStatus", "");
        if (other->key == key_ || status == "DELETE_COMPLETE") continue;
        if (imported_names(section(other->internal, "Template")).count(o["ExportName"]))
          return "Export " + o["ExportName"].get<std::string>() + " cannot be deleted as it is in use by " +
                 other->doc.value("StackName", "");
      }
    }
    return "";
  }

  void remove_stack() {
    if (std::string in_use = export_in_use(); !in_use.empty()) return finish("DELETE_FAILED", in_use);
    auto failed = delete_all(internal_.value("Template", json::object()), false);
    if (!failed.empty()) {
      std::string names;
      for (const auto& f : failed) names += (names.empty() ? "" : ", ") + f;
      return finish("DELETE_FAILED", "The following resource(s) failed to delete: [" + names + "]. ");
    }
    doc_["DeletionTime"] = now();
    finish("DELETE_COMPLETE");
  }

  // Ends the operation: its final status, and the change set it executed marked done.
  void finish(const std::string& status, const std::string& reason = "") {
    std::string change_set = op().value("ChangeSetId", "");
    bool succeeded = status.find("FAILED") == std::string::npos && status.find("ROLLBACK") == std::string::npos;
    internal_.erase("Operation");
    set_status(status, reason);
    // A DeleteStack that arrived while this operation ran (the API queued it) runs now.
    bool delete_requested = false;
    {
      auto tx = domain_.write();
      if (const Record* r = tx->find(key_); r && r->internal.value("DeleteRequested", false)) {
        tx->modify(key_).internal.erase("DeleteRequested");
        delete_requested = status != "DELETE_COMPLETE";
      }
      tx->commit();
    }
    if (delete_requested) {
      internal_["Operation"] = {{"Action", "DELETE"}, {"Started", true}};
      set_status("DELETE_IN_PROGRESS", "User Initiated");
      remove_stack();
    }
    if (!change_set.empty()) {
      auto tx = domain_.write();
      if (const Record* cs = find_by_id(tx->domain(), kChangeSet, change_set)) {
        Record& r = tx->modify(cs->key);
        r.doc["ExecutionStatus"] = succeeded ? "EXECUTE_COMPLETE" : "EXECUTE_FAILED";
      }
      tx->commit();
    }
  }

  Domain& domain_;
  const api::AwsApi& api_;
  Key key_;
  json doc_, internal_;
};

}  // namespace

StackEngine::StackEngine(Domain& domain, const api::AwsApi& api) : domain_(domain), api_(api) {}

void StackEngine::run_now(Domain& domain, const api::AwsApi& api, const Key& stack) { Deployment(domain, api, stack).run(); }

StackEngine::~StackEngine() { stop(); }

void StackEngine::start() {
  std::vector<Key> pending;
  {
    auto read = domain_.read();
    for (const Record* r : domain_.list_all(kStack))
      if (r->internal.contains("Operation")) pending.push_back(r->key);
  }
  for (const auto& key : pending) submit(key);
}

void StackEngine::stop() {
  stopping_ = true;
  worker_.finish();
}

void StackEngine::submit(const Key& stack) {
  worker_.post([this, stack] { run(stack); });
}

void StackEngine::submit_and_settle(const Key& stack) {
  auto ended = std::make_shared<std::promise<void>>();
  std::future<void> settled = ended->get_future();
  if (!worker_.post([this, stack, ended] {
        run(stack);
        ended->set_value();
      }))
    return;
  // A nested stack's request comes from the engine's own thread (its parent's operation), which
  // runs it at once itself (run_now): waiting there would only wait for the parent.
  if (domain_.config().state_delay_ms == 0 && std::this_thread::get_id() != worker_.id())
    settled.wait_for(kSettleWait);
}

void StackEngine::run(const Key& stack) {
  if (stopping_) return;
  try {
    Deployment(domain_, api_, stack).run();
  } catch (const std::exception& e) {
    // A bug, not a template problem: the stack stays in progress and resumes (rolls back) on
    // the next start.
    spdlog::error("cloudformation: stack {} operation failed unexpectedly: {}", stack.id, e.what());
  }
}

}  // namespace mediaemu::cloudformation
