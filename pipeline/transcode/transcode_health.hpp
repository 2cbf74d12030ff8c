// What a running transcoder tells the CloudWatch AWS/MediaLive output metrics (ML-UG
// eml-metrics-output-metrics): written by its worker after every event and tick, read by any
// thread without waiting for it.
//   DroppedFrames: input frames the channel received and could not encode (corrupt, or before
//     any decoder configuration arrived), cumulative; the metric is its growth per period.
//   FillMsec: the length of the current fill period (input lost, filler emitted), 0 otherwise.
//   Producing: output has started and is not paused; AWS gives no datapoints for either metric
//     otherwise ("the channel isn't producing output").
// And for the VideoBlack / AudioSilence failover conditions, which the channel's supervisor
// evaluates on the input on air: the brightest pixel and loudest sample decoded since it last
// read them (content_levels.hpp), -1 when nothing was decoded since. It takes them with
// exchange(-1), so they are mutable through the const handle it holds.
#pragma once

#include <atomic>
#include <cstdint>

namespace mediaemu::pipeline {

struct TranscodeHealth {
  std::atomic<int64_t> dropped_frames{0};
  std::atomic<int64_t> fill_ms{0};
  std::atomic<bool> producing{false};
  mutable std::atomic<int> peak_luma_permille{-1};
  mutable std::atomic<int> peak_audio_ppm{-1};

  // Raises `peak` to `value` if higher (the worker's side).
  static void raise(std::atomic<int>& peak, int value) {
    int seen = peak.load(std::memory_order_relaxed);
    while (value > seen && !peak.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
    }
  }
};

}  // namespace mediaemu::pipeline
