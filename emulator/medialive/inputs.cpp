// MediaLive inputs: CreateInput, DescribeInput, ListInputs, UpdateInput, DeleteInput, and the
// input side of channel attachment.
//
// Push inputs get destinations that really work on this machine:
//   RTMP_PUSH  rtmp://127.0.0.1:<rtmp-port>/<app>/<instance>, one per StreamName
//   RTP_PUSH   rtp://127.0.0.1:<port>, UDP_PUSH udp://127.0.0.1:<port>, ports from --udp-ports
//   SRT_LISTENER srt://127.0.0.1:<port>, ports from --udp-ports (the sender calls in)
// AWS gives each destination its own IP; here every input shares one address, so stream names
// and ports must be unique across inputs (all regions share the RTMP port). STANDARD inputs have
// two destinations/sources, SINGLE_PIPELINE one (ML-UG setup-uss-rtmp-push).
//
// Pull inputs name their sources: URL_PULL (HLS, MP4 over HTTP), MP4_FILE and TS_FILE take
// http(s)://, s3ssl:// and mediastoressl:// URLs (ML-UG setup-mp4-obtain-info), and in mediaemu
// also file:// URLs and absolute paths; RTMP_PULL takes rtmp(s):// URLs; SRT_CALLER inputs name
// the listeners to call in SrtSettings.
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <set>

#include "emulator/medialive/medialive.hpp"

