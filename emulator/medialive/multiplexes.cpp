// MediaLive multiplexes and their programs: Create/Describe/List/Update/Delete/Start/Stop
// Multiplex and Create/Describe/List/Update/Delete MultiplexProgram.
//
// A multiplex always runs two pipelines in two availability zones of its region (the API asks
// for exactly two zones). States: CREATING -> IDLE -> STARTING -> RUNNING -> STOPPING -> IDLE,
// IDLE -> DELETING -> DELETED, each arrow taking --state-delay, so the botocore Multiplex*
// waiters return at once with --state-delay 0. Edit and delete only while IDLE; a multiplex
// with programs can't be deleted (ML-UG multiplex-create-delete-edit-summary).
//
// Programs are records "<multiplexId>/<programName>". A program's ChannelId is the channel whose
// Destinations send to it (MultiplexSettings {MultiplexId, ProgramName}), absent while none
// does; its PipelineDetails show both pipelines while the multiplex runs.
#include <spdlog/spdlog.h>

#include "emulator/medialive/medialive.hpp"

namespace mediaemu::medialive {

// Defined in channel_batch.cpp; registered here because batches reach every kind, multiplexes
// included (belongs in medialive.hpp / operations(), see the report).
void add_batch_operations(api::OperationTable& table, Domain& domain);

namespace {

constexpr int kMultiplexPipelines = 2;

Key multiplex_key(const CallContext& ctx, const std::string& id) { return {kMultiplex, ctx.region, id}; }
Key program_key(const CallContext& ctx, const std::string& multiplex_id, const std::string& name) {
  return {kMultiplexProgram, ctx.region, multiplex_id + "/" + name};
}

const Record& require_live_multiplex(const Domain& domain, const CallContext& ctx, const std::string& id) {
  const Record& r = require(domain, multiplex_key(ctx, id), "Multiplex");
  if (str(r.doc, "State") == "DELETED") throw api::not_found("Multiplex " + id + " not found (it was deleted)");
  return r;
}

[[noreturn]] void state_conflict(const Record& r, const std::string& what) {
  throw api::conflict("Multiplex " + r.key.id + " is " + str(r.doc, "State") + "; " + what);
}

std::vector<const Record*> programs_of(const Domain& domain, const CallContext& ctx, const std::string& multiplex_id) {
  std::vector<const Record*> out;
  const std::string prefix = multiplex_id + "/";
  for (const Record* r : domain.list(kMultiplexProgram, ctx.region))
    if (r->key.id.rfind(prefix, 0) == 0) out.push_back(r);
  return out;
}

json check_zones(const CallContext& ctx, const json& zones) {
  if (zones.size() != 2 || zones[0] == zones[1]) {
    throw api::unprocessable("A multiplex needs exactly two different availability zones, e.g. [\"" + ctx.region +
                             "a\", \"" + ctx.region + "b\"]");
  }
  for (const auto& z : zones) {
    if (z.get<std::string>().rfind(ctx.region, 0) != 0) {
      throw api::unprocessable("Availability zone " + z.get<std::string>() + " is not in " + ctx.region);
    }
  }
  return zones;
}

// One MediaConnect entitlement per pipeline, where the multiplex delivers its transport stream.
json destinations(const CallContext& ctx, const std::string& id, const std::string& name) {
  json out = json::array();
  for (int i = 0; i < kMultiplexPipelines; ++i) {
    out.push_back({{"MediaConnectSettings",
                    {{"EntitlementArn", make_arn(ctx, "mediaconnect", "entitlement:1-" + random_hex(8) + "-" +
                                                                          random_hex(6) + ":" + id + "-" +
                                                                          (name.empty() ? "multiplex" : name) +
                                                                          "-pipeline-" + std::to_string(i))}}}});
  }
  return out;
}

json create_multiplex(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const std::string request_id = str(in, "RequestId");
  for (const Record* r : domain.list(kMultiplex, ctx.region)) {
    if (!request_id.empty() && r->internal.value("requestId", "") == request_id) return {{"Multiplex", r->doc}};
  }
  const std::string id = next_id(*tx);
  json doc = {{"Arn", arn(ctx, "multiplex", id)},
              {"AvailabilityZones", check_zones(ctx, in.value("AvailabilityZones", json::array()))},
              {"Destinations", destinations(ctx, id, str(in, "Name"))},
              {"Id", id},
              {"MultiplexSettings", in.value("MultiplexSettings", json::object())},
              {"Name", str(in, "Name")},
              {"PipelinesRunningCount", 0},
              {"ProgramCount", 0},
              {"State", "CREATING"},
              {"Tags", in.value("Tags", json::object())}};
  Record& r = tx->create(multiplex_key(ctx, id), doc, {{"requestId", request_id}});
  tx->schedule(r.key, "IDLE");
  json out = {{"Multiplex", r.doc}};
  tx->commit();
  spdlog::info("medialive: created multiplex {} ({}) in {}", id, str(doc, "Name"), ctx.region);
  return out;
}

json describe_multiplex(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  return require(domain, multiplex_key(ctx, str(in, "MultiplexId")), "Multiplex").doc;
}

json list_multiplexes(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  std::vector<const Record*> live;
  for (const Record* r : domain.list(kMultiplex, ctx.region))
    if (str(r->doc, "State") != "DELETED") live.push_back(r);
  Page page = paginate(live, in);
  json out = {{"Multiplexes", json::array()}};
  for (const Record* r : page.items) {
    json summary = r->doc;  // MultiplexSummary: no destinations, settings reduced to the bitrate
    summary.erase("Destinations");
    summary["MultiplexSettings"] = {
        {"TransportStreamBitrate", r->doc["MultiplexSettings"].value("TransportStreamBitrate", 0)}};
    out["Multiplexes"].push_back(summary);
  }
  put_next_token(out, page);
  return out;
}

json update_multiplex(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require_live_multiplex(domain, ctx, str(in, "MultiplexId"));
  if (str(current.doc, "State") != "IDLE") state_conflict(current, "a multiplex can be edited only while IDLE; stop it first");
  const Key key = current.key;
  // PacketIdentifiersMapping: program name -> the PIDs it should use.
  const json& mapping = in.value("PacketIdentifiersMapping", json::object());
  for (auto it = mapping.begin(); it != mapping.end(); ++it) {
    const Key program = program_key(ctx, key.id, it.key());
    if (!tx->find(program)) throw api::not_found("Multiplex " + key.id + " has no program named " + it.key());
    tx->modify(program).doc["PacketIdentifiersMap"] = *it;
  }
  Record& r = tx->modify(key);
  copy_member(r.doc, in, "Name");
  copy_member(r.doc, in, "MultiplexSettings");
  json out = {{"Multiplex", r.doc}};
  tx->commit();
  spdlog::info("medialive: updated multiplex {} in {}", key.id, ctx.region);
  return out;
}

// Moves an IDLE/RUNNING multiplex into a transitional state that settles into `settled`.
json change_state(Domain& domain, const CallContext& ctx, const json& in, const std::string& transitional,
                  const std::string& settled) {
  auto tx = domain.write();
  const Record& current = require_live_multiplex(domain, ctx, str(in, "MultiplexId"));
  const std::string state = str(current.doc, "State");
  if (transitional == "STARTING" && state != "IDLE") {
    state_conflict(current, "only an IDLE multiplex can be started");
  }
  if (transitional == "STOPPING" && state != "RUNNING" && state != "STARTING") {
    state_conflict(current, "only a RUNNING multiplex can be stopped");
  }
  if (transitional == "DELETING") {
    if (state != "IDLE") state_conflict(current, "a multiplex can be deleted only while IDLE; stop it first");
    auto programs = programs_of(domain, ctx, current.key.id);
    if (!programs.empty()) {
      throw api::conflict("Multiplex " + current.key.id + " still has " + std::to_string(programs.size()) +
                          " program(s); delete them (DeleteMultiplexProgram) before deleting the multiplex");
    }
  }
  Record& r = tx->modify(current.key);
  r.doc["State"] = transitional;
  if (transitional != "STARTING") r.doc["PipelinesRunningCount"] = 0;
  tx->schedule(r.key, settled);
  json out = r.doc;
  tx->commit();
  spdlog::info("medialive: multiplex {} in {} is {}", r.key.id, ctx.region, transitional);
  return out;
}

void settle_multiplex(Tx& tx, const Key& key, const std::string& to) {
  Record& r = tx.modify(key);
  r.doc["State"] = to;
  r.doc["PipelinesRunningCount"] = to == "RUNNING" ? kMultiplexPipelines : 0;
  if (to == "DELETED") tx.schedule(key, "", kDeletedRetentionMs);
  spdlog::info("medialive: multiplex {} in {} is {}", key.id, key.region, to);
}

// ---- programs ----------------------------------------------------------------------------

// The channel whose destinations send to this program, or "".
std::string program_channel(const Domain& domain, const Key& program) {
  auto slash = program.id.find('/');
  const std::string multiplex_id = program.id.substr(0, slash), name = program.id.substr(slash + 1);
  for (const Record* ch : domain.list(kChannel, program.region)) {
    if (str(ch->doc, "State") == "DELETED") continue;
    for (const auto& d : ch->doc.value("Destinations", json::array())) {
      const json& m = d.value("MultiplexSettings", json::object());
      if (str(m, "MultiplexId") == multiplex_id && str(m, "ProgramName") == name) return ch->key.id;
    }
  }
  return "";
}

// The program as AWS shows it, with the parts that follow other resources filled in.
json program_view(const Domain& domain, const Record& program, const Record& multiplex) {
  json out = program.doc;
  out.erase("ChannelId");
  if (std::string channel = program_channel(domain, program.key); !channel.empty()) out["ChannelId"] = channel;
  out["PipelineDetails"] = json::array();
  if (str(multiplex.doc, "State") == "RUNNING") {
    for (int i = 0; i < kMultiplexPipelines; ++i) {
      out["PipelineDetails"].push_back({{"ActiveChannelPipeline", std::to_string(i)}, {"PipelineId", std::to_string(i)}});
    }
  }
  return out;
}

// PIDs of a program's transport stream; AWS assigns them, here from the program number, so
// programs of one multiplex never share a PID (ISO/IEC 13818-1 allows 0x0020-0x1FFE).
json packet_identifiers(int program_number) {
  int base = 32 + 16 * (program_number % 500);
  return {{"PmtPid", base}, {"PcrPid", base + 1}, {"VideoPid", base + 1}, {"AudioPids", {base + 2, base + 3}},
          {"Scte35Pid", base + 8}, {"TimedMetadataPid", base + 9}};
}

void check_program_number(const Domain& domain, const CallContext& ctx, const std::string& multiplex_id,
                          const std::string& name, const json& settings) {
  const int number = settings.value("ProgramNumber", -1);
  for (const Record* p : programs_of(domain, ctx, multiplex_id)) {
    if (str(p->doc, "ProgramName") != name && p->doc["MultiplexProgramSettings"].value("ProgramNumber", -2) == number) {
      throw api::conflict("Program number " + std::to_string(number) + " is already used by program " +
                          str(p->doc, "ProgramName") + " of multiplex " + multiplex_id);
    }
  }
}

void count_programs(Tx& tx, const CallContext& ctx, const std::string& multiplex_id) {
  tx.modify(multiplex_key(ctx, multiplex_id)).doc["ProgramCount"] = programs_of(tx.domain(), ctx, multiplex_id).size();
}

json create_program(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& multiplex = require_live_multiplex(domain, ctx, str(in, "MultiplexId"));
  const std::string name = str(in, "ProgramName");
  const Key key = program_key(ctx, multiplex.key.id, name);
  if (const Record* existing = tx->find(key)) {
    if (existing->internal.value("requestId", "") == str(in, "RequestId")) {
      return {{"MultiplexProgram", program_view(domain, *existing, multiplex)}};
    }
    throw api::conflict("Multiplex " + multiplex.key.id + " already has a program named " + name);
  }
  const json settings = in.value("MultiplexProgramSettings", json::object());
  check_program_number(domain, ctx, multiplex.key.id, name, settings);
  json doc = {{"MultiplexProgramSettings", settings},
              {"PacketIdentifiersMap", packet_identifiers(settings.value("ProgramNumber", 0))},
              {"PipelineDetails", json::array()},
              {"ProgramName", name}};
  Record& r = tx->create(key, doc, {{"requestId", str(in, "RequestId")}});
  json out = {{"MultiplexProgram", program_view(domain, r, *tx->find(multiplex.key))}};
  count_programs(*tx, ctx, multiplex.key.id);
  tx->commit();
  spdlog::info("medialive: created program {} in multiplex {} ({})", name, key.id.substr(0, key.id.find('/')), ctx.region);
  return out;
}

const Record& require_program(const Domain& domain, const CallContext& ctx, const json& in) {
  const Record& multiplex = require_live_multiplex(domain, ctx, str(in, "MultiplexId"));
  const Record* p = domain.find(program_key(ctx, multiplex.key.id, str(in, "ProgramName")));
  if (!p) throw api::not_found("Multiplex " + multiplex.key.id + " has no program named " + str(in, "ProgramName"));
  return *p;
}

json describe_program(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  const Record& p = require_program(domain, ctx, in);
  return program_view(domain, p, *domain.find(multiplex_key(ctx, str(in, "MultiplexId"))));
}

json list_programs(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  const Record& multiplex = require_live_multiplex(domain, ctx, str(in, "MultiplexId"));
  Page page = paginate(programs_of(domain, ctx, multiplex.key.id), in);
  json out = {{"MultiplexPrograms", json::array()}};
  for (const Record* p : page.items) {
    json summary = {{"ProgramName", str(p->doc, "ProgramName")}};
    if (std::string channel = program_channel(domain, p->key); !channel.empty()) summary["ChannelId"] = channel;
    out["MultiplexPrograms"].push_back(summary);
  }
  put_next_token(out, page);
  return out;
}

json update_program(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Key key = require_program(domain, ctx, in).key;
  if (in.contains("MultiplexProgramSettings")) {
    check_program_number(domain, ctx, str(in, "MultiplexId"), str(in, "ProgramName"), in["MultiplexProgramSettings"]);
    tx->modify(key).doc["MultiplexProgramSettings"] = in["MultiplexProgramSettings"];
  }
  json out = {{"MultiplexProgram", program_view(domain, *tx->find(key), *tx->find(multiplex_key(ctx, str(in, "MultiplexId"))))}};
  tx->commit();
  spdlog::info("medialive: updated program {} in {}", key.id, ctx.region);
  return out;
}

json delete_program(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& p = require_program(domain, ctx, in);
  const Key key = p.key;
  json out = program_view(domain, p, *tx->find(multiplex_key(ctx, str(in, "MultiplexId"))));
  if (!str(out, "ChannelId").empty()) {
    throw api::conflict("Program " + str(in, "ProgramName") + " is used by channel " + str(out, "ChannelId") +
                        "; delete that channel (or change its destination) first");
  }
  tx->remove(key);
  count_programs(*tx, ctx, str(in, "MultiplexId"));
  tx->commit();
  spdlog::info("medialive: deleted program {} in {}", key.id, ctx.region);
  return out;
}

}  // namespace

void add_multiplex_operations(api::OperationTable& t, Domain& d) {
  t["CreateMultiplex"] = [&d](const CallContext& c, const json& in) { return create_multiplex(d, c, in); };
  t["DescribeMultiplex"] = [&d](const CallContext& c, const json& in) { return describe_multiplex(d, c, in); };
  t["ListMultiplexes"] = [&d](const CallContext& c, const json& in) { return list_multiplexes(d, c, in); };
  t["UpdateMultiplex"] = [&d](const CallContext& c, const json& in) { return update_multiplex(d, c, in); };
  t["StartMultiplex"] = [&d](const CallContext& c, const json& in) { return change_state(d, c, in, "STARTING", "RUNNING"); };
  t["StopMultiplex"] = [&d](const CallContext& c, const json& in) { return change_state(d, c, in, "STOPPING", "IDLE"); };
  t["DeleteMultiplex"] = [&d](const CallContext& c, const json& in) { return change_state(d, c, in, "DELETING", "DELETED"); };
  t["CreateMultiplexProgram"] = [&d](const CallContext& c, const json& in) { return create_program(d, c, in); };
  t["DescribeMultiplexProgram"] = [&d](const CallContext& c, const json& in) { return describe_program(d, c, in); };
  t["ListMultiplexPrograms"] = [&d](const CallContext& c, const json& in) { return list_programs(d, c, in); };
  t["UpdateMultiplexProgram"] = [&d](const CallContext& c, const json& in) { return update_program(d, c, in); };
  t["DeleteMultiplexProgram"] = [&d](const CallContext& c, const json& in) { return delete_program(d, c, in); };
  d.on_transition(kMultiplex, settle_multiplex);
  // Last: the batch operations reuse the handlers of every kind registered so far.
  add_batch_operations(t, d);
}

void set_multiplex_destinations(Domain& domain, const CallContext& ctx, const std::string& multiplex_id,
                                const std::vector<std::string>& entitlement_arns) {
  if (entitlement_arns.size() > static_cast<size_t>(kMultiplexPipelines))
    throw api::unprocessable("A multiplex has " + std::to_string(kMultiplexPipelines) + " pipelines: at most that many Destinations");
  for (const auto& arn : entitlement_arns)
    if (arn.rfind("arn:", 0) != 0 || arn.find(":mediaconnect:") == std::string::npos || arn.find(":entitlement:") == std::string::npos)
      throw api::unprocessable("Destination " + arn + " is not a MediaConnect entitlement ARN");
  auto tx = domain.write();
  require_live_multiplex(domain, ctx, multiplex_id);
  Record& r = tx->modify(multiplex_key(ctx, multiplex_id));
  json& destinations = r.doc["Destinations"];
  for (size_t i = 0; i < entitlement_arns.size() && i < destinations.size(); ++i)
    destinations[i]["MediaConnectSettings"]["EntitlementArn"] = entitlement_arns[i];
  tx->commit();
}

}  // namespace mediaemu::medialive
