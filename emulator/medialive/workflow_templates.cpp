// MediaLive workflow monitor templates: CloudWatch alarm template groups and templates,
// EventBridge rule template groups and templates, each Create/Get/List/Update/Delete.
//
// A template belongs to one group (GroupIdentifier: the group's id or name); a signal map
// names groups, and deploying its monitor would make an alarm or rule per template and media
// resource (deployment is not emulated: StartMonitorDeployment answers 501). Ids are 7-digit
// numbers; AWS's own templates have ids starting "aws-" and show only with Scope "aws-managed"
// (mediaemu has none). Names are unique per type and region and have no whitespace; a group
// with templates, or one a signal map uses, cannot be deleted (409).
// https://docs.aws.amazon.com/medialive/latest/apireference/cloudwatch-alarm-templates.html
// https://docs.aws.amazon.com/mediatailor/latest/ug/monitor-with-workflow-monitor-configure-templates.html
// https://docs.aws.amazon.com/cli/latest/reference/medialive/get-cloud-watch-alarm-template.html ("Can be either be
// its id or current name")
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "api/timestamps.hpp"
#include "emulator/medialive/medialive.hpp"

namespace mediaemu::medialive {
namespace workflow_templates {

// What differs between the two families: their kinds, ARN resource types, list members and the
// template settings the API takes.
struct TemplateFamily {
  std::string label;           // "CloudWatch alarm template"
  std::string group_kind, template_kind;
  std::string group_arn_type, template_arn_type;
  std::string groups_member, templates_member;  // ListXxx output members
  std::vector<const char*> settings;             // template members copied from Create/Update
};

const TemplateFamily& cloudwatch_family() {
  static const TemplateFamily f{"CloudWatch alarm template", kCloudWatchAlarmTemplateGroup, kCloudWatchAlarmTemplate,
                                "cloudwatch-alarm-template-group", "cloudwatch-alarm-template",
                                "CloudWatchAlarmTemplateGroups", "CloudWatchAlarmTemplates",
                                {"ComparisonOperator", "DatapointsToAlarm", "Description", "EvaluationPeriods",
                                 "MetricName", "Period", "Statistic", "TargetResourceType", "Threshold",
                                 "TreatMissingData"}};
  return f;
}

const TemplateFamily& eventbridge_family() {
  static const TemplateFamily f{"EventBridge rule template", kEventBridgeRuleTemplateGroup, kEventBridgeRuleTemplate,
                                "eventbridge-rule-template-group", "eventbridge-rule-template",
                                "EventBridgeRuleTemplateGroups", "EventBridgeRuleTemplates",
                                {"Description", "EventTargets", "EventType"}};
  return f;
}

std::string timestamp_now(const Tx& tx) { return api::format_iso8601(static_cast<double>(tx.now_ms()) / 1000.0); }

// Names match ^[^\s]+$ (the botocore model keeps no patterns, so the check is here).
void check_workflow_name(const std::string& name, const std::string& what) {
  if (name.empty() || name.find_first_of(" \t\r\n\f\v") != std::string::npos)
    throw api::bad_request(what + " name '" + name + "' is not valid: it must be 1-255 characters without whitespace");
}

void check_name_free(const Domain& domain, const CallContext& ctx, const std::string& kind, const std::string& name,
                     const std::string& what, const std::string& except_id = "") {
  for (const Record* r : domain.list(kind, ctx.region))
    if (str(r->doc, "Name") == name && r->key.id != except_id)
      throw api::conflict("A " + what + " named " + name + " already exists (" + r->key.id + ")");
}

// An EventBridge template sends to at most five targets (EventTargetCount is __integerMax5).
void check_event_targets(const json& in) {
  if (in.contains("EventTargets") && in["EventTargets"].size() > 5)
    throw api::bad_request("An EventBridge rule template has at most 5 EventTargets, not " +
                           std::to_string(in["EventTargets"].size()));
}

std::vector<const Record*> templates_in(const Domain& domain, const std::string& region, const TemplateFamily& f,
                                        const std::string& group_id) {
  std::vector<const Record*> out;
  for (const Record* r : domain.list(f.template_kind, region))
    if (str(r->doc, "GroupId") == group_id) out.push_back(r);
  return out;
}

// Scope "aws-managed" lists only AWS's own templates, which mediaemu does not have.
bool only_aws_managed(const json& in) { return str(in, "Scope") == "aws-managed"; }

// The group ids of a signal map named by SignalMapIdentifier, for the List filters.
std::vector<std::string> signal_map_groups(const Domain& domain, const CallContext& ctx, const TemplateFamily& f,
                                           const std::string& identifier) {
  const Record& map = require_by_identifier(domain, ctx, kSignalMap, identifier, "Signal map");
  const char* member = &f == &cloudwatch_family() ? "CloudWatchAlarmTemplateGroupIds" : "EventBridgeRuleTemplateGroupIds";
  return map.doc.value(member, std::vector<std::string>{});
}

// A Create retried with the same RequestId (the SDKs fill this idempotency token) answers what
// the first one made instead of a name conflict.
const Record* created_by_request(const Domain& domain, const CallContext& ctx, const std::string& kind, const json& in) {
  const std::string request_id = str(in, "RequestId");
  if (request_id.empty()) return nullptr;
  for (const Record* r : domain.list(kind, ctx.region))
    if (r->internal.value("requestId", "") == request_id) return r;
  return nullptr;
}

bool contains_id(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// ---- groups ------------------------------------------------------------------------------

json create_group(Domain& domain, const CallContext& ctx, const TemplateFamily& f, const json& in) {
  auto tx = domain.write();
  if (const Record* earlier = created_by_request(domain, ctx, f.group_kind, in)) return earlier->doc;
  const std::string name = str(in, "Name");
  check_workflow_name(name, f.label + " group");
  check_name_free(domain, ctx, f.group_kind, name, f.label + " group");
  const std::string id = next_id(*tx), now = timestamp_now(*tx);
  json doc = {{"Arn", arn(ctx, f.group_arn_type, id)}, {"CreatedAt", now}, {"Id", id}, {"ModifiedAt", now},
              {"Name", name}, {"Tags", in.value("Tags", json::object())}};
  copy_member(doc, in, "Description");
  json out = tx->create({f.group_kind, ctx.region, id}, doc, {{"requestId", str(in, "RequestId")}}).doc;
  tx->commit();
  spdlog::info("medialive: created {} group {} ({}) in {}", f.label, id, name, ctx.region);
  return out;
}

json get_group(Domain& domain, const CallContext& ctx, const TemplateFamily& f, const json& in) {
  auto lock = domain.read();
  return require_by_identifier(domain, ctx, f.group_kind, str(in, "Identifier"), f.label + " group").doc;
}

json list_groups(Domain& domain, const CallContext& ctx, const TemplateFamily& f, const json& in) {
  auto lock = domain.read();
  std::vector<const Record*> groups;
  if (!only_aws_managed(in)) {
    std::optional<std::vector<std::string>> of_map;
    if (in.contains("SignalMapIdentifier")) of_map = signal_map_groups(domain, ctx, f, str(in, "SignalMapIdentifier"));
    for (const Record* r : domain.list(f.group_kind, ctx.region))
      if (!of_map || contains_id(*of_map, r->key.id)) groups.push_back(r);
  }
  Page page = paginate(groups, in);
  json out = {{f.groups_member, json::array()}};
  for (const Record* r : page.items) {
    json summary = r->doc;
    summary["TemplateCount"] = templates_in(domain, ctx.region, f, r->key.id).size();
    out[f.groups_member].push_back(summary);
  }
  put_next_token(out, page);
  return out;
}

json update_group(Domain& domain, const CallContext& ctx, const TemplateFamily& f, const json& in) {
  auto tx = domain.write();
  const Key key = require_by_identifier(domain, ctx, f.group_kind, str(in, "Identifier"), f.label + " group").key;
  Record& r = tx->modify(key);
  copy_member(r.doc, in, "Description");
  r.doc["ModifiedAt"] = timestamp_now(*tx);
  json out = r.doc;
  tx->commit();
  spdlog::info("medialive: updated {} group {} in {}", f.label, key.id, ctx.region);
  return out;
}

json delete_group(Domain& domain, const CallContext& ctx, const TemplateFamily& f, const json& in) {
  auto tx = domain.write();
  const Key key = require_by_identifier(domain, ctx, f.group_kind, str(in, "Identifier"), f.label + " group").key;
  if (auto templates = templates_in(domain, ctx.region, f, key.id); !templates.empty())
    throw api::conflict(f.label + " group " + key.id + " still has " + std::to_string(templates.size()) +
                        " template(s); delete them or move them to another group first");
  if (auto maps = signal_maps_using_group(domain, ctx.region, f.group_kind, key.id); !maps.empty())
    throw api::conflict(f.label + " group " + key.id + " is used by signal map " + maps.front() +
                        "; remove it from the signal map (StartUpdateSignalMap) first");
  tx->remove(key);
  tx->commit();
  spdlog::info("medialive: deleted {} group {} in {}", f.label, key.id, ctx.region);
  return json::object();
}

// ---- templates ---------------------------------------------------------------------------

json create_template(Domain& domain, const CallContext& ctx, const TemplateFamily& f, const json& in) {
  auto tx = domain.write();
  if (const Record* earlier = created_by_request(domain, ctx, f.template_kind, in)) return earlier->doc;
  const std::string name = str(in, "Name");
  check_workflow_name(name, f.label);
  check_event_targets(in);
  const std::string group_id =
      require_by_identifier(domain, ctx, f.group_kind, str(in, "GroupIdentifier"), f.label + " group").key.id;
  check_name_free(domain, ctx, f.template_kind, name, f.label);
  const std::string id = next_id(*tx), now = timestamp_now(*tx);
  json doc = {{"Arn", arn(ctx, f.template_arn_type, id)}, {"CreatedAt", now}, {"GroupId", group_id}, {"Id", id},
              {"ModifiedAt", now}, {"Name", name}, {"Tags", in.value("Tags", json::object())}};
  for (const char* member : f.settings) copy_member(doc, in, member);
  json out = tx->create({f.template_kind, ctx.region, id}, doc, {{"requestId", str(in, "RequestId")}}).doc;
  tx->commit();
  spdlog::info("medialive: created {} {} ({}) in group {} ({})", f.label, id, name, group_id, ctx.region);
  return out;
}

json get_template(Domain& domain, const CallContext& ctx, const TemplateFamily& f, const json& in) {
  auto lock = domain.read();
  return require_by_identifier(domain, ctx, f.template_kind, str(in, "Identifier"), f.label).doc;
}

json list_templates(Domain& domain, const CallContext& ctx, const TemplateFamily& f, const json& in) {
  auto lock = domain.read();
  std::vector<const Record*> templates;
  if (!only_aws_managed(in)) {
    std::string group_id;
    if (in.contains("GroupIdentifier"))
      group_id = require_by_identifier(domain, ctx, f.group_kind, str(in, "GroupIdentifier"), f.label + " group").key.id;
    std::optional<std::vector<std::string>> of_map;
    if (in.contains("SignalMapIdentifier")) of_map = signal_map_groups(domain, ctx, f, str(in, "SignalMapIdentifier"));
    for (const Record* r : domain.list(f.template_kind, ctx.region)) {
      const std::string in_group = str(r->doc, "GroupId");
      if ((group_id.empty() || in_group == group_id) && (!of_map || contains_id(*of_map, in_group)))
        templates.push_back(r);
    }
  }
  Page page = paginate(templates, in);
  json out = {{f.templates_member, json::array()}};
  for (const Record* r : page.items) {
    json summary = r->doc;
    if (f.template_kind == kEventBridgeRuleTemplate) {  // the summary counts targets instead of listing them
      summary["EventTargetCount"] = r->doc.value("EventTargets", json::array()).size();
      summary.erase("EventTargets");
    }
    out[f.templates_member].push_back(summary);
  }
  put_next_token(out, page);
  return out;
}

json update_template(Domain& domain, const CallContext& ctx, const TemplateFamily& f, const json& in) {
  auto tx = domain.write();
  const Key key = require_by_identifier(domain, ctx, f.template_kind, str(in, "Identifier"), f.label).key;
  check_event_targets(in);
  std::string group_id;
  if (in.contains("GroupIdentifier"))
    group_id = require_by_identifier(domain, ctx, f.group_kind, str(in, "GroupIdentifier"), f.label + " group").key.id;
  if (in.contains("Name")) {
    check_workflow_name(str(in, "Name"), f.label);
    check_name_free(domain, ctx, f.template_kind, str(in, "Name"), f.label, key.id);
  }
  Record& r = tx->modify(key);
  copy_member(r.doc, in, "Name");
  for (const char* member : f.settings) copy_member(r.doc, in, member);
  if (!group_id.empty()) r.doc["GroupId"] = group_id;
  r.doc["ModifiedAt"] = timestamp_now(*tx);
  json out = r.doc;
  tx->commit();
  spdlog::info("medialive: updated {} {} in {}", f.label, key.id, ctx.region);
  return out;
}

json delete_template(Domain& domain, const CallContext& ctx, const TemplateFamily& f, const json& in) {
  auto tx = domain.write();
  const Key key = require_by_identifier(domain, ctx, f.template_kind, str(in, "Identifier"), f.label).key;
  tx->remove(key);
  tx->commit();
  spdlog::info("medialive: deleted {} {} in {}", f.label, key.id, ctx.region);
  return json::object();
}

void add_family(api::OperationTable& t, Domain& d, const TemplateFamily& f, const std::string& type) {
  using Handler = json (*)(Domain&, const CallContext&, const TemplateFamily&, const json&);
  auto bind = [&d, &f](Handler h) { return [&d, &f, h](const CallContext& c, const json& in) { return h(d, c, f, in); }; };
  t["Create" + type + "Group"] = bind(create_group);
  t["Get" + type + "Group"] = bind(get_group);
  t["List" + type + "Groups"] = bind(list_groups);
  t["Update" + type + "Group"] = bind(update_group);
  t["Delete" + type + "Group"] = bind(delete_group);
  t["Create" + type] = bind(create_template);
  t["Get" + type] = bind(get_template);
  t["List" + type + "s"] = bind(list_templates);
  t["Update" + type] = bind(update_template);
  t["Delete" + type] = bind(delete_template);
}

}  // namespace workflow_templates

const Record& require_by_identifier(const Domain& domain, const CallContext& ctx, const std::string& kind,
                                    const std::string& identifier, const std::string& what) {
  if (const Record* r = domain.find({kind, ctx.region, identifier})) return *r;
  for (const Record* r : domain.list(kind, ctx.region))
    if (str(r->doc, "Name") == identifier) return *r;
  throw api::not_found(what + " " + identifier + " not found (neither an id nor a name of one in " + ctx.region + ")");
}

void add_workflow_template_operations(api::OperationTable& t, Domain& d) {
  workflow_templates::add_family(t, d, workflow_templates::cloudwatch_family(), "CloudWatchAlarmTemplate");
  workflow_templates::add_family(t, d, workflow_templates::eventbridge_family(), "EventBridgeRuleTemplate");
}

}  // namespace mediaemu::medialive
