// A MediaLive MEDIACONNECT input as an IngestSource: it takes the MPEG-TS its MediaConnect flows
// send to their outputs, in-process, through the flows' taps (pipeline/flow/flow_taps.hpp), and
// demuxes it with libavformat exactly as the RTP/UDP push source does (FileSource with a reader:
// H.264 as AVCC, AAC raw, milliseconds).
//
// Subscriptions are by flow ARN, not to a relay: a flow started after the channel, stopped, or
// restarted (its relay rebuilt) is picked up without the channel noticing anything but a gap. A
// flow that is not ACTIVE sends nothing, which is input loss, as a silent push input is.
//
// Threads: the tap callbacks run on each flow's I/O thread and only copy the payload into a
// bounded queue (oldest dropped when full); which flow is on air (flow_preference.hpp) and all
// demuxing happen on the FileSource's own thread, in its reader. The queue is shared with the
// callbacks, because a packet being delivered when the source stops may still reach one.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/file_source.hpp"
#include "pipeline/flow/flow_taps.hpp"
#include "pipeline/ingest/ingest_source.hpp"
#include "pipeline/ingest/mediaconnect/flow_preference.hpp"

namespace mediaemu::pipeline::mediaconnect {

struct FlowTapSpec {
  std::string label;                   // "input 123 of channel 456"
  std::vector<std::string> flow_arns;  // MediaConnectFlows[].FlowArn: the preferred one first
  // How long the flow on air may be silent before the other one takes over: the channel's
  // input-loss time.
  std::chrono::milliseconds loss_time{1000};
  int scte35_pid = 0;  // InputSettings.Scte35Pid (FileSourceOptions::scte35_pid)
};

class FlowTapSource : public IngestSource {
 public:
  FlowTapSource(flow::FlowTaps& taps, FlowTapSpec spec);
  ~FlowTapSource() override;  // stop()

  std::string transport() const override { return "MEDIACONNECT"; }
  void start(std::shared_ptr<IngestSink> sink) override;
  void stop() override;
  // MEDIACONNECT inputs have no input security group: the flow's sources carry the whitelist.
  void update_allowed(AddressFilter) override {}
  IngestSourceStatus status() const override;

  // "flow-name" from "arn:aws:mediaconnect:<region>:<account>:flow:<id>:flow-name".
  static std::string flow_name(const std::string& flow_arn);

  struct Queue;  // the hand-off between the flows' threads and the demuxer (in the .cpp)

 private:
  int read(uint8_t* buffer, int size);  // FileSource's reader, on its thread

  flow::FlowTaps& taps_;
  FlowTapSpec spec_;
  std::shared_ptr<Queue> queue_;
  std::vector<flow::FlowTaps::Subscription> subscriptions_;
  std::unique_ptr<FileSource> demuxer_;
  FlowPreference preference_;  // the demuxer's thread only
  bool stopped_ = false;
};

}  // namespace mediaemu::pipeline::mediaconnect
