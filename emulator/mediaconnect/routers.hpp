// MediaConnect routers: router network interfaces, router inputs and router outputs, and the
// routes between them (TakeRouterInput). One record per resource, the document as the Get
// operations show it (model form); the ARNs are AWS's:
//   arn:aws:mediaconnect:<region>:<account>:routerInput:<12 [a-z0-9]>   (also routerOutput,
//   routerNetworkInterface), https://docs.aws.amazon.com/mediaconnect/latest/api/API_RouterInput.html
// A router is global ("you can manage them all from one place, even if they're in different AWS
// Regions", https://docs.aws.amazon.com/mediaconnect/latest/ug/managing-router-io.html): a
// resource lives in its RegionName (the caller's region when the request names none), and the
// List operations show every region's, narrowed by their RegionNames filter.
//
// Derived members are computed when read, never stored, so they cannot go stale:
// RoutedOutputs (outputs whose RoutedInputArn is the input), AssociatedInputCount and
// AssociatedOutputCount (I/Os on a network interface), and Messages (what the data plane could
// not do). Tags live in the document's Tags map, so the service's TagResource works on them.
//
// Data plane (router_relay.cpp): a running router input whose protocol mediaemu carries (RTP,
// also as the two legs of FAILOVER and MERGE) is a relay of pipeline/flow, the very code a flow
// runs, listening on its port and sending to every running output routed to it.
#pragma once

#include <string>
#include <vector>

#include "emulator/mediaconnect/mediaconnect.hpp"

