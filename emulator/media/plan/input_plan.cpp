#include "emulator/media/plan/input_plan.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>

#include "emulator/media/plan/json_fields.hpp"

namespace mediaemu::media {

using json = nlohmann::json;

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// A Sources[] entry -> what libavformat opens, or "" (with the reason in `problems`).
// RFC 3986 userinfo: everything but unreserved characters percent-encoded.
std::string userinfo_escape(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string resolve_source(const json& source, const std::string& input_id, const std::filesystem::path& s3_root,
                           const Credentials& credentials, std::vector<std::string>& problems) {
  const std::string url = text(source, "Url");
  const std::string shown = "input " + input_id + " source '" + url + "'";
  for (const char* scheme : {"s3://", "s3ssl://"}) {
    if (!starts_with(url, scheme)) continue;
    if (s3_root.empty()) break;
    return (s3_root / url.substr(std::string(scheme).size())).string();  // mediaemu's S3 directory
  }
  if (starts_with(url, "file://")) return url.substr(7);
  if (starts_with(url, "/")) return url;
  if (starts_with(url, "http://") || starts_with(url, "https://") || starts_with(url, "rtmp://") ||
      starts_with(url, "rtmps://")) {
    auto authority = url.substr(url.find("://") + 3);
    bool embedded = authority.substr(0, authority.find('/')).find('@') != std::string::npos;
    const std::string user = text(source, "Username");
    if (!user.empty() && !embedded) {
      // The password lives in SSM Parameter Store: PasswordParam names the parameter.
      auto password = credentials.find(text(source, "PasswordParam"));
      if (password == credentials.end()) {
        problems.push_back(shown + " asks for user '" + user + "' with the password in SSM parameter '" +
                           text(source, "PasswordParam") + "', which does not exist; it pulls without credentials");
        return url;
      }
      size_t at = url.find("://") + 3;
      return url.substr(0, at) + userinfo_escape(user) + ":" + userinfo_escape(password->second) + "@" + url.substr(at);
    }
    return url;
  }
  if (starts_with(url, "mediastoressl://")) {
    problems.push_back(shown + ": mediaemu does not emulate MediaStore; use an http(s) URL or a local path");
    return "";
  }
  problems.push_back(shown + " has a scheme mediaemu cannot pull; use http(s)://, rtmp://, s3ssl://, file:// or a path");
  return "";
}

SrtPlan srt_plan(const json& settings, const std::string& input_id, const Credentials& credentials,
                 std::vector<std::string>& problems) {
  SrtPlan srt;
  srt.address = text(settings, "SrtListenerAddress");
  srt.port = std::atoi(text(settings, "SrtListenerPort").c_str());
  srt.stream_id = text(settings, "StreamId");
  srt.latency_ms = integer(settings, "MinimumLatency", 0);
  srt.passphrase_secret_arn = text(settings.value("Decryption", json::object()), "PassphraseSecretArn");
  if (!srt.passphrase_secret_arn.empty()) {
    auto secret = credentials.find(srt.passphrase_secret_arn);
    if (secret != credentials.end()) {
      srt.passphrase = secret->second;
    } else {
      problems.push_back("input " + input_id + ": the SRT passphrase is in Secrets Manager secret '" +
                         srt.passphrase_secret_arn +
                         "', which does not exist (or has no current value); it connects without encryption, so an "
                         "encrypting peer refuses it");
    }
  }
  return srt;
}

void plan_pull(InputPlan& plan, const json& input, const json& attachment, const std::filesystem::path& s3_root,
               const Credentials& credentials) {
  for (const auto& source : input.value("Sources", json::array())) {
    std::string resolved = resolve_source(source, plan.id, s3_root, credentials, plan.problems);
    if (!resolved.empty()) plan.urls.push_back(resolved);
    plan.dynamic |= resolved.find(kUrlPathVariable) != std::string::npos;
  }
  const json settings = attachment.value("InputSettings", json::object());
  // A file input plays once: InputSettings.SourceEndBehavior defaults to CONTINUE, and LOOP is
  // "Loop input if it is a file. This allows a file input to be streamed indefinitely." (MediaLive
  // API, InputSettings; e.g. docs.aws.amazon.com/sdk-for-kotlin/api/latest/medialive/
  // aws.sdk.kotlin.services.medialive.model/-input-settings/source-end-behavior.html). MP4 and
  // TS file inputs are VOD assets only (ML-UG inputs-live-vs-file).
  plan.loop = text(settings, "SourceEndBehavior", "CONTINUE") == "LOOP";
  // "PID from which to read SCTE-35 messages. If left undefined, EML will select the first SCTE-35
  // PID found in the input." (the medialive model, InputSettings.Scte35Pid)
  plan.scte35_pid = integer(settings, "Scte35Pid", 0);
  plan.hls_buffer_segments = integer(
      settings.value("NetworkInputSettings", json::object()).value("HlsInputSettings", json::object()),
      "BufferSegments", 0);
}

}  // namespace

InputPlan plan_input(const json& input, const std::vector<std::string>& stream_names,
                     const std::map<std::string, json>& security_groups, const json& attachment,
                     const std::filesystem::path& s3_root, const Credentials& credentials) {
  InputPlan plan;
  plan.id = text(input, "Id");
  plan.type = text(input, "Type");
  plan.transport = plan.type == "RTMP_PUSH" ? InputPlan::Transport::RtmpPush
                   : plan.type == "RTP_PUSH" ? InputPlan::Transport::RtpPush
                   : plan.type == "UDP_PUSH" ? InputPlan::Transport::UdpPush
                   : plan.type == "URL_PULL" ? InputPlan::Transport::UrlPull
                   : plan.type == "MP4_FILE" ? InputPlan::Transport::Mp4File
                   : plan.type == "TS_FILE" ? InputPlan::Transport::TsFile
                   : plan.type == "RTMP_PULL" ? InputPlan::Transport::RtmpPull
                   : plan.type == "SRT_CALLER" ? InputPlan::Transport::SrtCaller
                   : plan.type == "SRT_LISTENER" ? InputPlan::Transport::SrtListener
                   : plan.type == "MEDIACONNECT" ? InputPlan::Transport::MediaConnect
                                             : InputPlan::Transport::Other;
  plan.stream_names = stream_names;
  if (plan.transport == InputPlan::Transport::UrlPull || plan.transport == InputPlan::Transport::Mp4File ||
      plan.transport == InputPlan::Transport::TsFile || plan.transport == InputPlan::Transport::RtmpPull)
    plan_pull(plan, input, attachment, s3_root, credentials);
  const json srt = input.value("SrtSettings", json::object());
  if (plan.transport == InputPlan::Transport::SrtCaller)
    for (const auto& source : srt.value("SrtCallerSources", json::array())) plan.srt.push_back(srt_plan(source, plan.id, credentials, plan.problems));
  if (plan.transport == InputPlan::Transport::SrtListener)
    plan.srt.push_back(srt_plan(srt.value("SrtListenerSettings", json::object()), plan.id, credentials, plan.problems));
  if (plan.transport == InputPlan::Transport::MediaConnect) {
    for (const auto& flow : input.value("MediaConnectFlows", json::array()))
      if (std::string arn = text(flow, "FlowArn"); !arn.empty()) plan.flow_arns.push_back(arn);
    if (plan.flow_arns.empty()) plan.problems.push_back("input " + plan.id + " (MEDIACONNECT) names no MediaConnect flow");
  }
  // Push destinations carry their port as a string ("5000"), the way the model declares it.
  for (const auto& d : input.value("Destinations", json::array())) {
    std::string port = text(d, "Port");
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec == std::errc() && end == port.data() + port.size() && value > 0 && value < 65536) plan.ports.push_back(value);
  }
  // The peer must be inside one of the groups' WhitelistRules. An input with no group takes any
  // sender (AWS requires a group for public push inputs; mediaemu does not).
  const json groups = input.value("SecurityGroups", json::array());
  if (groups.empty()) return plan;
  std::vector<pipeline::Ipv4Range> ranges;
  for (const auto& g : groups) {
    if (!g.is_string()) continue;
    auto group = security_groups.find(g.get<std::string>());
    if (group == security_groups.end()) continue;
    for (const auto& rule : group->second.value("WhitelistRules", json::array())) {
      std::string cidr = text(rule, "Cidr");
      if (auto range = pipeline::Ipv4Range::parse(cidr)) ranges.push_back(*range);
      else plan.problems.push_back("input security group " + g.get<std::string>() + " has a rule '" + cidr +
                                   "' that is not an IPv4 CIDR block; it admits nobody");
    }
  }
  plan.allowed = pipeline::AddressFilter::only(std::move(ranges));
  return plan;
}

InputPlan with_url_path(const InputPlan& input, const std::vector<std::string>& url_path) {
  InputPlan run = input;
  if (url_path.empty()) return run;
  for (size_t i = 0; i < run.urls.size(); ++i) {
    std::string& url = run.urls[i];
    const std::string& value = url_path[std::min(i, url_path.size() - 1)];
    for (auto at = url.find(kUrlPathVariable); at != std::string::npos; at = url.find(kUrlPathVariable, at + value.size()))
      url.replace(at, kUrlPathVariable.size(), value);
  }
  run.dynamic = false;
  return run;
}

}  // namespace mediaemu::media
