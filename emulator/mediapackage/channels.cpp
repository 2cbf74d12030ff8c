// MediaPackage v1 channels: CreateChannel, DescribeChannel, ListChannels, UpdateChannel,
// DeleteChannel, ConfigureLogs, RotateIngestEndpointCredentials, RotateChannelCredentials.
//
// A channel is the HLS ingest side. AWS gives it two WebDAV ingest endpoints (input redundancy,
// MP-UG what-is-flow-ir), each with system-generated 32-hex credentials, at
//   https://<16hex>.mediapackage.<region>.amazonaws.com/in/v2/<channelGUID>/<endpointId>/channel
// where the first endpoint's Id is the channel GUID, the one in the ARN
// "arn:aws:mediapackage:<region>:<acct>:channels/<GUID>" (CLI-ex create-channel, list-channels).
// Here the host is the emulator's own address; paths, ids and credential shapes are AWS's.
#include <spdlog/spdlog.h>

#include "emulator/mediapackage/mediapackage.hpp"

namespace mediaemu::mediapackage {
namespace {

json ingest_endpoint(const Config& cfg, const std::string& guid, const std::string& endpoint_id) {
  return {{"Id", endpoint_id},
          {"Password", random_hex(16)},
          {"Url", cfg.http_base() + "/in/v2/" + guid + "/" + endpoint_id + "/channel"},
          {"Username", random_hex(16)}};
}

const Record& require_channel(const Domain& domain, const CallContext& ctx, const std::string& id) {
  return require(domain, channel_key(ctx, id), "Channel");
}

json create_channel(Domain& domain, const CallContext& ctx, const json& in) {
  const std::string id = str(in, "Id");
  check_resource_id(id, "Channel");
  auto tx = domain.write();
  if (tx->find(channel_key(ctx, id))) {
    // AWS's exact text is unconfirmed (aws-behaviour §3); 422 is the only client error v1 has.
    throw api::unprocessable("A channel with the ID '" + id + "' already exists in " + ctx.region +
                             "; channel IDs must be unique per account and Region");
  }
  const std::string guid = random_hex(16);
  const Config& cfg = domain.config();
  json doc = {{"Arn", make_arn(ctx, "mediapackage", "channels/" + guid)},
              {"CreatedAt", created_at(*tx)},
              {"HlsIngest",
               {{"IngestEndpoints",
                 json::array({ingest_endpoint(cfg, guid, guid), ingest_endpoint(cfg, guid, random_hex(16))})}}},
              {"Id", id},
              {"Tags", in.value("Tags", json::object())}};
  copy_member(doc, in, "Description");
  Record& r = tx->create(channel_key(ctx, id), doc, {{"guid", guid}});
  json out = r.doc;
  tx->commit();
  spdlog::info("mediapackage: created channel {} ({}) in {}", id, guid, ctx.region);
  return out;
}

json describe_channel(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  return require_channel(domain, ctx, str(in, "Id")).doc;
}

json list_channels(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  Page page = paginate(domain.list(kChannel, ctx.region), in);
  json out = {{"Channels", json::array()}};
  for (const Record* r : page.items) out["Channels"].push_back(r->doc);
  put_next_token(out, page);
  return out;
}

json update_channel(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  Record& r = tx->modify(require_channel(domain, ctx, str(in, "Id")).key);
  copy_member(r.doc, in, "Description");
  json out = r.doc;
  tx->commit();
  return out;
}

json delete_channel(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& channel = require_channel(domain, ctx, str(in, "Id"));
  for (const Record* e : domain.list(kOriginEndpoint, ctx.region)) {
    if (str(e->doc, "ChannelId") == channel.key.id) {
      // MP-UG channels-delete: endpoints go first.
      throw api::unprocessable("You must delete the channel's origin endpoints before you can delete the channel (" +
                               channel.key.id + " still has origin endpoint " + e->key.id + ")");
    }
  }
  const std::string guid = channel_guid(channel);
  tx->remove(channel.key);
  tx->commit();
  spdlog::info("mediapackage: deleted channel {} ({}) in {}", in.value("Id", ""), guid, ctx.region);
  return json::object();
}

// ConfigureLogs replaces both settings: a log kind left out of the request is switched off
// (MP-UG access-logging, "Disable access logging").
json configure_logs(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  Record& r = tx->modify(require_channel(domain, ctx, str(in, "Id")).key);
  r.doc.erase("EgressAccessLogs");
  r.doc.erase("IngressAccessLogs");
  if (in.contains("EgressAccessLogs")) r.doc["EgressAccessLogs"] = access_logs(in["EgressAccessLogs"], kEgressLogGroup);
  if (in.contains("IngressAccessLogs")) r.doc["IngressAccessLogs"] = access_logs(in["IngressAccessLogs"], kIngressLogGroup);
  json out = r.doc;
  tx->commit();
  return out;
}

// New WebDAV credentials for one ingest endpoint; its Id and URL stay (CLI-ex
// rotate-ingest-endpoint-credentials). Encoders using the old ones are refused from now on.
json rotate_credentials(Domain& domain, const CallContext& ctx, const std::string& channel_id,
                        const std::optional<std::string>& ingest_endpoint_id) {
  auto tx = domain.write();
  Record& r = tx->modify(require_channel(domain, ctx, channel_id).key);
  int index = ingest_endpoint_id ? ingest_endpoint_index(r, *ingest_endpoint_id) : 0;
  if (index < 0) {
    throw api::not_found("Ingest endpoint " + *ingest_endpoint_id + " not found on channel " + channel_id);
  }
  json& endpoint = r.doc["HlsIngest"]["IngestEndpoints"][static_cast<size_t>(index)];
  endpoint["Username"] = random_hex(16);
  endpoint["Password"] = random_hex(16);
  json out = r.doc;
  tx->commit();
  spdlog::info("mediapackage: rotated credentials of ingest endpoint {} on channel {} in {}", str(endpoint, "Id"),
               channel_id, ctx.region);
  return out;
}

}  // namespace

void add_channel_operations(api::OperationTable& t, Domain& d) {
  t["CreateChannel"] = [&d](const CallContext& c, const json& in) { return create_channel(d, c, in); };
  t["DescribeChannel"] = [&d](const CallContext& c, const json& in) { return describe_channel(d, c, in); };
  t["ListChannels"] = [&d](const CallContext& c, const json& in) { return list_channels(d, c, in); };
  t["UpdateChannel"] = [&d](const CallContext& c, const json& in) { return update_channel(d, c, in); };
  t["DeleteChannel"] = [&d](const CallContext& c, const json& in) { return delete_channel(d, c, in); };
  t["ConfigureLogs"] = [&d](const CallContext& c, const json& in) { return configure_logs(d, c, in); };
  t["RotateIngestEndpointCredentials"] = [&d](const CallContext& c, const json& in) {
    return rotate_credentials(d, c, str(in, "Id"), str(in, "IngestEndpointId"));
  };
  // Deprecated in the API: rotates the first ingest endpoint's credentials.
  t["RotateChannelCredentials"] = [&d](const CallContext& c, const json& in) {
    return rotate_credentials(d, c, str(in, "Id"), std::nullopt);
  };
}

}  // namespace mediaemu::mediapackage
