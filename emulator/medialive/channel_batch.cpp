// BatchStart, BatchStop and BatchDelete: one call that starts, stops or deletes several
// channels and multiplexes (and, for BatchDelete, inputs and input security groups). Each
// resource goes through the same handler as its single-resource operation, so the rules and
// messages are the same; each one succeeds or fails on its own, reported in Successful
// [{Arn, Id, State}] and Failed [{Arn, Code, Id, Message}].
//
// Channels come before the inputs they use, so with --state-delay 0 a channel and its inputs
// can be deleted in one batch (the channel reaches DELETED, freeing its inputs, before the
// inputs' turn); with a delay the inputs fail as still attached, as they would one by one.
#include <spdlog/spdlog.h>

#include "emulator/medialive/medialive.hpp"

namespace mediaemu::medialive {
namespace {

// One kind of resource in a batch request: which list names the ids, which single-resource
// operation acts on each, and where its record lives.
struct BatchKind {
  const char* ids_member;  // "ChannelIds"
  const char* id_param;    // "ChannelId"
  const char* operation;   // "StartChannel"
  std::string kind;        // record kind, to read back Arn and State
  api::Handler handler;
};

// The error type name AWS would have answered the single-resource call with.
const char* error_code(api::ErrorKind kind) {
  switch (kind) {
    case api::ErrorKind::Validation: return "BadRequestException";
    case api::ErrorKind::NotFound: return "NotFoundException";
    case api::ErrorKind::Conflict: return "ConflictException";
    case api::ErrorKind::Unprocessable: return "UnprocessableEntityException";
    case api::ErrorKind::Forbidden: return "ForbiddenException";
    case api::ErrorKind::TooManyRequests: return "TooManyRequestsException";
    case api::ErrorKind::NotImplemented:
    case api::ErrorKind::Internal: return "InternalServerErrorException";
  }
  return "InternalServerErrorException";
}

json run_batch(Domain& domain, const CallContext& ctx, const json& in, const std::vector<BatchKind>& kinds) {
  json out = {{"Failed", json::array()}, {"Successful", json::array()}};
  for (const auto& k : kinds) {
    for (const auto& id_value : in.value(k.ids_member, json::array())) {
      const std::string id = id_value.get<std::string>();
      CallContext single = ctx;
      single.operation = k.operation;
      json answer;
      std::optional<api::ApiError> error;
      try {
        answer = k.handler(single, {{k.id_param, id}});
      } catch (const api::ApiError& e) {
        error = e;
      }
      // The single operations that answer with the resource give its state at that moment;
      // the others (DeleteInput, ...) are read back.
      if (!answer.contains("Arn")) {
        auto lock = domain.read();
        if (const Record* r = domain.find({k.kind, ctx.region, id})) answer = r->doc;
      }
      if (error) {
        json failed = {{"Code", error_code(error->kind())}, {"Id", id}, {"Message", error->what()}};
        if (answer.contains("Arn")) failed["Arn"] = answer["Arn"];
        out["Failed"].push_back(failed);
      } else {
        out["Successful"].push_back({{"Arn", str(answer, "Arn")}, {"Id", id}, {"State", str(answer, "State")}});
      }
    }
  }
  spdlog::info("medialive: {} in {}: {} succeeded, {} failed", ctx.operation, ctx.region, out["Successful"].size(),
               out["Failed"].size());
  return out;
}

}  // namespace

// Call after every kind the batches reach has registered its operations.
void add_batch_operations(api::OperationTable& t, Domain& d) {
  auto kind = [&t](const char* ids, const char* id, const char* operation, const std::string& record_kind) {
    auto it = t.find(operation);
    if (it == t.end()) throw std::logic_error(std::string("batch operations need ") + operation + " registered first");
    return BatchKind{ids, id, operation, record_kind, it->second};
  };
  std::vector<BatchKind> start = {kind("ChannelIds", "ChannelId", "StartChannel", kChannel),
                                  kind("MultiplexIds", "MultiplexId", "StartMultiplex", kMultiplex)};
  std::vector<BatchKind> stop = {kind("ChannelIds", "ChannelId", "StopChannel", kChannel),
                                 kind("MultiplexIds", "MultiplexId", "StopMultiplex", kMultiplex)};
  std::vector<BatchKind> remove = {
      kind("ChannelIds", "ChannelId", "DeleteChannel", kChannel),
      kind("MultiplexIds", "MultiplexId", "DeleteMultiplex", kMultiplex),
      kind("InputIds", "InputId", "DeleteInput", kInput),
      kind("InputSecurityGroupIds", "InputSecurityGroupId", "DeleteInputSecurityGroup", kInputSecurityGroup)};
  t["BatchStart"] = [&d, start](const CallContext& c, const json& in) { return run_batch(d, c, in, start); };
  t["BatchStop"] = [&d, stop](const CallContext& c, const json& in) { return run_batch(d, c, in, stop); };
  t["BatchDelete"] = [&d, remove](const CallContext& c, const json& in) { return run_batch(d, c, in, remove); };
}

}  // namespace mediaemu::medialive
