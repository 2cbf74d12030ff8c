// A MediaLive input as a running channel needs it: how media arrives (transport, stream names or
// ports) and who may send it (its input security groups' whitelist), with no AWS JSON left.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/ingest/address_filter.hpp"
#include "pipeline/ingest/timecode_clip.hpp"

namespace mediaemu::media {

// One SRT peer of an SRT_CALLER input (the listener the channel calls) or the settings of an
// SRT_LISTENER input (which listens on `ports`).
struct SrtPlan {
  std::string address;       // SRT_CALLER: the sender's listener
  int port = 0;              // SRT_CALLER
  std::string stream_id;     // sent by the caller / expected from it
  int latency_ms = 0;        // MinimumLatency; 0: the library's default (120 ms)
  std::string passphrase_secret_arn;  // Decryption: the passphrase is in Secrets Manager
  std::string passphrase;             // that secret's value, when the control plane found it
};

// Secrets an input names, resolved by the control plane: an SSM parameter name (a source's
// PasswordParam) or a Secrets Manager ARN (an SRT PassphraseSecretArn) -> its value.
using Credentials = std::map<std::string, std::string>;

struct InputPlan {
  enum class Transport { RtmpPush, RtpPush, UdpPush, UrlPull, Mp4File, TsFile, RtmpPull, SrtCaller, SrtListener, MediaConnect, Other };
  std::string id;
  std::string attachment_name;  // the channel's InputAttachmentName for it (what input switches name)
  std::string type;  // the model's InputType, for messages ("RTMP_PUSH", "URL_PULL", ...)
  Transport transport = Transport::Other;
  std::vector<std::string> stream_names;  // RTMP_PUSH: "app/stream" ("app" alone: any stream)
  std::vector<int> ports;                 // RTP_PUSH / UDP_PUSH: the allocated destination ports
  pipeline::AddressFilter allowed = pipeline::AddressFilter::allow_all();  // push senders
  // URL_PULL / MP4_FILE / TS_FILE / RTMP_PULL: what to open, one per pipeline: an http(s) or
  // rtmp URL (credentials, if any, embedded) or a local path (s3:// and s3ssl:// name mediaemu's
  // own S3 directory).
  std::vector<std::string> urls;
  bool loop = false;        // file inputs: the attachment's InputSettings.SourceEndBehavior is LOOP
  // Set for the run an InputSwitch with InputClippingSettings opens (file inputs only).
  std::optional<pipeline::TimecodeClip> clip;
  int hls_buffer_segments = 0;  // URL_PULL: HlsInputSettings.BufferSegments (0: the default, 3)
  int scte35_pid = 0;           // InputSettings.Scte35Pid: the PID whose SCTE-35 is passed on (0: the first)
  std::vector<SrtPlan> srt;     // SRT_CALLER: one per source; SRT_LISTENER: one, its settings
  // MEDIACONNECT: MediaConnectFlows[].FlowArn in the input's order (one per pipeline on AWS; the
  // first is preferred in mediaemu, see pipeline/ingest/mediaconnect/flow_preference.hpp).
  std::vector<std::string> flow_arns;
  // A dynamic input (ML-UG input-prep-dynamic): a source URL holds kUrlPathVariable, replaced by
  // the UrlPath of each input switch to it (with_url_path); it plays only through such switches.
  bool dynamic = false;
  std::vector<std::string> problems;      // e.g. a whitelist rule that is not an IPv4 CIDR
  std::string label() const { return "input " + id; }
  // Senders come to it (they stay connected whichever input is on air); the others are opened by
  // mediaemu (pulled URLs, files), only while on air or standing by for failover.
  // A file MediaLive can clip (InputClippingSettings): MP4_FILE, TS_FILE, and URL_PULL of a file
  // rather than an HLS playlist.
  bool clippable() const {
    if (transport == Transport::Mp4File || transport == Transport::TsFile) return true;
    if (transport != Transport::UrlPull || urls.empty()) return false;
    const std::string& url = urls.front();
    return url.find(".m3u8") == std::string::npos;
  }
  // Whether it names anything to receive or open (a pipeline_input() of a single-source input
  // for pipeline 1 does not).
  bool has_source() const {
    switch (transport) {
      case Transport::RtmpPush: return !stream_names.empty();
      case Transport::RtpPush:
      case Transport::UdpPush:
      case Transport::SrtListener: return !ports.empty();
      case Transport::SrtCaller: return !srt.empty();
      case Transport::MediaConnect: return !flow_arns.empty();
      case Transport::Other: return true;  // refused with its own reason
      default: return !urls.empty();
    }
  }
  bool pushed() const {
    return transport == Transport::RtmpPush || transport == Transport::RtpPush || transport == Transport::UdpPush ||
           transport == Transport::SrtListener || transport == Transport::MediaConnect;
  }
};

inline constexpr std::string_view kUrlPathVariable = "$urlPath$";

// The input with kUrlPathVariable in its i-th URL replaced by url_path[i] (the last value for URLs
// beyond the list: a STANDARD input's two sources may share one).
InputPlan with_url_path(const InputPlan& input, const std::vector<std::string>& url_path);

// `input` is the Input record's document; `stream_names` what the control plane allocated for it
// (RTMP_PUSH); `security_groups` maps group id -> InputSecurityGroup document, for the groups the
// input names (a missing group contributes no rule).
// `attachment` is the channel's InputAttachment for it (InputSettings); `s3_root` the directory
// that holds mediaemu's S3 buckets; `credentials` the secrets the input names that exist.
InputPlan plan_input(const nlohmann::json& input, const std::vector<std::string>& stream_names,
                     const std::map<std::string, nlohmann::json>& security_groups,
                     const nlohmann::json& attachment = nlohmann::json::object(),
                     const std::filesystem::path& s3_root = {}, const Credentials& credentials = {});

}  // namespace mediaemu::media
