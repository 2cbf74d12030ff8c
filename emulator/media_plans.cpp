#include "emulator/media_plans.hpp"

#include "emulator/medialive/medialive.hpp"
#include "emulator/mediapackage/mediapackage.hpp"
#include "emulator/secretsmanager/secretsmanager.hpp"
#include "emulator/speke/speke_client.hpp"
#include "emulator/ssm/ssm.hpp"
#include "pipeline/ingest/rtmp/stream_names.hpp"

namespace mediaemu {
namespace {

std::string text_of(const json& o, const char* k) {
  auto it = o.find(k);
  return it != o.end() && it->is_string() ? it->get<std::string>() : "";
}

std::vector<std::string> stream_names(const Record& input) {
  std::vector<std::string> out;
  for (const auto& n : input.internal.value("streamNames", json::array()))
    if (n.is_string()) out.push_back(n.get<std::string>());
  return out;
}

// The secrets an input names that exist: its sources' SSM PasswordParam and its SRT settings'
// Secrets Manager PassphraseSecretArn (AWS documents both as where MediaLive reads them from).
void add_credentials(const Domain& domain, const std::string& region, const json& input, media::Credentials& out) {
  for (const auto& source : input.value("Sources", json::array())) {
    std::string param = text_of(source, "PasswordParam");
    if (param.empty()) continue;
    if (auto value = ssm::parameter_value(domain, region, param)) out[param] = *value;
  }
  const json srt = input.value("SrtSettings", json::object());
  std::vector<json> peers = srt.value("SrtCallerSources", json::array());
  if (srt.contains("SrtListenerSettings")) peers.push_back(srt["SrtListenerSettings"]);
  for (const auto& peer : peers) {
    std::string arn = text_of(peer.value("Decryption", json::object()), "PassphraseSecretArn");
    if (arn.empty()) continue;
    if (auto value = secretsmanager::current_secret_string(domain, region, arn)) out[arn] = *value;
  }
}

}  // namespace

media::EndpointPlan origin_endpoint_plan(const Domain& domain, const Record& endpoint) {
  media::EndpointPlan plan = media::plan_origin_endpoint(
      endpoint.key.region, endpoint.doc, domain.config().origin_dir(mediapackage::endpoint_url_hash(endpoint)));
  // An encrypted endpoint's keys come from its SpekeKeyProvider, called over loopback HTTP on the
  // packager's key thread (emulator/speke/speke_client.hpp); plans themselves stay plain values.
  if (plan.spec && plan.spec->encryption)
    plan.spec->encryption->keys = std::make_shared<speke::SpekeKeyProvider>(*plan.spec->encryption);
  return plan;
}

std::vector<media::EndpointPlan> mediapackage_endpoint_plans(const Domain& domain, const std::string& region,
                                                             const std::string& mediapackage_channel_id) {
  std::vector<media::EndpointPlan> plans;
  for (const Record* e : domain.list(mediapackage::kOriginEndpoint, region))
    if (text_of(e->doc, "ChannelId") == mediapackage_channel_id) plans.push_back(origin_endpoint_plan(domain, *e));
  return plans;
}

media::ChannelRunPlan channel_run_plan(const Domain& domain, const std::string& region, const std::string& channel_id) {
  media::ChannelSources sources;
  sources.region = region;
  if (const Record* channel = domain.find({medialive::kChannel, region, channel_id})) sources.channel = channel->doc;
  sources.channel["Id"] = channel_id;
  for (const auto& attachment : sources.channel.value("InputAttachments", json::array())) {
    const Record* input = domain.find({medialive::kInput, region, text_of(attachment, "InputId")});
    if (!input) continue;
    sources.inputs.push_back({input->doc, stream_names(*input)});
    add_credentials(domain, region, input->doc, sources.credentials);
    for (const auto& g : input->doc.value("SecurityGroups", json::array())) {
      if (!g.is_string()) continue;
      if (const Record* isg = domain.find({medialive::kInputSecurityGroup, region, g.get<std::string>()}))
        sources.security_groups[isg->key.id] = isg->doc;
    }
  }
  // The destinations' SSM PasswordParam (MediaPackage ingest URLs' digest passwords).
  for (const auto& destination : sources.channel.value("Destinations", json::array()))
    for (const auto& setting : destination.value("Settings", json::array())) {
      std::string param = text_of(setting, "PasswordParam");
      if (!param.empty())
        if (auto value = ssm::parameter_value(domain, region, param)) sources.credentials[param] = *value;
    }
  sources.schedule = medialive::schedule_actions(domain, region, channel_id);
  std::map<std::string, size_t> mp_index;
  for (const Record* mp : domain.list(mediapackage::kChannel, region)) {
    media::ChannelSources::MediaPackageChannel c;
    c.id = mp->key.id;
    for (const auto& e : mp->doc.value("HlsIngest", json::object()).value("IngestEndpoints", json::array())) {
      c.ingest_urls.push_back(text_of(e, "Url"));
      c.ingest_credentials.emplace_back(text_of(e, "Username"), text_of(e, "Password"));
    }
    mp_index[c.id] = sources.mediapackage.size();
    sources.mediapackage.push_back(std::move(c));
  }
  for (const Record* e : domain.list(mediapackage::kOriginEndpoint, region)) {
    auto owner = mp_index.find(text_of(e->doc, "ChannelId"));
    if (owner != mp_index.end()) sources.mediapackage[owner->second].endpoints.push_back(origin_endpoint_plan(domain, *e));
  }
  media::PlanSettings settings;
  settings.x264_preset = domain.config().x264_preset;
  settings.s3_root = domain.config().data_dir / "s3";
  return media::plan_channel_run(sources, settings);
}

std::vector<std::string> running_channels_using_group(const Domain& domain, const std::string& region,
                                                      const std::string& group_id) {
  std::vector<std::string> out;
  for (const Record* input : domain.list(medialive::kInput, region)) {
    bool uses = false;
    for (const auto& g : input->doc.value("SecurityGroups", json::array())) uses |= g == group_id;
    if (!uses) continue;
    for (const auto& c : input->doc.value("AttachedChannels", json::array())) {
      const Record* channel = c.is_string() ? domain.find({medialive::kChannel, region, c.get<std::string>()}) : nullptr;
      if (channel && text_of(channel->doc, "State") == "RUNNING") out.push_back(channel->key.id);
    }
  }
  return out;
}

std::vector<media::ChannelRunPlan> running_channel_plans(Domain& domain) {
  auto lock = domain.read();
  std::vector<media::ChannelRunPlan> out;
  for (const Record* r : domain.list_all(medialive::kChannel))
    if (text_of(r->doc, "State") == "RUNNING") {
      out.push_back(channel_run_plan(domain, r->key.region, r->key.id));
      out.back().order = domain.next_sequence();
    }
  return out;
}

std::string explain_unrouted_publish(Domain& domain, const std::string& app, const std::string& stream) {
  auto lock = domain.read();
  const Record* input = nullptr;
  for (const Record* r : domain.list_all(medialive::kInput)) {
    if (text_of(r->doc, "Type") != "RTMP_PUSH" || text_of(r->doc, "State") == "DELETED") continue;
    for (const auto& name : stream_names(*r))
      if (pipeline::rtmp::stream_name_matches(name, app, stream)) input = r;
  }
  if (!input) return "no RTMP_PUSH input has the stream name " + app + "/" + stream;
  const json attached = input->doc.value("AttachedChannels", json::array());
  if (attached.empty() || !attached[0].is_string()) return "input " + input->key.id + " is not attached to a channel";
  const std::string channel_id = attached[0].get<std::string>();
  const Record* channel = domain.find({medialive::kChannel, input->key.region, channel_id});
  const std::string state = channel ? text_of(channel->doc, "State") : "missing";
  if (state != "RUNNING") {
    return "input " + input->key.id + " is attached to channel " + channel_id + ", which is " + state +
           "; start the channel first";
  }
  // RUNNING, yet no source took the publish: its supervisor has not started it (yet), or the
  // channel has no output mediaemu can produce.
  return "channel " + channel_id + " is not taking input yet (see ListAlerts); retry in a moment";
}

}  // namespace mediaemu
