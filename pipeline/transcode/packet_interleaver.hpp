// Puts the encoded packets of all renditions into one time-ordered stream for the MediaSink.
// Encoders hold frames for different lengths (x264 lookahead and B-frames versus AAC's one-frame
// delay), so each track's packets wait here until every track has caught up to them, the way
// libavformat interleaves by dts before writing a file.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <vector>

#include "pipeline/media.hpp"

namespace mediaemu::pipeline {

class PacketInterleaver {
 public:
  // `time_bases`: every track id the layout will have, with the time base of its packets.
  PacketInterleaver(MediaSink& sink, const std::map<int, AVRational>& time_bases);

  // Sends the layout; packets pushed before it are held until then.
  void start(const OutputLayout& layout);
  bool started() const { return started_; }

  void push(int track_id, PacketPtr packet);
  // Sends every held packet in time order (end of stream, or before a discontinuity).
  void flush();
  MediaSink& sink() { return sink_; }

 private:
  struct Track {
    int id = 0;
    AVRational time_base{1, 1};
    std::deque<SharedPacket> held;
  };
  void release(bool everything);
  Track* earliest();

  MediaSink& sink_;
  std::vector<Track> tracks_;
  bool started_ = false;
  int64_t newest_us_ = INT64_MIN;  // latest dts seen on any track
};

}  // namespace mediaemu::pipeline