namespace mediaemu::medialive {
namespace {

bool is_push(const std::string& type) {
  return type == "RTMP_PUSH" || type == "RTP_PUSH" || type == "UDP_PUSH" || type == "SRT_LISTENER";
}
bool uses_ports(const std::string& type) { return type == "RTP_PUSH" || type == "UDP_PUSH" || type == "SRT_LISTENER"; }
bool is_pull(const std::string& type) {
  return type == "URL_PULL" || type == "MP4_FILE" || type == "RTMP_PULL" || type == "TS_FILE";
}

// Every RTMP stream name and UDP port held by an input other than `except_id`, in any region.
struct Claims {
  std::set<std::string> stream_names;
  std::set<int> ports;
};
Claims claims(const Domain& domain, const std::string& except_region, const std::string& except_id) {
  Claims c;
  for (const Record* r : domain.list_all(kInput)) {
    if (!is_live(*r) || (r->key.region == except_region && r->key.id == except_id)) continue;
    for (const auto& name : r->internal.value("streamNames", json::array())) c.stream_names.insert(name.get<std::string>());
    if (uses_ports(str(r->doc, "Type"))) {
      for (const auto& d : r->doc.value("Destinations", json::array())) c.ports.insert(std::stoi(str(d, "Port")));
    }
  }
  return c;
}

// "live" (an application, any instance) overlaps "live/main"; "live/a" and "live/b" do not.
bool stream_names_overlap(const std::string& a, const std::string& b) {
  auto app = [](const std::string& n) { return n.substr(0, n.find('/')); };
  bool a_app_only = a.find('/') == std::string::npos, b_app_only = b.find('/') == std::string::npos;
  return a == b || ((a_app_only || b_app_only) && app(a) == app(b));
}

std::string normalize_stream_name(std::string name) {
  while (!name.empty() && name.front() == '/') name.erase(name.begin());
  while (!name.empty() && name.back() == '/') name.pop_back();
  return name;
}

// Destinations of a push input. `existing` keeps ports fixed across UpdateInput (AWS keeps
// endpoints for the input's lifetime; only RTMP stream names are editable).
json push_destinations(Tx& tx, const CallContext& ctx, const std::string& type, const std::string& input_id,
                       const json& requested, const json& existing, json& stream_names_out) {
  const Config& cfg = tx.domain().config();
  const std::string host = cfg.url_host();
  Claims taken = claims(tx.domain(), ctx.region, input_id);
  json out = json::array();
  stream_names_out = json::array();
  if (type == "RTMP_PUSH") {
    std::vector<std::string> names;
    for (const auto& d : requested) names.push_back(normalize_stream_name(str(d, "StreamName")));
    if (names.empty()) {
      // No destinations given (AWS's console always asks for them). Give a STANDARD input two
      // app names of its own; the publisher picks any instance under them, e.g. .../<app>/live.
      names = {input_id + "-0", input_id + "-1"};
    }
    if (names.size() > 2) throw api::unprocessable("An RTMP_PUSH input has at most 2 destinations (one per pipeline)");
    for (const auto& name : names) {
      if (name.empty()) {
        throw api::unprocessable("destinations[].streamName must be \"<application name>/<application instance>\"");
      }
      bool clash = names.size() == 2 && stream_names_overlap(names[0], names[1]);
      for (const auto& t : taken.stream_names) clash |= stream_names_overlap(name, t);
      if (clash) {
        throw api::conflict("The RTMP stream name '" + name +
                            "' is already used by another input. mediaemu serves every input on one address (" +
                            host + ":" + std::to_string(cfg.rtmp_port) + "), so stream names must be unique");
      }
      stream_names_out.push_back(name);
      out.push_back({{"Ip", host},
                     {"Port", std::to_string(cfg.rtmp_port)},
                     {"Url", "rtmp://" + host + ":" + std::to_string(cfg.rtmp_port) + "/" + name}});
    }
    return out;
  }
  // RTP_PUSH / UDP_PUSH / SRT_LISTENER: one port per destination, two unless one was asked for.
  size_t count = requested.is_array() && requested.size() == 1 ? 1 : 2;
  if (existing.is_array() && !existing.empty()) count = existing.size();
  const std::string scheme = type == "RTP_PUSH" ? "rtp" : type == "SRT_LISTENER" ? "srt" : "udp";
  int port = cfg.udp_port_first;
  for (size_t i = 0; i < count; ++i) {
    int chosen;
    if (existing.is_array() && i < existing.size()) {
      chosen = std::stoi(str(existing[i], "Port"));
    } else {
      while (port <= cfg.udp_port_last && taken.ports.count(port)) ++port;
      if (port > cfg.udp_port_last) {
        throw api::unprocessable("No free port left in the --udp-ports range " + std::to_string(cfg.udp_port_first) +
                                 "-" + std::to_string(cfg.udp_port_last) + "; delete an RTP/UDP input or widen the range");
      }
      chosen = port;
    }
    taken.ports.insert(chosen);
    out.push_back({{"Ip", host},
                   {"Port", std::to_string(chosen)},
                   {"Url", scheme + "://" + host + ":" + std::to_string(chosen)}});
  }
  return out;
}

json require_security_groups(const Tx& tx, const CallContext& ctx, const json& ids) {
  json out = json::array();
  for (const auto& id : ids) {
    const Record* g = tx.find(isg_key(ctx, id.get<std::string>()));
    if (!g || str(g->doc, "State") == "DELETED") {
      throw api::bad_request("Input security group " + id.get<std::string>() + " does not exist in " + ctx.region);
    }
    out.push_back(id);
  }
  return out;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// The URL forms a pull input's source may take (ML-UG setup-mp4-obtain-info, setup-input-hls),
// plus local files, which only mediaemu can read.
void check_source_url(const std::string& type, const std::string& url) {
  if (type == "RTMP_PULL") {
    for (const char* scheme : {"rtmp://", "rtmps://"})
      if (starts_with(url, scheme) && url.size() > std::string(scheme).size()) return;
    throw api::unprocessable("Invalid URL (" + url + ") specified for inputSource: an RTMP_PULL source is an rtmp:// "
                             "or rtmps:// URL");
  }
  for (const char* scheme : {"http://", "https://", "s3ssl://", "s3://", "mediastoressl://", "file:///"})
    if (starts_with(url, scheme) && url.size() > std::string(scheme).size()) return;
  if (starts_with(url, "/") && url.size() > 1) return;
  throw api::unprocessable("Invalid URL (" + url + ") specified for inputSource: a " + type +
                           " source is an http://, https://, s3ssl:// or mediastoressl:// URL (mediaemu also reads "
                           "file:///path and /path)");
}

// SrtSettings as the model describes them: SRT_CALLER needs SrtCallerSources (the listeners to
// call), SRT_LISTENER needs SrtListenerSettings; MinimumLatency is 120-15000 ms; Decryption needs
// both its Algorithm and its PassphraseSecretArn.
void check_srt_settings(const std::string& type, const json& srt) {
  auto check_common = [](const json& s, const std::string& where) {
    if (s.contains("MinimumLatency")) {
      const json& latency = s["MinimumLatency"];
      if (!latency.is_number_integer() || latency.get<int64_t>() < 120 || latency.get<int64_t>() > 15000)
        throw api::unprocessable(where + ".minimumLatency must be between 120 and 15000 (milliseconds)");
    }
    if (s.contains("Decryption")) {
      const json& d = s["Decryption"];
      if (str(d, "Algorithm").empty() || str(d, "PassphraseSecretArn").empty())
        throw api::unprocessable(where + ".decryption needs both algorithm and passphraseSecretArn");
    }
  };
  if (type == "SRT_CALLER") {
    const json sources = srt.value("SrtCallerSources", json::array());
    if (!sources.is_array() || sources.empty())
      throw api::unprocessable("An SRT_CALLER input needs srtSettings.srtCallerSources: one (SINGLE_PIPELINE) or two (STANDARD)");
    if (sources.size() > 2) throw api::unprocessable("An SRT_CALLER input has at most 2 srtCallerSources (one per pipeline)");
    for (const auto& s : sources) {
      if (str(s, "SrtListenerAddress").empty())
        throw api::unprocessable("srtSettings.srtCallerSources[].srtListenerAddress is required");
      const std::string port = str(s, "SrtListenerPort");
      char* end = nullptr;
      long value = std::strtol(port.c_str(), &end, 10);
      if (port.empty() || *end != '\0' || value < 1 || value > 65535)
        throw api::unprocessable("srtSettings.srtCallerSources[].srtListenerPort must be a port number (1-65535), not '" + port + "'");
      check_common(s, "srtSettings.srtCallerSources[]");
    }
  } else if (type == "SRT_LISTENER") {
    if (!srt.contains("SrtListenerSettings"))
      throw api::unprocessable("An SRT_LISTENER input needs srtSettings.srtListenerSettings");
    const json& s = srt["SrtListenerSettings"];
    if (!s.contains("MinimumLatency")) throw api::unprocessable("srtSettings.srtListenerSettings.minimumLatency is required");
    check_common(s, "srtSettings.srtListenerSettings");
  }
}

// MediaConnectFlows: "You can specify as few as one Flow and presently, as many as two" (MediaLive
// API, CreateInputRequest.MediaConnectFlows): one per pipeline of a STANDARD channel.
void check_mediaconnect_flows(const json& flows) {
  if (!flows.is_array() || flows.empty())
    throw api::unprocessable("A MEDIACONNECT input needs mediaConnectFlows: one flow ARN (SINGLE_PIPELINE) or two (STANDARD)");
  if (flows.size() > 2) throw api::unprocessable("A MEDIACONNECT input has at most 2 mediaConnectFlows (one per pipeline)");
  for (const auto& f : flows) {
    const std::string arn = str(f, "FlowArn");
    if (!starts_with(arn, "arn:") || arn.find(":mediaconnect:") == std::string::npos || arn.find(":flow:") == std::string::npos)
      throw api::unprocessable("mediaConnectFlows[].flowArn must be a MediaConnect flow ARN "
                               "(arn:aws:mediaconnect:<region>:<account>:flow:<id>:<name>), not '" + arn + "'");
  }
}

json sources_from(const std::string& type, const json& requested) {
  if (!requested.is_array() || requested.empty()) {
    throw api::unprocessable("A " + type + " input needs sources: one URL (SINGLE_PIPELINE) or two (STANDARD)");
  }
  if (requested.size() > 2) throw api::unprocessable("An input has at most 2 sources (one per pipeline)");
  json out = json::array();
  for (const auto& s : requested) {
    if (str(s, "Url").empty()) throw api::unprocessable("Invalid URL () specified for inputSource");
    check_source_url(type, str(s, "Url"));
    json src = {{"Url", str(s, "Url")}};
    copy_member(src, s, "Username");
    copy_member(src, s, "PasswordParam");
    out.push_back(src);
  }
  return out;
}

void apply_settings(Tx& tx, const CallContext& ctx, Record& r, const json& in) {
  json& doc = r.doc;
  const std::string type = str(doc, "Type");
  if (in.contains("Name")) doc["Name"] = in["Name"];
  if (in.contains("RoleArn")) doc["RoleArn"] = in["RoleArn"];
  if (in.contains("InputSecurityGroups")) doc["SecurityGroups"] = require_security_groups(tx, ctx, in["InputSecurityGroups"]);
  if (is_push(type) && (in.contains("Destinations") || !doc.contains("Destinations"))) {
    json names;
    doc["Destinations"] = push_destinations(tx, ctx, type, r.key.id, in.value("Destinations", json::array()),
                                            doc.value("Destinations", json::array()), names);
    r.internal["streamNames"] = names;
    doc["InputClass"] = doc["Destinations"].size() == 2 ? "STANDARD" : "SINGLE_PIPELINE";
  }
  if (is_pull(type) && (in.contains("Sources") || !doc.contains("Sources"))) {
    doc["Sources"] = sources_from(type, in.value("Sources", json::array()));
    doc["InputClass"] = doc["Sources"].size() == 2 ? "STANDARD" : "SINGLE_PIPELINE";
    bool dynamic = false;
    for (const auto& s : doc["Sources"]) dynamic |= str(s, "Url").find("$urlPath$") != std::string::npos;
    doc["InputSourceType"] = dynamic ? "DYNAMIC" : "STATIC";
  }
  if (type == "SRT_CALLER" || type == "SRT_LISTENER") {
    if (in.contains("SrtSettings") || !doc.contains("SrtSettings"))
      check_srt_settings(type, in.value("SrtSettings", json::object()));
    if (type == "SRT_CALLER" && in.contains("SrtSettings"))
      doc["InputClass"] = in["SrtSettings"].value("SrtCallerSources", json::array()).size() == 2 ? "STANDARD" : "SINGLE_PIPELINE";
  }
  if (type == "MEDIACONNECT" && (in.contains("MediaConnectFlows") || doc.value("MediaConnectFlows", json::array()).empty()))
    check_mediaconnect_flows(in.value("MediaConnectFlows", json::array()));
  if (in.contains("MediaConnectFlows")) {
    doc["MediaConnectFlows"] = json::array();
    for (const auto& f : in["MediaConnectFlows"]) doc["MediaConnectFlows"].push_back({{"FlowArn", str(f, "FlowArn")}});
    doc["InputClass"] = doc["MediaConnectFlows"].size() == 2 ? "STANDARD" : "SINGLE_PIPELINE";
  }
  // Settings echoed as sent: SRT's (the channel reads them when it runs) and those mediaemu does
  // not act on (multicast, SDI, ...).
  for (const char* passthrough : {"InputDevices", "SrtSettings", "MulticastSettings", "Smpte2110ReceiverGroupSettings",
                                  "SdiSources", "InputNetworkLocation", "RouterSettings"}) {
    copy_member(doc, in, passthrough);
  }
  for (auto it = in.begin(); it != in.end(); ++it) {
    if (!it.key().empty() && std::islower(static_cast<unsigned char>(it.key()[0]))) doc[it.key()] = *it;  // unknown members
  }
}

json create_input(Domain& domain, const CallContext& ctx, const json& in) {
  const std::string type = str(in, "Type");
  if (type.empty()) throw api::bad_request("Missing required parameter 'type'");
  auto tx = domain.write();
  // RequestId is the idempotency token (botocore fills one in): a retry returns the same input.
  if (const std::string request_id = str(in, "RequestId"); !request_id.empty()) {
    for (const Record* r : domain.list(kInput, ctx.region)) {
      if (r->internal.value("requestId", "") == request_id) return {{"Input", r->doc}};
    }
  }
  std::string id = next_id(*tx);
  json doc = {{"Arn", arn(ctx, "input", id)},
              {"AttachedChannels", json::array()},
              {"Id", id},
              {"InputClass", "SINGLE_PIPELINE"},
              {"InputDevices", json::array()},
              {"InputPartnerIds", json::array()},
              {"MediaConnectFlows", json::array()},
              {"Name", str(in, "Name")},
              {"RoleArn", ""},
              {"SecurityGroups", json::array()},
              {"State", "CREATING"},
              {"Tags", in.value("Tags", json::object())},
              {"Type", type}};
  Record& r = tx->create(input_key(ctx, id), doc, {{"requestId", str(in, "RequestId")}});
  apply_settings(*tx, ctx, r, in);
  if (!r.doc.contains("Sources")) r.doc["Sources"] = json::array();
  if (!r.doc.contains("Destinations")) r.doc["Destinations"] = json::array();
  tx->schedule(r.key, "DETACHED");
  refresh_security_groups(*tx, ctx.region);
  json out = {{"Input", r.doc}};
  tx->commit();
  spdlog::info("medialive: created {} input {} ({}) in {}", type, id, str(in, "Name"), ctx.region);
  return out;
}

json describe_input(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  return require(domain, input_key(ctx, str(in, "InputId")), "Input").doc;
}

json list_inputs(Domain& domain, const CallContext& ctx, const json& in) {
  auto lock = domain.read();
  std::vector<const Record*> live;
  for (const Record* r : domain.list(kInput, ctx.region))
    if (is_live(*r)) live.push_back(r);
  Page page = paginate(live, in);
  json out = {{"Inputs", json::array()}};
  for (const Record* r : page.items) out["Inputs"].push_back(r->doc);
  put_next_token(out, page);
  return out;
}

json update_input(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require(domain, input_key(ctx, str(in, "InputId")), "Input");
  if (!is_live(current)) throw api::not_found("Input " + current.key.id + " not found (it was deleted)");
  for (const auto& channel_id : current.doc.value("AttachedChannels", json::array())) {
    const Record* ch = tx->find(channel_key(ctx, channel_id.get<std::string>()));
    if (ch && str(ch->doc, "State") != "IDLE") {
      throw api::conflict("Input " + current.key.id + " is attached to channel " + channel_id.get<std::string>() +
                          ", which is " + str(ch->doc, "State") + "; an attached input can be edited only while its channel is IDLE");
    }
  }
  Record& r = tx->modify(current.key);
  apply_settings(*tx, ctx, r, in);
  refresh_security_groups(*tx, ctx.region);
  json out = {{"Input", r.doc}};
  tx->commit();
  spdlog::info("medialive: updated input {} in {}", r.key.id, ctx.region);
  return out;
}

json delete_input(Domain& domain, const CallContext& ctx, const json& in) {
  auto tx = domain.write();
  const Record& current = require(domain, input_key(ctx, str(in, "InputId")), "Input");
  const std::string state = str(current.doc, "State");
  if (state == "DELETED" || state == "DELETING") throw api::not_found("Input " + current.key.id + " not found (it was deleted)");
  // AWS: an attached input can't be deleted; delete the channel first (ML-UG delete-input). The
  // API reference lists 409 for DELETE /prod/inputs/{inputId}.
  if (!current.doc.value("AttachedChannels", json::array()).empty()) {
    throw api::conflict("Input " + current.key.id + " is attached to channel " +
                        current.doc["AttachedChannels"][0].get<std::string>() +
                        "; delete the channel (or remove the input from its InputAttachments) before deleting the input");
  }
  Record& r = tx->modify(current.key);
  r.doc["State"] = "DELETING";
  tx->schedule(r.key, "DELETED");
  tx->commit();
  spdlog::info("medialive: deleting input {} in {}", r.key.id, ctx.region);
  return json::object();
}

// CREATING settles to DETACHED (or ATTACHED, if a channel took it meanwhile); DELETING to
// DELETED, which frees its ports and stream names and is purged after the retention period.
void settle_input(Tx& tx, const Key& key, const std::string& to) {
  Record& r = tx.modify(key);
  if (to == "DETACHED") {
    r.doc["State"] = r.doc.value("AttachedChannels", json::array()).empty() ? "DETACHED" : "ATTACHED";
  } else if (to == "DELETED") {
    r.doc["State"] = "DELETED";
    r.internal.erase("streamNames");
    refresh_security_groups(tx, key.region);
    tx.schedule(key, "", kDeletedRetentionMs);
  } else {
    r.doc["State"] = to;
  }
}

}  // namespace

void check_attachable(Tx& tx, const CallContext& ctx, const json& attachments, const std::string& channel_id) {
  std::set<std::string> seen;
  for (const auto& a : attachments) {
    const std::string id = str(a, "InputId");
    const Record* r = tx.find(input_key(ctx, id));
    if (!r || !is_live(*r) || str(r->doc, "State") == "DELETING") {
      throw api::bad_request("inputAttachments: input " + id + " does not exist in " + ctx.region);
    }
    if (!seen.insert(id).second) throw api::bad_request("inputAttachments: input " + id + " is attached twice");
    for (const auto& other : r->doc.value("AttachedChannels", json::array())) {
      if (other.get<std::string>() != channel_id) {
        // The message AWS gives (cloudformation-coverage-roadmap#2080).
        throw api::conflict("inputId=" + id + " is already attached");
      }
    }
  }
}

void attach_inputs(Tx& tx, const CallContext& ctx, const json& attachments, const std::string& channel_id) {
  check_attachable(tx, ctx, attachments, channel_id);
  for (const auto& a : attachments) {
    Record& r = tx.modify(input_key(ctx, str(a, "InputId")));
    r.doc["AttachedChannels"] = json::array({channel_id});
    if (str(r.doc, "State") != "CREATING") r.doc["State"] = "ATTACHED";
  }
}

void detach_inputs(Tx& tx, const std::string& region, const std::string& channel_id) {
  for (const Record* r : tx.domain().list(kInput, region)) {
    const auto& attached = r->doc.value("AttachedChannels", json::array());
    if (std::find(attached.begin(), attached.end(), channel_id) == attached.end()) continue;
    Record& m = tx.modify(r->key);
    json keep = json::array();
    for (const auto& c : attached)
      if (c != channel_id) keep.push_back(c);
    m.doc["AttachedChannels"] = keep;
    if (keep.empty() && str(m.doc, "State") == "ATTACHED") m.doc["State"] = "DETACHED";
  }
}

void add_input_operations(api::OperationTable& t, Domain& d) {
  t["CreateInput"] = [&d](const CallContext& c, const json& in) { return create_input(d, c, in); };
  t["DescribeInput"] = [&d](const CallContext& c, const json& in) { return describe_input(d, c, in); };
  t["ListInputs"] = [&d](const CallContext& c, const json& in) { return list_inputs(d, c, in); };
  t["UpdateInput"] = [&d](const CallContext& c, const json& in) { return update_input(d, c, in); };
  t["DeleteInput"] = [&d](const CallContext& c, const json& in) { return delete_input(d, c, in); };
  d.on_transition(kInput, settle_input);
}

}  // namespace mediaemu::medialive
