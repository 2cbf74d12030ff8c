// AWS Elemental MediaConnect: flows with their sources, outputs, entitlements, VPC interfaces and
// media streams. One record per flow (kind mediaconnect:flow, id "1-<hex>-<hex>", the unique part
// of its ARN); the parts live inside the flow's document as DescribeFlow shows them, so every
// change to a flow is one transaction. Tags live in the flow's internal record, by ARN (the flow's
// and its parts'), since the Flow shape has no Tags member.
//
// Handlers take and return model-form JSON; the engine routed and validated the request against
// the botocore model. Every flow operation declares BadRequestException and NotFoundException
// and none declares a ConflictException, so a state that forbids an operation is a 400.
#pragma once

#include <string>

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"
#include "emulator/service_kit.hpp"
#include "pipeline/flow/flow_control.hpp"
#include "pipeline/flow/flow_plan.hpp"

namespace mediaemu::mediaconnect {

inline const std::string kFlow = "mediaconnect:flow";
// MediaConnect Gateway (gateways.cpp, bridges.cpp, bridge_parts.cpp): a gateway and the bridges
// placed on it, one record each, ids the unique part of their ARNs like flows'. A bridge's
// sources and outputs live in its document, as DescribeBridge shows them.
inline const std::string kGateway = "mediaconnect:gateway";
inline const std::string kBridge = "mediaconnect:bridge";

// "1-" + 16 hex + "-" + 12 hex, the shape of the ids in MediaConnect ARNs.
std::string new_resource_id();
// arn:aws:mediaconnect:<region>:<account>:<type>:<id>:<name>
std::string resource_arn(const CallContext& ctx, const std::string& type, const std::string& name);

// The flow a FlowArn names in the caller's region, or 404 NotFoundException. Call with a lock held.
const Record& require_flow(Domain& domain, const CallContext& ctx, const std::string& flow_arn);

// The gateway or bridge an ARN names in the caller's region, or 404 NotFoundException. Call with
// a lock held.
const Record& require_gateway(Domain& domain, const CallContext& ctx, const std::string& gateway_arn);
const Record& require_bridge(Domain& domain, const CallContext& ctx, const std::string& bridge_arn);

// Bridge parts from Add*Request members, checked against the bridge's type and its gateway's
// networks (a flow source's flow and VPC interface must exist). Throw BadRequest. Call with a
// lock held.
json make_bridge_source(Domain& domain, const CallContext& ctx, const json& bridge, const json& gateway,
                        const json& request);
json make_bridge_output(const json& bridge, const json& gateway, const json& request);
// The whole bridge's rules (counts, unique names, failover's primary source). Throws BadRequest.
void validate_bridge(const json& bridge);
// Changes a bridge in one transaction, like edit_flow: `change` edits a copy and returns the
// operation's output; the bridge is validated against its gateway and written. Refused (409)
// while the bridge is being created or deleted.
json edit_bridge(Domain& domain, const CallContext& ctx, const std::string& bridge_arn,
                 const std::function<json(json& bridge, const json& gateway)>& change);

// Request members -> the flow's parts (sources, outputs, ...). Throw ApiError for bad input.
json make_source(const CallContext& ctx, const Config& config, const json& request);
json make_output(const CallContext& ctx, const Config& config, const json& request);
json make_entitlement(const CallContext& ctx, const json& request);
json make_vpc_interface(const json& request);
json make_media_stream(const json& request);
// Update requests merge into what exists: each member of `from` replaces the same member of
// `into[member]` (created as an object when missing); absent members stay as they were.
void merge_member(json& into, const json& from, const char* member);
// Applies an Update* request's members to an existing part.
void update_source(json& source, const json& request);
void update_output(json& output, const json& request);
void update_failover(json& flow, const json& request);

// The item of a flow's list (Sources, Outputs, ...) whose `member` is `value`, or 404
// NotFoundException "<what> <value> not found". take_part also removes it from the list.
json& require_part(json& items, const char* member, const std::string& value, const std::string& what);
json take_part(json& items, const char* member, const std::string& value, const std::string& what);

// The whole flow's rules (counts, unique names, failover). Throws BadRequest naming the rule.
void validate_flow(const json& flow);

// A flow's relay plan, from its document (the control plane's record) and the bind address.
flow::FlowPlan flow_plan(const json& flow, const Config& config);

// Changes a flow in one transaction: `change` edits a copy of the document and returns the
// operation's output; the flow is validated, written, and an ACTIVE flow's relay takes the new
// plan after commit. Refused while the flow is being deleted.
json edit_flow(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const std::string& flow_arn,
               const std::function<json(json& flow, json& internal)>& change);

void add_flow_operations(api::OperationTable& table, Domain& domain, flow::FlowControl& flows);
void add_source_operations(api::OperationTable& table, Domain& domain, flow::FlowControl& flows);
void add_output_operations(api::OperationTable& table, Domain& domain, flow::FlowControl& flows);
void add_entitlement_operations(api::OperationTable& table, Domain& domain, flow::FlowControl& flows);
void add_interface_operations(api::OperationTable& table, Domain& domain, flow::FlowControl& flows);
void add_tag_operations(api::OperationTable& table, Domain& domain);
void add_gateway_operations(api::OperationTable& table, Domain& domain);
void add_bridge_operations(api::OperationTable& table, Domain& domain);
void add_bridge_part_operations(api::OperationTable& table, Domain& domain);
// Routers (routers.hpp): network interfaces, inputs, outputs and TakeRouterInput.
void add_router_operations(api::OperationTable& table, Domain& domain, flow::FlowControl& flows);

api::OperationTable operations(Domain& domain, flow::FlowControl& flows);

// After Domain::load(): restarts the relays of flows that were ACTIVE when the process ended.
void resume_flows(Domain& domain, flow::FlowControl& flows);
// After Domain::load(): relays the router inputs that were running (called by resume_flows).
void resume_router_relays(Domain& domain, flow::FlowControl& flows);

}  // namespace mediaemu::mediaconnect
