// AWS Elemental MediaLive: resource kinds, ids, and the operation tables each file adds.
// Handlers take and return model-form JSON (member names, as boto3 shows them); the protocol
// engine did the wire work and validation against the botocore model already.
#pragma once

#include <string>
#include <vector>

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"
#include "emulator/media_hooks.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::medialive {

inline const std::string kInput = "medialive:input";
inline const std::string kInputSecurityGroup = "medialive:input-security-group";
inline const std::string kChannel = "medialive:channel";
inline const std::string kMultiplex = "medialive:multiplex";
inline const std::string kMultiplexProgram = "medialive:multiplex-program";  // id: "<multiplexId>/<programName>"
inline const std::string kReservation = "medialive:reservation";
// Workflow monitor (ML-UG monitor-with-workflow-monitor): template groups, templates, signal maps.
inline const std::string kCloudWatchAlarmTemplateGroup = "medialive:cloudwatch-alarm-template-group";
inline const std::string kCloudWatchAlarmTemplate = "medialive:cloudwatch-alarm-template";
inline const std::string kEventBridgeRuleTemplateGroup = "medialive:eventbridge-rule-template-group";
inline const std::string kEventBridgeRuleTemplate = "medialive:eventbridge-rule-template";
inline const std::string kSignalMap = "medialive:signal-map";

// How long a DELETED resource stays describable (botocore's *Deleted waiters and Terraform
// need to see state DELETED, not a 404) before it is purged.
constexpr int64_t kDeletedRetentionMs = 15 * 60 * 1000;

// MediaLive ids are 7-digit numbers ("4966424"), unique across every MediaLive resource kind.
std::string next_id(Tx& tx);
std::string arn(const CallContext& ctx, const std::string& type, const std::string& id);

// Not yet purged and not DELETED (inputs and input security groups stay describable a while).
inline bool is_live(const Record& r) { return r.doc.value("State", "") != "DELETED"; }

// The channel's record (a domain lock must be held), or 404 when it is unknown or DELETED.
const Record& require_live_channel(const Domain& domain, const CallContext& ctx, const std::string& id);

inline Key input_key(const CallContext& ctx, const std::string& id) { return {kInput, ctx.region, id}; }
inline Key channel_key(const CallContext& ctx, const std::string& id) { return {kChannel, ctx.region, id}; }
inline Key isg_key(const CallContext& ctx, const std::string& id) { return {kInputSecurityGroup, ctx.region, id}; }

// Inputs <-> channels. A channel's InputAttachments attach inputs (state ATTACHED, the
// channel in AttachedChannels); an input serves one channel at a time (AWS: 409 "inputId=… is
// already attached"). Throws ApiError; call before changing anything else in the transaction.
void check_attachable(Tx& tx, const CallContext& ctx, const json& attachments, const std::string& channel_id);
void attach_inputs(Tx& tx, const CallContext& ctx, const json& attachments, const std::string& channel_id);
void detach_inputs(Tx& tx, const std::string& region, const std::string& channel_id);
// A channel's ScheduleActions in creation order (an empty array when it has none); a domain lock
// must be held.
json schedule_actions(const Domain& domain, const std::string& region, const std::string& channel_id);

// Recomputes IDLE / IN_USE of every security group in the region from the inputs using them.
void refresh_security_groups(Tx& tx, const std::string& region);

// Operation tables, one per file. Each also registers its kinds' lifecycle hooks
// (what CREATING, STARTING, DELETING, ... settle into) with the domain.
void add_input_operations(api::OperationTable& table, Domain& domain);
void add_input_security_group_operations(api::OperationTable& table, Domain& domain, MediaHooks& media);
void add_channel_operations(api::OperationTable& table, Domain& domain, MediaHooks& media);
void add_multiplex_operations(api::OperationTable& table, Domain& domain);
// A multiplex's Destinations as CloudFormation's AWS::MediaLive::Multiplex gives them (one
// MediaConnect entitlement ARN per pipeline, at most two); the API's CreateMultiplex has no such
// member, DescribeMultiplex then shows them as Destinations[].MediaConnectSettings.EntitlementArn.
// Pipelines without one keep the entitlement MediaLive made. Throws ApiError (NotFound,
// Unprocessable).
void set_multiplex_destinations(Domain& domain, const CallContext& ctx, const std::string& multiplex_id,
                                const std::vector<std::string>& entitlement_arns);
void add_schedule_operations(api::OperationTable& table, Domain& domain, MediaHooks& media);
void add_offering_operations(api::OperationTable& table, Domain& domain);
void add_tag_operations(api::OperationTable& table, Domain& domain);
void add_workflow_template_operations(api::OperationTable& table, Domain& domain);
void add_signal_map_operations(api::OperationTable& table, Domain& domain);
// MediaLive Anywhere: networks, clusters, channel placement groups, SDI sources (not nodes).
void add_anywhere_operations(api::OperationTable& table, Domain& domain);

// Workflow monitor resources are named by an "identifier": their id or their current name.
// The record of `kind` it names (a domain lock must be held), or 404 naming `what`.
const Record& require_by_identifier(const Domain& domain, const CallContext& ctx, const std::string& kind,
                                    const std::string& identifier, const std::string& what);
// The signal maps (ids) that use the template group `group_id` of `group_kind`; a lock must be held.
std::vector<std::string> signal_maps_using_group(const Domain& domain, const std::string& region,
                                                 const std::string& group_kind, const std::string& group_id);

api::OperationTable operations(Domain& domain, MediaHooks& media);

// The media side finished the stop numbered `order` (MediaHooks::channel_stop): a channel still
// STOPPING for that stop settles to IDLE after the state delay. Takes the write lock; call it
// from no lock.
void channel_media_stopped(Domain& domain, const std::string& region, const std::string& channel_id, uint64_t order);

}  // namespace mediaemu::medialive
