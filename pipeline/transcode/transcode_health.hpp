// What a running transcoder tells the CloudWatch AWS/MediaLive output metrics (ML-UG
// eml-metrics-output-metrics): written by its worker after every event and tick, read by any
// thread without waiting for it.
//   DroppedFrames: input frames the channel received and could not encode (corrupt, or before
//     any decoder configuration arrived), cumulative; the metric is its growth per period.
//   FillMsec: the length of the current fill period (input lost, filler emitted), 0 otherwise.
//   Producing: output has started and is not paused; AWS gives no datapoints for either metric
//     otherwise ("the channel isn't producing output").
#pragma once

#include <atomic>
#include <cstdint>

namespace mediaemu::pipeline {

struct TranscodeHealth {
  std::atomic<int64_t> dropped_frames{0};
  std::atomic<int64_t> fill_ms{0};
  std::atomic<bool> producing{false};
};

}  // namespace mediaemu::pipeline
