#include "emulator/media/plan/run_plan.hpp"

#include "emulator/media/plan/json_fields.hpp"
#include "emulator/media/plan/unrun_actions.hpp"

namespace mediaemu::media {
namespace {

using json = nlohmann::json;

// The path of a URL ("http://h:1/in/v2/a/b/channel" -> "/in/v2/a/b/channel"), so hosts and ports
// written differently still match.
std::string url_path(const std::string& url) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "" : url.substr(slash);
}

// Why MediaPackage would refuse a destination's digest credentials (MediaLive sends Username and
// the password it reads from the SSM parameter PasswordParam: ML-UG "Creating a channel",
// destinations for MediaPackage over HTTP), or "" when it would accept them.
std::string ingest_auth_problem(const json& setting, const std::pair<std::string, std::string>& ingest,
                                const Credentials& credentials) {
  const std::string user = text(setting, "Username"), param = text(setting, "PasswordParam");
  if (user != ingest.first)
    return user.empty() ? "the destination has no Username (the ingest endpoint's is '" + ingest.first + "')"
                        : "the destination's Username '" + user + "' is not the ingest endpoint's ('" + ingest.first + "')";
  if (param.empty()) return "the destination has no PasswordParam (the SSM parameter holding the ingest password)";
  auto password = credentials.find(param);
  if (password == credentials.end()) return "its PasswordParam, SSM parameter '" + param + "', does not exist";
  if (password->second != ingest.second)
    return "SSM parameter '" + param + "' does not hold the ingest endpoint's password (rotated since?)";
  return "";
}

}  // namespace

ChannelRunPlan plan_channel_run(const ChannelSources& sources, const PlanSettings& settings) {
  ChannelRunPlan run;
  run.region = sources.region;
  run.channel_id = text(sources.channel, "Id");
  run.pipeline_count = text(sources.channel, "ChannelClass", "STANDARD") == "SINGLE_PIPELINE" ? 1 : 2;

  std::map<std::string, const ChannelSources::MediaPackageChannel*> by_ingest_path, by_id;
  for (const auto& mp : sources.mediapackage) {
    by_id[mp.id] = &mp;
    for (const auto& url : mp.ingest_urls) by_ingest_path[url_path(url)] = &mp;
  }
  PlanContext ctx;
  ctx.label = "channel " + run.channel_id;
  ctx.x264_preset = settings.x264_preset;
  ctx.s3_root = settings.s3_root;
  ctx.mediapackage_ingest = [&](const json& setting) -> std::optional<MediaPackageIngest> {
    const std::string url = text(setting, "Url");
    auto it = by_ingest_path.find(url_path(url));
    if (it == by_ingest_path.end()) return std::nullopt;
    const auto& urls = it->second->ingest_urls;
    size_t index = 0;
    for (size_t i = 0; i < urls.size(); ++i)
      if (url_path(urls[i]) == url_path(url)) index = i;
    MediaPackageIngest ingest{it->second->id, static_cast<int>(std::min<size_t>(index, 1)), ""};
    const auto& credentials = it->second->ingest_credentials;
    if (index < credentials.size())
      ingest.refused = ingest_auth_problem(setting, credentials[index], sources.credentials);
    return ingest;
  };
  for (int p = 0; p < run.pipeline_count; ++p) {
    ctx.pipeline = p;
    ctx.label = "channel " + run.channel_id + (p == 0 ? "" : " pipeline " + std::to_string(p));
    run.pipeline_media.push_back(plan_channel(sources.channel, ctx));
  }

  for (const auto& d : run.pipeline_media.front().deliveries) {
    if (d.kind != Delivery::Kind::MediaPackage) continue;
    auto mp = by_id.find(d.mediapackage_channel_id);
    if (mp == by_id.end()) {
      run.delivery_alerts.push_back("output group '" + d.group_name + "' delivers to MediaPackage channel '" +
                                    d.mediapackage_channel_id + "', which does not exist in " + run.region);
      continue;
    }
    run.mediapackage_endpoints[mp->first] = mp->second->endpoints;
  }
  std::vector<std::string> shared_alerts;  // the inputs' and the schedule's: every pipeline's
  for (const auto& input : sources.inputs) {
    json attachment = json::object();
    for (const auto& a : sources.channel.value("InputAttachments", json::array()))
      if (text(a, "InputId") == text(input.doc, "Id")) attachment = a;
    run.inputs.push_back(plan_input(input.doc, input.stream_names, sources.security_groups, attachment, settings.s3_root,
                                    sources.credentials));
    run.inputs.back().attachment_name = text(attachment, "InputAttachmentName");
    for (const auto& problem : run.inputs.back().problems) shared_alerts.push_back(problem);
  }
  run.switching = plan_input_switching(sources.channel, sources.schedule);
  for (const auto& alert : run.switching.alerts) shared_alerts.push_back(alert);
  run.cues = plan_ad_cues(sources.schedule);
  for (const auto& alert : run.cues.alerts) shared_alerts.push_back(alert);
  for (const auto& alert : unrun_schedule_actions(sources.schedule)) shared_alerts.push_back(alert);
  for (auto& media : run.pipeline_media) media.alerts.insert(media.alerts.end(), shared_alerts.begin(), shared_alerts.end());
  run.media = run.pipeline_media.front();
  return run;
}

InputPlan pipeline_input(const InputPlan& input, int pipeline) {
  InputPlan one = input;
  auto pick = [&](auto& list) {
    using List = std::decay_t<decltype(list)>;
    list = static_cast<size_t>(pipeline) < list.size() ? List{list[static_cast<size_t>(pipeline)]} : List{};
  };
  pick(one.stream_names);
  pick(one.ports);
  pick(one.urls);
  if (one.transport == InputPlan::Transport::SrtCaller) pick(one.srt);  // a listener's settings serve both ports
  pick(one.flow_arns);
  return one;
}

ChannelRunPlan pipeline_plan(const ChannelRunPlan& run, int pipeline) {
  ChannelRunPlan one = run;
  one.pipeline = pipeline;
  if (static_cast<size_t>(pipeline) < run.pipeline_media.size()) one.media = run.pipeline_media[static_cast<size_t>(pipeline)];
  one.pipeline_media.clear();
  for (auto& input : one.inputs) input = pipeline_input(input, pipeline);
  return one;
}

}  // namespace mediaemu::media