namespace mediaemu::mediaconnect {

inline const std::string kRouterNetworkInterface = "mediaconnect:router-network-interface";
inline const std::string kRouterInput = "mediaconnect:router-input";
inline const std::string kRouterOutput = "mediaconnect:router-output";

// What distinguishes the three router resource types in the code they share.
struct RouterType {
  const std::string& kind;
  const char* arn_type;  // "routerInput"
  const char* what;      // "Router input", for messages
};
extern const RouterType kInputType, kOutputType, kInterfaceType;

// --- router_common.cpp ---
// The region a new resource lives in: RegionName, or the caller's. BadRequest when malformed.
std::string router_region(const CallContext& ctx, const json& in);
// arn:aws:mediaconnect:<region>:<account>:<arn_type>:<id>
std::string router_arn(const CallContext& ctx, const std::string& region, const RouterType& type, const std::string& id);
// The ISO 8601 time of the transaction's clock, as CreatedAt and UpdatedAt are kept.
std::string router_time(const Tx& tx);
// The resource an ARN names (the caller's account, any region), or 404 NotFoundException
// "<what> <arn> not found". Call with a lock held.
const Record& require_router(Domain& domain, const CallContext& ctx, const RouterType& type, const std::string& arn);
const Record* find_router(Domain& domain, const CallContext& ctx, const RouterType& type, const std::string& arn);
// The caller's resources of a type in every region, ordered by id (for paginate).
std::vector<const Record*> router_records(Domain& domain, const CallContext& ctx, const RouterType& type);
// A union structure's one member set, or BadRequest naming `path` and the members it allows.
std::string union_member(const json& value, const std::string& path);
// MaximumBitrate within what the tier carries (INPUT_20 / OUTPUT_20 up to 20 Mb/s, ...).
void check_tier_bitrate(const std::string& tier, int64_t bitrate);
// A CreateRouterInput / CreateRouterOutput request's Tier and MaximumBitrate checked, and its
// AvailabilityZone (default "<region>a"), which must be in `region`. Before any lock is taken.
std::string checked_router_zone(const json& in, const std::string& region);
// The fields a new router input and output share, as a create leaves them (CREATING).
json new_router_doc(const CallContext& ctx, const json& in, const RouterType& type, const std::string& region,
                    const std::string& zone, const std::string& id, const std::string& now);
// MaintenanceConfiguration (default {"Default": {}}) -> MaintenanceType and the configuration,
// written into `doc`. BadRequest for a malformed PreferredDayTime.
void set_maintenance(json& doc, const json& requested);
// The window StartRouter* reports (MaintenanceScheduleType WINDOW, MaintenanceSchedule), put
// into `doc` from the next preferred day and time (or, for DEFAULT, one derived from the id).
void schedule_maintenance(json& doc, int64_t now_ms);
void clear_maintenance_schedule(json& doc);
// The network interface a Standard/Failover/Merge configuration names: it must exist in the
// I/O's region and not be going away. BadRequest otherwise (CreateRouter* declares no 404).
const Record& usable_network_interface(Domain& domain, const CallContext& ctx, const std::string& arn,
                                       const std::string& region);
// BatchGet*: the records the Arns name, and an Errors entry for each one that names nothing.
json batch_get(Domain& domain, const CallContext& ctx, const RouterType& type, const json& in, const char* list_member,
               const std::function<json(const Record&)>& view);
// Whether a List filter's values allow the value (an absent filter allows everything).
bool filter_allows(const json& filters, const char* member, const std::string& value);
bool name_filter_allows(const json& filters, const std::string& name);
// A new or updated I/O's lifecycle answer: {Arn, Name, State}.
json router_state_answer(const json& doc);
// A ClientToken already used for a resource of this type returns that resource (idempotent
// create, as AWS documents ClientToken); nullptr when the token is new or absent.
const Record* created_with_token(Domain& domain, const CallContext& ctx, const RouterType& type, const json& in);

// --- router_lifecycle.cpp: what inputs and outputs share, per the router I/O states
// (https://docs.aws.amazon.com/mediaconnect/latest/ug/io-state-changes.html) ---
// The input whose relay a change to this I/O touches: an input's own ARN, an output's routed
// input ("" when unrouted).
std::string relay_of(const json& io_doc);
json start_router_io(Domain& domain, const CallContext& ctx, const RouterType& type, const json& in);
json stop_router_io(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const RouterType& type, const json& in);
json restart_router_io(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const RouterType& type, const json& in);
// `before` runs in the transaction, after the state checks (an input unroutes its outputs).
json delete_router_io(Domain& domain, const CallContext& ctx, const RouterType& type, const json& in,
                      const std::function<void(Tx&, const Record&)>& before = {});
// Update*: `change` edits a copy of the document (already checked by the caller's rules); the
// I/O goes UPDATING and back to where it was; a running one relays its new settings at once.
json update_router_io(Domain& domain, flow::FlowControl& flows, const CallContext& ctx, const RouterType& type,
                      const json& in, const std::function<void(Tx&, json& doc)>& change,
                      const std::function<json(const Record&)>& view);
void settle_router_io(flow::FlowControl& flows, Tx& tx, const Key& key, const std::string& to);

// --- router_network_interfaces.cpp, router_inputs.cpp, router_outputs.cpp ---
json view_network_interface(Domain& domain, const Record& r);
// The documents as Get* answers them, derived members filled in (Messages comes from
// router_*_messages, outside the lock). Call with a lock held.
json view_router_input(Domain& domain, const Record& r);
json view_router_output(Domain& domain, const Record& r);
void add_router_network_interface_operations(api::OperationTable& table, Domain& domain, flow::FlowControl& flows);
void add_router_input_operations(api::OperationTable& table, Domain& domain, flow::FlowControl& flows);
void add_router_output_operations(api::OperationTable& table, Domain& domain, flow::FlowControl& flows);

// --- router_relay.cpp ---
// After the transaction commits, makes the data plane match the input's record: a running input
// (internal "running") relays to its running routed outputs; otherwise its relay ends. Call with
// the transaction that changed the input, its outputs or its network interface.
void refresh_router_relay(Tx& tx, flow::FlowControl& flows, const std::string& input_arn);
// The plan a running input's relay follows (its sources from its configuration and network
// interface, its outputs from the running outputs routed to it). Call with a lock held.
flow::FlowPlan router_relay_plan(Domain& domain, const Record& input);
// What a running input or output cannot do here, as RouterInputMessage/RouterOutputMessage
// items ({Code, Message}). Not under the domain lock: asks the data plane.
json router_input_messages(const json& input, bool running, flow::FlowControl& flows);
json router_output_messages(const json& output, bool running, const std::string& routed_input_arn,
                            flow::FlowControl& flows);
// After Domain::load(): relays the inputs that were running when the process ended.
void resume_router_relays(Domain& domain, flow::FlowControl& flows);

}  // namespace mediaemu::mediaconnect
